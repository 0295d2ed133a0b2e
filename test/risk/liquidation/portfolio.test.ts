/**
 * Liquidation sizing for portfolio-margined accounts (src/risk/liquidation/portfolio.ts,
 * docs/methodology/liquidation-portfolio.md): a hand-computed short straddle with a futures hedge,
 * then laws on random books (fast-check, fixed seed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planPortfolioLiquidation, type PmLiquidationParams, type PmLiquidationPlan } from '../../../src/risk/liquidation/portfolio.js';
import { PM_PRESETS, portfolioMargin, type PmMarket, type PmPosition, type PortfolioMarginModel } from '../../../src/risk/portfolio/index.js';
import { at, closeTo, future, market, marketArb, option, positionsArb } from '../portfolio/fixtures.js';

fc.configureGlobal({ includeErrorInReport: true });

/** Three scenarios (-10%, 0, +10%, vol unchanged), no contingencies: MM = worst loss. */
const HAND_MODEL: PortfolioMarginModel = {
  name: 'hand',
  currency: 'quote',
  grid: { kind: 'matrix', priceMoves: [-0.1, 0, 0.1], volMoves: ['none'], volShock: { kind: 'relative', up: 0, down: 0 } },
  rule: { contingencies: { futures: { rate: 0, basis: 'gross' }, optionPerNetShortCoin: 0, deltaShockRate: 0 }, maintenanceLossFactor: 1, initialFactor: 1 },
};

const HAND_PARAMS: PmLiquidationParams = {
  buffer: 0.1,
  liquidatorFee: 0.005,
  insuranceFee: 0.005,
  discount: 0.01,
  stepFractionMax: 1,
  iterationsMax: 100,
  lots: new Map(),
  lotDefault: 0.1,
  closeSizeMin: 0,
};

describe('portfolio liquidation: a short straddle hedged with a future (hand-computed)', () => {
  // Index = forward = 100, flat vol 50%, 3 months, rate 0: sigma sqrt(T) = 0.25.
  // Black-76, K 100: at F 100 d1 = 0.125, call = put = 100 (2 N(0.125) - 1) = 9.9476.
  //   F 90:  d1 = (ln 0.9 + 0.03125) / 0.25 = -0.29644, d2 = -0.54644: call 5.2721, put 15.2721.
  //   F 110: d1 = (ln 1.1 + 0.03125) / 0.25 = 0.50624, d2 = 0.25624: call 16.1904, put 6.1904.
  // Loss of one long unit (-10% / +10%): call 4.6756 / -6.2428; put -5.3244 / 3.7572; future 10 / -10.
  // Book: short 10 calls, short 10 puts, long 1 future:
  //   -10%: -46.756 + 53.244 + 10 = 16.488;  +10%: 62.428 - 37.572 - 10 = 14.856;  MM 16.488.
  // Equity 15 < MM x 1.1 = 18.137: shortage 3.137. Cost 2% of value: 0.19895 per option, 2 per future.
  const call = option('call', 100, 0.25, 'linear', 'X');
  const put = option('put', 100, 0.25, 'linear', 'X');
  const hedge = future(0.25, 'linear', 1, 'X');
  const m = market({ underlying: 'X', indexPrice: 100, expiriesYears: [0.25], smile: { kind: 'flat', vol: 0.5 } });
  const book = [at(call, -10), at(put, -10), at(hedge, 1)];
  const plan = (equity: number): PmLiquidationPlan => planPortfolioLiquidation({ positions: book, equity, market: m, model: HAND_MODEL, params: HAND_PARAMS });

  it('closes 0.2 put, then a slice of every leg, then 0.1 call and 0.1 put: MM 16.488 -> 12.387 for a cost of 1.2754', () => {
    const p = plan(15);
    closeTo(p.maintenanceBefore, 16.48825, 1e-4, 'MM before');
    closeTo(p.shortageBefore, 3.13708, 1e-4, 'shortage');
    assert.deepEqual(p.steps.map((s) => s.kind), ['leg', 'slice', 'leg', 'leg']);
    const [s1, s2, s3, s4] = p.steps;
    // 1. Puts: closing x moves the losses to 16.488 - 5.3244 x and 14.856 + 3.7572 x; they cross at
    //    x = 0.18, so 0.2 put frees most: MM max(15.423, 15.607) = 15.607 for 0.0398 (ratio 22.15).
    //    The future frees 0.63 for 0.2 (ratio 3.2); a call raises the -10% loss by 0.1 x 4.6756.
    assert.deepEqual(s1?.trades, [{ instrumentId: put.id, size: 0.2 }]);
    closeTo(s1?.maintenanceAfter ?? NaN, 15.60707, 1e-4, 'MM after the put');
    closeTo(s1?.freedPerCost ?? NaN, 22.1455, 1e-3, 'freed per cost');
    assert.deepEqual(s1?.rejected.map((r) => [r.instrumentId, r.reason]), [[call.id, 'raises_requirement']]);
    closeTo(s1?.rejected[0]?.maintenanceChange ?? NaN, 0.46756, 1e-4, 'the call would raise MM');
    // 2. The book is balanced (15.423 / 15.607): every single leg raises MM (call +0.28, put
    //    +0.38, future +1.0). Slice f = shortage / (MM x 1.1 - cost of all)
    //    = (17.168 - 14.960) / (17.168 - 5.939) = 0.1966, rounded up to lots: 2 calls, 2 puts,
    //    0.2 future. Losses -10%: -37.405 + 41.530 + 8 = 12.125; +10%: 49.942 - 29.306 - 8 = 12.636.
    assert.equal(s2?.rejected.length, 3);
    assert.ok(s2?.rejected.every((r) => r.reason === 'raises_requirement'));
    assert.deepEqual(s2?.trades, [
      { instrumentId: call.id, size: 2 },
      { instrumentId: put.id, size: 2 },
      { instrumentId: hedge.id, size: 0.2 },
    ]);
    closeTo(s2?.maintenanceAfter ?? NaN, 12.63595, 1e-4, 'MM after the slice');
    closeTo(s2?.cost ?? NaN, 1.19581, 1e-4, 'slice cost: 4 x 0.19895 + 0.2 x 2');
    // 3. Equity 13.764 < 12.636 x 1.1 = 13.900: 0.1 call (MM 12.593, ratio 2.14), then
    // 4. 0.1 put: MM max(12.061, 12.387) = 12.387, equity 13.725 >= 13.626.
    assert.deepEqual(s3?.trades, [{ instrumentId: call.id, size: 0.1 }]);
    assert.deepEqual(s4?.trades, [{ instrumentId: put.id, size: 0.1 }]);
    assert.equal(p.outcome, 'restored');
    assert.ok(p.targetReached);
    closeTo(p.maintenanceAfter, 12.38739, 1e-4, 'MM after');
    closeTo(p.cost, 1.27539, 1e-4, 'cost');
    closeTo(p.equityAfter, 13.72461, 1e-4, 'equity after');
    const after = Object.fromEntries(p.legs.map((l) => [l.instrumentId, l.quantityAfter]));
    closeTo(after[call.id] ?? NaN, -7.9, 1e-12, 'calls left');
    closeTo(after[put.id] ?? NaN, -7.7, 1e-12, 'puts left');
    closeTo(after[hedge.id] ?? NaN, 0.8, 1e-12, 'future left');
  });

  it('does nothing for a healthy account, and closes everything when no step can help', () => {
    const healthy = plan(20);
    assert.equal(healthy.outcome, 'healthy');
    assert.equal(healthy.steps.length, 0);
    assert.equal(healthy.cost, 0);
    // Equity 1: after the put step the slice would need f = (17.168 - 0.960) / (17.168 - 5.939) > 1.
    const broke = plan(1);
    assert.equal(broke.outcome, 'closedAll');
    assert.equal(broke.targetReached, false);
    assert.equal(broke.maintenanceAfter, 0);
    assert.ok(broke.legs.every((l) => l.quantityAfter === 0));
    closeTo(broke.equityAfter, 1 - (20 * 9.94764 + 100) * 0.02, 1e-4, 'equity less the cost of closing every leg');
  });
});

const PRESETS = [...PM_PRESETS.values()];

const paramsArb: fc.Arbitrary<PmLiquidationParams> = fc.record({
  buffer: fc.constantFrom(0, 0.02, 0.1),
  liquidatorFee: fc.constantFrom(0, 0.005, 0.01),
  insuranceFee: fc.constantFrom(0, 0.01),
  discount: fc.constantFrom(0, 0.02, 0.05),
  stepFractionMax: fc.constantFrom(0.25, 0.5, 1),
  iterationsMax: fc.constant(10_000),
  lots: fc.constant(new Map<string, number>()),
  lotDefault: fc.constant(0.1),
  closeSizeMin: fc.constantFrom(0, 0.2),
});

interface Case {
  readonly market: PmMarket;
  readonly positions: PmPosition[];
  readonly model: PortfolioMarginModel;
  readonly params: PmLiquidationParams;
  readonly equity: number;
}

const caseArb: fc.Arbitrary<Case> = marketArb.chain((m) =>
  fc
    .record({ positions: positionsArb(m.indexPrice, 4), model: fc.constantFrom(...PRESETS), params: paramsArb, equityShare: fc.integer({ min: -20, max: 120 }).map((x) => x / 100) })
    .map(({ positions, model, params, equityShare }) => ({
      market: m,
      positions,
      model,
      params,
      equity: equityShare * portfolioMargin({ positions, market: m, model }).maintenance,
    })),
);

const planOf = (c: Case): PmLiquidationPlan => planPortfolioLiquidation(c);
const onGrid = (size: number, lot: number): boolean => Math.abs(size / lot - Math.round(size / lot)) < 1e-6;
const RUNS = { numRuns: 60, seed: 20261122 };

describe('portfolio liquidation laws (random books, every preset)', () => {
  it('never raises MM: no step does, and the plan ends at or below where it started', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const p = planOf(c);
        assert.ok(p.maintenanceAfter <= p.maintenanceBefore);
        for (const s of p.steps) assert.ok(s.maintenanceAfter <= s.maintenanceBefore, s.reason);
      }),
      RUNS,
    );
  });

  it('reaches MM x (1 + buffer) whenever closing everything would, and says so exactly when it does', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const p = planOf(c);
        assert.notEqual(p.outcome, 'limited');
        assert.equal(p.targetReached, p.equityAfter >= p.targetAfter);
        const costAll = p.legs.reduce((sum, l) => sum + (l.size > 0 ? l.cost / l.size : 0) * Math.abs(l.quantityBefore), 0);
        // Closing everything leaves MM 0: possible when equity covers the cost of closing it all.
        if (c.equity - costAll > 1e-9 * Math.max(1, Math.abs(c.equity))) assert.ok(p.targetReached, `${p.outcome}: ${p.equityAfter} < ${p.targetAfter}`);
      }),
      RUNS,
    );
  });

  it('never closes more than a leg holds, only reduces, and sizes every leg and trade on the lot grid or whole', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const p = planOf(c);
        for (const leg of p.legs) {
          const held = Math.abs(leg.quantityBefore);
          assert.ok(leg.size >= 0 && leg.size <= held + 1e-12, `${leg.instrumentId}: ${leg.size} of ${held}`);
          assert.ok(leg.quantityAfter === 0 || Math.sign(leg.quantityAfter) === Math.sign(leg.quantityBefore));
          closeTo(Math.abs(leg.quantityAfter), held - leg.size, 1e-9 * Math.max(1, held), 'left = held - closed');
          assert.ok(onGrid(leg.size, 0.1) || leg.quantityAfter === 0, `${leg.instrumentId}: ${leg.size} off the grid`);
        }
        for (const s of p.steps) for (const t of s.trades) assert.ok(t.size > 0);
      }),
      RUNS,
    );
  });

  it('reports the MM the model itself gives for the book left', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const p = planOf(c);
        const left = p.legs.filter((l) => l.quantityAfter !== 0).map((l) => at(c.positions.find((x) => x.instrument.id === l.instrumentId)?.instrument as PmPosition['instrument'], l.quantityAfter));
        const direct = portfolioMargin({ positions: left, market: c.market, model: c.model }).maintenance;
        closeTo(p.maintenanceAfter, direct, 1e-9 * Math.max(1, direct), 'MM after');
      }),
      RUNS,
    );
  });

  it('is deterministic: the same account gives the same plan, whatever the order of its positions', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const a = planOf(c);
        assert.deepEqual(planOf(c), a);
        assert.deepEqual(planOf({ ...c, positions: [...c.positions].reverse() }), a);
      }),
      { ...RUNS, numRuns: 30 },
    );
  });
});
