/**
 * The GARCH(1,1)-t generator: Hull's worked update, determinism per seed, fat tails, recovery of
 * the unconditional volatility by EWMA, and regime switching that EWMA can see.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createRandom,
  ewmaVariances,
  garchLongRunVariance,
  garchVariances,
  garchVarianceStep,
  logReturns,
  mean,
  meanSquare,
  simulateGarch,
  type GarchParams,
} from '../../../src/risk/analytics/index.js';
import { assertClose, assertRejects, roundTo } from './support.js';

// Hull, "Options, Futures, and Other Derivatives", chapter "Estimating volatilities and
// correlations" (GARCH(1,1) example): omega 0.000002, alpha 0.13, beta 0.86.
const HULL: GarchParams = { omega: 0.000002, alpha: 0.13, beta: 0.86 };
// Less persistent (alpha + beta = 0.95) and with a finite fourth moment for t(8) shocks, so that
// 20,000 days pin the long-run variance down to a few per cent: long-run vol 1.4142% a day.
const TEST_PARAMS: GarchParams = { omega: 0.00001, alpha: 0.1, beta: 0.85 };

describe('published figures', () => {
  test("Hull's GARCH: long-run variance 0.0002 (1.4142% a day); 1.6% vol and a 1% move give 1.5335%", () => {
    assertClose(garchLongRunVariance(HULL), 0.0002, 1e-18);
    assert.equal(roundTo(Math.sqrt(garchLongRunVariance(HULL)) * 100, 4), 1.4142);
    const next = garchVarianceStep(HULL, { variance: 0.016 ** 2, lastShock: 0.01 });
    assertClose(next, 0.00023516, 1e-18);
    assert.equal(roundTo(Math.sqrt(next) * 100, 4), 1.5335);
  });

  test('non-stationary or negative parameters are rejected', () => {
    assertRejects(() => garchLongRunVariance({ omega: 0.00001, alpha: 0.2, beta: 0.8 }), 'garch_parameters_invalid');
    assertRejects(() => garchLongRunVariance({ omega: 0, alpha: 0.1, beta: 0.8 }), 'garch_parameters_invalid');
    assertRejects(() => garchLongRunVariance({ omega: 0.00001, alpha: -0.1, beta: 0.8 }), 'garch_parameters_invalid');
  });
});

describe('simulation', () => {
  const simulate = (seed: number, days = 20_000) =>
    simulateGarch({ model: { kind: 'garch', params: TEST_PARAMS }, shocks: { kind: 'studentT', degreesOfFreedom: 8 }, days, initialPrice: 100, random: createRandom(seed) });

  test('the same seed gives the same prices; another seed does not', () => {
    assert.deepEqual(simulate(3, 500).prices, simulate(3, 500).prices);
    assert.notDeepEqual(simulate(3, 500).prices, simulate(4, 500).prices);
  });

  test('prices, returns and variances agree: P_t = P_(t-1) exp(r_t), and the filter recovers the variances', () => {
    const sim = simulate(5, 2_000);
    const observed = logReturns(sim.prices);
    for (let t = 0; t < observed.length; t++) assertClose(observed[t] as number, sim.returns[t] as number, 1e-12);
    const filtered = garchVariances(TEST_PARAMS, sim.returns);
    for (let t = 0; t < sim.variances.length; t++) assertClose(filtered[t] as number, sim.variances[t] as number, 1e-15);
  });

  // Over six seeds the realised vol of 20,000 days was within 3.2% of the long-run 1.4142%; the
  // tolerance is 7.5%.
  test('the EWMA vol of a long simulated series recovers the unconditional sigma sqrt(omega/(1 - alpha - beta))', () => {
    const sim = simulate(1);
    const longRun = Math.sqrt(garchLongRunVariance(TEST_PARAMS));
    const ewma = ewmaVariances(sim.returns, { lambda: 0.94, initialVariance: meanSquare(sim.returns.subarray(0, 50)) });
    assertClose(Math.sqrt(mean(ewma)), longRun, 0.075 * longRun, 'EWMA vol');
    assertClose(Math.sqrt(meanSquare(sim.returns)), longRun, 0.075 * longRun, 'realised vol');
  });

  test('returns have fat tails (kurtosis above 3) and clustered volatility (autocorrelated squares)', () => {
    const r = simulate(2).returns;
    const m2 = meanSquare(r);
    const m4 = mean(r.map((x) => x ** 4));
    assert.ok(m4 / (m2 * m2) > 4, `kurtosis ${m4 / (m2 * m2)}`);
    const sq = r.map((x) => x * x - m2);
    let lag1 = 0;
    let lag0 = 0;
    for (let t = 1; t < sq.length; t++) {
      lag1 += (sq[t] as number) * (sq[t - 1] as number);
      lag0 += (sq[t] as number) ** 2;
    }
    assert.ok(lag1 / lag0 > 0.05, `autocorrelation of squared returns ${lag1 / lag0}`);
  });

  test('regime switching: EWMA vol on stressed-regime days is several times the calm-regime level', () => {
    const calm: GarchParams = { omega: 0.000005, alpha: 0.05, beta: 0.9 }; // 1% a day
    const stressed: GarchParams = { omega: 0.00008, alpha: 0.1, beta: 0.85 }; // 4% a day
    const sim = simulateGarch({
      model: { kind: 'regimeSwitching', regimes: [calm, stressed], transition: [[0.995, 0.005], [0.02, 0.98]], initialRegime: 0 },
      shocks: { kind: 'studentT', degreesOfFreedom: 6 },
      days: 20_000,
      initialPrice: 100,
      random: createRandom(8),
    });
    const ewma = ewmaVariances(sim.returns, { lambda: 0.94, initialVariance: 0.0001 });
    const byRegime = [0, 1].map((k) => {
      const vs: number[] = [];
      // Skip the first 60 days of each spell: the GARCH variance carries over a switch and decays
      // towards the new level (0.95^60 = 5%), and EWMA needs time to see it.
      for (let t = 60; t < sim.returns.length; t++) if (sim.regimes.subarray(t - 60, t + 1).every((x) => x === k)) vs.push(ewma[t] as number);
      return { count: vs.length, vol: Math.sqrt(mean(vs)) };
    });
    const [calmSeen, stressSeen] = byRegime as [{ count: number; vol: number }, { count: number; vol: number }];
    assert.ok(calmSeen.count > 1000 && stressSeen.count > 500, `days seen: ${calmSeen.count} calm, ${stressSeen.count} stressed`);
    assertClose(calmSeen.vol, 0.01, 0.0025, 'calm vol');
    assertClose(stressSeen.vol, 0.04, 0.01, 'stressed vol');
  });

  test('bad transition matrices and shock parameters are rejected', () => {
    const random = createRandom(1);
    const base = { shocks: { kind: 'normal' } as const, days: 10, initialPrice: 100, random };
    assertRejects(() => simulateGarch({ ...base, model: { kind: 'regimeSwitching', regimes: [HULL, TEST_PARAMS], transition: [[0.9, 0.2], [0.5, 0.5]], initialRegime: 0 } }), 'transition_matrix_invalid');
    assertRejects(() => simulateGarch({ ...base, model: { kind: 'regimeSwitching', regimes: [HULL], transition: [[1]], initialRegime: 1 } }), 'regime_invalid');
    assertRejects(() => simulateGarch({ ...base, shocks: { kind: 'studentT', degreesOfFreedom: 2 }, model: { kind: 'garch', params: HULL } }), 'degrees_of_freedom_invalid');
    assertRejects(() => simulateGarch({ ...base, days: 0, model: { kind: 'garch', params: HULL } }), 'simulation_days_invalid');
  });
});
