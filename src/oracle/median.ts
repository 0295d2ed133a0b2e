/**
 * Weighted median of prices, exact in bigint (METHODS.md §1.3: "weighted median of spot venues").
 *
 * Sort by price; the weighted median is the first price at which the cumulative weight reaches
 * half the total. When the cumulative weight is exactly half (an even split), it is the midpoint
 * of that price and the next, rounded half-even. Worked: prices 100, 101, 102, 110 with weights
 * 1, 1, 1, 1: cumulative 2 of 4 at 101, so (101 + 102) / 2 = 101.5; weights 1, 1, 3, 1: 102.
 *
 * The result lies within [min, max] of the prices, depends only on the multiset of (price,
 * weight) pairs (never on their order), and scaling every weight by the same factor leaves it.
 */
import { invariant } from '../risk/errors.js';
import { divHalfEven } from '../risk/units/rounding.js';
import { price as asPrice, type Price } from '../risk/units/quantities.js';

export interface Weighted {
  readonly price: Price;
  /** Any positive integer scale; only ratios between weights count. */
  readonly weight: bigint;
}

export function weightedMedianOf(entries: readonly Weighted[]): Price {
  invariant(entries.length > 0, 'weighted median of nothing');
  const sorted = [...entries].sort((a, b) => (a.price < b.price ? -1 : a.price > b.price ? 1 : 0));
  let total = 0n;
  for (const e of sorted) {
    invariant(e.weight > 0n, 'a weight is > 0');
    total += e.weight;
  }
  let cumulative = 0n;
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i] as Weighted;
    cumulative += entry.weight;
    const twice = 2n * cumulative;
    if (twice > total) return entry.price;
    if (twice === total) {
      const next = sorted[i + 1];
      return next === undefined ? entry.price : asPrice(divHalfEven(entry.price + next.price, 2n));
    }
  }
  invariant(false, 'cumulative weight never reached half');
}
