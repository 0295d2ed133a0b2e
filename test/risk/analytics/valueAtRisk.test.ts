/**
 * VaR and ES: published worked figures (METHODS.md section 5, Hull), the empirical quantile
 * convention, full revaluation of options, and laws (monotone in confidence and size, ES >= VaR,
 * Monte Carlo converging to the closed forms).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  covarianceFromCorrelation,
  createRandom,
  deltaNormalRisk,
  empiricalRisk,
  filteredReturns,
  historicalRisk,
  linearPnl,
  liquidityAdjustedVar,
  monteCarloRisk,
  normalEsFactor,
  rescaleReturn,
  scenarioLosses,
  studentTRiskFactors,
  zQuantile,
} from '../../../src/risk/analytics/index.js';
import { black76 } from '../../../src/risk/pricing/index.js';
import { normPdf } from '../../../src/risk/pricing/normal.js';
import { assertClose, assertRejects, roundTo } from './support.js';

fc.configureGlobal({ includeErrorInReport: true });

describe('published figures', () => {
  // METHODS.md section 5: ES(97.5%) = 2.337803 s, ES(99%) = 2.665214 s.
  test('normal ES multipliers are 2.337803 at 97.5% and 2.665214 at 99%', () => {
    assert.equal(roundTo(normalEsFactor(0.975), 6), 2.337803);
    assert.equal(roundTo(normalEsFactor(0.99), 6), 2.665214);
  });

  // Hull, "Options, Futures, and Other Derivatives", chapter "Value at risk" (the model-building
  // example): 10m in one share at 2% a day: 10-day 99% VaR 1,471,300; 5m in another at 1%:
  // 367,800; both with rho 0.3: 1,620,100 (to the nearest 100, as printed).
  test("delta-normal VaR reproduces Hull's one- and two-asset examples", () => {
    const s = covarianceFromCorrelation([0.02, 0.01], [1, 0.3, 0.3, 1]);
    const risk = (exposures: number[]) => deltaNormalRisk({ exposures, covariance: s, confidence: 0.99, horizonDays: 10 });
    assert.equal(roundTo(risk([10_000_000, 0]).valueAtRisk, -2), 1_471_300);
    assert.equal(roundTo(risk([0, 5_000_000]).valueAtRisk, -2), 367_800);
    const both = risk([10_000_000, 5_000_000]);
    assert.equal(Math.round(both.sigmaPortfolio), 220_227);
    assert.equal(roundTo(both.valueAtRisk, -2), 1_620_100);
    assertClose(both.expectedShortfall / both.valueAtRisk, normPdf(zQuantile(0.99)) / 0.01 / zQuantile(0.99), 1e-14);
  });

  // METHODS.md section 5: -8% at s_i 5%, s_now 3% -> -4.8%.
  test('filtered historical simulation rescales -8% at 5% vol to -4.8% at 3%', () => {
    assertClose(rescaleReturn({ historicalReturn: -0.08, volatilityThen: 0.05, volatilityNow: 0.03 }), -0.048, 1e-17);
  });

  // METHODS.md section 5 (Bangia et al.): V 100, s 2%, z 1.65, constant spread 1%: LVaR 3.80.
  test('liquidity-adjusted VaR with a constant 1% spread adds half the spread: 3.30 -> 3.80', () => {
    const valueAtRisk = 100 * 0.02 * 1.65;
    const lvar = liquidityAdjustedVar({ valueAtRisk, positionValue: 100, spreadMean: 0.01, spreadVolatility: 0, spreadMultiplier: 3 });
    assert.equal(roundTo(lvar, 2), 3.8);
    // With a volatile spread (mean 1%, s.d. 0.5%, a = 3): 3.30 + 0.5 x 100 x 2.5% = 4.55.
    assert.equal(roundTo(liquidityAdjustedVar({ valueAtRisk, positionValue: -100, spreadMean: 0.01, spreadVolatility: 0.005, spreadMultiplier: 3 }), 2), 4.55);
    assertRejects(() => liquidityAdjustedVar({ valueAtRisk, positionValue: 100, spreadMean: -0.01, spreadVolatility: 0, spreadMultiplier: 3 }), 'spread_negative');
  });
});

describe('empirical quantile convention', () => {
  const ramp = (n: number) => Float64Array.from({ length: n }, (_, i) => i + 1);

  test('250 losses at 99%: VaR is the 3rd largest, ES weighs it by half with the two above', () => {
    const r = empiricalRisk(ramp(250), 0.99);
    assert.equal(r.valueAtRisk, 248);
    assertClose(r.expectedShortfall, (0.5 * 248 + 249 + 250) / 2.5, 1e-12);
  });

  test('1,000 losses at 99%: VaR is the 11th largest, ES the mean of the 10 largest', () => {
    const r = empiricalRisk(ramp(1000).reverse(), 0.99);
    assert.equal(r.valueAtRisk, 990);
    assertClose(r.expectedShortfall, 995.5, 1e-12);
    assert.equal(r.tailCount, 10);
  });

  test('100 losses at 99% (n a whole despite rounding): VaR the 2nd largest, ES the largest', () => {
    const r = empiricalRisk(ramp(100), 0.99);
    assert.equal(r.valueAtRisk, 99);
    assert.equal(r.expectedShortfall, 100);
  });

  test('empty or non-finite samples are rejected', () => {
    assertRejects(() => empiricalRisk([], 0.99), 'scenarios_missing');
    assertRejects(() => empiricalRisk([1, Number.NaN], 0.99), 'number_not_finite');
    assertRejects(() => empiricalRisk([1, 2], 1), 'confidence_out_of_range');
  });
});

const losses = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 });
const confidence = fc.double({ min: 0.5, max: 0.999, noNaN: true });

describe('laws', () => {
  test('VaR and ES rise with confidence', () => {
    fc.assert(
      fc.property(losses, confidence, confidence, (xs, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const rLo = empiricalRisk(xs, lo);
        const rHi = empiricalRisk(xs, hi);
        assert.ok(rLo.valueAtRisk <= rHi.valueAtRisk, `VaR ${rLo.valueAtRisk} at ${lo} > ${rHi.valueAtRisk} at ${hi}`);
        assert.ok(rLo.expectedShortfall <= rHi.expectedShortfall + 1e-9 * (1 + Math.abs(rHi.expectedShortfall)));
      }),
      { seed: 1301, numRuns: 500 },
    );
  });

  test('ES is never below VaR', () => {
    fc.assert(
      fc.property(losses, confidence, (xs, a) => {
        const r = empiricalRisk(xs, a);
        assert.ok(r.expectedShortfall >= r.valueAtRisk, `ES ${r.expectedShortfall} < VaR ${r.valueAtRisk}`);
      }),
      { seed: 1302, numRuns: 500 },
    );
    for (const a of [0.9, 0.95, 0.975, 0.99, 0.995, 0.999]) assert.ok(normalEsFactor(a) > zQuantile(a));
  });

  test('historical VaR of a linear book scales with position size (and so rises with it)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.3, max: 0.3, noNaN: true }), { minLength: 20, maxLength: 200 }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1, max: 50, noNaN: true }),
        confidence,
        (returns, exposure, scale, a) => {
          const base = historicalRisk({ factorReturns: [returns], pnlOf: linearPnl([exposure]), confidence: a });
          const bigger = historicalRisk({ factorReturns: [returns], pnlOf: linearPnl([exposure * scale]), confidence: a });
          assertClose(bigger.valueAtRisk, scale * base.valueAtRisk, 1e-9 * (1 + Math.abs(scale * base.valueAtRisk)));
          if (base.valueAtRisk >= 0) assert.ok(bigger.valueAtRisk >= base.valueAtRisk - 1e-9);
        },
      ),
      { seed: 1303, numRuns: 300 },
    );
  });

  test('delta-normal VaR rises with confidence and with position size', () => {
    const s = covarianceFromCorrelation([0.03, 0.04], [1, 0.5, 0.5, 1]);
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1, max: 10, noNaN: true }), confidence, confidence, (w1, w2, c, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const at = (w: number[], conf: number) => deltaNormalRisk({ exposures: w, covariance: s, confidence: conf, horizonDays: 1 });
        assert.ok(at([w1, w2], lo).valueAtRisk <= at([w1, w2], hi).valueAtRisk);
        assert.ok(at([w1, w2], lo).valueAtRisk <= at([c * w1, c * w2], lo).valueAtRisk * (1 + 1e-12));
        assert.ok(at([w1, w2], lo).expectedShortfall >= at([w1, w2], lo).valueAtRisk);
      }),
      { seed: 1304, numRuns: 300 },
    );
  });
});

describe('full revaluation', () => {
  // A short straddle on the forward has almost no delta: a delta approximation sees no risk, full
  // revaluation with Black-76 sees the gamma loss of a large move either way.
  const forward = 60_000;
  const straddleValue = (f: number, vol: number, timeYears: number): number =>
    -(black76({ kind: 'call', forward: f, strike: forward, rate: 0, vol, timeYears }).price +
      black76({ kind: 'put', forward: f, strike: forward, rate: 0, vol, timeYears }).price);

  test('historical VaR reprices a short straddle in every scenario', () => {
    const random = createRandom(21);
    const returns = Float64Array.from({ length: 500 }, () => 0.04 * (2 * (random.nextUint32() / 2 ** 32) - 1));
    const volShocks = Float64Array.from({ length: 500 }, (_, i) => 0.05 * Math.sin(i));
    const now = straddleValue(forward, 0.6, 30 / 365);
    const pnlOf = (r: Float64Array) => straddleValue(forward * Math.exp(r[0] as number), 0.6 + (r[1] as number), 29 / 365) - now;
    const lossesByScenario = scenarioLosses([returns, volShocks], pnlOf);
    for (const i of [0, 17, 499]) {
      const direct = -(straddleValue(forward * Math.exp(returns[i] as number), 0.6 + (volShocks[i] as number), 29 / 365) - now);
      assert.equal(lossesByScenario[i], direct);
    }
    const full = historicalRisk({ factorReturns: [returns, volShocks], pnlOf, confidence: 0.99 });
    const delta = -black76({ kind: 'call', forward, strike: forward, rate: 0, vol: 0.6, timeYears: 30 / 365 }).delta - black76({ kind: 'put', forward, strike: forward, rate: 0, vol: 0.6, timeYears: 30 / 365 }).delta;
    const linear = historicalRisk({ factorReturns: [returns], pnlOf: linearPnl([delta * forward]), confidence: 0.99 });
    assert.ok(full.valueAtRisk > 3 * Math.abs(linear.valueAtRisk), `full ${full.valueAtRisk} vs delta ${linear.valueAtRisk}`);
    // Convexity: the short straddle loses on a 10% move either way, beyond a day's theta.
    assert.ok(pnlOf(Float64Array.of(0.1, 0)) < 0 && pnlOf(Float64Array.of(-0.1, 0)) < 0);
    assert.ok(full.expectedShortfall >= full.valueAtRisk);
  });

  test('a PnL function that returns a non-finite value is rejected with its scenario', () => {
    assertRejects(() => scenarioLosses([[0.01, 0.02]], (r) => ((r[0] as number) > 0.015 ? Number.NaN : 1)), 'scenario_pnl_not_finite');
  });

  test('filtered returns rescale each day by the EWMA vol known the day before', () => {
    const returns = [0.01, -0.05, 0.02];
    const { returns: filtered, volatilityNow } = filteredReturns(returns, { lambda: 0.94, initialVariance: 0.0004 });
    const v1 = 0.94 * 0.0004 + 0.06 * 0.0001;
    const v2 = 0.94 * v1 + 0.06 * 0.0025;
    const v3 = 0.94 * v2 + 0.06 * 0.0004;
    assertClose(volatilityNow, Math.sqrt(v3), 1e-17);
    assertClose(filtered[0] as number, (0.01 * Math.sqrt(v3)) / 0.02, 1e-16);
    assertClose(filtered[1] as number, (-0.05 * Math.sqrt(v3)) / Math.sqrt(v1), 1e-16);
    assertClose(filtered[2] as number, (0.02 * Math.sqrt(v3)) / Math.sqrt(v2), 1e-16);
  });
});

describe('Monte Carlo', () => {
  const covariance = covarianceFromCorrelation([0.03, 0.045, 0.02], [1, 0.7, 0.2, 0.7, 1, 0.1, 0.2, 0.1, 1]);
  const exposures = [1_000_000, -400_000, 250_000];

  // Standard error of the 99% quantile of n draws: sqrt(a(1 - a)/n)/phi(z) sigma = 0.0118 sigma at
  // n = 100,000; the tolerance is 4 standard errors (and about 4 for the ES as well).
  test('MC VaR and ES of a linear normal book converge to delta-normal within sampling error', () => {
    const exact = deltaNormalRisk({ exposures, covariance, confidence: 0.99, horizonDays: 2 });
    const sigma = exact.sigmaPortfolio * Math.sqrt(2);
    const mc = monteCarloRisk({ covariance, horizonDays: 2, paths: 100_000, confidence: 0.99, distribution: { kind: 'normal' }, pnlOf: linearPnl(exposures), random: createRandom(31) });
    const se = (Math.sqrt(0.99 * 0.01 / 100_000) / normPdf(zQuantile(0.99))) * sigma;
    assertClose(mc.valueAtRisk, exact.valueAtRisk, 4 * se, 'VaR');
    assertClose(mc.expectedShortfall, exact.expectedShortfall, 4 * se, 'ES');
  });

  test('MC with Student-t shocks converges to the closed-form t VaR and ES', () => {
    const one = covarianceFromCorrelation([0.04], [1]);
    const nu = 5;
    const mc = monteCarloRisk({ covariance: one, horizonDays: 1, paths: 100_000, confidence: 0.99, distribution: { kind: 'studentT', degreesOfFreedom: nu }, pnlOf: linearPnl([1]), random: createRandom(32) });
    const f = studentTRiskFactors(0.99, nu);
    assertClose(mc.valueAtRisk, 0.04 * f.varFactor, 0.03 * 0.04 * f.varFactor, 'VaR');
    assertClose(mc.expectedShortfall, 0.04 * f.esFactor, 0.05 * 0.04 * f.esFactor, 'ES');
  });

  test('the same seed gives the same MC result, and the horizon scales draws by sqrt(h)', () => {
    const run = (h: number) => monteCarloRisk({ covariance, horizonDays: h, paths: 5_000, confidence: 0.975, distribution: { kind: 'normal' }, pnlOf: linearPnl(exposures), random: createRandom(33) });
    assert.deepEqual(run(1), run(1));
    assertClose(run(4).valueAtRisk, 2 * run(1).valueAtRisk, 1e-9 * run(1).valueAtRisk);
  });

  test('MC inputs are checked', () => {
    const base = { covariance, horizonDays: 1, paths: 10, confidence: 0.99, pnlOf: linearPnl(exposures), random: createRandom(1) };
    assertRejects(() => monteCarloRisk({ ...base, paths: 0, distribution: { kind: 'normal' } }), 'paths_out_of_range');
    assertRejects(() => monteCarloRisk({ ...base, distribution: { kind: 'studentT', degreesOfFreedom: 2 } }), 'degrees_of_freedom_invalid');
    assertRejects(() => monteCarloRisk({ ...base, horizonDays: 0, distribution: { kind: 'normal' } }), 'horizon_days_invalid');
  });
});
