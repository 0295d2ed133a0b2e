/**
 * Portfolio accounts (METHODS.md 3.3) through the document path: the requirement is
 * `portfolioMargin` per underlying, converted and rounded up; a hedge needs less than its legs;
 * the order and the split of positions do not matter; underlyings do not offset; status bands
 * apply as in the other modes; and the report explains the binding scenario.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { accountJson } from '../../../src/report/accountJson.js';
import { accountTable } from '../../../src/report/accountTable.js';
import type { AccountFigures } from '../../../src/risk/account/account.js';
import { DERIBIT_LIKE_PM, LYRA_LIKE_PM, DEDERI_LIKE_PM } from '../../../src/risk/portfolio/presets.js';
import { portfolioMargin } from '../../../src/risk/portfolio/margin.js';
import { makeVolSurface } from '../../../src/risk/pricing/volSurface.js';
import { amountFromNumber, formatAmount } from '../../../src/risk/units/quantities.js';
import { issuesOf, option, optionDocument, value, type Doc } from './optionFixtures.js';

const example = (name: string): Doc => parseYaml(readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8')) as Doc;

const margins = (f: AccountFigures): [string, string] => [formatAmount(f.initialMargin), formatAmount(f.maintenanceMargin)];

/** A portfolio account on inverse BTC options and a BTC future, deribit-like (in coin). */
function deribitBook(): Doc {
  const doc = optionDocument({
    mode: 'portfolio',
    risk: { portfolio: { model: 'deribit-like' } },
    instruments: {
      C110: option('call', '110000'),
      P90: option('put', '90000'),
      FUT: {
        kind: 'future',
        underlying: 'BTC',
        quoteAsset: 'USD',
        settlement: 'inverse',
        contractSize: '10',
        tick: '0.5',
        lot: '1',
        expiry: '2026-01-31T08:00:00Z',
        margin: { model: 'preset', preset: 'deribit-btc-linear' },
      },
    },
    marks: { FUT: '100000' },
    positions: [
      { instrument: 'C110', size: '-2', entryPrice: '0.01' },
      { instrument: 'P90', size: '1', entryPrice: '0.01' },
      { instrument: 'FUT', size: '5000', entryPrice: '100000' },
    ],
  });
  doc['instruments'].C110.quoteAsset = 'USD';
  doc['instruments'].P90.quoteAsset = 'USD';
  return doc;
}

describe('portfolio accounts: the requirement is portfolioMargin per underlying', () => {
  test('the covered call example equals portfolioMargin called directly, rounded up', () => {
    const figures = value(example('portfolio-covered-call.yaml'));
    const direct = portfolioMargin({
      model: LYRA_LIKE_PM,
      market: {
        underlying: 'BTC',
        indexPrice: 100000,
        rate: 0,
        surface: makeVolSurface({ slices: [{ expiryYears: 30 / 365, forward: 100000, smile: { kind: 'flat', vol: 0.6 } }] }),
      },
      positions: [
        {
          instrument: { kind: 'option', id: 'BTC-31JAN26-110000-C', underlying: 'BTC', optionKind: 'call', strike: 110000, expiryYears: 30 / 365, settlement: 'linear', contractSize: 1 },
          quantity: -1,
        },
        { instrument: { kind: 'spot', id: 'BTC (spot)', underlying: 'BTC' }, quantity: 1 },
      ],
    });
    assert.equal(figures.maintenanceMargin, amountFromNumber(direct.maintenance, 'ceil'));
    assert.equal(figures.initialMargin, amountFromNumber(direct.initial, 'ceil'));
    assert.equal(figures.portfolio[0]?.result.binding.scenario.label, direct.binding.scenario.label);
  });

  test('a coin model converts at the index: MM = ceil(MM in BTC x 100,000)', () => {
    const figures = value(deribitBook());
    const btc = figures.portfolio[0];
    assert.ok(btc !== undefined && figures.portfolio.length === 1);
    assert.equal(btc.result.model, 'deribit-like');
    assert.equal(btc.currencyAsset, 'BTC');
    assert.equal(btc.maintenanceMargin, amountFromNumber(btc.result.maintenance * 100000, 'ceil'));
    assert.equal(figures.maintenanceMargin, btc.maintenanceMargin);
    assert.ok(figures.maintenanceMargin > 0n);
    assert.ok(figures.initialMargin >= figures.maintenanceMargin);
    for (const p of figures.positions) {
      assert.equal(p.margin, 'portfolio');
      assert.equal(p.initialMargin, 0n);
      assert.deepEqual(p.liquidationPrice, { kind: 'none', reason: 'portfolio margin: see the binding scenario' });
    }
  });

  test('the covered call needs less than its legs apart', () => {
    const whole = example('portfolio-covered-call.yaml');
    const spotAlone = structuredClone(whole);
    spotAlone['account'].positions = [];
    const callAlone = structuredClone(whole);
    callAlone['account'].balances = { USDC: '100000' };
    const [all, spot, call] = [whole, spotAlone, callAlone].map(value) as [AccountFigures, AccountFigures, AccountFigures];
    assert.equal(formatAmount(spot.maintenanceMargin), '14400', '0.8 x 18% of 100,000');
    assert.ok(all.maintenanceMargin < spot.maintenanceMargin + call.maintenanceMargin);
    assert.ok(all.initialMargin < spot.initialMargin + call.initialMargin);
    assert.ok(all.maintenanceMargin < spot.maintenanceMargin, 'the premium lost in a fall offsets part of the coin');
  });

  test('the order of positions in the document does not matter', () => {
    const doc = deribitBook();
    const reversed = structuredClone(doc);
    reversed['account'].positions.reverse();
    const a = accountJson(value(doc));
    const b = accountJson(value(reversed));
    assert.deepEqual([a.initialMargin, a.maintenanceMargin, a.equity], [b.initialMargin, b.maintenanceMargin, b.equity]);
    assert.deepEqual(a.portfolio, b.portfolio);
  });

  test('a position split over two identical instruments needs what it needs whole', () => {
    const whole = example('portfolio-eth-futures.yaml');
    const split = structuredClone(whole);
    split['instruments']['ETH-21JAN26-B'] = structuredClone(split['instruments']['ETH-21JAN26']);
    split['marks']['ETH-21JAN26-B'] = split['marks']['ETH-21JAN26'];
    split['account'].positions = [
      { instrument: 'ETH-21JAN26', size: '4', entryPrice: '2253.155' },
      { instrument: 'ETH-21JAN26-B', size: '6', entryPrice: '2253.155' },
    ];
    assert.deepEqual(margins(value(split)), margins(value(whole)));
    assert.deepEqual(margins(value(whole)), ['4568.62965', '3514.3305']);

    const options = deribitBook();
    const splitOptions = structuredClone(options);
    splitOptions['instruments'].C110B = structuredClone(splitOptions['instruments'].C110);
    splitOptions['account'].positions[0].size = '-0.5';
    splitOptions['account'].positions.push({ instrument: 'C110B', size: '-1.5', entryPrice: '0.01' });
    const [a, b] = [value(options), value(splitOptions)];
    // The contingency nets per strike and expiry, the scenarios are linear in size: equal to the float's rounding.
    assert.ok(Math.abs(Number(a.maintenanceMargin - b.maintenanceMargin)) <= 1, `${a.maintenanceMargin} vs ${b.maintenanceMargin}`);
  });

  test('underlyings do not offset: BTC and ETH together need the sum of each alone', () => {
    const eth = example('portfolio-eth-futures.yaml');
    const both = structuredClone(eth);
    both['asOf'] = '2026-01-01T08:00:00Z';
    both['instruments']['BTC-PERP'] = {
      kind: 'perpetual',
      underlying: 'BTC',
      quoteAsset: 'USDC',
      settlement: 'linear',
      contractSize: '1',
      tick: '0.1',
      lot: '0.001',
      margin: { model: 'preset', preset: 'binance-btcusdt' },
    };
    both['prices'].BTC = '100000';
    both['marks']['BTC-PERP'] = '100050';
    both['account'].positions.push({ instrument: 'BTC-PERP', size: '-1', entryPrice: '100050' });
    const btcOnly = structuredClone(both);
    btcOnly['account'].positions = btcOnly['account'].positions.filter((p: Doc) => p['instrument'] === 'BTC-PERP');
    const [all, ethAlone, btcAlone] = [both, eth, btcOnly].map(value) as [AccountFigures, AccountFigures, AccountFigures];
    assert.deepEqual(all.portfolio.map((p) => p.underlying), ['BTC', 'ETH']);
    assert.equal(all.maintenanceMargin, ethAlone.maintenanceMargin + btcAlone.maintenanceMargin);
    // dederi-like: 15% x 100,050 + 0.6% x 100,000 = 15,607.50
    assert.equal(formatAmount(btcAlone.maintenanceMargin), '15607.5');
    assert.equal(DEDERI_LIKE_PM.rule.contingencies.futures.rate, 0.006);
  });

  test('status bands apply as in the other modes', () => {
    const withCash = (usdc: string) => {
      const doc = example('portfolio-eth-futures.yaml');
      doc['account'].balances = { USDC: usdc };
      return value(doc).status;
    };
    assert.equal(withCash('10000'), 'healthy');
    assert.equal(withCash('4500'), 'margin_call', '4,500 / 3,514.33 = 128%');
    assert.equal(withCash('4000'), 'reduce_only', '114%');
    assert.equal(withCash('3000'), 'liquidatable');
  });

  test('the report names the binding scenario, each position in it, and the contingencies', () => {
    const figures = value(example('portfolio-covered-call.yaml'));
    const json = accountJson(figures);
    const btc = json.portfolio[0];
    assert.ok(btc !== undefined);
    assert.equal(btc.model, 'lyra-like');
    assert.equal(btc.binding.scenario, '-18% vol up');
    assert.deepEqual(btc.binding.positions.map((p) => p.instrument), ['BTC (spot)', 'BTC-31JAN26-110000-C']);
    assert.equal(btc.binding.positions[0]?.pnl, -18000);
    assert.equal(btc.contingencies.options, 1000);
    assert.equal(btc.maintenanceMargin, json.maintenanceMargin);
    assert.ok(btc.explanation.some((line) => line.includes('binding scenario: -18% vol up')));
    const table = accountTable(figures);
    assert.match(table, /^Portfolio margin, BTC \(lyra-like, in USDC\): IM 17,363\.23691664, MM 13,890\.58953331 USD$/m);
    assert.match(table, /^Binding scenario: -18% vol up$/m);
    assert.equal(DERIBIT_LIKE_PM.currency, 'coin');
  });
});

describe('portfolio accounts: rejections', () => {
  test('a portfolio account needs a model, a surface for its options, one quote asset per underlying', () => {
    const noModel = deribitBook();
    delete noModel['risk'];
    assert.deepEqual(issuesOf(noModel), [['/risk/portfolio', 'portfolio_model_missing']]);

    const noSurface = deribitBook();
    delete noSurface['volatility'];
    noSurface['marks'] = { FUT: '100000', C110: '0.01', P90: '0.01' };
    assert.deepEqual(issuesOf(noSurface), [['/volatility/BTC', 'volatility_missing']]);

    const mixed = deribitBook();
    mixed['instruments'].P90.quoteAsset = 'USDC';
    assert.deepEqual(issuesOf(mixed), [['/account/positions', 'portfolio_quote_assets_differ']]);

    const isolated = deribitBook();
    isolated['account'].positions[0].isolatedMargin = '1';
    assert.deepEqual(issuesOf(isolated), [['/account/positions/0/isolatedMargin', 'isolated_margin_unexpected']]);

    const unknown = deribitBook();
    unknown['risk'].portfolio.model = 'cme-span-2';
    assert.deepEqual(issuesOf(unknown), [['/risk/portfolio/model', 'preset_unknown']]);
  });

  test('futures in a portfolio account need the valuation time', () => {
    const doc = example('portfolio-eth-futures.yaml');
    delete doc['asOf'];
    assert.deepEqual(issuesOf(doc), [['/asOf', 'as_of_missing']]);
  });
});
