/**
 * Liquidation and bankruptcy prices, for isolated and cross pools, linear and inverse, under any
 * margin model (METHODS.md §1.1).
 *
 * For Binance's isolated one-way case the closed form is
 *   long  LP = (Q x EP - WB - cum) / (Q x (1 - MMR)),  short LP = (Q x EP + WB + cum) / (Q x (1 + MMR)),
 * recomputed in the bracket where LP lands. Rather than one closed form per model, this solves the
 * same equation for every model on the price grid: it moves the position's mark (and the price of
 * its underlying asset, proportionally, so collateral in that asset moves with it), holds every
 * other position at its mark, and bisects for the first grid price, moving adversely from the mark,
 * at which the pool's own valuation crosses the threshold:
 *   liquidation price: MM-weighted collateral < MM (as the status);  bankruptcy price: equity <= 0.
 * The answer is therefore exact with respect to `valuePool` (bracket changes, haircut tiers and
 * rounding included). Worked: 1 BTC long at 84,000, 10x, MMR 0.4%: LP 75,903.61.
 * The search assumes the pool's margin excess is monotone in this price, as it is for one position.
 */
import { divHalfEven } from '../units/rounding.js';
import { price, type Price } from '../units/quantities.js';
import { instrumentOf, markOf, valuePool, type Pool, type PoolFigures } from './pool.js';
import type { Market, RiskParams } from './types.js';

export type PriceOutcome =
  | { readonly kind: 'price'; readonly price: Price }
  /** The threshold is already crossed at the mark. */
  | { readonly kind: 'now' }
  | { readonly kind: 'none'; readonly reason: string };

/** The short side searches up to this multiple of the mark before answering "none". */
export const ADVERSE_PRICE_MULTIPLE_MAX = 1_000_000n;

/** Liquidatable: MM-weighted collateral strictly below MM (METHODS.md §4: equity < MM), as `statusOf`. */
export const liquidationThreshold = (f: PoolFigures): boolean => f.collateralMaintenance < f.maintenanceMargin;
export const bankruptcyThreshold = (f: PoolFigures): boolean => f.equity <= 0n;

export function liquidationPriceOf(pool: Pool, index: number, market: Market, params: RiskParams): PriceOutcome {
  return adversePriceOf(pool, index, market, params, liquidationThreshold);
}

export function bankruptcyPriceOf(pool: Pool, index: number, market: Market, params: RiskParams): PriceOutcome {
  return adversePriceOf(pool, index, market, params, bankruptcyThreshold);
}

export function adversePriceOf(
  pool: Pool,
  index: number,
  market: Market,
  params: RiskParams,
  crossed: (figures: PoolFigures) => boolean,
): PriceOutcome {
  const position = pool.positions[index];
  if (position === undefined || position.size === 0n) return { kind: 'none', reason: 'no position' };
  const mark = markOf(market, position.instrument);
  const at = (p: bigint): boolean => crossed(valuePool(pool, marketAt(market, params, position.instrument, mark, p), params));
  if (at(mark)) return { kind: 'now' };

  if (position.size > 0n) {
    if (!at(1n)) return { kind: 'none', reason: 'no price above zero reaches the threshold' };
    let safe: bigint = mark;
    let hit = 1n;
    while (safe - hit > 1n) {
      const mid = (safe + hit) / 2n; // both positive: truncation is floor
      if (at(mid)) hit = mid;
      else safe = mid;
    }
    return { kind: 'price', price: price(hit) };
  }

  let safe: bigint = mark;
  let hit: bigint = mark * 2n;
  while (!at(hit)) {
    safe = hit;
    hit *= 2n;
    if (hit > mark * ADVERSE_PRICE_MULTIPLE_MAX) {
      return { kind: 'none', reason: `no price up to ${ADVERSE_PRICE_MULTIPLE_MAX}x the mark reaches the threshold` };
    }
  }
  while (hit - safe > 1n) {
    const mid = (safe + hit) / 2n;
    if (at(mid)) hit = mid;
    else safe = mid;
  }
  return { kind: 'price', price: price(hit) };
}

/** The market with one instrument's mark at `p`, its underlying's price moved in proportion. */
function marketAt(market: Market, params: RiskParams, symbol: string, mark: Price, p: bigint): Market {
  const marks = new Map(market.marks);
  marks.set(symbol, price(p));
  const underlying = instrumentOf(params, symbol).underlying;
  const underlyingPrice = market.prices.get(underlying);
  if (underlyingPrice === undefined) return { ...market, marks };
  const prices = new Map(market.prices);
  const moved = divHalfEven(underlyingPrice * p, mark);
  prices.set(underlying, price(moved > 0n ? moved : 1n));
  return { ...market, marks, prices };
}
