/**
 * CME SPAN: the published examples (METHODS.md 3.4; cmegroup.com "Spread calculations"), a
 * published 16-value risk array pair (McMillan, "Options as a Strategic Investment", Part V: S&P 500
 * future and Dec 410 call), and arrays computed from a market.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DERIBIT_VOL_SHOCK,
  spanContractsFromMarket,
  spanFutureRiskArray,
  spanMargin,
  type SpanCommodityParams,
  type SpanContract,
  type SpanPosition,
} from '../../../src/risk/portfolio/index.js';
import { DAY, closeTo, future, market, option } from './fixtures.js';

const CME_EXTREME = { extremeMultiple: 2, extremeWeight: 0.35 };

function monthFuture(id: string, priceScanRange: number, commodity = 'X'): SpanContract {
  return { id, commodity, tier: id, riskArray: spanFutureRiskArray({ priceScanRange, ...CME_EXTREME }), delta: 1 };
}

function commodity(name: string, intraSpreads: SpanCommodityParams['intraSpreads'] = []): SpanCommodityParams {
  return { commodity: name, intraSpreads, shortOptionMinimum: { perContract: 0, method: 'gross' }, weightedPriceRisk: { kind: 'scanRiskPerDelta' } };
}

describe('intra-commodity (calendar) spreads: CME example, outrights 500 / 500 / 750, charges 2v3 200, 2v4 50, 3v4 0', () => {
  const contracts = [monthFuture('M2', 500), monthFuture('M3', 500), monthFuture('M4', 750)];
  const spread = (a: string, b: string, charge: number) => ({
    legs: [
      { tier: a, ratio: 1, side: 'A' as const },
      { tier: b, ratio: 1, side: 'B' as const },
    ],
    chargePerSpread: charge,
  });
  const params = [commodity('X', [spread('M2', 'M3', 200), spread('M2', 'M4', 50), spread('M3', 'M4', 0)])];
  const margin = (positions: SpanPosition[]) => spanMargin({ contracts, positions, commodities: params, interSpreads: [] });

  const table: [string, number, string, number, number, number][] = [
    // long, short, scan risk, intra charge, requirement
    ['M2', 1, 'M3', 0, 200, 200],
    ['M2', 1, 'M4', 250, 50, 300],
    ['M3', 1, 'M4', 250, 0, 250],
  ];
  for (const [long, , short, scan, intra, total] of table) {
    test(`+${long}/-${short} = (outright difference ${scan}) + intra ${intra} = ${total}`, () => {
      const r = margin([
        { contractId: long, quantity: 1 },
        { contractId: short, quantity: -1 },
      ]);
      const c = r.commodities[0];
      closeTo(c?.scanRisk ?? Number.NaN, scan, 1e-9, 'scan risk');
      closeTo(c?.intraCharge ?? Number.NaN, intra, 1e-9, 'intra charge');
      closeTo(r.total, total, 1e-9, 'requirement');
    });
  }

  test('the outrights are the price scan ranges: 500, 500 and 750 (the 2 x range extremes count 35%: 350 < 500)', () => {
    for (const [id, outright] of [['M2', 500], ['M3', 500], ['M4', 750]] as const) {
      closeTo(margin([{ contractId: id, quantity: 1 }]).total, outright, 1e-9, id);
      closeTo(margin([{ contractId: id, quantity: -1 }]).total, outright, 1e-9, `short ${id}`);
    }
  });

  test('with a 3 x range extreme move the outright becomes 3 x 500 x 35% = 525', () => {
    const c: SpanContract = { id: 'M2', commodity: 'X', tier: 'M2', riskArray: spanFutureRiskArray({ priceScanRange: 500, extremeMultiple: 3, extremeWeight: 0.35 }), delta: 1 };
    const r = spanMargin({ contracts: [c], positions: [{ contractId: 'M2', quantity: 1 }], commodities: [commodity('X')], interSpreads: [] });
    closeTo(r.total, 525, 1e-9, 'outright');
    assert.equal(r.commodities[0]?.activeScenario, 15);
  });

  test('spreads form in priority order from the remaining deltas: +2 M2, -1 M3, -1 M4 makes one 2v3 and one 2v4 spread', () => {
    const r = margin([
      { contractId: 'M2', quantity: 2 },
      { contractId: 'M3', quantity: -1 },
      { contractId: 'M4', quantity: -1 },
    ]);
    const c = r.commodities[0];
    assert.deepEqual(c?.intraSpreads.map((s) => [s.legs.map((l) => l.name).join('v'), s.spreads, s.amount]), [
      ['M2vM3', 1, 200],
      ['M2vM4', 1, 50],
    ]);
    closeTo(c?.scanRisk ?? Number.NaN, 250, 1e-9, 'scan risk');
    closeTo(r.total, 500, 1e-9, 'requirement');
  });

  test('two longs form no spread', () => {
    const r = margin([
      { contractId: 'M2', quantity: 1 },
      { contractId: 'M3', quantity: 1 },
    ]);
    assert.equal(r.commodities[0]?.intraCharge, 0);
    closeTo(r.total, 1000, 1e-9, 'requirement');
  });
});

describe('inter-commodity credit: CME corn vs soybeans 2:1 at 55%, outrights 1,750 / 2,500', () => {
  const contracts = [monthFuture('C', 1750, 'CORN'), monthFuture('S', 2500, 'SOY')];
  const interSpreads = [
    {
      legs: [
        { commodity: 'CORN', ratio: 2, side: 'A' as const },
        { commodity: 'SOY', ratio: 1, side: 'B' as const },
      ],
      creditRate: 0.55,
    },
  ];
  const run = (corn: number, soy: number) =>
    spanMargin({
      contracts,
      positions: [
        { contractId: 'C', quantity: corn },
        { contractId: 'S', quantity: soy },
      ],
      commodities: [commodity('CORN'), commodity('SOY')],
      interSpreads,
    });

  test('6,000 - (3,500 + 2,500) x 0.55 = 2,700, credited per leg: corn 1,575, soybeans 1,125', () => {
    const r = run(2, -1);
    closeTo(r.total, 2700, 1e-9, 'total');
    const [corn, soy] = r.commodities;
    closeTo(corn?.scanRisk ?? Number.NaN, 3500, 1e-9, 'corn scan');
    closeTo(corn?.interCredit ?? Number.NaN, 1925, 1e-9, 'corn credit');
    closeTo(corn?.requirement ?? Number.NaN, 1575, 1e-9, 'corn');
    closeTo(soy?.requirement ?? Number.NaN, 1125, 1e-9, 'soybeans');
    assert.equal(r.interSpreads[0]?.spreads, 1);
  });

  test('the spread also forms the other way round (short corn, long soybeans), but not on the same side', () => {
    closeTo(run(-2, 1).total, 2700, 1e-9, 'reversed');
    closeTo(run(2, 1).total, 6000, 1e-9, 'same side');
  });

  test('only whole deltas in the ratio are credited: 4 corn vs 1 soybean credits one spread', () => {
    const r = run(4, -1);
    closeTo(r.total, 7000 + 2500 - 3300, 1e-9, 'total');
  });
});

/**
 * McMillan's S&P 500 example (profits positive in the book; SPAN arrays are losses): long 1 future
 * with a 10,000 scan range (extreme 7,000 = 2 x 10,000 x 35%) and short 1 Dec 410 call; the covered
 * write loses most, 6,620, in scenario 13 (futures down 3/3, vol up).
 */
describe('risk arrays supplied from outside (16 values per contract)', () => {
  const futurePnl = [0, 0, 3330, 3330, -3330, -3330, 6670, 6670, -6670, -6670, 10000, 10000, -10000, -10000, 7000, -7000];
  const shortCallPnl = [-460, 610, -2640, -1730, 1270, 2340, -5210, -4540, 2540, 3430, -8060, -7640, 3380, 3990, -3130, 1500];
  const contracts: SpanContract[] = [
    { id: 'SP', commodity: 'SP', tier: 'DEC', riskArray: futurePnl.map((x) => 0 - x), delta: 1 },
    // A long call's loss is the short call's profit.
    { id: 'SP-410C', commodity: 'SP', tier: 'DEC', riskArray: shortCallPnl, delta: 0.6, option: 'call' },
  ];
  const som = (perContract: number, method: 'gross' | 'maxOfSides'): SpanCommodityParams => ({
    ...commodity('SP'),
    shortOptionMinimum: { perContract, method },
  });

  test('the covered write needs 6,620, its worst scenario being 13 (down 3/3, vol up)', () => {
    const r = spanMargin({
      contracts,
      positions: [
        { contractId: 'SP', quantity: 1 },
        { contractId: 'SP-410C', quantity: -1 },
      ],
      commodities: [som(0, 'gross')],
      interSpreads: [],
    });
    closeTo(r.total, 6620, 1e-9, 'covered write');
    assert.equal(r.commodities[0]?.activeScenario, 12);
    assert.deepEqual(r.commodities[0]?.scenarioLosses, futurePnl.map((f, s) => 0 - (f + (shortCallPnl[s] ?? 0))));
  });

  test('the outright future needs 10,000 and the naked short call 8,060', () => {
    const one = (id: string, q: number) => spanMargin({ contracts, positions: [{ contractId: id, quantity: q }], commodities: [som(0, 'gross')], interSpreads: [] }).total;
    closeTo(one('SP', 1), 10000, 1e-9, 'future');
    closeTo(one('SP-410C', -1), 8060, 1e-9, 'short call');
  });

  test('the short option minimum floors the requirement: per short call and put, gross or the larger side', () => {
    const put: SpanContract = { id: 'SP-300P', commodity: 'SP', tier: 'DEC', riskArray: new Array(16).fill(1), delta: -0.01, option: 'put' };
    const far: SpanContract = { id: 'SP-600C', commodity: 'SP', tier: 'DEC', riskArray: new Array(16).fill(1), delta: 0.01, option: 'call' };
    const positions = [
      { contractId: 'SP-600C', quantity: -2 },
      { contractId: 'SP-300P', quantity: -1 },
    ];
    const run = (method: 'gross' | 'maxOfSides') => spanMargin({ contracts: [...contracts, put, far], positions, commodities: [som(500, method)], interSpreads: [] });
    closeTo(run('gross').total, 1500, 1e-9, 'gross: 3 short options');
    closeTo(run('maxOfSides').total, 1000, 1e-9, 'max of sides: 2 short calls');
    // -2 x -1 + -1 x -1 = -3 of scan: the floor, not the scan, binds.
    assert.equal(run('gross').commodities[0]?.scanRisk, 0);
  });

  test('a missing contract, arrays of different lengths or a commodity without parameters are rejected', () => {
    const code = (e: unknown): string | undefined => (e as { code?: string }).code;
    assert.throws(() => spanMargin({ contracts, positions: [{ contractId: 'NOPE', quantity: 1 }], commodities: [som(0, 'gross')], interSpreads: [] }), (e) => code(e) === 'risk_array_missing');
    const short: SpanContract = { id: 'SHORT', commodity: 'SP', tier: 'DEC', riskArray: [1, 2], delta: 1 };
    assert.throws(() => spanMargin({ contracts: [...contracts, short], positions: [], commodities: [som(0, 'gross')], interSpreads: [] }), (e) => code(e) === 'span_input_invalid');
    assert.throws(() => spanMargin({ contracts, positions: [{ contractId: 'SP', quantity: 1 }], commodities: [], interSpreads: [] }), (e) => code(e) === 'span_input_invalid');
  });
});

describe('risk arrays computed from a market for SPAN', () => {
  const btc = market({ indexPrice: 60_000, expiriesYears: [30 * DAY, 90 * DAY], carry: 0.05 });
  const scan = { priceScanRange: 0.16, ...CME_EXTREME, volShock: DERIBIT_VOL_SHOCK };

  test("a linear future's computed array is the published-style array on a range of 16% of its forward", () => {
    const f = future(90 * DAY, 'linear', 5);
    const [c] = spanContractsFromMarket({ instruments: [f], market: btc, scan, currency: 'quote' });
    const forward = 60_000 * Math.exp(0.05 * 90 * DAY);
    const expected = spanFutureRiskArray({ priceScanRange: 0.16 * forward * 5, ...CME_EXTREME });
    for (const [s, v] of (c?.riskArray ?? []).entries()) closeTo(v, expected[s] ?? Number.NaN, 1e-9, `scenario ${s + 1}`);
    assert.equal(c?.tier, `T${90 * DAY}`);
    closeTo(c?.delta ?? Number.NaN, (5 * forward) / 60_000, 1e-12, 'delta');
  });

  test('a calendar spread of futures on computed arrays costs the difference of the outrights plus the tier charge', () => {
    const near = future(30 * DAY);
    const far = future(90 * DAY);
    const contracts = spanContractsFromMarket({ instruments: [near, far], market: btc, scan, currency: 'quote' });
    const params = commodity('BTC', [
      {
        legs: [
          { tier: `T${30 * DAY}`, ratio: 1, side: 'A' },
          { tier: `T${90 * DAY}`, ratio: 1, side: 'B' },
        ],
        chargePerSpread: 100,
      },
    ]);
    const r = spanMargin({ contracts, positions: [{ contractId: near.id, quantity: 1 }, { contractId: far.id, quantity: -1 }], commodities: [params], interSpreads: [] });
    const fNear = 60_000 * Math.exp(0.05 * 30 * DAY);
    const fFar = 60_000 * Math.exp(0.05 * 90 * DAY);
    closeTo(r.commodities[0]?.scanRisk ?? Number.NaN, 0.16 * (fFar - fNear), 1e-9, 'scan risk');
    // Deltas are F/S per unit: the spread forms on the smaller of the two.
    closeTo(r.commodities[0]?.intraCharge ?? Number.NaN, (100 * fNear) / 60_000, 1e-9, 'intra');
  });

  test('computed option contracts carry their kind for the short option minimum', () => {
    const put = option('put', 50_000, 30 * DAY, 'linear');
    const [c] = spanContractsFromMarket({ instruments: [put], market: btc, scan, currency: 'quote', tiers: new Map([[put.id, 'front']]) });
    assert.equal(c?.option, 'put');
    assert.equal(c?.tier, 'front');
    assert.equal(c?.riskArray.length, 16);
  });
});
