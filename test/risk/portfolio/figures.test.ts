/**
 * Worked figures of portfolio margin (METHODS.md 3.3) and the explanation of a requirement.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { black76 } from '../../../src/risk/pricing/blackScholes.js';
import { valueInverseOption } from '../../../src/risk/pricing/options.js';
import {
  DEDERI_LIKE_PM,
  DERIBIT_LIKE_PM,
  LYRA_LIKE_PM,
  buildRiskArrays,
  explainPortfolioMargin,
  makeScenarioGrid,
  portfolioMargin,
  portfolioMarginFromArrays,
  type PortfolioMarginModel,
} from '../../../src/risk/portfolio/index.js';
import { DAY, at, closeTo, future, market, option, perpetual, spot } from './fixtures.js';

/**
 * Dederi, "Portfolio Margin" (wiki.dederi.io), the source of METHODS.md's worked example: Alice is
 * long 10 ETH-10JAN24 futures, index I0 = 2,243.3, annualised basis rate 8%, 20 days to expiry:
 * F0 = 2,243.3 e^(0.08 x 20/365) = 2,253.2; contingency 0.006 x 2,243.3 x 10 = 134.6; simulated PnL
 * -3,380 -2,704 -2,028 -1,352 -676 0 676 1,352 2,028 2,704 3,380 for -15%..+15% by 3%.
 * The grid moves the future's mark (the forward), not the index: 10 x 2,243.3 x 15% = 3,364.95 is
 * the index-based figure, 10 x 2,253.155 x 15% = 3,379.73 the published one, rounded.
 */
describe('Deribit-style futures PM (Dederi example, METHODS.md 3.3)', () => {
  const t = 20 * DAY;
  const eth = market({ underlying: 'ETH', indexPrice: 2243.3, carry: 0.08, expiriesYears: [t] });
  const ethFuture = future(t, 'linear', 1, 'ETH');
  const result = portfolioMargin({ positions: [at(ethFuture, 10)], market: eth, model: DEDERI_LIKE_PM });

  test('the forward is 2,243.3 e^(0.08 x 20/365) = 2,253.155 (published 2,253.2)', () => {
    const entry = buildRiskArrays({ instruments: [ethFuture], market: eth, grid: makeScenarioGrid(DEDERI_LIKE_PM.grid), currency: 'quote' }).entries.get(ethFuture.id);
    closeTo(entry?.priced.price ?? 0, 2243.3 * Math.exp((0.08 * 20) / 365), 1e-9, 'forward');
    assert.equal(Math.round((entry?.priced.price ?? 0) * 10) / 10, 2253.2);
  });

  test('the simulated PnL row rounds to the published -3,380 ... 3,380', () => {
    // Three vol moves per price move; futures do not see vol, so take every third scenario.
    const pnl = result.scenarioLosses.filter((_, i) => i % 3 === 0).map((loss) => Math.round(-loss) + 0);
    assert.deepEqual(pnl, [-3380, -2704, -2028, -1352, -676, 0, 676, 1352, 2028, 2704, 3380]);
  });

  test('worst loss 3,379.73 (published 3,380) at -15%, contingency 134.598 (134.6), MM 3,514.33', () => {
    const forward = 2243.3 * Math.exp((0.08 * 20) / 365);
    closeTo(result.worstLoss, 10 * forward * 0.15, 1e-9, 'worst loss');
    assert.equal(Math.round(result.worstLoss), 3380);
    closeTo(result.contingencies.futures.amount, 0.006 * 2243.3 * 10, 1e-9, 'contingency');
    assert.equal(Math.round(result.contingencies.total * 10) / 10, 134.6);
    closeTo(result.maintenance, 10 * forward * 0.15 + 0.006 * 2243.3 * 10, 1e-9, 'MM');
    assert.equal(Math.round(result.maintenance * 100) / 100, 3514.33);
    // METHODS.md's 3,514.6 is the sum of the two rounded figures.
    assert.equal(Math.round((3380 + 134.6) * 10) / 10, 3514.6);
    closeTo(result.initial, 1.3 * result.maintenance, 1e-9, 'IM');
    assert.equal(result.binding.scenario.priceMove, -0.15);
  });

  test('repricing on the index instead of the forward gives 3,364.95: the published 3,380 needs the basis', () => {
    const flat = market({ underlying: 'ETH', indexPrice: 2243.3, carry: 0, expiriesYears: [t] });
    const onIndex = portfolioMargin({ positions: [at(ethFuture, 10)], market: flat, model: DEDERI_LIKE_PM });
    closeTo(onIndex.worstLoss, 3364.95, 1e-9, 'worst loss on the index');
  });
});

describe('contingencies', () => {
  const btc = market({ indexPrice: 100_000, expiriesYears: [30 * DAY, 90 * DAY] });
  const coinModel: PortfolioMarginModel = {
    ...DERIBIT_LIKE_PM,
    rule: { ...DERIBIT_LIKE_PM.rule, contingencies: { futures: { rate: 0.01, basis: 'offsetting' }, optionPerNetShortCoin: 0.01, deltaShockRate: 0 } },
  };

  test('Deribit: call +10 and put -20 on one strike are net short 10, so 10 x 0.01 BTC is added', () => {
    const positions = [at(option('call', 100_000, 30 * DAY), 10), at(option('put', 100_000, 30 * DAY), -20)];
    const r = portfolioMargin({ positions, market: btc, model: coinModel });
    assert.deepEqual(r.contingencies.options.strikes, [{ expiryYears: 30 * DAY, strike: 100_000, netShortUnits: 10 }]);
    closeTo(r.contingencies.options.amount, 0.1, 1e-15, 'options contingency, BTC');
  });

  test('net shorts of one strike in two expiries do not offset; in quote they are priced at the index', () => {
    const positions = [at(option('call', 100_000, 30 * DAY), 5), at(option('call', 100_000, 90 * DAY), -5)];
    const r = portfolioMargin({ positions, market: btc, model: { ...coinModel, currency: 'quote' } });
    assert.equal(r.contingencies.options.netShortUnits, 5);
    closeTo(r.contingencies.options.amount, 5 * 0.01 * 100_000, 1e-9, 'options contingency, USD');
  });

  test('older Deribit: long 100 BTC of future A, short 100 BTC of future B adds 1% x 100 BTC on offsetting futures', () => {
    const positions = [at(future(30 * DAY), 100), at(future(90 * DAY), -100)];
    const offsetting = portfolioMargin({ positions, market: btc, model: coinModel });
    closeTo(offsetting.contingencies.futures.amount, 1, 1e-12, 'offsetting');
    const withBasis = (basis: 'gross' | 'net'): number =>
      portfolioMargin({
        positions,
        market: btc,
        model: { ...coinModel, rule: { ...coinModel.rule, contingencies: { ...coinModel.rule.contingencies, futures: { rate: 0.01, basis } } } },
      }).contingencies.futures.amount;
    closeTo(withBasis('gross'), 2, 1e-12, 'gross');
    assert.equal(withBasis('net'), 0);
  });

  test('inverse futures count their USD notional over the forward: 10,000 contracts of 10 USD at 100,000 are 1 BTC', () => {
    const r = portfolioMargin({ positions: [at(perpetual('inverse', 10), 10_000)], market: btc, model: coinModel });
    closeTo(r.contingencies.futures.longUnits, 1, 1e-12, 'units');
  });

  test('the delta shock is rate x |net delta| x index; a linear call counts Black-76 delta x F/S', () => {
    const carry = market({ indexPrice: 100_000, carry: 0.1, expiriesYears: [30 * DAY] });
    const call = option('call', 100_000, 30 * DAY, 'linear');
    const model: PortfolioMarginModel = {
      ...DERIBIT_LIKE_PM,
      currency: 'quote',
      rule: { ...DERIBIT_LIKE_PM.rule, contingencies: { futures: { rate: 0, basis: 'gross' }, optionPerNetShortCoin: 0, deltaShockRate: 0.02 } },
    };
    const r = portfolioMargin({ positions: [at(call, 3), at(spot(), -1)], market: carry, model });
    const forward = 100_000 * Math.exp(0.1 * 30 * DAY);
    const delta = black76({ kind: 'call', forward, strike: 100_000, rate: 0, vol: 0.6, timeYears: 30 * DAY }).delta;
    closeTo(r.contingencies.delta.netDeltaUnits, 3 * delta * (forward / 100_000) - 1, 1e-12, 'net delta');
    closeTo(r.contingencies.delta.amount, 0.02 * Math.abs(3 * delta * (forward / 100_000) - 1) * 100_000, 1e-6, 'delta shock');
  });

  test("an inverse option's coin delta is Deribit's net transaction delta; spot has none in coin", () => {
    const call = option('call', 110_000, 30 * DAY, 'inverse');
    const arrays = buildRiskArrays({ instruments: [call, spot()], market: btc, grid: makeScenarioGrid(DERIBIT_LIKE_PM.grid), currency: 'coin' });
    const expected = valueInverseOption(
      { kind: 'call', strike: 110_000, settlement: 'inverse' },
      { forward: 100_000, indexPrice: 100_000, vol: 0.6, timeYears: 30 * DAY, rate: 0 },
    ).deltaCoin;
    closeTo(arrays.entries.get(call.id)?.priced.deltaUnits ?? Number.NaN, expected, 1e-15, 'coin delta');
    assert.equal(arrays.entries.get(spot().id)?.priced.deltaUnits, 0);
  });
});

describe('the explanation names the binding scenario and each position in it', () => {
  const btc = market({ indexPrice: 60_000, expiriesYears: [7 * DAY, 30 * DAY], carry: 0.05 });
  const call = option('call', 66_000, 30 * DAY, 'inverse');
  const put = option('put', 54_000, 7 * DAY, 'inverse');
  const r = portfolioMargin({ positions: [at(call, -5), at(put, -3), at(future(30 * DAY, 'inverse', 10), 6_000)], market: btc, model: DERIBIT_LIKE_PM });

  test('the binding loss is the largest scenario loss and the sum of the positions in it', () => {
    assert.equal(r.binding.loss, Math.max(...r.scenarioLosses));
    assert.equal(r.worstLoss, r.binding.loss);
    closeTo(r.binding.positions.reduce((s, p) => s + p.loss, 0), r.binding.loss, 1e-12, 'sum of positions');
  });

  test("a short call's PnL in the binding scenario is its Black-76 revaluation at the shocked forward and vol, in coin", () => {
    const s = r.binding.scenario;
    const forward = 60_000 * Math.exp(0.05 * 30 * DAY);
    const shock = s.volMove === 'up' ? 1 + 0.45 : s.volMove === 'down' ? 1 - 0.3 : 1;
    const f = 1 + s.priceMove;
    const before = black76({ kind: 'call', forward, strike: 66_000, rate: 0, vol: 0.6, timeYears: 30 * DAY }).price / 60_000;
    const after = black76({ kind: 'call', forward: forward * f, strike: 66_000, rate: 0, vol: 0.6 * shock, timeYears: 30 * DAY }).price / (60_000 * f);
    const row = r.binding.positions.find((p) => p.instrumentId === call.id);
    closeTo(row?.pnl ?? Number.NaN, -5 * (after - before), 1e-12, 'call PnL');
    closeTo(row?.loss ?? Number.NaN, 5 * (after - before) * s.weight, 1e-12, 'call weighted loss');
  });

  test('positions are listed in instrument id order with their net quantities', () => {
    const ids = r.binding.positions.map((p) => p.instrumentId);
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(r.binding.positions.find((p) => p.instrumentId === put.id)?.quantity, -3);
  });
});

describe('models', () => {
  const btc = market({ indexPrice: 60_000, expiriesYears: [30 * DAY] });
  const positions = [at(option('put', 54_000, 30 * DAY, 'linear'), -4), at(perpetual(), -1)];

  test('Lyra-like MM is 0.8 x worst loss + contingencies and IM is 1.25 x MM', () => {
    const r = portfolioMargin({ positions, market: btc, model: LYRA_LIKE_PM });
    closeTo(r.maintenance, 0.8 * r.worstLoss + r.contingencies.total, 1e-9, 'MM');
    closeTo(r.contingencies.futures.amount, 0.02 * 60_000, 1e-9, 'perp contingency');
    closeTo(r.contingencies.options.amount, 4 * 0.01 * 60_000, 1e-9, 'option contingency');
    closeTo(r.initial, 1.25 * r.maintenance, 1e-9, 'IM');
  });

  test('risk arrays computed once serve many accounts and give the same answer as computing them per account', () => {
    const arrays = buildRiskArrays({ instruments: positions.map((p) => p.instrument), market: btc, grid: makeScenarioGrid(LYRA_LIKE_PM.grid), currency: 'quote' });
    const fromArrays = portfolioMarginFromArrays({ positions, arrays, rule: LYRA_LIKE_PM.rule, model: 'lyra-like' });
    const direct = portfolioMargin({ positions, market: btc, model: LYRA_LIKE_PM });
    assert.deepEqual(fromArrays, direct);
  });

  test('an instrument without a risk array is rejected with risk_array_missing', () => {
    const arrays = buildRiskArrays({ instruments: [perpetual()], market: btc, grid: makeScenarioGrid(LYRA_LIKE_PM.grid), currency: 'quote' });
    assert.throws(() => portfolioMarginFromArrays({ positions, arrays, rule: LYRA_LIKE_PM.rule }), (e: unknown) => (e as { code?: string }).code === 'risk_array_missing');
  });

  test('one id for two different instruments is rejected with portfolio_instrument_conflict', () => {
    const a = option('call', 60_000, 30 * DAY);
    const b = { ...a, strike: 61_000 };
    assert.throws(() => portfolioMargin({ positions: [at(a, 1), at(b, 1)], market: btc, model: DERIBIT_LIKE_PM }), (e: unknown) => (e as { code?: string }).code === 'portfolio_instrument_conflict');
  });

  test('an initial factor below 1 is rejected: IM must cover MM', () => {
    const model = { ...LYRA_LIKE_PM, rule: { ...LYRA_LIKE_PM.rule, initialFactor: 0.9 } };
    assert.throws(() => portfolioMargin({ positions, market: btc, model }), (e: unknown) => (e as { code?: string }).code === 'portfolio_margin_rule_invalid');
  });
});

describe('the explanation in sentences', () => {
  test('names the figures, the binding scenario, each position and the contingencies of the Dederi example', () => {
    const t = 20 * DAY;
    const eth = market({ underlying: 'ETH', indexPrice: 2243.3, carry: 0.08, expiriesYears: [t] });
    const r = portfolioMargin({ positions: [at(future(t, 'linear', 1, 'ETH'), 10)], market: eth, model: DEDERI_LIKE_PM });
    const lines = explainPortfolioMargin(r);
    assert.equal(lines[0], 'dederi-like portfolio margin, ETH, in quote: MM 3514.33 = 1 x worst loss 3379.73 + contingencies 134.60; IM 4568.63 = 1.3 x MM');
    assert.equal(lines[1], 'binding scenario: -15% vol up (weight 1), portfolio loss 3379.73');
    assert.equal(lines[2], '  ETH-F-0.054795-linear: quantity 10, PnL -3379.73, weighted loss 3379.73');
    assert.equal(lines[3], 'futures contingency 134.60: gross basis, 10.000000 units (long 10.000000, short 0.000000) x 0.006');
    assert.equal(lines.length, 6);
  });
});

describe('a Deribit-like short call (derived, docs/methodology/portfolio-margin.md)', () => {
  test('short 1 inverse BTC call K 110,000, 30 days, vol 60%, index = forward 100,000: worst loss 0.0920 BTC at +16% vol up, MM 0.1020, IM 0.1326', () => {
    const t = 30 * DAY;
    const btc = market({ indexPrice: 100_000, expiriesYears: [t] });
    const r = portfolioMargin({ positions: [at(option('call', 110_000, t), -1)], market: btc, model: DERIBIT_LIKE_PM });
    const value = (forward: number, vol: number): number => black76({ kind: 'call', forward, strike: 110_000, rate: 0, vol, timeYears: t }).price / forward;
    const loss = value(116_000, 0.6 * 1.45) - value(100_000, 0.6);
    assert.equal(r.binding.scenario.label, '+16% vol up');
    closeTo(r.worstLoss, loss, 1e-12, 'worst loss');
    closeTo(r.maintenance, loss + 0.01, 1e-12, 'MM');
    assert.deepEqual([r.worstLoss, r.maintenance, r.initial].map((x) => x.toFixed(4)), ['0.0920', '0.1020', '0.1326']);
  });
});
