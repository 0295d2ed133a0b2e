/**
 * Stress helpers: reverse stress by bisection, and scenario aggregation whose venue totals are the
 * exact sums of the account figures.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal as BaseDecimal } from 'decimal.js';
import fc from 'fast-check';
import { aggregateScenarios, reverseStress } from '../../../src/risk/analytics/index.js';
import { black76 } from '../../../src/risk/pricing/index.js';
import { assertClose, assertRejects } from './support.js';

fc.configureGlobal({ includeErrorInReport: true });

describe('reverse stress', () => {
  // A long of 10 BTC at 60,000 loses 600,000 x |move|: a capacity of 90,000 breaks at -15%.
  test('a 10 BTC long with 90,000 of capacity breaks at a 15% fall', () => {
    const r = reverseStress({ lossOf: (m) => -10 * 60_000 * m, capacity: 90_000, from: 0, to: -0.9 });
    assert.equal(r.kind, 'found');
    if (r.kind !== 'found') return;
    assertClose(r.move, -0.15, 1e-9);
    assert.ok(r.loss > 90_000 && r.move <= r.lastSafeMove);
  });

  test('a short straddle (loss convex in the move) breaks at the smallest move up', () => {
    const value = (f: number) =>
      black76({ kind: 'call', forward: f, strike: 3000, rate: 0, vol: 0.7, timeYears: 7 / 365 }).price +
      black76({ kind: 'put', forward: f, strike: 3000, rate: 0, vol: 0.7, timeYears: 7 / 365 }).price;
    const lossOf = (m: number) => 100 * (value(3000 * (1 + m)) - value(3000));
    const r = reverseStress({ lossOf, capacity: 20_000, from: 0, to: 1, tolerance: 1e-10 });
    assert.equal(r.kind, 'found');
    if (r.kind !== 'found') return;
    assert.ok(lossOf(r.move) > 20_000 && lossOf(r.lastSafeMove) <= 20_000);
    assert.ok(r.move - r.lastSafeMove <= 1e-10);
  });

  test('a book already beyond capacity, and one that never gets there, are told apart', () => {
    assert.deepEqual(reverseStress({ lossOf: () => 10, capacity: 5, from: 0, to: -1 }), { kind: 'exceeded_without_move', loss: 10 });
    const r = reverseStress({ lossOf: (m) => -m, capacity: 5, from: 0, to: -1 });
    assert.equal(r.kind, 'not_reached');
    if (r.kind === 'not_reached') assert.deepEqual([r.worstLoss, r.worstMove], [1, -1]);
    assertRejects(() => reverseStress({ lossOf: () => Number.NaN, capacity: 5, from: 0, to: -1 }), 'stress_loss_not_finite');
    assertRejects(() => reverseStress({ lossOf: () => 0, capacity: 5, from: 0, to: 0 }), 'stress_range_empty');
  });

  test('for a loss that grows with the move, the answer is the smallest breaking move', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (size, breakAt) => {
        const capacity = size * breakAt ** 2;
        const r = reverseStress({ lossOf: (m) => size * m * m, capacity, from: 0, to: -1 });
        assert.equal(r.kind, 'found');
        if (r.kind === 'found') assertClose(r.move, -breakAt, 1e-8);
      }),
      { seed: 1701, numRuns: 200 },
    );
  });
});

/** Exact decimal arithmetic with room for any sum of the doubles below. */
const Decimal = BaseDecimal.clone({ precision: 200 });
type Decimal = BaseDecimal;

/** Amounts of 0 or between 1e-6 and 1e9 in magnitude. */
const amount = fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e9, noNaN: true }));

/** The exact value of a double as a Decimal: mantissa x 2^exponent (new Decimal(x) would round to 17 digits). */
function exactDecimal(x: number): Decimal {
  if (x === 0) return new Decimal(0);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponentBits === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (exponentBits === 0 ? 1 : exponentBits) - 1075;
  const magnitude = new Decimal(mantissa.toString()).times(new Decimal(2).pow(exponent));
  return x < 0 ? magnitude.negated() : magnitude;
}

describe('scenario aggregation', () => {
  test('venue loss, shortfall and net PnL of a small book', () => {
    const a = aggregateScenarios({
      scenarios: ['BTC -13%', 'BTC +10%'],
      accounts: [
        { accountId: 'a', pnl: [-1000, 800], equity: 600 },
        { accountId: 'b', pnl: [300, -200], equity: 1000 },
        { accountId: 'c', pnl: [-50, 40], equity: 10 },
      ],
    });
    const [down, up] = a.scenarios as [(typeof a.scenarios)[0], (typeof a.scenarios)[0]];
    assert.deepEqual([down.venueLoss, down.venueShortfall, down.venuePnl, down.accountsInShortfall], [1050, 440, -750, 2]);
    assert.deepEqual([up.venueLoss, up.venueShortfall, up.venuePnl], [200, 0, 640]);
    assert.deepEqual([a.worstLossIndex, a.worstShortfallIndex], [0, 0]);
  });

  // The reference sums the same float64 values exactly in decimal and rounds once to float64. A
  // double in [1e-6, 1e9] has at most about 82 significant decimal digits, so 200 digits are exact.
  test("a scenario's venue-wide loss equals the sum of its account losses, exactly", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ pnl: amount.chain((x) => fc.constantFrom(x, -x)), equity: amount }), { maxLength: 60 }),
        (accounts) => {
          const a = aggregateScenarios({ scenarios: ['s'], accounts: accounts.map((x, i) => ({ accountId: `${i}`, pnl: [x.pnl], equity: x.equity })) });
          const s = a.scenarios[0];
          assert.ok(s !== undefined);
          const exact = (xs: Float64Array) => xs.reduce((sum, x) => sum.plus(exactDecimal(x)), new Decimal(0)).toNumber();
          assert.equal(s.venueLoss, exact(s.accountLosses));
          assert.equal(s.venueShortfall, exact(s.accountShortfalls));
          s.accountLosses.forEach((loss, i) => assert.equal(loss, Math.max(0, -(accounts[i]?.pnl ?? 0))));
          // Shards: the venue total is the exact sum of the accounts however they are split.
          const half = Math.floor(accounts.length / 2);
          const shard = (xs: typeof accounts) => aggregateScenarios({ scenarios: ['s'], accounts: xs.map((x, i) => ({ accountId: `${i}`, pnl: [x.pnl], equity: x.equity })) }).scenarios[0]?.accountLosses ?? new Float64Array();
          assert.equal(s.venueLoss, exact(Float64Array.from([...shard(accounts.slice(0, half)), ...shard(accounts.slice(half))])));
        },
      ),
      { seed: 1702, numRuns: 300 },
    );
  });

  test('mismatched inputs are rejected', () => {
    assertRejects(() => aggregateScenarios({ scenarios: ['a', 'b'], accounts: [{ accountId: 'x', pnl: [1], equity: 0 }] }), 'scenario_pnl_length_mismatch');
    assertRejects(() => aggregateScenarios({ scenarios: [], accounts: [] }), 'scenarios_count_invalid');
    assertRejects(() => aggregateScenarios({ scenarios: ['a'], accounts: [{ accountId: 'x', pnl: [Number.NaN], equity: 0 }] }), 'number_not_finite');
  });
});
