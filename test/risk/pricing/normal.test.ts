import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { erf, erfc, normCdf, normInv, normPdf } from '../../../src/risk/pricing/normal.js';
import { assertClose, roundTo } from './approx.js';
import {
  erfcReference,
  erfReference,
  normCdfReference,
  normInvReference,
  normPdfReference,
  relativeError,
} from './highPrecisionNormal.js';

describe('normal distribution: published values', () => {
  // METHODS.md section 5: z(95%) 1.644854, z(99%) 2.326348, z(99.5%) 2.575829.
  test('quantiles match the VaR table to 6 decimals', () => {
    assert.equal(roundTo(normInv(0.95), 6), 1.644854);
    assert.equal(roundTo(normInv(0.99), 6), 2.326348);
    assert.equal(roundTo(normInv(0.995), 6), 2.575829);
    assert.equal(roundTo(normInv(0.975), 6), 1.959964);
  });

  // METHODS.md section 5: normal ES = s * n(z) / (1 - a): ES 97.5% = 2.337803 s, ES 99% = 2.665214 s.
  test('expected-shortfall multipliers match the table to 6 decimals', () => {
    assert.equal(roundTo(normPdf(normInv(0.975)) / 0.025, 6), 2.337803);
    assert.equal(roundTo(normPdf(normInv(0.99)) / 0.01, 6), 2.665214);
  });

  // Abramowitz and Stegun, table 7.1 and 26.1: erf(0.5) = 0.5204998778, N(1) = 0.8413447461,
  // N(-3) = 0.0013498980, n(0) = 0.3989422804.
  test('erf, N and n match Abramowitz and Stegun to 10 decimals', () => {
    assert.equal(roundTo(erf(0.5), 10), 0.5204998778);
    assert.equal(roundTo(normCdf(1), 10), 0.8413447461);
    assert.equal(roundTo(normCdf(-3), 10), 0.001349898);
    assert.equal(roundTo(normPdf(0), 10), 0.3989422804);
    assert.equal(normCdf(0), 0.5);
    assert.equal(erfc(0), 1);
  });
});

describe('normal distribution: accuracy against a 50-digit reference', () => {
  test('N(x) is within 1e-15 relative from x = -37.5 to 8.5', () => {
    const xs: number[] = [];
    for (let x = -8; x <= 8.5; x += 0.1013) xs.push(x);
    for (let x = -37.5; x < -8; x += 3.7137) xs.push(x);
    xs.push(-37.5, -20, -10, -5, -1, -0.66, -0.66291, 0.66291, 1e-9, -1e-300);
    for (const x of xs) {
      const error = relativeError(normCdf(x), normCdfReference(x));
      assert.ok(error <= 1e-15, `N(${x}) relative error ${error}`);
    }
  });

  test('n(x) is within 1e-15 relative for |x| <= 37', () => {
    for (let x = -37; x <= 37; x += 0.3719) {
      const error = relativeError(normPdf(x), normPdfReference(x));
      assert.ok(error <= 1e-15, `n(${x}) relative error ${error}`);
    }
  });

  test('erf and erfc are within 1e-15 relative from -6 to 20', () => {
    for (let x = -6; x <= 6; x += 0.0917) {
      const error = relativeError(erf(x), erfReference(x));
      assert.ok(error <= 1e-15, `erf(${x}) relative error ${error}`);
    }
    for (let x = -6; x <= 20; x += 0.931) {
      const error = relativeError(erfc(x), erfcReference(x));
      assert.ok(error <= 1e-15, `erfc(${x}) relative error ${error}`);
    }
  });

  test('the quantile is within 3e-16 relative from p = 1e-300 to 1 - 1e-10', () => {
    const ps = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.499];
    for (const p of ps) {
      const z = normInv(p);
      const error = relativeError(z, normInvReference(p, z));
      assert.ok(error <= 3e-16, `z(${p}) relative error ${error}`);
      // The upper half is the mirror image, computed from 1 - p exactly.
      const q = 1 - p;
      if (q === 1) continue;
      const zUpper = normInv(q);
      const upperError = relativeError(zUpper, normInvReference(1 - q, -zUpper).neg());
      assert.ok(upperError <= 3e-16, `z(${q}) relative error ${upperError}`);
    }
  });
});

describe('normal distribution: laws', () => {
  test('N is symmetric: N(x) + N(-x) = 1', () => {
    fc.assert(
      fc.property(fc.double({ min: -9, max: 9, noNaN: true }), (x) => {
        assertClose(normCdf(x) + normCdf(-x), 1, 2e-16, `N(${x}) + N(${-x})`);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  test('the quantile inverts N', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }), (p) => {
        const z = normInv(p);
        const back = normCdf(z);
        assert.ok(Math.abs(back - p) <= 4e-16 * Math.max(p, 1 - p) + 1e-300, `N(z(${p})) = ${back}`);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  test('N is non-decreasing and bounded by 0 and 1 everywhere, without NaN', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const nLo = normCdf(lo);
        const nHi = normCdf(hi);
        assert.ok(nLo >= 0 && nHi <= 1 && nLo <= nHi, `N(${lo}) = ${nLo}, N(${hi}) = ${nHi}`);
        assert.ok(Number.isFinite(normPdf(lo)) && normPdf(lo) >= 0);
      }),
      { seed: 42, numRuns: 500 },
    );
    assert.equal(normCdf(Number.NEGATIVE_INFINITY), 0);
    assert.equal(normCdf(Number.POSITIVE_INFINITY), 1);
    assert.equal(normPdf(Number.POSITIVE_INFINITY), 0);
  });

  test('a probability outside (0, 1) has no quantile and is rejected with a stable code', () => {
    for (const p of [0, 1, -0.1, 1.5, Number.NaN]) {
      assert.throws(() => normInv(p), (error: unknown) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, /^quantile_probability_invalid: p must be in \(0, 1\)/);
        return true;
      });
    }
  });
});
