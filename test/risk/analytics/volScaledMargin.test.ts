/**
 * Volatility-scaled margin rates: the worked base rate, floor and cap, hysteresis, the
 * anti-procyclicality tools, IM >= MM, and state in / state out replay.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  startVolScaledMargin,
  stepVolScaledMargin,
  volScaledMarginPath,
  volScaledMarginSpec,
  type AntiProcyclicality,
  type VolScaledMarginParams,
  type VolScaledMarginState,
} from '../../../src/risk/analytics/index.js';
import { assertClose, assertRejects, roundTo } from './support.js';

fc.configureGlobal({ includeErrorInReport: true });

const Z99 = 2.3263478740408408;

function params(overrides: Partial<VolScaledMarginParams> = {}): VolScaledMarginParams {
  return {
    lambda: 0.94,
    confidence: 0.99,
    marginPeriodDays: 2,
    initialMultiplier: 1,
    maintenanceMultiplier: 0.5,
    initialRateMin: 0,
    initialRateMax: 1,
    maintenanceRateMin: 0,
    maintenanceRateMax: 1,
    hysteresisBand: 0,
    antiProcyclicality: { kind: 'none' },
    ...overrides,
  };
}

/** The return that moves an EWMA variance v to target (lambda 0.94). */
function returnTo(v: number, target: number): number {
  return Math.sqrt((target - 0.94 * v) / 0.06);
}

describe('rates from volatility', () => {
  // z(99%) x 3% x sqrt(2) = 9.8699%.
  test('3% daily vol at 99% over a 2-day period gives an IM rate of 9.8699% and MM half of it', () => {
    const state = startVolScaledMargin(volScaledMarginSpec(params()), { dailyVolatility: 0.03 });
    assert.equal(roundTo(state.initialRate * 100, 4), 9.8699);
    assertClose(state.maintenanceRate, state.initialRate / 2, 1e-17);
  });

  test('the EWMA inside the state is the RiskMetrics update: 2% and a 5% return give 2.2935%', () => {
    const spec = volScaledMarginSpec(params({ marginPeriodDays: 1 }));
    const step = stepVolScaledMargin(spec, startVolScaledMargin(spec, { dailyVolatility: 0.02 }), 0.05);
    assert.equal(roundTo(Math.sqrt(step.state.variance) * 100, 4), 2.2935);
    assertClose(step.state.initialRate, Z99 * Math.sqrt(0.000526), 1e-15);
  });

  test('the floor and the cap bound the rates', () => {
    const spec = volScaledMarginSpec(params({ initialRateMin: 0.02, initialRateMax: 0.25, maintenanceRateMin: 0.01, maintenanceRateMax: 0.125 }));
    const calm = startVolScaledMargin(spec, { dailyVolatility: 0.001 });
    assert.deepEqual([calm.initialRate, calm.maintenanceRate], [0.02, 0.01]);
    const wild = startVolScaledMargin(spec, { dailyVolatility: 0.5 });
    assert.deepEqual([wild.initialRate, wild.maintenanceRate], [0.25, 0.125]);
  });
});

describe('hysteresis', () => {
  test('rates hold while the target stays within the band, and jump to it beyond', () => {
    const spec = volScaledMarginSpec(params({ hysteresisBand: 0.1 }));
    const start = startVolScaledMargin(spec, { dailyVolatility: 0.02 });
    // Variance up 16%: the target rate rises 7.7%, inside the 10% band.
    const small = stepVolScaledMargin(spec, start, returnTo(0.0004, 0.0004 * 1.16));
    assert.equal(small.changed, false);
    assert.equal(small.state.initialRate, start.initialRate);
    assertClose(small.targetInitialRate / start.initialRate, Math.sqrt(1.16), 1e-12);
    // Variance up 25% more: the target is now 16% above the published rate.
    const big = stepVolScaledMargin(spec, small.state, returnTo(small.state.variance, 0.0004 * 1.16 * 1.16));
    assert.equal(big.changed, true);
    assert.equal(big.state.initialRate, big.targetInitialRate);
  });

  test('after every step the published rate is the target or within the band of it, and IM >= MM', () => {
    const apc: fc.Arbitrary<AntiProcyclicality> = fc.oneof(
      fc.constant({ kind: 'none' } as const),
      fc.record({ kind: fc.constant('buffer' as const), bufferFraction: fc.double({ min: 0, max: 0.5, noNaN: true }), rebuildPerDay: fc.double({ min: 0, max: 0.1, noNaN: true }) }),
      fc.record({ kind: fc.constant('stressedWeight' as const), weight: fc.double({ min: 0, max: 1, noNaN: true }), stressed: fc.constant({ kind: 'observedMax' } as const) }),
      fc.constant({ kind: 'lookbackFloor' } as const),
    );
    const spec = fc
      .record({
        band: fc.double({ min: 0, max: 0.3, noNaN: true }),
        kIm: fc.double({ min: 0.5, max: 3, noNaN: true }),
        mmShare: fc.double({ min: 0.1, max: 1, noNaN: true }),
        floor: fc.double({ min: 0, max: 0.05, noNaN: true }),
        capExtra: fc.double({ min: 0, max: 0.5, noNaN: true }),
        apc,
      })
      .map((r) =>
        volScaledMarginSpec(
          params({
            hysteresisBand: r.band,
            initialMultiplier: r.kIm,
            maintenanceMultiplier: r.kIm * r.mmShare,
            initialRateMin: r.floor,
            initialRateMax: r.floor + r.capExtra,
            maintenanceRateMin: r.floor * r.mmShare,
            maintenanceRateMax: (r.floor + r.capExtra) * r.mmShare,
            antiProcyclicality: r.apc,
          }),
        ),
      );
    fc.assert(
      fc.property(spec, fc.array(fc.double({ min: -0.3, max: 0.3, noNaN: true }), { maxLength: 80 }), (s, returns) => {
        let state = startVolScaledMargin(s, { dailyVolatility: 0.02 });
        for (const r of returns) {
          const step = stepVolScaledMargin(s, state, r);
          state = step.state;
          const band = s.params.hysteresisBand;
          assert.ok(state.initialRate >= state.maintenanceRate, `IM ${state.initialRate} < MM ${state.maintenanceRate}`);
          assert.ok(state.maintenanceRate >= 0);
          assert.ok(Math.abs(step.targetInitialRate - state.initialRate) <= band * state.initialRate * (1 + 1e-12) + 1e-18);
        }
      }),
      { seed: 1401, numRuns: 300 },
    );
  });
});

describe('anti-procyclicality', () => {
  const bufferSpec = (rebuildPerDay: number) => volScaledMarginSpec(params({ antiProcyclicality: { kind: 'buffer', bufferFraction: 0.25, rebuildPerDay } }));
  const base = (variance: number) => Z99 * Math.sqrt(variance * 2);

  test('the 25% buffer absorbs a 10% rise of the base rate and is released by a 50% rise', () => {
    const spec = bufferSpec(0);
    const start = startVolScaledMargin(spec, { dailyVolatility: 0.02 });
    assertClose(start.initialRate, 1.25 * base(0.0004), 1e-15);
    const up10 = stepVolScaledMargin(spec, start, returnTo(0.0004, 0.0004 * 1.21)).state;
    assertClose(up10.initialRate, start.initialRate, 1e-15, 'a 10% rise is absorbed');
    const up50 = stepVolScaledMargin(spec, up10, returnTo(up10.variance, 0.0004 * 2.25)).state;
    assertClose(up50.initialRate, 1.5 * base(0.0004), 1e-15, 'the buffer is used up');
    // Without the buffer the rate would have jumped 50% from its calm level; with it, 20%.
    assertClose(up50.initialRate / start.initialRate, 1.2, 1e-12);
  });

  test('a released buffer is rebuilt by rebuildPerDay x base a day while volatility holds', () => {
    const spec = bufferSpec(0.05);
    let state: VolScaledMarginState = { ...startVolScaledMargin(spec, { dailyVolatility: 0.02 }), bufferedRate: base(0.0004) };
    const rates: number[] = [];
    for (let day = 0; day < 8; day++) {
      state = stepVolScaledMargin(spec, state, 0.02).state; // r^2 = variance: the EWMA stays put
      rates.push(state.initialRate / base(0.0004));
    }
    assert.deepEqual(rates.map((r) => roundTo(r, 10)), [1.05, 1.1, 1.15, 1.2, 1.25, 1.25, 1.25, 1.25]);
  });

  // Worked: EWMA vol 2%, stressed vol 8%, weight 25%: sqrt(0.75 x 0.0004 + 0.25 x 0.0064) = 4.3589%.
  test('a 25% weight on a stressed 8% vol lifts a 2% EWMA vol to 4.3589%', () => {
    const spec = volScaledMarginSpec(params({ antiProcyclicality: { kind: 'stressedWeight', weight: 0.25, stressed: { kind: 'given', dailyVolatility: 0.08 } } }));
    const state = startVolScaledMargin(spec, { dailyVolatility: 0.02 });
    assert.equal(roundTo((state.initialRate / (Z99 * Math.sqrt(2))) * 100, 4), 4.3589);
  });

  test('with observed stress the rate after a crisis stays above a quarter of the stressed variance', () => {
    const spec = volScaledMarginSpec(params({ antiProcyclicality: { kind: 'stressedWeight', weight: 0.25, stressed: { kind: 'observedMax' } } }));
    const plain = volScaledMarginSpec(params());
    const returns = [...Array.from({ length: 10 }, () => 0.12), ...Array.from({ length: 200 }, () => 0.01)];
    const weighted = volScaledMarginPath(spec, returns, { dailyVolatility: 0.02 });
    const none = volScaledMarginPath(plain, returns, { dailyVolatility: 0.02 });
    let state = startVolScaledMargin(spec, { dailyVolatility: 0.02 });
    for (const r of returns) state = stepVolScaledMargin(spec, state, r).state;
    const last = returns.length - 1;
    assert.ok((weighted.initialRates[last] as number) >= base(0.25 * state.stressedVariance));
    assert.ok((weighted.initialRates[last] as number) > 2 * (none.initialRates[last] as number));
  });

  test('the lookback floor keeps the rate at the equally weighted vol of all returns seen', () => {
    const spec = volScaledMarginSpec(params({ antiProcyclicality: { kind: 'lookbackFloor' } }));
    const returns = [0.1, -0.1, ...Array.from({ length: 300 }, () => 0)];
    const path = volScaledMarginPath(spec, returns, { dailyVolatility: 0.02 });
    assertClose(path.initialRates[301] as number, base(0.02 / 302), 1e-15);
  });
});

describe('state in, state out', () => {
  test('stopping and resuming from a state gives the same rates as one run', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 2, maxLength: 100 }), fc.nat(), (returns, cut) => {
        const spec = volScaledMarginSpec(params({ hysteresisBand: 0.05, antiProcyclicality: { kind: 'buffer', bufferFraction: 0.25, rebuildPerDay: 0.02 } }));
        const whole = volScaledMarginPath(spec, returns, { dailyVolatility: 0.03 });
        const k = cut % returns.length;
        let state = startVolScaledMargin(spec, { dailyVolatility: 0.03 });
        for (const r of returns.slice(0, k)) state = stepVolScaledMargin(spec, state, r).state;
        const snapshot = JSON.parse(JSON.stringify(state)) as VolScaledMarginState;
        for (let t = k; t < returns.length; t++) {
          state = stepVolScaledMargin(spec, t === k ? snapshot : state, returns[t] as number).state;
          assert.equal(state.initialRate, whole.initialRates[t]);
        }
      }),
      { seed: 1402, numRuns: 200 },
    );
  });

  test('parameters that would break IM >= MM or make no sense are rejected with stable codes', () => {
    assertRejects(() => volScaledMarginSpec(params({ maintenanceMultiplier: 2 })), 'maintenance_multiplier_above_initial');
    assertRejects(() => volScaledMarginSpec(params({ maintenanceRateMin: 0.1, initialRateMin: 0.05 })), 'maintenance_rate_above_initial');
    assertRejects(() => volScaledMarginSpec(params({ initialRateMin: 0.5, initialRateMax: 0.2, maintenanceRateMax: 0.2 })), 'margin_rate_floor_above_cap');
    assertRejects(() => volScaledMarginSpec(params({ lambda: 1.2 })), 'ewma_lambda_out_of_range');
    assertRejects(() => volScaledMarginSpec(params({ confidence: 1 })), 'confidence_out_of_range');
    assertRejects(() => volScaledMarginSpec(params({ hysteresisBand: -0.1 })), 'hysteresis_band_negative');
    assertRejects(() => volScaledMarginSpec(params({ antiProcyclicality: { kind: 'stressedWeight', weight: 1.5, stressed: { kind: 'observedMax' } } })), 'apc_weight_out_of_range');
    assertRejects(() => stepVolScaledMargin(volScaledMarginSpec(params()), startVolScaledMargin(volScaledMarginSpec(params()), { dailyVolatility: 0.01 }), Number.NaN), 'number_not_finite');
  });
});
