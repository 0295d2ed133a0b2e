/**
 * The kernel's float replicas of the reference's unit conversions are the reference's, value for
 * value: `ceilUnits` / `floorUnits` against `amountFromNumber` (float noise snapped, halves, huge
 * and tiny values), `floorMulDiv` against `notionalOf(q, p, 'floor')` in its exact range.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ceilUnits, floorUnits } from '../../src/kernel/index.js';
import { floorMulDiv, floorMulDivError } from '../../src/kernel/float.js';
import { amount, amountFromNumber, notionalOf, price } from '../../src/risk/units/quantities.js';

/** Values of every kind: random doubles, decimals on the 1e-8 grid, and values within float noise of it. */
const value = fc.oneof(
  fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1e9, max: 1e9 }).map((n) => n / 1e8),
  fc.tuple(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: -4, max: 4 })).map(([n, e]) => (n / 1e8) * (1 + e * Number.EPSILON)),
  fc.tuple(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 200 })).map(([n, d]) => (n / 1e3) / d),
  fc.tuple(fc.integer({ min: 1, max: 1e7 }), fc.constantFrom(0.004, 0.005, 0.0125, 0.02, 0.00005)).map(([n, r]) => (n / 1e3) * r),
  fc.constantFrom(0, -0, 0.5e-8, 1.5e-8, 2.5e-8, -2.5e-8, 2 ** 49 / 1e8, 5.63e6, 9e7, 2 ** 53 / 1e8, 1e9, 1e15),
);

describe('float replicas of the reference', () => {
  it('ceilUnits and floorUnits equal amountFromNumber', () => {
    fc.assert(
      fc.property(value, (v) => {
        assert.equal(ceilUnits(v) + 0, Number(amountFromNumber(v, 'ceil')) + 0, `ceil ${v}`); // -0 and 0 are the same amount
        assert.equal(floorUnits(v) + 0, Number(amountFromNumber(v, 'floor')) + 0, `floor ${v}`);
      }),
      { seed: 1, numRuns: 50_000 },
    );
  });

  it('floorMulDiv equals notionalOf(q, p, floor) exactly below 2^52, within its bound beyond', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 16n), max: 10n ** 16n }), fc.bigInt({ min: 1n, max: 10n ** 14n }), (q, p) => {
        const exact = Number(notionalOf(amount(q), price(p), 'floor'));
        const kernel = floorMulDiv(Number(q), Number(p));
        const bound = floorMulDivError(Number(q), Number(p));
        if (Math.abs(Number(q) * Number(p)) < 2 ** 52) assert.equal(kernel, exact);
        else assert.ok(Math.abs(kernel - exact) <= bound + 1e-12 * Math.abs(exact), `${q} x ${p}: ${kernel} vs ${exact}`);
      }),
      { seed: 2, numRuns: 20_000 },
    );
  });
});
