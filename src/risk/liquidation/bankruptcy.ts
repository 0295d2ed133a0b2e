/**
 * Bankruptcy values: the values at which closing every position leaves the account's cash in one
 * settlement asset at exactly zero. For one position this is the bankruptcy price (dYdX: "the price
 * at which closing leaves zero equity"); for several, the account's equity at mark (positive or
 * negative) is spread over the positions pro-rata to their value at mark, so that each position's
 * price moves against the account by the same fraction.
 *
 * Closing a position exchanges a value V (linear: quote; inverse: coin). The account's cash moves by
 * kappa x V with kappa = +1 for a linear long or an inverse short (it receives V), -1 for a linear
 * short or an inverse long. With cash C before (balances plus position cash), the values must
 * satisfy C + sum(kappa_i x V_i) = 0. Worked (dYdX tests): long 0.1 BTC with USDC -4,501 at
 * 50,000: the bankruptcy value is 4,501 (price 45,010).
 *
 * A value stays at least one unit: when the spread would push a value to zero or below (a deficit
 * larger than a position's whole value), that position's share is capped and the rest moves to the
 * others; what no position can take is returned as `unplaced` (covered as cash by the caller).
 */
import { amount, type Amount } from '../units/quantities.js';
import { divFloor } from '../units/rounding.js';

export interface CloseLeg {
  /** +1: the account receives the value on closing; -1: it pays it. */
  readonly kappa: 1 | -1;
  readonly markValue: Amount;
}

export interface BankruptcyValues {
  readonly values: readonly Amount[];
  /** The account's cash after closing at mark: its equity in this asset, exact (< 0: a deficit). */
  readonly cashAtMark: Amount;
  /** Signed amount no value could absorb (0 almost always); the caller settles it as cash. */
  readonly unplaced: Amount;
}

export function bankruptcyValuesOf(cash: bigint, legs: readonly CloseLeg[]): BankruptcyValues {
  const cashAtMark = legs.reduce((t, l) => t + BigInt(l.kappa) * l.markValue, cash);
  // Sum of kappa_i x delta_i must be -cashAtMark; write delta_i = kappa_i x t_i, sum t_i = target.
  const target = -cashAtMark;
  const sign = target < 0n ? -1n : 1n;
  const magnitude = target < 0n ? -target : target;
  // A leg whose value falls (kappa x sign < 0) can give at most markValue - 1.
  const room = legs.map((l) => (BigInt(l.kappa) * sign < 0n ? l.markValue - 1n : -1n)); // -1n: unbounded
  const weights = legs.map((l) => l.markValue);
  const t = spreadCapped(magnitude, weights, room);
  const values = legs.map((l, i) => amount(l.markValue + BigInt(l.kappa) * sign * (t.shares[i] ?? 0n)));
  return { values, cashAtMark: amount(cashAtMark), unplaced: amount(sign * t.left) };
}

/**
 * Spread `total` over weights, exactly, each share within its room (-1: unbounded): floor shares
 * pro-rata, capped; then what is left goes to legs with room, in index order.
 */
function spreadCapped(total: bigint, weights: readonly bigint[], room: readonly bigint[]): { shares: bigint[]; left: bigint } {
  const sum = weights.reduce((a, b) => a + b, 0n);
  const shares = weights.map((w, i) => {
    const share = sum > 0n ? divFloor(total * w, sum) : 0n;
    const r = room[i] ?? 0n;
    return r >= 0n && share > r ? (r > 0n ? r : 0n) : share;
  });
  let left = total - shares.reduce((a, b) => a + b, 0n);
  for (let i = 0; i < shares.length && left > 0n; i++) {
    const r = room[i] ?? 0n;
    const capacity = r < 0n ? left : r - (shares[i] ?? 0n);
    const add = capacity < left ? (capacity > 0n ? capacity : 0n) : left;
    shares[i] = (shares[i] ?? 0n) + add;
    left -= add;
  }
  return { shares, left };
}
