/**
 * Backtesting margin models: Kupiec's test and the Basel traffic light (published table and
 * computed figures), exception counting on a hand-made series, procyclicality, calibration on the
 * GARCH generator (a correctly calibrated model covers 99%), and static vs volatility-scaled margin.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  backtestMargin,
  binomialCdf,
  compareMarginModels,
  createRandom,
  ewmaVarModel,
  garchVariances,
  kupiecPof,
  logReturns,
  procyclicalityOf,
  simulateGarch,
  staticRateModel,
  studentTQuantile,
  trafficLightBands,
  trafficLightZone,
  volScaledMarginPath,
  volScaledMarginSpec,
  volScaledRateModel,
  type GarchParams,
  type MarginContext,
  type VolScaledMarginParams,
} from '../../../src/risk/analytics/index.js';
import { assertClose, assertRejects, roundTo } from './support.js';

fc.configureGlobal({ includeErrorInReport: true });

describe("Kupiec's proportion-of-failures test", () => {
  // LR = 2[(T - x) ln((1 - x/T)/(1 - p)) + x ln((x/T)/p)], computed by hand:
  // T 250, p 1%, x 10: 2[240 ln(0.96/0.99) + 10 ln 4] = 12.955.
  test('10 exceptions in 250 days at 99% give LR 12.955 and reject the model', () => {
    const r = kupiecPof({ observations: 250, exceptions: 10, exceptionProbability: 0.01 });
    assert.equal(roundTo(r.likelihoodRatio, 3), 12.955);
    assert.equal(r.rejected, true);
    assert.ok(r.pValue < 0.001);
    assert.equal(roundTo(r.criticalValue, 3), 3.841);
  });

  test('4 exceptions in 250 give LR 0.769 (accepted); 8 give 7.734 (rejected)', () => {
    assert.equal(roundTo(kupiecPof({ observations: 250, exceptions: 4, exceptionProbability: 0.01 }).likelihoodRatio, 3), 0.769);
    assert.equal(kupiecPof({ observations: 250, exceptions: 4, exceptionProbability: 0.01 }).rejected, false);
    assert.equal(roundTo(kupiecPof({ observations: 250, exceptions: 8, exceptionProbability: 0.01 }).likelihoodRatio, 3), 7.734);
  });

  test('x = 0 and x = T give finite statistics: -2T ln(1 - p) and -2T ln p', () => {
    const none = kupiecPof({ observations: 250, exceptions: 0, exceptionProbability: 0.01 });
    assertClose(none.likelihoodRatio, -500 * Math.log(0.99), 1e-12);
    assert.equal(none.rejected, true); // 5.025: too few exceptions is also evidence against the model
    const all = kupiecPof({ observations: 250, exceptions: 250, exceptionProbability: 0.01 });
    assertClose(all.likelihoodRatio, -500 * Math.log(0.01), 1e-9);
    assert.ok(Number.isFinite(all.pValue));
  });

  test('LR is 0 when the exception rate equals p, and its p-value at 3.841459 is 5%', () => {
    assert.equal(kupiecPof({ observations: 100, exceptions: 1, exceptionProbability: 0.01 }).likelihoodRatio, 0);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.nat(), fc.double({ min: 0.001, max: 0.2, noNaN: true }), (t, k, p) => {
        const r = kupiecPof({ observations: t, exceptions: k % (t + 1), exceptionProbability: p });
        assert.ok(Number.isFinite(r.likelihoodRatio) && r.likelihoodRatio >= 0);
        assert.equal(r.rejected, r.likelihoodRatio > r.criticalValue);
      }),
      { seed: 1501, numRuns: 500 },
    );
    assertRejects(() => kupiecPof({ observations: 10, exceptions: 11, exceptionProbability: 0.01 }), 'exceptions_invalid');
  });
});

describe('Basel traffic light', () => {
  // Basel Committee (1996), "Supervisory framework for the use of backtesting...", table 2:
  // cumulative probabilities at 250 observations and 99% coverage.
  test('cumulative probabilities match the Basel table', () => {
    const table = [8.11, 28.58, 54.32, 75.81, 89.22, 95.88, 98.63, 99.6, 99.89, 99.97, 99.99];
    table.forEach((pct, x) => assert.equal(roundTo(binomialCdf(x, 250, 0.01) * 100, 2), pct, `x = ${x}`));
  });

  test('at 99% over 250 days: green 0-4, yellow 5-9, red 10 and more', () => {
    const bands = trafficLightBands(250, 0.01);
    assert.deepEqual(bands, { greenMax: 4, yellowMax: 9 });
    const zones = Array.from({ length: 13 }, (_, x) => trafficLightZone(x, bands));
    assert.deepEqual(zones, [...Array(5).fill('green'), ...Array(5).fill('yellow'), 'red', 'red', 'red']);
  });

  test('other lengths: the bands follow the binomial 95% and 99.99% points and grow with T', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 5000 }), fc.double({ min: 0.002, max: 0.05, noNaN: true }), (t, p) => {
        const b = trafficLightBands(t, p);
        assert.ok(b.greenMax >= 0 && b.yellowMax >= b.greenMax);
        if (b.greenMax > 0) assert.ok(binomialCdf(b.greenMax - 1, t, p) < 0.95);
        if (binomialCdf(0, t, p) < 0.95) assert.ok(binomialCdf(b.greenMax + 1, t, p) >= 0.95 - 1e-12 || b.greenMax + 1 > t);
        if (b.yellowMax + 1 <= t) assert.ok(binomialCdf(b.yellowMax + 1, t, p) >= 0.9999 - 1e-12);
        const bigger = trafficLightBands(t + 250, p);
        assert.ok(bigger.greenMax >= b.greenMax && bigger.yellowMax >= b.yellowMax);
      }),
      { seed: 1502, numRuns: 200 },
    );
        // T = 5: P(X = 0) = 95.1% alone, yet zero exceptions stays green; P(X <= 2) >= 99.99%.
    assert.deepEqual(trafficLightBands(5, 0.01), { greenMax: 0, yellowMax: 1 });
  });
});

describe('exceptions and procyclicality on a hand-made series', () => {
  const history = { instruments: ['BTC'], prices: [Float64Array.of(100, 102, 99, 101, 95, 96)] };

  test('a 3% static margin on a 1-unit long: one exception over 1 day, two over 2 days', () => {
    const oneDay = backtestMargin({ history, portfolios: [{ id: 'long', positions: [1] }], model: staticRateModel({ rates: [0.03] }), marginPeriodDays: 1, confidence: 0.99, firstDay: 0 });
    const p = oneDay.portfolios[0];
    assert.ok(p !== undefined);
    assert.deepEqual([...p.losses], [-2, 3, -2, 6, -1]);
    assert.deepEqual([...p.margins].map((m) => roundTo(m, 10)), [3, 3.06, 2.97, 3.03, 2.85]);
    assert.equal(p.exceptions, 1);
    assertClose(p.coverage, 0.8, 1e-15);
    const twoDays = backtestMargin({ history, portfolios: [{ id: 'long', positions: [1] }, { id: 'short', positions: [-1] }], model: staticRateModel({ rates: [0.03] }), marginPeriodDays: 2, confidence: 0.99, firstDay: 0 });
    assert.deepEqual(twoDays.portfolios.map((x) => x.exceptions), [2, 0]);
    assert.deepEqual([...(twoDays.portfolios[0]?.losses ?? [])], [1, 1, 4, 5]);
    assert.equal(twoDays.pooled.observations, 8);
    assert.equal(twoDays.pooled.exceptions, 2);
  });

  // Worked: 2 BTC at 60,000 at 5% and -10 ETH at 3,000 at 6%: 6,000 + 1,800 = 7,800 (no netting).
  test('static rates charge each notional at its own rate', () => {
    const model = staticRateModel({ rates: [0.05, 0.06] });
    assertClose(model({ day: 0, prices: [Float64Array.of(60_000), Float64Array.of(3_000)], positions: [2, -10] }), 7_800, 1e-9);
    assertRejects(() => staticRateModel({ rates: [-0.01] }), 'margin_rate_out_of_range');
  });

  test('a model sees no price after its day', () => {
    const seen: number[] = [];
    const spy = (c: MarginContext) => {
      seen.push(c.prices[0]?.length ?? -1);
      assert.equal(c.prices[0]?.length, c.day + 1);
      return 1;
    };
    backtestMargin({ history, portfolios: [{ id: 'long', positions: [1] }], model: spy, marginPeriodDays: 1, confidence: 0.99, firstDay: 2 });
    assert.deepEqual(seen, [3, 4, 5]);
  });

  // Worked: [100, 100, 100, 100, 100, 150, 120], window 5: +50 (+50%), peak-to-trough 1.5.
  test('procyclicality: largest 5-day increase and peak-to-trough ratio', () => {
    const p = procyclicalityOf([100, 100, 100, 100, 100, 150, 120]);
    assert.deepEqual(p, { peakMargin: 150, troughMargin: 100, peakToTroughRatio: 1.5, largestIncrease: 50, largestIncreaseRatio: 0.5, windowDays: 5 });
    assert.equal(procyclicalityOf([0, 0, 0]).peakToTroughRatio, 1);
    assert.equal(procyclicalityOf([0, 5]).peakToTroughRatio, Infinity);
  });

  test('bad inputs are rejected with stable codes', () => {
    const base = { history, portfolios: [{ id: 'long', positions: [1] }], model: staticRateModel({ rates: [0.03] }), marginPeriodDays: 1, confidence: 0.99, firstDay: 0 };
    assertRejects(() => backtestMargin({ ...base, portfolios: [{ id: 'x', positions: [1, 2] }] }), 'positions_length_mismatch');
    assertRejects(() => backtestMargin({ ...base, firstDay: 5 }), 'first_day_invalid');
    assertRejects(() => backtestMargin({ ...base, marginPeriodDays: 6 }), 'margin_period_invalid');
    assertRejects(() => backtestMargin({ ...base, model: () => Number.NaN }), 'margin_model_result_invalid');
    assertRejects(() => backtestMargin({ ...base, history: { instruments: ['BTC'], prices: [Float64Array.of(100, -1, 3)] } }), 'price_not_positive');
  });
});

describe('calibration on the GARCH generator', () => {
  const params: GarchParams = { omega: 0.00001, alpha: 0.1, beta: 0.85 };
  const nu = 8;
  const sim = simulateGarch({ model: { kind: 'garch', params }, shocks: { kind: 'studentT', degreesOfFreedom: nu }, days: 5000, initialPrice: 100, random: createRandom(1) });
  const history = { instruments: ['X'], prices: [sim.prices] };

  // The true conditional distribution of tomorrow's log return is sigma_t times a unit-variance t(8):
  // a long's 99% margin is P (1 - exp(-sigma q)) with q the scaled t quantile.
  const q = studentTQuantile(0.99, nu) * Math.sqrt((nu - 2) / nu);
  const oracle = (c: MarginContext): number => {
    const prices = c.prices[0] as Float64Array;
    const v = garchVariances(params, logReturns(prices));
    return (c.positions[0] as number) * (prices[prices.length - 1] as number) * (1 - Math.exp(-Math.sqrt(v[v.length - 1] as number) * q));
  };

  test('a correctly calibrated model covers close to 99% and passes Kupiec and the traffic light', () => {
    const r = backtestMargin({ history, portfolios: [{ id: 'long', positions: [1] }], model: oracle, marginPeriodDays: 1, confidence: 0.99, firstDay: 1 });
    assertClose(r.pooled.coverage, 0.99, 0.003, 'coverage');
    assert.equal(r.pooled.kupiec.rejected, false);
    assert.notEqual(r.pooled.zone, 'red');
  });

  test('a normal EWMA VaR model under-covers the same fat-tailed series', () => {
    const r = backtestMargin({ history, portfolios: [{ id: 'long', positions: [1] }], model: ewmaVarModel({ lambda: 0.94, confidence: 0.99, marginPeriodDays: 1, seed: { kind: 'warmup', days: 50 } }), marginPeriodDays: 1, confidence: 0.99, firstDay: 50 });
    assert.ok(r.pooled.coverage < 0.99, `coverage ${r.pooled.coverage}`);
    assert.equal(r.pooled.kupiec.rejected, true);
  });
});

describe('static rates vs volatility-scaled margin', () => {
  const calm: GarchParams = { omega: 0.000005, alpha: 0.05, beta: 0.9 };
  const stressed: GarchParams = { omega: 0.00008, alpha: 0.1, beta: 0.85 };
  const sim = simulateGarch({
    model: { kind: 'regimeSwitching', regimes: [calm, stressed], transition: [[0.995, 0.005], [0.02, 0.98]], initialRegime: 0 },
    shocks: { kind: 'studentT', degreesOfFreedom: 6 },
    days: 3000,
    initialPrice: 100,
    random: createRandom(8),
  });
  const history = { instruments: ['X'], prices: [sim.prices] };
  const portfolios = [{ id: 'long', positions: [1] }, { id: 'short', positions: [-1] }];
  const params = (apc: VolScaledMarginParams['antiProcyclicality']): VolScaledMarginParams => ({
    lambda: 0.94,
    confidence: 0.99,
    marginPeriodDays: 2,
    initialMultiplier: 1.2,
    maintenanceMultiplier: 0.6,
    initialRateMin: 0.02,
    initialRateMax: 0.5,
    maintenanceRateMin: 0.01,
    maintenanceRateMax: 0.25,
    hysteresisBand: 0.05,
    antiProcyclicality: apc,
  });
  const seed = { kind: 'warmup', days: 50 } as const;

  test('the stepped volatility-scaled model equals the rate path times notional, day by day', () => {
    const r = backtestMargin({ history, portfolios: [portfolios[0] as (typeof portfolios)[0]], model: volScaledRateModel({ params: params({ kind: 'none' }), requirement: 'initial', seed }), marginPeriodDays: 2, confidence: 0.99, firstDay: 50 });
    const returns = logReturns(sim.prices);
    const seedVol = Math.sqrt(returns.subarray(0, 50).reduce((s, x) => s + x * x, 0) / 50);
    const path = volScaledMarginPath(volScaledMarginSpec(params({ kind: 'none' })), returns, { dailyVolatility: seedVol });
    const margins = r.portfolios[0]?.margins ?? new Float64Array();
    for (const day of [50, 51, 700, 2997]) {
      assertClose(margins[day - 50] as number, (sim.prices[day] as number) * (path.initialRates[day - 1] as number), 1e-12, `day ${day}`);
    }
  });

  // Seed 8 holds calm years and stressed spells (regime vols 1% and 4% a day, t(6) shocks). One
  // 15%-type shock from a calm level lifts every EWMA-based rate ~3.9x within 5 days: no 25% buffer
  // absorbs that, so the buffer leaves the single largest rise unchanged and cuts the number of
  // large rises instead. The stressed weight damps both, at the price of a higher average margin.
  test('side by side: vol scaling lifts coverage, static rates are calmer, APC damps the rises', () => {
    const rows = compareMarginModels({
      history,
      portfolios,
      marginPeriodDays: 2,
      confidence: 0.99,
      firstDay: 50,
      models: [
        { name: 'static 6%', model: staticRateModel({ rates: [0.06] }) },
        { name: 'vol-scaled', model: volScaledRateModel({ params: params({ kind: 'none' }), requirement: 'initial', seed }) },
        { name: 'vol-scaled + 25% buffer', model: volScaledRateModel({ params: params({ kind: 'buffer', bufferFraction: 0.25, rebuildPerDay: 0.01 }), requirement: 'initial', seed }) },
        { name: 'vol-scaled + 25% stressed weight', model: volScaledRateModel({ params: params({ kind: 'stressedWeight', weight: 0.25, stressed: { kind: 'observedMax' } }), requirement: 'initial', seed }) },
      ],
    });
    assert.deepEqual(rows.map((r) => r.name), ['static 6%', 'vol-scaled', 'vol-scaled + 25% buffer', 'vol-scaled + 25% stressed weight']);
    const [fixed, scaled, buffered, weighted] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    // Coverage: the static rate fails in the stressed spells, the scaled rates do not.
    assert.ok(fixed.pooled.coverage < 0.98 && fixed.pooled.zone === 'red', `static coverage ${fixed.pooled.coverage}`);
    assert.ok(scaled.pooled.coverage > 0.985 && scaled.pooled.zone === 'green', `scaled coverage ${scaled.pooled.coverage}`);
    assert.ok(buffered.pooled.coverage >= scaled.pooled.coverage && weighted.pooled.coverage >= scaled.pooled.coverage);
    // Procyclicality: static rates move only with the price.
    assert.ok(fixed.largestIncreaseRatioMax < 0.5 && fixed.largestIncreaseRatioMax < scaled.largestIncreaseRatioMax);
    const largeRises = (row: (typeof rows)[0]) => {
      const m = row.report.portfolios[0]?.margins ?? new Float64Array();
      let count = 0;
      for (let t = 5; t < m.length; t++) if ((m[t] as number) > 1.5 * (m[t - 5] as number)) count++;
      return count;
    };
    assert.ok(buffered.largestIncreaseRatioMax <= scaled.largestIncreaseRatioMax);
    assert.ok(largeRises(buffered) < 0.6 * largeRises(scaled), `5-day rises above 50%: buffer ${largeRises(buffered)}, none ${largeRises(scaled)}`);
    assert.ok(weighted.largestIncreaseRatioMax < 0.6 * scaled.largestIncreaseRatioMax);
    assert.ok(weighted.peakToTroughRatioMax < 0.5 * scaled.peakToTroughRatioMax);
    assert.ok(weighted.marginMean > scaled.marginMean && buffered.marginMean > scaled.marginMean);
  });
});
