/**
 * Whether the oracle vouches for the prices an account's liquidation depends on (R8, R9): a stale
 * price never liquidates; a halted market waits (`pause`) or liquidates on the price the engine
 * held when the breaker tripped (`guarded`). Shared by the pass, the operator's `Liquidate` and
 * auction bids.
 */
import type { LiquidationParams } from '../../risk/liquidation/params.js';
import { settlementAssetOf } from '../../risk/instruments/types.js';
import { reject, type Rejection } from '../decide/result.js';
import type { AccountState, EngineState } from '../state.js';

/** The price symbols the account's positions and balances depend on, sorted. */
function symbolsOf(s: EngineState, a: AccountState): string[] {
  const symbols = new Set<string>();
  for (const [symbol, p] of a.positions) {
    if (p.size === 0n && (p.isolatedMargin ?? 0n) === 0n) continue;
    symbols.add(symbol);
    const i = s.params?.risk.instruments.get(symbol);
    if (i !== undefined) for (const x of [i.underlying, i.quoteAsset, settlementAssetOf(i)]) symbols.add(x);
  }
  for (const [asset, v] of a.balances) if (v !== 0n) symbols.add(asset);
  return [...symbols].sort();
}

/** Why the account's liquidation waits for its prices, or undefined when it may go ahead. */
export function marketBlocked(s: EngineState, lp: LiquidationParams, a: AccountState): Rejection | undefined {
  if (s.market.statuses.size === 0) return undefined;
  for (const symbol of symbolsOf(s, a)) {
    const status = s.market.statuses.get(symbol);
    if (status === 'stale') return reject('oracle_price_stale', `the price of ${symbol} is stale: liquidation waits`);
    if (status === 'halted' && lp.onUnreliablePrice === 'pause') return reject('market_halted', `${symbol} is halted: liquidation waits`);
  }
  return undefined;
}
