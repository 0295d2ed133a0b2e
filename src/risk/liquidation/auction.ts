/**
 * The Dutch auction of a slice of a whole portfolio (Lyra v2 `DutchAuction.sol`, Derive's
 * liquidation parameters; METHODS.md §4). Pure and exact: rates are `Rate` (12 decimals), amounts
 * `Amount`, times whole milliseconds.
 *
 * The price of the slice is its value at mark times (1 - discount). The discount falls linearly
 * in two phases, as Lyra's `_getDiscountPercentage`: from `discountStart` to `discountFastEnd`
 * over `fastDurationMs` (Lyra: 5% to 30% in 15 minutes), then to `discountEnd` over
 * `slowDurationMs` (Lyra: to 100% over 12 hours). The auction ends (times out) after both phases.
 *
 * The largest fraction a bid may take (Lyra's `_getMaxProportion`, f = BM / (BM - MtM x price
 * factor)): taking a fraction f of every position and balance scales the account's MM collateral,
 * MM and notional by (1 - f) and pays it f x equity x (1 - discount) in cash, less the fund's fee.
 * The account is back at MM plus the buffer when
 *   (1 - f) x CM + f x Q >= (1 - f) x (MM + buffer x notional),  Q = equity x (1 - discount - fee),
 * so f = S / (S + Q) with the shortage S = MM + buffer x notional - CM. Anything above takes more
 * than needed. Worked (test/engine/liquidation/auction.test.ts): equity 40, CM 40, MM 50, buffer
 * 20 (2% of 1,000), discount 15%, fee 1%: S = 30, Q = 33.6, f = 30 / 63.6 = 0.471698113208 (up).
 */
import { RATE_ONE, amount, rate, type Amount, type Rate } from '../units/quantities.js';
import { divCeil, divFloor } from '../units/rounding.js';

export interface AuctionSchedule {
  readonly discountStart: Rate;
  readonly discountFastEnd: Rate;
  readonly discountEnd: Rate;
  readonly fastDurationMs: number;
  readonly slowDurationMs: number;
}

/** Lyra v2 / Derive (docs "Liquidation Parameters"): 0.95 -> 0.70 of mark in 15 min, then -> 0 over 12 h. */
export const AUCTION_SCHEDULE_DEFAULT: AuctionSchedule = {
  discountStart: rate(RATE_ONE / 20n),
  discountFastEnd: rate((RATE_ONE * 3n) / 10n),
  discountEnd: RATE_ONE,
  fastDurationMs: 15 * 60_000,
  slowDurationMs: 12 * 3_600_000,
};

export const auctionDurationMs = (s: AuctionSchedule): number => s.fastDurationMs + s.slowDurationMs;

/**
 * The discount `elapsedMs` after the start (0 <= elapsed < duration), rounded down (the account's
 * side: a smaller discount is a higher price for its slice).
 */
export function discountAt(s: AuctionSchedule, elapsedMs: number): Rate {
  if (!Number.isInteger(elapsedMs) || elapsedMs < 0) throw new Error(`Invariant: auction elapsed time ${elapsedMs}`);
  const along = (from: Rate, to: Rate, done: number, total: number): Rate => rate(from + divFloor((to - from) * BigInt(done), BigInt(total)));
  if (elapsedMs < s.fastDurationMs) return along(s.discountStart, s.discountFastEnd, elapsedMs, s.fastDurationMs);
  const slow = elapsedMs - s.fastDurationMs;
  if (slow < s.slowDurationMs) return along(s.discountFastEnd, s.discountEnd, slow, s.slowDurationMs);
  return s.discountEnd;
}

export interface FractionInput {
  /** MM collateral, MM, buffer amount and equity of the account, valuation asset. */
  readonly collateralMaintenance: Amount;
  readonly maintenanceMargin: Amount;
  readonly bufferAmount: Amount;
  readonly equity: Amount;
  readonly discount: Rate;
  readonly insuranceFee: Rate;
}

/**
 * The largest fraction a bid may take now: the smallest on the 1e-12 grid that restores MM plus
 * the buffer (rounded up: one grid step more rather than a bid that falls short). 0 when nothing is
 * short; 1 when the price no longer pays anything (the whole account is on offer).
 */
export function fractionMaxOf(x: FractionInput): Rate {
  const shortage = x.maintenanceMargin + x.bufferAmount - x.collateralMaintenance;
  if (shortage <= 0n) return rate(0n);
  const net = RATE_ONE - x.discount - x.insuranceFee;
  const perUnit = net > 0n && x.equity > 0n ? divFloor(x.equity * net, RATE_ONE) : 0n;
  if (perUnit <= 0n) return RATE_ONE;
  const f = divCeil(shortage * RATE_ONE, shortage + perUnit);
  return rate(f < RATE_ONE ? f : RATE_ONE);
}

/** A fraction of a position, on the lot grid, rounded down (never more than the fraction). */
export function sliceUnits(held: bigint, fraction: Rate, lot: bigint): bigint {
  const magnitude = held < 0n ? -held : held;
  if (fraction >= RATE_ONE) return magnitude;
  return divFloor(divFloor(magnitude * fraction, RATE_ONE), lot) * lot;
}

/** A fraction of a balance, rounded toward zero (a fraction of a debt moves with its sign). */
export function sliceBalance(balance: bigint, fraction: Rate): Amount {
  if (fraction >= RATE_ONE) return amount(balance);
  const magnitude = divFloor((balance < 0n ? -balance : balance) * fraction, RATE_ONE);
  return amount(balance < 0n ? -magnitude : magnitude);
}

/** What the bidder pays for a slice worth `sliceValue` at mark: value x (1 - discount), rounded up (the account's side). */
export function auctionPaymentOf(sliceValue: Amount, discount: Rate): Amount {
  if (sliceValue <= 0n) return amount(0n);
  return amount(divCeil(sliceValue * (RATE_ONE - discount), RATE_ONE));
}
