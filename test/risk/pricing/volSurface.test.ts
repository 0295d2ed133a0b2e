import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  GRID_POINTS_MAX,
  makeVolSlice,
  makeVolSurface,
  sliceTotalVariance,
  sliceVol,
  surfaceForward,
  surfaceTotalVariance,
  surfaceVol,
  sviTotalVariance,
} from '../../../src/risk/pricing/volSurface.js';
import type { SviParams } from '../../../src/risk/pricing/volSurface.js';
import { assertClose } from './approx.js';

function rejects(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof RangeError && message.test(error.message));
}

const SVI_EXAMPLE: SviParams = { a: 0.04, b: 0.4, rho: -0.4, m: 0, sigma: 0.1 };

describe('vol slices', () => {
  test('a flat slice gives its vol at every strike', () => {
    const slice = makeVolSlice({ expiryYears: 0.5, forward: 100, smile: { kind: 'flat', vol: 0.65 } });
    for (const strike of [1, 50, 100, 200, 1e6]) assert.equal(sliceVol(slice, strike), 0.65);
    assertClose(sliceTotalVariance(slice, 0), 0.65 * 0.65 * 0.5, 1e-16, 'w');
  });

  test('a grid interpolates linearly in total variance against log-moneyness', () => {
    // F 100, T 1: K 90 at 60% (w 0.36), K 110 at 50% (w 0.25). Halfway in k, w = 0.305, vol 55.2268%.
    const slice = makeVolSlice({
      expiryYears: 1,
      forward: 100,
      smile: { kind: 'grid', points: [{ strike: 90, vol: 0.6 }, { strike: 110, vol: 0.5 }] },
    });
    const midStrike = 100 * Math.exp((Math.log(0.9) + Math.log(1.1)) / 2);
    assertClose(sliceVol(slice, midStrike), Math.sqrt(0.305), 1e-15, 'mid vol');
    assertClose(sliceVol(slice, midStrike), 0.552268, 5e-7, 'mid vol (6 decimals)');
  });

  test('a grid is flat beyond its first and last strikes', () => {
    const slice = makeVolSlice({
      expiryYears: 0.25,
      forward: 100,
      smile: { kind: 'grid', points: [{ strike: 80, vol: 0.7 }, { strike: 100, vol: 0.5 }, { strike: 130, vol: 0.55 }] },
    });
    assertClose(sliceVol(slice, 10), 0.7, 1e-15, 'far below');
    assertClose(sliceVol(slice, 79.99), 0.7, 1e-15, 'just below');
    assertClose(sliceVol(slice, 1e5), 0.55, 1e-15, 'far above');
  });

  test('grid and SVI slices reproduce their inputs at the nodes', () => {
    // Strikes rise by 0.01% to 50% from one to the next.
    const strikesArb = fc
      .tuple(fc.double({ min: 1, max: 1000, noNaN: true }), fc.array(fc.double({ min: 1e-4, max: 0.5, noNaN: true }), { maxLength: 19 }))
      .map(([first, steps]) => steps.reduce((strikes, step) => [...strikes, (strikes[strikes.length - 1] ?? first) * (1 + step)], [first]));
    const grid = strikesArb.chain((strikes) =>
        fc.tuple(
          fc.constant(strikes),
          fc.array(fc.double({ min: 0.01, max: 3, noNaN: true }), { minLength: strikes.length, maxLength: strikes.length }),
          fc.double({ min: 1, max: 1000, noNaN: true }),
          fc.double({ min: 0.001, max: 5, noNaN: true }),
        ),
      );
    fc.assert(
      fc.property(grid, ([strikes, vols, forward, expiryYears]) => {
        const points = strikes.map((strike, i) => ({ strike, vol: vols[i] ?? 0 }));
        const slice = makeVolSlice({ expiryYears, forward, smile: { kind: 'grid', points } });
        for (const { strike, vol } of points) assertClose(sliceVol(slice, strike), vol, 1e-14 * vol, `vol at ${strike}`);
      }),
      { seed: 42, numRuns: 300 },
    );
    fc.assert(
      fc.property(validSvi, fc.double({ min: -3, max: 3, noNaN: true }), (params, k) => {
        const slice = makeVolSlice({ expiryYears: 0.5, forward: 100, smile: { kind: 'svi', params } });
        const { a, b, rho, m, sigma } = params;
        const formula = a + b * (rho * (k - m) + Math.sqrt((k - m) ** 2 + sigma ** 2));
        assertClose(sliceTotalVariance(slice, k), Math.max(formula, 0), 1e-14 * (1 + Math.abs(formula)), 'w');
        assert.ok(sliceTotalVariance(slice, k) >= 0);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  // Gatheral (2004) raw SVI; the example slice checks the formula by hand.
  test('SVI worked figures: w(0) = a + b sigma, w(0.2) = 0.097443', () => {
    assertClose(sviTotalVariance(SVI_EXAMPLE, 0), 0.08, 1e-16, 'w(0)');
    assertClose(sviTotalVariance(SVI_EXAMPLE, 0.2), 0.04 + 0.4 * (-0.08 + Math.sqrt(0.05)), 1e-16, 'w(0.2)');
    assertClose(sviTotalVariance(SVI_EXAMPLE, 0.2), 0.097443, 5e-7, 'w(0.2), 6 decimals');
  });

  test('invalid SVI parameters are rejected with the rule named', () => {
    const svi = (params: Partial<SviParams>) => () =>
      makeVolSlice({ expiryYears: 1, forward: 100, smile: { kind: 'svi', params: { ...SVI_EXAMPLE, ...params } } });
    rejects(svi({ b: -0.1 }), /^vol_surface_invalid: svi b must be >= 0$/);
    rejects(svi({ rho: 1 }), /^vol_surface_invalid: svi rho must be in \(-1, 1\)$/);
    rejects(svi({ rho: -1.2 }), /^vol_surface_invalid: svi rho must be in \(-1, 1\)$/);
    rejects(svi({ sigma: 0 }), /^vol_surface_invalid: svi sigma must be > 0$/);
    rejects(svi({ a: -0.1 }), /^vol_surface_invalid: svi a \+ b sigma sqrt\(1 - rho\^2\) must be >= 0/);
    rejects(svi({ m: Number.NaN }), /^vol_surface_invalid: svi m must be finite$/);
  });

  test('invalid grids and slices are rejected', () => {
    const grid = (points: { strike: number; vol: number }[]) => () =>
      makeVolSlice({ expiryYears: 1, forward: 100, smile: { kind: 'grid', points } });
    rejects(grid([]), /^vol_surface_invalid: grid needs at least one point$/);
    rejects(grid([{ strike: 100, vol: 0.5 }, { strike: 100, vol: 0.6 }]), /grid point 1 strike must be finite, > 0 and increasing/);
    rejects(grid([{ strike: 100, vol: -0.5 }]), /grid point 0 vol must be >= 0/);
    rejects(grid([{ strike: 1, vol: 0.5 }, { strike: 1 + Number.EPSILON, vol: 0.5 }]), /grid point 1 strike is too close/);
    const tooMany = Array.from({ length: GRID_POINTS_MAX + 1 }, (_, i) => ({ strike: i + 1, vol: 0.5 }));
    rejects(grid(tooMany), /grid has more than 512 points/);
    rejects(() => makeVolSlice({ expiryYears: 0, forward: 100, smile: { kind: 'flat', vol: 0.5 } }), /expiryYears must be > 0/);
    rejects(() => makeVolSlice({ expiryYears: 1, forward: 0, smile: { kind: 'flat', vol: 0.5 } }), /forward must be > 0/);
  });
});

const validSvi = fc
  .record({
    b: fc.double({ min: 0, max: 2, noNaN: true }),
    rho: fc.double({ min: -0.99, max: 0.99, noNaN: true }),
    m: fc.double({ min: -1, max: 1, noNaN: true }),
    sigma: fc.double({ min: 0.01, max: 1, noNaN: true }),
    floor: fc.double({ min: 0, max: 0.5, noNaN: true }),
  })
  .map(({ b, rho, m, sigma, floor }) => ({ a: floor - b * sigma * Math.sqrt(1 - rho * rho), b, rho, m, sigma }));

describe('vol surfaces', () => {
  // Flat 50% at T 0.25 (w 0.0625) and flat 60% at T 1 (w 0.36): at T 0.5 the weight is 1/3,
  // w = 0.0625 + (0.36 - 0.0625) / 3 = 0.161667, vol = sqrt(0.161667 / 0.5) = 56.8624%.
  const twoFlat = makeVolSurface({
    slices: [
      { expiryYears: 0.25, forward: 100, smile: { kind: 'flat', vol: 0.5 } },
      { expiryYears: 1, forward: 110, smile: { kind: 'flat', vol: 0.6 } },
    ],
  });

  test('between expiries the total variance is linear in time at equal log-moneyness', () => {
    assertClose(surfaceTotalVariance(twoFlat, { timeYears: 0.5, logMoneyness: 0.3 }), 0.0625 + 0.2975 / 3, 1e-16, 'w');
    assertClose(surfaceVol(twoFlat, { timeYears: 0.5, strike: 95 }), 0.568624, 5e-7, 'vol');
  });

  test('the forward is interpolated linearly in ln F and is flat outside the expiries', () => {
    assertClose(surfaceForward(twoFlat, 0.5), 100 * 1.1 ** (1 / 3), 1e-12, 'F(0.5)');
    assert.equal(surfaceForward(twoFlat, 0.1), 100);
    assert.equal(surfaceForward(twoFlat, 3), 110);
  });

  test('before the first expiry and after the last, the vol at equal log-moneyness is held', () => {
    const surface = makeVolSurface({
      slices: [
        { expiryYears: 0.1, forward: 100, smile: { kind: 'svi', params: SVI_EXAMPLE } },
        { expiryYears: 1, forward: 100, smile: { kind: 'grid', points: [{ strike: 80, vol: 0.7 }, { strike: 120, vol: 0.5 }] } },
      ],
    });
    const first = surface.slices[0];
    const last = surface.slices[1];
    assert.ok(first !== undefined && last !== undefined);
    assertClose(surfaceVol(surface, { timeYears: 0.01, strike: 110 }), sliceVol(first, 110), 1e-15, 'before');
    assertClose(surfaceVol(surface, { timeYears: 4, strike: 90 }), sliceVol(last, 90), 1e-15, 'after');
  });

  test('a surface reproduces every slice at its own expiry, and interpolates between neighbours', () => {
    const surfaceArb = fc
      .array(fc.tuple(validSvi, fc.double({ min: 50, max: 150, noNaN: true })), { minLength: 1, maxLength: 6 })
      .map((slices) =>
        slices.map(([params, forward], i) => ({ expiryYears: 0.05 * 2 ** i, forward, smile: { kind: 'svi' as const, params } })),
      );
    fc.assert(
      fc.property(surfaceArb, fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (inputs, k, u) => {
        const surface = makeVolSurface({ slices: inputs });
        for (const slice of surface.slices) {
          const expected = sliceTotalVariance(slice, k);
          const atNode = surfaceTotalVariance(surface, { timeYears: slice.expiryYears, logMoneyness: k });
          assert.equal(atNode, expected, 'node');
        }
        const [a, b] = surface.slices;
        if (a === undefined || b === undefined) return;
        const t = a.expiryYears + u * (b.expiryYears - a.expiryYears);
        const w = surfaceTotalVariance(surface, { timeYears: t, logMoneyness: k });
        const wa = sliceTotalVariance(a, k);
        const wb = sliceTotalVariance(b, k);
        assert.ok(w >= Math.min(wa, wb) - 1e-15 && w <= Math.max(wa, wb) + 1e-15, `w ${w} outside [${wa}, ${wb}]`);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test('a grid surface returns the input vols at its (expiry, strike) nodes', () => {
    const surface = makeVolSurface({
      slices: [
        {
          expiryYears: 7 / 365,
          forward: 100_000,
          smile: {
            kind: 'grid',
            points: [{ strike: 90_000, vol: 0.62 }, { strike: 100_000, vol: 0.5 }, { strike: 110_000, vol: 0.55 }],
          },
        },
        {
          expiryYears: 30 / 365,
          forward: 100_800,
          smile: {
            kind: 'grid',
            points: [{ strike: 80_000, vol: 0.66 }, { strike: 100_000, vol: 0.54 }, { strike: 120_000, vol: 0.58 }],
          },
        },
      ],
    });
    assertClose(surfaceVol(surface, { timeYears: 7 / 365, strike: 90_000 }), 0.62, 1e-15, '7d 90k');
    assertClose(surfaceVol(surface, { timeYears: 30 / 365, strike: 120_000 }), 0.58, 1e-15, '30d 120k');
  });

  test('slices out of order, too many, or a bad query are rejected', () => {
    const flat = (expiryYears: number) => ({ expiryYears, forward: 100, smile: { kind: 'flat' as const, vol: 0.5 } });
    rejects(() => makeVolSurface({ slices: [flat(1), flat(0.5)] }), /^vol_surface_invalid: slice 1 expiryYears must be greater/);
    rejects(() => makeVolSurface({ slices: [] }), /^vol_surface_invalid: surface needs at least one slice$/);
    rejects(() => makeVolSurface({ slices: Array.from({ length: 257 }, (_, i) => flat(i + 1)) }), /more than 256 slices/);
    rejects(() => surfaceVol(twoFlat, { timeYears: 0, strike: 100 }), /^vol_query_invalid: timeYears must be > 0$/);
    rejects(() => surfaceVol(twoFlat, { timeYears: 1, strike: -1 }), /^vol_query_invalid: strike must be > 0$/);
  });
});
