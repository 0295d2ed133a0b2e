/**
 * HOOK for the liquidation planner (ARCHITECTURE.md issue 6), which is not built yet: the one
 * place that says which price a liquidation may act on, given the oracle's verdict on the
 * symbol (RELIABILITY.md R8, R9, R17):
 *
 *   ok        the published price;
 *   degraded  the published price, which under `degraded` is the guarded price: the median of
 *             the sources left, or the market clamped to the band, never outside the band;
 *   stale     nothing: no liquidation on a price nobody vouches for (R9);
 *   halted    nothing until the breaker resets on fresh, consistent prices (R17).
 *
 * The planner should read the status of the instrument's underlying (and of the collateral
 * assets it values) from the engine's `state.market.statuses` and call this before acting.
 * test/oracle/reliability.test.ts holds the todo tests that will assert "no liquidation fires".
 */
import type { Price } from '../risk/units/quantities.js';
import type { MarketStatus } from './types.js';

export type LiquidationPrice =
  | { readonly kind: 'price'; readonly price: Price; readonly guarded: boolean }
  | { readonly kind: 'paused'; readonly status: 'stale' | 'halted' };

export function liquidationPriceOf(status: MarketStatus | undefined, price: Price | undefined): LiquidationPrice {
  const s = status ?? 'ok';
  if (s === 'halted') return { kind: 'paused', status: 'halted' };
  if (s === 'stale' || price === undefined) return { kind: 'paused', status: 'stale' };
  return { kind: 'price', price, guarded: s === 'degraded' };
}
