/**
 * Options in cross and isolated accounts, through the whole document path (loader, valueAccount):
 * Deribit standard margin figures of METHODS.md section 3.2, long options needing no margin, option
 * value in equity, marks computed from the surface, and the document's rejections with their
 * paths and codes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { accountJson } from '../../../src/report/accountJson.js';
import { valueInverseOption } from '../../../src/risk/pricing/options.js';
import { formatAmount, formatPrice, toNumber, type Price } from '../../../src/risk/units/quantities.js';
import { AS_OF, issuesOf, load, option, optionDocument, value, type Doc } from './optionFixtures.js';

function markNumber(mark: Price | undefined): number {
  assert.ok(mark !== undefined, 'a mark');
  return toNumber(mark, 'Price');
}

const oneShort = (kind: 'call' | 'put', strike: string, mark: string, size = '-1'): Doc =>
  optionDocument({
    instruments: { OPT: option(kind, strike) },
    marks: { OPT: mark },
    positions: [{ instrument: 'OPT', size, entryPrice: mark }],
  });

describe('standard option margin in a cross account (METHODS.md 3.2, S 100,000)', () => {
  // [kind, strike, mark in BTC, IM per contract, MM per contract] (coin), x 100,000 USD per BTC.
  const FIGURES: readonly [kind: 'call' | 'put', strike: string, mark: string, im: string, mm: string][] = [
    ['call', '110000', '0.02', '12000', '9500'],
    ['call', '100000', '0.05', '20000', '12500'],
    ['call', '150000', '0.001', '10100', '7600'],
    ['put', '90000', '0.015', '11500', '9000'],
  ];
  for (const [kind, strike, mark, im, mm] of FIGURES) {
    test(`a short ${kind} K ${strike} marked ${mark} BTC needs IM ${im} and MM ${mm} USD`, () => {
      const figures = value(oneShort(kind, strike, mark));
      const p = figures.positions[0];
      assert.ok(p !== undefined);
      assert.equal(formatAmount(p.initialMargin), im);
      assert.equal(formatAmount(p.maintenanceMargin), mm);
      assert.equal(formatAmount(figures.initialMargin), im);
      assert.equal(formatAmount(figures.maintenanceMargin), mm);
      assert.match(p.initialRule, new RegExp(`^short ${kind}: `));
    });
  }

  test('the requirement scales with the contracts held: 2.5 short calls need 2.5 x 0.12 BTC', () => {
    const figures = value(oneShort('call', '110000', '0.02', '-2.5'));
    assert.equal(formatAmount(figures.initialMargin), '30000');
    assert.equal(formatAmount(figures.maintenanceMargin), '23750');
  });

  test('a linear (USDC) option is margined on its mark in coin: 2,000 USDC / S = 0.02 BTC', () => {
    const doc = optionDocument({
      instruments: { OPT: option('call', '110000', 'linear') },
      marks: { OPT: '2000' },
      positions: [{ instrument: 'OPT', size: '-1', entryPrice: '1500' }],
    });
    const figures = value(doc);
    const p = figures.positions[0];
    assert.ok(p !== undefined);
    assert.equal(p.settlementAsset, 'USDC');
    assert.equal(formatAmount(p.initialMargin), '12000');
    assert.equal(formatAmount(p.maintenanceMargin), '9500');
    assert.equal(formatAmount(p.unrealisedPnl), '-500', 'sold at 1,500, marked at 2,000');
    assert.equal(formatAmount(figures.equity), '99500');
  });

  test('a short option account below its MM is liquidatable', () => {
    const doc = oneShort('call', '110000', '0.02');
    doc['account'].balances = { BTC: '0.05' };
    const figures = value(doc);
    assert.equal(formatAmount(figures.equity), '5000');
    assert.equal(figures.status, 'liquidatable');
    const p = figures.positions[0];
    assert.equal(p?.liquidationPrice.kind, 'none', 'an option has no liquidation price of its own');
  });
});

describe('option value in equity', () => {
  test('long options need no margin, and their value counts in equity', () => {
    const doc = optionDocument({
      instruments: { OPT: option('call', '110000') },
      marks: { OPT: '0.05' },
      positions: [{ instrument: 'OPT', size: '1', entryPrice: '0.02' }],
    });
    const figures = value(doc);
    assert.equal(formatAmount(figures.initialMargin), '0');
    assert.equal(formatAmount(figures.maintenanceMargin), '0');
    assert.equal(formatAmount(figures.unrealisedPnl), '3000', '(0.05 - 0.02) BTC x 100,000');
    assert.equal(formatAmount(figures.equity), '103000');
    assert.equal(figures.status, 'healthy');
    assert.match(figures.positions[0]?.initialRule ?? '', /^long call: IM = MM = 0/);
  });

  test("a short option's mark is a liability: equity falls as the mark rises", () => {
    const at = (mark: string) => value(oneShort('call', '100000', mark)).equity;
    const doc = oneShort('call', '100000', '0.05');
    doc['account'].positions[0].entryPrice = '0.02';
    assert.equal(formatAmount(value(doc).equity), '97000');
    assert.ok(at('0.05') === at('0.02'), 'sold at the mark: no PnL either way');
  });

  test("longInitialHaircut takes that share of a long option's value off the IM collateral only", () => {
    const doc = optionDocument({
      instruments: { OPT: option('put', '90000') },
      marks: { OPT: '0.05' },
      positions: [{ instrument: 'OPT', size: '1', entryPrice: '0.05' }],
      risk: { optionMargin: { BTC: { kind: 'standard', initialBase: '0.15', initialMin: '0.1', maintenance: '0.075', longInitialHaircut: '0.5' } } },
    });
    const figures = value(doc);
    assert.equal(formatAmount(figures.collateralMaintenance), '100000');
    assert.equal(formatAmount(figures.collateralInitial), '97500', '0.5 x 0.05 BTC x 100,000 off');
    assert.equal(formatAmount(figures.freeCollateral), '97500');
  });
});

describe('option marks from the volatility surface', () => {
  test('a missing mark is Black-76 on the forward, in coin: the same figures as that mark typed in', () => {
    const computed = optionDocument({
      instruments: { OPT: option('call', '110000') },
      positions: [{ instrument: 'OPT', size: '-1', entryPrice: '0.02' }],
    });
    const { market } = load(computed);
    const mark = market.marks.get('OPT');
    assert.ok(mark !== undefined);
    const model = valueInverseOption(
      { kind: 'call', strike: 110000, settlement: 'inverse' },
      { forward: 100000, indexPrice: 100000, vol: 0.6, timeYears: 30 / 365, rate: 0 },
    ).valueCoin;
    assert.ok(Math.abs(toNumber(mark, 'Price') - model) <= 5e-9, `mark ${formatPrice(mark)} against ${model}`);
    const given = structuredClone(computed);
    given['marks'] = { OPT: formatPrice(mark) };
    assert.deepEqual(accountJson(value(given)), accountJson(value(computed)));
  });

  test('a grid smile prices each strike at its own vol', () => {
    const doc = optionDocument({
      instruments: { LOW: option('put', '90000'), HIGH: option('call', '110000') },
      positions: [
        { instrument: 'LOW', size: '1', entryPrice: '0.01' },
        { instrument: 'HIGH', size: '1', entryPrice: '0.01' },
      ],
    });
    doc['volatility'].BTC.slices[0].smile = { kind: 'grid', points: [{ strike: '90000', vol: '0.8' }, { strike: '110000', vol: '0.5' }] };
    const { market } = load(doc);
    const expected = (kind: 'call' | 'put', strike: number, vol: number) =>
      valueInverseOption({ kind, strike, settlement: 'inverse' }, { forward: 100000, indexPrice: 100000, vol, timeYears: 30 / 365, rate: 0 }).valueCoin;
    assert.ok(Math.abs(markNumber(market.marks.get('LOW')) - expected('put', 90000, 0.8)) <= 5e-9);
    assert.ok(Math.abs(markNumber(market.marks.get('HIGH')) - expected('call', 110000, 0.5)) <= 5e-9);
  });
});

describe('isolated option positions', () => {
  test('a short option stands on its own isolated margin', () => {
    const doc = oneShort('call', '110000', '0.02');
    doc['account'].mode = 'isolated';
    doc['account'].positions[0].isolatedMargin = '0.2';
    const figures = value(doc);
    const pool = figures.pools[1];
    assert.ok(pool !== undefined && pool.kind === 'isolated');
    assert.equal(formatAmount(pool.equity), '20000');
    assert.equal(formatAmount(pool.initialMargin), '12000');
    assert.equal(formatAmount(pool.maintenanceMargin), '9500');
    assert.equal(pool.status, 'healthy');
    assert.equal(formatAmount(figures.freeCollateral), '100000', "the wallet's BTC is the cross pool's");
  });
});

describe('the options part of a document is validated whole, with paths and codes', () => {
  const base = () => oneShort('call', '110000', '0.02');
  const CASES: readonly [name: string, edit: (d: Doc) => void, expected: [string, string]][] = [
    [
      'options held without asOf',
      (d) => {
        delete d['asOf'];
        delete d['volatility'];
      },
      ['/asOf', 'as_of_missing'],
    ],
    ['asOf that is no time', (d) => void (d['asOf'] = '2026-13-45Tnoon'), ['/asOf', 'as_of_invalid']],
    ['no standard margin parameters for the underlying', (d) => void delete d['risk'], ['/risk/optionMargin/BTC', 'option_margin_missing']],
    [
      'no mark and no surface',
      (d) => {
        delete d['volatility'];
        d['marks'] = {};
      },
      ['/marks/OPT', 'mark_price_missing'],
    ],
    ['an option expired before asOf', (d) => void (d['instruments'].OPT.expiry = '2025-12-26T08:00:00Z'), ['/account/positions/0/instrument', 'option_expired']],
    ['leverage on an option', (d) => void (d['account'].positions[0].leverage = '10'), ['/account/positions/0/leverage', 'leverage_unexpected']],
    ['a size off the lot', (d) => void (d['account'].positions[0].size = '-0.15'), ['/account/positions/0/size', 'size_not_multiple_of_lot']],
    ['a strike of zero', (d) => void (d['instruments'].OPT.strike = '0'), ['/instruments/OPT/strike', 'price_not_positive']],
    ['an option expiry that is no time', (d) => void (d['instruments'].OPT.expiry = '2026-02-30Tlate'), ['/instruments/OPT/expiry', 'expiry_invalid']],
    ['an option without its strike', (d) => void delete d['instruments'].OPT.strike, ['/instruments/OPT/strike', 'field_missing']],
    [
      'option margin rates out of order',
      (d) => void (d['risk'].optionMargin.BTC = { kind: 'standard', initialBase: '0.15', initialMin: '0.05', maintenance: '0.075', longInitialHaircut: '0' }),
      ['/risk/optionMargin/BTC/initialMin', 'option_margin_not_ordered'],
    ],
    ['an unknown option margin preset', (d) => void (d['risk'].optionMargin.BTC = { kind: 'preset', preset: 'okx' }), ['/risk/optionMargin/BTC/preset', 'preset_unknown']],
    [
      'slices out of expiry order',
      (d) =>
        void d['volatility'].BTC.slices.unshift({ expiry: '2026-02-27T08:00:00Z', forward: '100500', smile: { kind: 'flat', vol: '0.6' } }),
      ['/volatility/BTC/slices/1/expiry', 'slices_not_ascending'],
    ],
    ['a slice that expired', (d) => void (d['volatility'].BTC.slices[0].expiry = '2025-12-01T08:00:00Z'), ['/volatility/BTC/slices/0/expiry', 'slice_expired']],
    ['a negative vol', (d) => void (d['volatility'].BTC.slices[0].smile.vol = '-0.1'), ['/volatility/BTC/slices/0/smile', 'vol_surface_invalid']],
    [
      'an SVI smile whose variance goes negative',
      (d) => void (d['volatility'].BTC.slices[0].smile = { kind: 'svi', a: '-0.5', b: '0.1', rho: '0', m: '0', sigma: '0.1' }),
      ['/volatility/BTC/slices/0/smile', 'vol_surface_invalid'],
    ],
  ];
  for (const [name, edit, expected] of CASES) {
    test(`${name}: ${expected[1]} at ${expected[0]}`, () => {
      const doc = base();
      edit(doc);
      assert.deepEqual(issuesOf(doc), [expected]);
    });
  }

  test('a linear instrument is checked against its own schema only, not the option one', () => {
    const doc = base();
    doc['instruments'].PERP = {
      kind: 'perpetual',
      underlying: 'BTC',
      quoteAsset: 'USDC',
      settlement: 'linear',
      contractSize: '1',
      tick: '0.1',
      lot: '0.001',
      strike: '1',
      margin: { model: 'preset', preset: 'binance-btcusdt' },
    };
    assert.deepEqual(issuesOf(doc), [['/instruments/PERP/strike', 'field_unknown']]);
  });

  test('the valuation time is an input: the same document at another asOf has another mark', () => {
    const early = optionDocument({ instruments: { OPT: option('call', '110000') }, positions: [{ instrument: 'OPT', size: '1', entryPrice: '0.01' }] });
    const late = structuredClone(early);
    late['asOf'] = '2026-01-21T08:00:00Z';
    const markOf = (d: Doc): number => markNumber(load(d).market.marks.get('OPT'));
    assert.ok(markOf(late) < markOf(early), 'an out-of-the-money call loses time value');
    assert.equal(load(early).market.asOfMs, Date.parse(AS_OF));
  });
});
