/**
 * Exact summation of float64 values: the sum of the inputs computed exactly and rounded once to
 * the nearest double, whatever their order. J. R. Shewchuk, "Adaptive precision floating-point
 * arithmetic and fast robust geometric predicates", Discrete Comput. Geom. 18 (1997), as in
 * Python's math.fsum (R. Hettinger's msum with the half-way correction). Worked figure:
 * [1e16, 1, -1e16] sums to 1 here, to 0 by naive left-to-right addition.
 *
 * Used where a total must equal the sum of its parts whichever way they are grouped: a
 * scenario's venue-wide loss is the exact sum of its account losses.
 */
import { InputError } from '../errors.js';

export function exactSum(values: Iterable<number>): number {
  const partials: number[] = [];
  for (const value of values) {
    if (!Number.isFinite(value)) throw new InputError('number_not_finite', 'every summand must be finite', 'values');
    let x = value;
    let used = 0;
    for (let j = 0; j < partials.length; j++) {
      let y = partials[j] as number;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[used++] = lo;
      x = hi;
    }
    partials.length = used;
    partials.push(x);
  }
  return roundPartials(partials);
}

/** Adds the non-overlapping partials from the largest down, rounding the total once. */
function roundPartials(partials: readonly number[]): number {
  let n = partials.length;
  if (n === 0) return 0;
  n -= 1;
  let hi = partials[n] as number;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    n -= 1;
    const y = partials[n] as number;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Half-way case: the rest of the partials decide which way the tie rounds.
  const below = partials[n - 1];
  if (n > 0 && below !== undefined && ((lo < 0 && below < 0) || (lo > 0 && below > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  if (!Number.isFinite(hi)) throw new InputError('sum_overflows', 'the exact sum overflows float64', 'values');
  return hi;
}
