/**
 * Laws of portfolio margin, on random markets and portfolios (fast-check, fixed seeds).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DERIBIT_LIKE_PM,
  LYRA_LIKE_PM,
  PM_PRESETS,
  SPAN_LIKE_PM,
  buildRiskArrays,
  makeScenarioGrid,
  portfolioMargin,
  type PmMarket,
  type PmPosition,
  type PortfolioMarginModel,
} from '../../../src/risk/portfolio/index.js';
import { DAY, EXPIRIES, at, future, market, marketArb, option, perpetual, positionsArb, relativelyClose, spot } from './fixtures.js';

fc.configureGlobal({ includeErrorInReport: true });

const MODELS = [...PM_PRESETS.values()];
const modelArb = fc.constantFrom(...MODELS);
const QUOTE_MODELS = MODELS.map((m): PortfolioMarginModel => ({ ...m, currency: 'quote' }));

const mm = (positions: readonly PmPosition[], m: PmMarket, model: PortfolioMarginModel): number =>
  portfolioMargin({ positions, market: m, model }).maintenance;

const bookArb = marketArb.chain((m) => fc.tuple(fc.constant(m), positionsArb(m.indexPrice), modelArb));

describe('hedges need less margin than their legs', () => {
  const btc = market({ indexPrice: 60_000, expiriesYears: EXPIRIES, carry: 0.05 });

  test('a covered call (spot + short call) needs less than spot and the short call margined alone, in every quote model', () => {
    for (const model of QUOTE_MODELS) {
      const call = option('call', 66_000, 30 * DAY, 'linear');
      const covered = mm([at(spot(), 1), at(call, -1)], btc, model);
      const legs = mm([at(spot(), 1)], btc, model) + mm([at(call, -1)], btc, model);
      assert.ok(covered < legs, `${model.name}: covered ${covered} >= legs ${legs}`);
    }
  });

  test('a calendar spread (long far call, short near call) needs less than its legs, in every model', () => {
    for (const model of MODELS) {
      const near = option('call', 60_000, 7 * DAY);
      const far = option('call', 60_000, 90 * DAY);
      const spread = mm([at(far, 1), at(near, -1)], btc, model);
      const legs = mm([at(far, 1)], btc, model) + mm([at(near, -1)], btc, model);
      assert.ok(spread < legs, `${model.name}: spread ${spread} >= legs ${legs}`);
    }
  });

  test('covered calls with random strikes, expiries and markets never need more than their legs', () => {
    fc.assert(
      fc.property(marketArb, fc.constantFrom(...EXPIRIES), fc.double({ min: 0.5, max: 2, noNaN: true }), fc.constantFrom(...QUOTE_MODELS), (m, t, moneyness, model) => {
        const call = option('call', Math.round(m.indexPrice * moneyness), t, 'linear');
        const covered = mm([at(spot(), 1), at(call, -1)], m, model);
        const legs = mm([at(spot(), 1)], m, model) + mm([at(call, -1)], m, model);
        assert.ok(covered <= legs * (1 + 1e-12), `covered ${covered} > legs ${legs}`);
      }),
      { seed: 4201, numRuns: 150 },
    );
  });
});

describe('portfolio margin is a function of the net portfolio', () => {
  test('it does not depend on the order of the positions (bit for bit)', () => {
    fc.assert(
      fc.property(
        bookArb.chain(([m, positions, model]) => fc.tuple(fc.constant(m), fc.constant(positions), fc.constant(model), fc.shuffledSubarray(positions, { minLength: positions.length }))),
        ([m, positions, model, shuffled]) => {
          const a = portfolioMargin({ positions, market: m, model });
          const b = portfolioMargin({ positions: shuffled, market: m, model });
          assert.deepEqual(b, a);
        },
      ),
      { seed: 4202, numRuns: 150 },
    );
  });

  test('splitting a position into several lots of the same instrument does not change it', () => {
    fc.assert(
      fc.property(bookArb, fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }), ([m, positions, model], shares) => {
        const [first, ...rest] = positions as [PmPosition, ...PmPosition[]];
        const total = shares.reduce((s, x) => s + x, 0);
        const lots = shares.map((share) => at(first.instrument, (first.quantity * share) / total));
        const whole = portfolioMargin({ positions, market: m, model });
        const split = portfolioMargin({ positions: [...rest, ...lots], market: m, model });
        relativelyClose(split.maintenance, whole.maintenance, 1e-9, 'MM');
        relativelyClose(split.initial, whole.initial, 1e-9, 'IM');
      }),
      { seed: 4203, numRuns: 150 },
    );
  });

  test('it is positively homogeneous: twice the portfolio needs exactly twice the margin, 0.37 times it 0.37 times', () => {
    fc.assert(
      fc.property(bookArb, ([m, positions, model]) => {
        const base = portfolioMargin({ positions, market: m, model });
        const doubled = portfolioMargin({ positions: positions.map((p) => at(p.instrument, 2 * p.quantity)), market: m, model });
        assert.equal(doubled.maintenance, 2 * base.maintenance);
        assert.equal(doubled.initial, 2 * base.initial);
        const scaled = portfolioMargin({ positions: positions.map((p) => at(p.instrument, 0.37 * p.quantity)), market: m, model });
        relativelyClose(scaled.maintenance, 0.37 * base.maintenance, 1e-9, 'MM x 0.37');
      }),
      { seed: 4204, numRuns: 150 },
    );
  });

  test('it is subadditive: two books together never need more than apart', () => {
    fc.assert(
      fc.property(
        marketArb.chain((m) => fc.tuple(fc.constant(m), positionsArb(m.indexPrice, 4), positionsArb(m.indexPrice, 4), modelArb)),
        ([m, a, b, model]) => {
          const together = mm([...a, ...b], m, model);
          const apart = mm(a, m, model) + mm(b, m, model);
          assert.ok(together <= apart + 1e-9 * Math.max(apart, 1), `together ${together} > apart ${apart}`);
        },
      ),
      { seed: 4205, numRuns: 150 },
    );
  });

  test('IM >= MM >= 0, and the worst loss is the largest weighted scenario loss', () => {
    fc.assert(
      fc.property(bookArb, ([m, positions, model]) => {
        const r = portfolioMargin({ positions, market: m, model });
        assert.ok(r.maintenance >= 0 && r.initial >= r.maintenance, `IM ${r.initial}, MM ${r.maintenance}`);
        assert.equal(r.worstLoss, Math.max(0, ...r.scenarioLosses));
      }),
      { seed: 4206, numRuns: 200 },
    );
  });
});

describe('futures, perpetuals and spot offset options inside the scenarios', () => {
  const btc = market({ indexPrice: 60_000, expiriesYears: [30 * DAY], carry: 0.1, perpetualPrice: 60_030 });

  test('a short inverse future of 1 BTC of notional hedges 1 BTC of spot in a quote portfolio: every scenario loss is 0', () => {
    const f = future(30 * DAY, 'inverse', 10);
    const forward = 60_000 * Math.exp(0.1 * 30 * DAY);
    const r = portfolioMargin({ positions: [at(spot(), 1), at(f, -forward / 10)], market: btc, model: { ...DERIBIT_LIKE_PM, currency: 'quote' } });
    for (const loss of r.scenarioLosses) assert.ok(Math.abs(loss) < 1e-8, `loss ${loss}`);
  });

  test('in a coin portfolio spot is the numeraire: its risk array is all zeros', () => {
    const arrays = buildRiskArrays({ instruments: [spot()], market: btc, grid: makeScenarioGrid(DERIBIT_LIKE_PM.grid), currency: 'coin' });
    assert.ok(arrays.entries.get(spot().id)?.losses.every((x) => x === 0));
  });

  test('a delta-hedged straddle needs less than the straddle alone', () => {
    const call = option('call', 60_000, 30 * DAY, 'linear');
    const put = option('put', 60_000, 30 * DAY, 'linear');
    const straddle = [at(call, -10), at(put, -10)];
    const alone = mm(straddle, btc, LYRA_LIKE_PM);
    const hedged = mm([...straddle, at(perpetual(), 0.5)], btc, LYRA_LIKE_PM);
    assert.ok(hedged < alone, `hedged ${hedged} >= alone ${alone}`);
  });

  test('inverse and linear options have the same risk array in a quote portfolio', () => {
    const grid = makeScenarioGrid(SPAN_LIKE_PM.grid);
    const inv = option('put', 55_000, 30 * DAY, 'inverse');
    const lin = option('put', 55_000, 30 * DAY, 'linear');
    const arrays = buildRiskArrays({ instruments: [inv, lin], market: btc, grid, currency: 'quote' });
    const a = arrays.entries.get(inv.id)?.losses ?? new Float64Array();
    const b = arrays.entries.get(lin.id)?.losses ?? new Float64Array();
    for (let s = 0; s < a.length; s += 1) relativelyClose(a[s] ?? Number.NaN, b[s] ?? Number.NaN, 1e-12, `scenario ${s}`);
  });
});

describe('no NaN or Infinity at the edges', () => {
  const edgeInstruments = (indexPrice: number) =>
    fc.record({
      kind: fc.constantFrom('call' as const, 'put' as const),
      moneyness: fc.constantFrom(1e-3, 0.01, 0.5, 1, 2, 100, 1000),
      expiry: fc.constantFrom(0, 1e-9, 0.5 * DAY, DAY, 30 * DAY, 5),
      settlement: fc.constantFrom('linear' as const, 'inverse' as const),
      quantity: fc.double({ min: -100, max: 100, noNaN: true }),
    }).map(({ kind, moneyness, expiry, settlement, quantity }) => at(option(kind, indexPrice * moneyness, expiry, settlement), quantity));

  test('options at expiry (DTE 0), a nanosecond before, with zero vol, deep in and out of the money give finite margins', () => {
    fc.assert(
      fc.property(
        fc.record({ indexPrice: fc.double({ min: 1, max: 1e6, noNaN: true }), vol: fc.constantFrom(0, 1e-9, 0.6, 5), model: modelArb }).chain(({ indexPrice, vol, model }) =>
          fc.tuple(fc.constant(market({ indexPrice, expiriesYears: [1e-9, DAY, 30 * DAY, 5], smile: { kind: 'flat', vol } })), fc.array(edgeInstruments(indexPrice), { minLength: 1, maxLength: 5 }), fc.constant(model)),
        ),
        ([m, positions, model]) => {
          const withFutures = [...positions, at(future(0), 1), at(future(1e-9, 'inverse', 10), -3)];
          const r = portfolioMargin({ positions: withFutures, market: m, model });
          const numbers = [r.maintenance, r.initial, r.worstLoss, r.contingencies.total, ...r.scenarioLosses, ...r.binding.positions.flatMap((p) => [p.loss, p.pnl])];
          assert.ok(numbers.every(Number.isFinite), `non-finite figure in ${JSON.stringify(numbers)}`);
        },
      ),
      { seed: 4207, numRuns: 200 },
    );
  });

  test('an option at expiry is worth its intrinsic value in every scenario, whatever the vol shock', () => {
    const m = market({ indexPrice: 100, expiriesYears: [DAY] });
    const call = option('call', 90, 0, 'linear');
    const arrays = buildRiskArrays({ instruments: [call], market: m, grid: makeScenarioGrid(DERIBIT_LIKE_PM.grid), currency: 'quote' });
    const grid = arrays.grid.scenarios;
    for (const s of grid) {
      const expected = -(Math.max(100 * (1 + s.priceMove) - 90, 0) - 10) * s.weight;
      relativelyClose(arrays.entries.get(call.id)?.losses[s.index] ?? Number.NaN, expected, 1e-12, s.label);
    }
  });
});
