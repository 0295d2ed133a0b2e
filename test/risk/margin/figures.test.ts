/**
 * Worked figures of the linear margin models (METHODS.md §1.1-1.2), to the cent. Each figure is
 * checked on the model itself and, where it is a position's requirement, through a document loaded
 * by the production loader and valued by `valueAccount` (the path a user's figures take).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MARGIN_PRESETS } from '../../../src/config/presets.js';
import { valueAccount } from '../../../src/risk/account/index.js';
import {
  bracketsModel,
  leverageMaxOf,
  linearInSizeModel,
  openInterestScaledModel,
  requirementOf,
  resolveBrackets,
  sqrtSizeModel,
  type Exposure,
  type LinearMarginSpec,
} from '../../../src/risk/margin/index.js';
import { centsOfFloat, cents } from '../../support/exact.js';
import { brackets, loadFixture, perpetual, position } from '../../support/riskDocument.js';
import { BINANCE_BTCUSDT_ROWS } from '../../support/tables.js';

function presetOf(name: string): LinearMarginSpec {
  const spec = MARGIN_PRESETS[name];
  assert.ok(spec !== undefined, `preset ${name}`);
  return spec;
}

/** A preset of a known model, narrowed to that model's parameters. */
function presetModel<M extends LinearMarginSpec['model']>(name: string, model: M): Extract<LinearMarginSpec, { model: M }> {
  const spec = presetOf(name);
  assert.equal(spec.model, model);
  return spec as Extract<LinearMarginSpec, { model: M }>;
}

function exposure(notional: number, underlyingSize = 0, openInterestNotional = 0): Exposure {
  return { notional, underlyingSize, openInterestNotional };
}


/** A one-position cross account with a generous balance: the figures do not depend on it. */
function requirementThroughDocument(margin: Parameters<typeof perpetual>[0]['margin'], underlying: string, sizeText: string, markText: string) {
  const { params, market, account } = loadFixture({
    instruments: { PERP: perpetual({ underlying, quoteAsset: 'USDC', margin }) },
    marks: { PERP: markText },
    account: { balances: { USDC: '100000000' }, positions: [position('PERP', sizeText, markText)] },
  });
  const figures = valueAccount(account, market, params);
  const only = figures.positions[0];
  assert.ok(only !== undefined);
  return { initial: cents(only.initialMargin), maintenance: cents(only.maintenanceMargin) };
}

describe('notional brackets with a maintenance amount (Binance, Hyperliquid)', () => {
  test('the BTCUSDT maintenance amounts (cum) follow from floors and rates: 0, 50, 1,300 ... 100,016,300', () => {
    // METHODS.md §1.1, historical Binance BTCUSDT table, cum column as published.
    const published = ['0.00', '50.00', '1300.00', '16300.00', '266300.00', '1266300.00', '2516300.00', '5016300.00', '25016300.00', '100016300.00'];
    const fromPreset = resolveBrackets(presetModel('binance-btcusdt', 'brackets').brackets);
    assert.deepEqual(fromPreset.map((b) => centsOfFloat(b.maintenanceAmount)), published);
    const { params } = loadFixture({
      instruments: { BTCUSDT: perpetual({ underlying: 'BTC', quoteAsset: 'USDT', margin: brackets(BINANCE_BTCUSDT_ROWS) }) },
      marks: {},
      account: {},
    });
    const spec = params.instruments.get('BTCUSDT')?.margin;
    assert.ok(spec !== undefined && spec.model === 'brackets');
    assert.deepEqual(resolveBrackets(spec.brackets).map((b) => centsOfFloat(b.maintenanceAmount)), published);
  });

  test('MM is notional x MMR - cum of the bracket the notional falls in', () => {
    const model = bracketsModel(presetModel('binance-btcusdt', 'brackets').brackets);
    // (derived) METHODS.md §1.1: 10 BTC at 60,000 = 600,000 lands in 250k (1%, cum 1,300): 4,700.
    assert.equal(centsOfFloat(model(exposure(600_000)).maintenance), '4700.00');
    // 1 BTC at 84,000 lands in 50k (0.5%, cum 50): 370 (examples/binance-isolated.yaml).
    assert.equal(centsOfFloat(model(exposure(84_000)).maintenance), '370.00');
    // 10,000 in the first bracket: 0.4% x 10,000 = 40, IM at 125x = 80.
    assert.equal(centsOfFloat(model(exposure(10_000)).maintenance), '40.00');
    assert.equal(centsOfFloat(model(exposure(10_000)).initial), '80.00');
    // At the floor of the last bracket, 300M x 50% - 100,016,300 = 49,983,700 (= 300M x 25% - 25,016,300).
    assert.equal(centsOfFloat(model(exposure(300_000_000)).maintenance), '49983700.00');
    assert.equal(centsOfFloat(model(exposure(300_000_000)).initial), '300000000.00');
    assert.match(model(exposure(600_000)).rule, /bracket 3 .*MMR 1%.*maintenance amount 1300.*50x/);
  });

  test('the bracket leverage maximum caps leverage: 125x below 50k, 20x from 1M', () => {
    const spec = presetOf('binance-btcusdt');
    assert.equal(leverageMaxOf(spec, exposure(10_000, 0.1)), 125);
    assert.equal(leverageMaxOf(spec, exposure(84_000, 1)), 100);
    assert.equal(leverageMaxOf(spec, exposure(1_000_000, 10)), 20);
    assert.equal(leverageMaxOf(presetOf('deribit-btc-linear'), exposure(1_000_000, 10)), undefined);
  });

  test("the user's leverage sets isolated IM = notional / leverage: 84,000 at 10x needs 8,400", () => {
    // METHODS.md §1.1: IM (isolated) = notional / leverage.
    const r = requirementOf(presetOf('binance-btcusdt'), { position: exposure(84_000, 1), leverage: 10 });
    assert.equal(centsOfFloat(r.initial), '8400.00');
    assert.equal(centsOfFloat(r.maintenance), '370.00');
    assert.match(r.initialRule, /user leverage 10x/);
    // Leverage above the bracket maximum does not lower IM below the bracket's own.
    const capped = requirementOf(presetOf('binance-btcusdt'), { position: exposure(1_000_000, 10), leverage: 50 });
    assert.equal(centsOfFloat(capped.initial), '50000.00');
  });

  test('Hyperliquid tiers deduct the same way: MM 2,175 at 75,000 and 125 at 10,000', () => {
    // METHODS.md §1.1 (derived): tiers 0-10k 40x (MMR 1.25%), 10-50k 25x (2%), 50-100k 10x (5%).
    // cum = 0, 10,000 x 0.75% = 75, 75 + 50,000 x 3% = 1,575; 75,000 x 5% - 1,575 = 2,175.
    const model = bracketsModel(presetModel('hyperliquid-tiers', 'brackets').brackets);
    assert.equal(centsOfFloat(model(exposure(75_000)).maintenance), '2175.00');
    assert.equal(centsOfFloat(model(exposure(10_000)).maintenance), '125.00');
    assert.equal(centsOfFloat(model(exposure(75_000)).initial), '7500.00');
    // Just below the 10k floor the first tier gives the same 125: MM is continuous.
    assert.equal(centsOfFloat(model(exposure(9_999.999999)).maintenance), '125.00');
    const viaDocument = requirementThroughDocument('hyperliquid-tiers', 'BTC', '1', '75000');
    assert.deepEqual(viaDocument, { initial: '7500.00', maintenance: '2175.00' });
  });
});

describe('rates that grow with size (Deribit, Drift, dYdX)', () => {
  test('Deribit linear BTC: 25 BTC at 100,000 needs IM 53,125 and MM 28,125', () => {
    // METHODS.md §1.2: IM 2% + 25 x 0.005% = 2.125% = 0.53125 BTC = 53,125 USDC; MM 1.125%.
    const model = linearInSizeModel(presetModel('deribit-btc-linear', 'linearInSize'));
    const r = model(exposure(2_500_000, 25));
    assert.equal(centsOfFloat(r.initial), '53125.00');
    assert.equal(centsOfFloat(r.maintenance), '28125.00');
    assert.deepEqual(requirementThroughDocument('deribit-btc-linear', 'BTC', '25', '100000'), {
      initial: '53125.00',
      maintenance: '28125.00',
    });
    // The short side of the same size needs the same.
    assert.deepEqual(requirementThroughDocument('deribit-btc-linear', 'BTC', '-25', '100000'), {
      initial: '53125.00',
      maintenance: '28125.00',
    });
  });

  test('Deribit linear BTC: 350 BTC needs an IM rate of 3.75%', () => {
    // METHODS.md §1.2: 2% + 350 x 0.005% = 3.75%; at 100,000 that is 1,312,500 on 35,000,000.
    const model = linearInSizeModel(presetModel('deribit-btc-linear', 'linearInSize'));
    const r = model(exposure(35_000_000, 350));
    assert.equal((r.initial / 35_000_000).toFixed(6), '0.037500');
    assert.equal(centsOfFloat(r.initial), '1312500.00');
    assert.deepEqual(requirementThroughDocument('deribit-btc-linear', 'BTC', '350', '100000'), {
      initial: '1312500.00',
      maintenance: '962500.00', // (derived) MM 1% + 1.75% = 2.75%
    });
  });

  test('Deribit linear SOL: 25 SOL at 200 needs IM 4.0125% = 200.625', () => {
    // METHODS.md §1.2: 4% + 25 x 0.0005% = 4.0125% of 5,000 = 200.625; MM (derived) 2.0125% = 100.625.
    assert.deepEqual(requirementThroughDocument('deribit-sol-linear', 'SOL', '25', '200'), {
      // 200.625 and 100.625 are half cents, and requirements round up: 200.63 and 100.63 at the
      // cent. The unrounded figures are checked on the model below.
      initial: '200.63',
      maintenance: '100.63',
    });
    const model = linearInSizeModel(presetModel('deribit-sol-linear', 'linearInSize'));
    const r = model(exposure(5_000, 25));
    assert.equal(r.initial.toFixed(6), '200.625000');
    assert.equal(r.maintenance.toFixed(6), '100.625000');
  });

  test('Drift size premium: IMR 10%, imf_factor 50e-6, 1,000,000 base gives 13%', () => {
    // METHODS.md §1.2 (Drift's tests): max(10%, 0.8 x 10% + 0.00005 x sqrt(1,000,000)) = 13%.
    const model = sqrtSizeModel(presetModel('drift-size-premium', 'sqrtSize'));
    const large = model(exposure(1_000_000, 1_000_000));
    assert.equal((large.initial / 1_000_000).toFixed(9), '0.130000000');
    // MM base 5%: max(5%, 4% + 5%) = 9% (derived).
    assert.equal((large.maintenance / 1_000_000).toFixed(9), '0.090000000');
    // A small position pays the base rate: 0.8 x 10% + 0.00005 x sqrt(100) < 10%.
    const small = model(exposure(100, 100));
    assert.equal((small.initial / 100).toFixed(9), '0.100000000');
  });

  test('dYdX open-interest scaling: IMR 100,000, 300,000 and 500,000 on 500,000 notional', () => {
    // METHODS.md §1.2 (dYdX tests, base IMF 20%, notional 500,000 quote quantums).
    const base = { initialRate: 0.2, maintenanceFraction: 0.5 };
    const disabled = openInterestScaledModel({ ...base, openInterestLower: 0, openInterestUpper: 0 });
    assert.equal(centsOfFloat(disabled(exposure(500_000, 10, 1.5e12)).initial), '100000.00');
    const scaled = openInterestScaledModel({ ...base, openInterestLower: 1e12, openInterestUpper: 2e12 });
    const atHalf = scaled(exposure(500_000, 10, 1.5e12));
    assert.equal(centsOfFloat(atHalf.initial), '300000.00'); // IMF 20% + 0.5 x 80% = 60%
    assert.equal(centsOfFloat(atHalf.maintenance), '50000.00'); // MMF 10%, not scaled
    const full = openInterestScaledModel({ ...base, openInterestLower: 2.5e13, openInterestUpper: 5e13 });
    assert.equal(centsOfFloat(full(exposure(500_000, 10, 8e13)).initial), '500000.00');
    // Through a document: the preset's caps 1e12-2e12 with open interest 1.5e12.
    const { params, market, account } = loadFixture({
      instruments: { 'BTC-USD': perpetual({ underlying: 'BTC', quoteAsset: 'USDC', margin: 'dydx-oi-scaled' }) },
      marks: { 'BTC-USD': '50000' },
      openInterest: { 'BTC-USD': '1500000000000' },
      account: { balances: { USDC: '1000000' }, positions: [position('BTC-USD', '10', '50000')] },
    });
    const p = valueAccount(account, market, params).positions[0];
    assert.ok(p !== undefined);
    assert.equal(cents(p.initialMargin), '300000.00');
    assert.equal(cents(p.maintenanceMargin), '50000.00');
  });
});
