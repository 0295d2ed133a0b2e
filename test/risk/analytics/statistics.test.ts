/**
 * Returns, EWMA, sample moments, covariance matrices, Cholesky, exact sums and the normal and
 * Student-t quantiles, against published figures and hand-computed examples.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  cholesky,
  covarianceFromCorrelation,
  covarianceMatrix,
  ewmaCovariance,
  ewmaVariances,
  ewmaVarianceStep,
  exactSum,
  logGamma,
  logReturns,
  mean,
  meanSquare,
  quadraticForm,
  sampleCovariance,
  sampleVariance,
  simpleReturns,
  studentTCdf,
  studentTQuantile,
  studentTRiskFactors,
  zQuantile,
} from '../../../src/risk/analytics/index.js';
import { assertClose, assertRejects, roundTo } from './support.js';

fc.configureGlobal({ includeErrorInReport: true });

describe('EWMA variance: published figures', () => {
  // METHODS.md section 5: lambda 0.94, s 2%, r 5% -> s_next 2.2935%.
  test('RiskMetrics lambda 0.94 takes 2% vol and a 5% return to 2.2935%', () => {
    const next = ewmaVarianceStep({ lambda: 0.94, variance: 0.02 ** 2, lastReturn: 0.05 });
    assertClose(next, 0.000526, 1e-18, 'variance');
    assert.equal(roundTo(Math.sqrt(next) * 100, 4), 2.2935);
  });

  // Hull, "Options, Futures, and Other Derivatives", chapter "Estimating volatilities and
  // correlations" (EWMA example): lambda 0.90, s 1%, a 2% move: s2 = 0.00013, s = 1.14%.
  test("Hull's example: lambda 0.90 takes 1% vol and a 2% move to 1.1402%", () => {
    const next = ewmaVarianceStep({ lambda: 0.9, variance: 0.0001, lastReturn: 0.02 });
    assertClose(next, 0.00013, 1e-18, 'variance');
    assert.equal(roundTo(Math.sqrt(next) * 100, 4), 1.1402);
  });

  // Hull, same chapter (correlation updating): lambda 0.95, rho 0.6, s_x 1%, s_y 2%, moves 0.5% and
  // 2.5%: cov 0.00012025, s_x 0.981%, s_y 2.028%, rho 0.6044.
  test("Hull's correlation example: the EWMA covariance moves rho from 0.6 to 0.6044", () => {
    const initial = covarianceMatrix(2, [0.0001, 0.6 * 0.01 * 0.02, 0.6 * 0.01 * 0.02, 0.0004]);
    const c = ewmaCovariance([[0.005], [0.025]], { lambda: 0.95, initial }).values;
    assertClose(c[1] as number, 0.00012025, 1e-18, 'covariance');
    const sx = Math.sqrt(c[0] as number);
    const sy = Math.sqrt(c[3] as number);
    assert.equal(roundTo(sx * 100, 3), 0.981);
    assert.equal(roundTo(sy * 100, 3), 2.028);
    assert.equal(roundTo((c[1] as number) / (sx * sy), 4), 0.6044);
  });

  test('the variance path is the seed, then one forecast per return, never using its own return', () => {
    const path = ewmaVariances([0.05, 0, -0.01], { lambda: 0.94, initialVariance: 0.0004 });
    assert.equal(path.length, 4);
    assert.equal(path[0], 0.0004);
    assertClose(path[1] as number, 0.000526, 1e-18);
    assertClose(path[2] as number, 0.94 * 0.000526, 1e-18);
    assertClose(path[3] as number, 0.94 * 0.94 * 0.000526 + 0.06 * 0.0001, 1e-18);
  });

  test('EWMA parameters are checked', () => {
    assertRejects(() => ewmaVariances([0.01], { lambda: 1, initialVariance: 0.0001 }), 'ewma_lambda_out_of_range');
    assertRejects(() => ewmaVariances([0.01], { lambda: 0.94, initialVariance: -1 }), 'variance_negative');
    assertRejects(() => ewmaVariances([Number.NaN], { lambda: 0.94, initialVariance: 0 }), 'number_not_finite');
  });
});

describe('returns and sample moments', () => {
  test('log and simple returns of 100 -> 105 -> 99.75 are ln 1.05, ln 0.95 and 5%, -5%', () => {
    const prices = [100, 105, 99.75];
    const log = logReturns(prices);
    assertClose(log[0] as number, 0.04879016416943205, 1e-16);
    assertClose(log[1] as number, Math.log(0.95), 1e-16);
    const simple = simpleReturns(prices);
    assertClose(simple[0] as number, 0.05, 1e-15);
    assertClose(simple[1] as number, -0.05, 1e-15);
    assertClose(logReturns(prices, 2)[0] as number, Math.log(0.9975), 1e-16);
  });

  test('returns need two positive prices', () => {
    assertRejects(() => logReturns([100]), 'prices_too_few');
    assertRejects(() => logReturns([100, 0, 3]), 'price_not_positive');
    assertRejects(() => simpleReturns([100, 101], 2), 'lag_days_invalid');
  });

  test('sample variance of [2, 4, 4, 4, 5, 5, 7, 9] is 32/7 and its mean 5; mean square of [0.01, -0.03] is 0.0005', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    assert.equal(mean(xs), 5);
    assertClose(sampleVariance(xs), 32 / 7, 1e-15);
    assertClose(meanSquare([0.01, -0.03]), 0.0005, 1e-19);
  });

  test('sample covariance: x = [1, 2, 3], y = [1, 3, 2] gives var 1, 1 and cov 0.5', () => {
    const c = sampleCovariance([[1, 2, 3], [1, 3, 2]], { mean: 'estimated' }).values;
    assert.deepEqual([...c], [1, 0.5, 0.5, 1]);
    const z = sampleCovariance([[1, 2, 3], [1, 3, 2]], { mean: 'zero' }).values;
    assert.deepEqual([...z], [14 / 3, 13 / 3, 13 / 3, 14 / 3]);
    assertRejects(() => sampleCovariance([[1, 2, 3], [1, 2]], { mean: 'zero' }), 'series_length_mismatch');
  });

  test('sample variance is shift-invariant and agrees with the covariance diagonal', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 2, maxLength: 60 }), fc.double({ min: -1, max: 1, noNaN: true }), (xs, shift) => {
        const v = sampleVariance(xs);
        assertClose(sampleVariance(xs.map((x) => x + shift)), v, 1e-12 + 1e-9 * v);
        assertClose(sampleCovariance([xs], { mean: 'estimated' }).values[0] as number, v, 1e-15 + 1e-12 * v);
      }),
      { seed: 1201, numRuns: 300 },
    );
  });
});

describe('covariance matrices', () => {
  test('Cholesky of [[4, 2], [2, 2]] is [[2, 0], [1, 1]]', () => {
    assert.deepEqual([...cholesky(covarianceMatrix(2, [4, 2, 2, 2]))], [2, 0, 1, 1]);
  });

  test('Cholesky accepts a semi-definite matrix (two perfectly correlated factors)', () => {
    const l = cholesky(covarianceFromCorrelation([0.02, 0.03, 0.01], [1, 1, 0.2, 1, 1, 0.2, 0.2, 0.2, 1]));
    assertClose(l[0] as number, 0.02, 1e-17);
    assertClose(l[3] as number, 0.03, 1e-17);
    assert.equal(l[4], 0);
  });

  test('Cholesky rejects an indefinite matrix and the constructor a broken one', () => {
    assertRejects(() => cholesky(covarianceMatrix(2, [1, 2, 2, 1])), 'covariance_not_positive_semidefinite');
    assertRejects(() => covarianceMatrix(2, [1, 0.5, 0.4, 1]), 'covariance_not_symmetric');
    assertRejects(() => covarianceMatrix(2, [-1, 0, 0, 1]), 'variance_negative');
    assertRejects(() => covarianceMatrix(2, [1, 0, 0]), 'covariance_size_mismatch');
    assertRejects(() => covarianceFromCorrelation([0.1, 0.1], [1, 1.5, 1.5, 1]), 'correlation_out_of_range');
  });

  test('L L^T rebuilds a random covariance matrix', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }).chain((n) => fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n * n, maxLength: n * n }).map((a) => ({ n, a }))), ({ n, a }) => {
        // S = A A^T + 1e-3 I is positive definite.
        const s = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          let sum = i === j ? 1e-3 : 0;
          for (let k = 0; k < n; k++) sum += (a[i * n + k] as number) * (a[j * n + k] as number);
          s[i * n + j] = sum;
        }
        const l = cholesky(covarianceMatrix(n, s));
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let k = 0; k < n; k++) sum += (l[i * n + k] as number) * (l[j * n + k] as number);
          assertClose(sum, s[i * n + j] as number, 1e-12 * (1 + Math.abs(s[i * n + j] as number)), `S[${i}][${j}]`);
        }
      }),
      { seed: 1202, numRuns: 200 },
    );
  });

  test("w' S w of Hull's two-asset example is 220,227^2", () => {
    const s = covarianceFromCorrelation([0.02, 0.01], [1, 0.3, 0.3, 1]);
    assert.equal(Math.round(Math.sqrt(quadraticForm([10_000_000, 5_000_000], s))), 220227);
  });
});

describe('exact summation', () => {
  test('[1e16, 1, -1e16] sums to 1, and 0.1 ten times to exactly 1', () => {
    assert.equal(exactSum([1e16, 1, -1e16]), 1);
    assert.equal(exactSum(Array.from({ length: 10 }, () => 0.1)), 1);
    assert.equal(exactSum([]), 0);
    assertRejects(() => exactSum([1, Number.POSITIVE_INFINITY]), 'number_not_finite');
  });

  test('the exact sum does not depend on the order of the summands', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e12, max: 1e12, noNaN: true }), { maxLength: 40 }), fc.integer(), (xs, k) => {
        const shuffled = [...xs].sort((a, b) => ((a * 7919 + k) % 13) - ((b * 7919 + k) % 13));
        assert.equal(exactSum(shuffled), exactSum(xs));
        assert.equal(exactSum([...xs].reverse()), exactSum(xs));
      }),
      { seed: 1203, numRuns: 500 },
    );
  });
});

describe('quantiles', () => {
  // METHODS.md section 5.
  test('z(95%) 1.644854, z(99%) 2.326348, z(99.5%) 2.575829', () => {
    assert.equal(roundTo(zQuantile(0.95), 6), 1.644854);
    assert.equal(roundTo(zQuantile(0.99), 6), 2.326348);
    assert.equal(roundTo(zQuantile(0.995), 6), 2.575829);
    assertRejects(() => zQuantile(1), 'confidence_out_of_range');
    assertRejects(() => zQuantile(0), 'confidence_out_of_range');
  });

  // Standard t tables (e.g. Abramowitz and Stegun table 26.10): t(0.975; 10) 2.228139,
  // t(0.99; 5) 3.364930, t(0.95; 5) 2.015048, t(0.99; 10) 2.763769.
  test('Student-t quantiles match the tables to 6 decimals', () => {
    assert.equal(roundTo(studentTQuantile(0.975, 10), 6), 2.228139);
    assert.equal(roundTo(studentTQuantile(0.99, 5), 6), 3.36493);
    assert.equal(roundTo(studentTQuantile(0.95, 5), 6), 2.015048);
    assert.equal(roundTo(studentTQuantile(0.99, 10), 6), 2.763769);
    assert.equal(roundTo(studentTQuantile(0.01, 10), 6), -2.763769);
  });

  // Closed forms: nu = 1 is Cauchy, F(t) = 1/2 + atan(t)/pi; nu = 2: F(t) = 1/2 + t/(2 sqrt(2 + t^2));
  // nu = 4: the quantile is 2 sqrt(q - 1) with q = cos(acos(sqrt(a))/3)/sqrt(a), a = 4p(1 - p).
  test('the t distribution matches its closed forms for nu = 1, 2 and 4', () => {
    for (const t of [-30, -2, -0.5, 0, 0.3, 1, 4, 100]) {
      assertClose(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-14, `nu 1 at ${t}`);
      assertClose(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-14, `nu 2 at ${t}`);
    }
    for (const p of [0.6, 0.9, 0.975, 0.99, 0.9999]) {
      const a = 4 * p * (1 - p);
      const q = Math.cos(Math.acos(Math.sqrt(a)) / 3) / Math.sqrt(a);
      assertClose(studentTQuantile(p, 4), 2 * Math.sqrt(q - 1), 1e-12 * 2 * Math.sqrt(q - 1), `nu 4 at ${p}`);
    }
    assertClose(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-15);
    assertClose(logGamma(10), Math.log(362880), 1e-13);
  });

  test('the quantile inverts the distribution function', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0.5, max: 200, noNaN: true }), (p, nu) => {
        assertClose(studentTCdf(studentTQuantile(p, nu), nu), p, 1e-12);
      }),
      { seed: 1204, numRuns: 300 },
    );
  });

  test('unit-variance t risk factors tend to the normal 2.326348 and 2.665214 at 99%', () => {
    const far = studentTRiskFactors(0.99, 1e7);
    assert.equal(roundTo(far.varFactor, 5), 2.32635);
    assert.equal(roundTo(far.esFactor, 5), 2.66521);
    const fat = studentTRiskFactors(0.99, 4);
    assert.ok(fat.esFactor > 2.665214 && fat.esFactor > fat.varFactor);
  });
});
