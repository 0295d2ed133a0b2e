import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DERIBIT_LIKE_PM,
  DERIBIT_TAIL_MOVES,
  DERIBIT_VOL_SHOCK,
  LYRA_LIKE_PM,
  SPAN_LIKE_PM,
  evenPriceMoves,
  makeScenarioGrid,
  shockedVol,
  tailWeightsRangeOverMove,
  tenorScaledShock,
  type VolShockModel,
} from '../../../src/risk/portfolio/index.js';
import { DAY, closeTo } from './fixtures.js';

const TENOR = DERIBIT_VOL_SHOCK as Extract<VolShockModel, { kind: 'tenorScaled' }>;
const percent1 = (x: number): number => Math.round(x * 1000) / 10;

describe('tenor-scaled vol shocks (METHODS.md 3.3, Deribit: up 45%, down 30%, p 0.30 under 30 days, 0.13 beyond)', () => {
  const table: [number, number, number][] = [
    // days, up %, down %
    [1, 124.8, 83.2],
    [7, 69.6, 46.4],
    [30, 45, 30],
    [180, 35.6, 23.8],
  ];
  for (const [days, up, down] of table) {
    test(`${days} days to expiry: up ${up}%, down ${down}%`, () => {
      const shock = tenorScaledShock(TENOR, days * DAY);
      assert.equal(percent1(shock.up), up);
      assert.equal(percent1(shock.down), down);
    });
  }

  test('the formula is range x (30 / DTE)^p with the short-term power under 30 days', () => {
    closeTo(tenorScaledShock(TENOR, DAY).up, 0.45 * 30 ** 0.3, 1e-15, '1 day up');
    closeTo(tenorScaledShock(TENOR, 180 * DAY).down, 0.3 * (30 / 180) ** 0.13, 1e-15, '180 days down');
    // Either power gives the range itself at exactly 30 days.
    closeTo(tenorScaledShock(TENOR, 30 * DAY).up, 0.45, 1e-15, '30 days up');
  });

  test('at expiry (DTE 0) and below the 1-day floor the shock is the 1-day shock, never Infinity', () => {
    const oneDay = tenorScaledShock(TENOR, DAY);
    for (const t of [0, 1e-12, 0.5 * DAY]) assert.deepEqual(tenorScaledShock(TENOR, t), oneDay);
  });

  test('vol up multiplies, vol down multiplies and floors at zero', () => {
    closeTo(shockedVol(TENOR, 0.5, 30 * DAY, 'up'), 0.725, 1e-15, 'up');
    closeTo(shockedVol(TENOR, 0.5, 30 * DAY, 'down'), 0.35, 1e-15, 'down');
    assert.equal(shockedVol(TENOR, 0.5, 30 * DAY, 'none'), 0.5);
    const wide: VolShockModel = { ...TENOR, rangeDown: 0.9 }; // 0.9 x 30^0.3 = 2.5 at 1 day
    assert.equal(shockedVol(wide, 0.5, DAY, 'down'), 0);
    assert.equal(shockedVol({ kind: 'absolute', up: 0.1, down: 0.2 }, 0.15, 1, 'down'), 0);
    closeTo(shockedVol({ kind: 'absolute', up: 0.1, down: 0.2 }, 0.15, 1, 'up'), 0.25, 1e-15, 'absolute up');
    closeTo(shockedVol({ kind: 'relative', up: 0.25, down: 0.25 }, 0.4, 1, 'down'), 0.3, 1e-15, 'relative down');
  });

  test('shocked vols are finite and non-negative for any tenor and vol', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 30, noNaN: true }), fc.constantFrom('up' as const, 'none' as const, 'down' as const), (vol, t, move) => {
        const v = shockedVol(TENOR, vol, t, move);
        assert.ok(Number.isFinite(v) && v >= 0, `vol ${v}`);
      }),
      { seed: 4101, numRuns: 500 },
    );
  });
});

describe('price grids', () => {
  test('+/-16% in 9 even buckets is -16%, -12%, ..., +16%: steps of 4%, zero included', () => {
    const moves = evenPriceMoves(0.16, 9);
    const expected = [-0.16, -0.12, -0.08, -0.04, 0, 0.04, 0.08, 0.12, 0.16];
    assert.equal(moves.length, 9);
    for (const [i, m] of moves.entries()) closeTo(m, expected[i] ?? Number.NaN, 1e-16, `bucket ${i}`);
    assert.equal(moves[0], -0.16);
    assert.equal(moves[4], 0);
    assert.equal(moves[8], 0.16);
  });

  test('+/-15% in 11 buckets (the older Deribit grid and Dederi) steps by 3%', () => {
    const moves = evenPriceMoves(0.15, 11);
    for (let i = 1; i < moves.length; i += 1) closeTo((moves[i] ?? 0) - (moves[i - 1] ?? 0), 0.03, 1e-15, `step ${i}`);
  });

  test('Lyra-like spot shocks run 0.82 to 1.18 in 4.5% steps, each with vol up, down and none', () => {
    const grid = makeScenarioGrid(LYRA_LIKE_PM.grid);
    assert.equal(grid.scenarios.length, 27);
    const factors = [...new Set(grid.scenarios.map((s) => Math.round((1 + s.priceMove) * 1000) / 1000))];
    assert.deepEqual(factors, [0.82, 0.865, 0.91, 0.955, 1, 1.045, 1.09, 1.135, 1.18]);
  });
});

describe('the extended tail table (Deribit: vol up only, weights range / |move|)', () => {
  test('range 16%: 24%, 48%, 32%, 16%, 8%, 5.33%, 4%, 3.2%', () => {
    const weights = tailWeightsRangeOverMove(0.16, DERIBIT_TAIL_MOVES);
    const published = [24, 48, 32, 16, 8, 5.33, 4, 3.2];
    const decimals = [0, 0, 0, 0, 0, 2, 0, 1];
    for (const [i, w] of weights.entries()) {
      const scale = 10 ** (decimals[i] ?? 0);
      assert.equal(Math.round(w * 100 * scale) / scale, published[i], `move ${DERIBIT_TAIL_MOVES[i]}`);
      closeTo(w, 0.16 / Math.abs(DERIBIT_TAIL_MOVES[i] ?? 1), 1e-16, `weight ${i}`);
    }
  });

  test('the Deribit-like grid is 27 core scenarios then 8 tail scenarios on vol up', () => {
    const grid = makeScenarioGrid(DERIBIT_LIKE_PM.grid);
    assert.equal(grid.scenarios.length, 35);
    assert.equal(grid.scenarios[0]?.label, '-16% vol up');
    assert.equal(grid.scenarios[13]?.label, '0% vol unchanged');
    const tail = grid.scenarios.slice(27);
    assert.deepEqual(tail.map((s) => s.priceMove), DERIBIT_TAIL_MOVES);
    assert.ok(tail.every((s) => s.volMove === 'up'));
    assert.equal(tail[7]?.label, 'tail +500% vol up x 3.2%');
    assert.ok(grid.scenarios.slice(0, 27).every((s) => s.weight === 1));
  });
});

describe('the 16 SPAN scenarios (CME)', () => {
  test('in CME order: unchanged, +1/3, -1/3, +2/3, -2/3, +3/3, -3/3 each with vol up then down, then the extremes at 35%', () => {
    const grid = makeScenarioGrid(SPAN_LIKE_PM.grid);
    assert.equal(grid.scenarios.length, 16);
    const fractions = grid.scenarios.map((s) => Math.round((s.priceMove / 0.16) * 3));
    assert.deepEqual(fractions, [0, 0, 1, 1, -1, -1, 2, 2, -2, -2, 3, 3, -3, -3, 6, -6]);
    assert.deepEqual(grid.scenarios.slice(0, 14).map((s) => s.volMove), Array(7).fill(['up', 'down']).flat());
    assert.deepEqual(grid.scenarios.slice(14).map((s) => [s.volMove, s.weight]), [['none', 0.35], ['none', 0.35]]);
    assert.equal(grid.scenarios[12]?.label, 'SPAN 13: -3/3 range, vol up');
    assert.equal(grid.scenarios[15]?.label, 'SPAN 16: -2 x range, vol unchanged, x 0.35');
  });
});

describe('grid validation', () => {
  const base = DERIBIT_LIKE_PM.grid;
  const rejects = (spec: unknown, code = 'scenario_grid_invalid'): void => {
    assert.throws(() => makeScenarioGrid(spec as Parameters<typeof makeScenarioGrid>[0]), (e: unknown) => (e as { code?: string }).code === code);
  };
  test('a price move of -100% or worse, a zero DTE floor, a zero or >1 weight, an unknown kind are rejected with scenario_grid_invalid', () => {
    rejects({ ...base, priceMoves: [-1] });
    rejects({ ...base, volShock: { ...TENOR, dteMinDays: 0 } });
    rejects({ ...base, tail: { moves: [0.5], weights: { kind: 'explicit', weights: [0] }, volMove: 'up' } });
    rejects({ ...base, tail: { moves: [0.5], weights: { kind: 'explicit', weights: [1.5] }, volMove: 'up' } });
    rejects({ ...base, kind: 'cube' });
    rejects({ ...base, priceMoves: [Number.NaN] });
    rejects({ kind: 'span', priceScanRange: 0.4, extremeMultiple: 3, extremeWeight: 0.35, volShock: TENOR });
  });
});
