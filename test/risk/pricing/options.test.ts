import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { black76 } from '../../../src/risk/pricing/blackScholes.js';
import type { OptionKind } from '../../../src/risk/pricing/blackScholes.js';
import { settlementValue, valueInverseOption, valueLinearOption, valueOption } from '../../../src/risk/pricing/options.js';
import type { EuropeanOption, OptionMarket } from '../../../src/risk/pricing/options.js';
import { assertClose } from './approx.js';

const call = (strike: number, settlement: 'linear' | 'inverse'): EuropeanOption => ({ kind: 'call', strike, settlement });

describe('European cash-settled options: worked figures', () => {
  const market: OptionMarket = { forward: 100_000, indexPrice: 99_500, vol: 0.6, timeYears: 30 / 365, rate: 0 };

  test('a linear at-the-money call is Black-76 on the forward at a 0% rate: 6,853.94', () => {
    const valuation = valueLinearOption(call(100_000, 'linear'), market);
    assertClose(valuation.valueQuote, 6853.94, 0.005, 'value');
    const expected = black76({ kind: 'call', forward: 100_000, strike: 100_000, rate: 0, vol: 0.6, timeYears: 30 / 365 });
    assert.deepEqual(valuation.greeksQuote, expected);
  });

  test('the inverse call is worth its quote value divided by the index: 0.068884 BTC', () => {
    const valuation = valueInverseOption(call(100_000, 'inverse'), market);
    assertClose(valuation.valueCoin, 6853.94 / 99_500, 1e-7, 'value');
    assertClose(valuation.valueCoin, 0.068884, 5e-7, 'value (6 decimals)');
  });

  // Deribit support, "Inverse Options": a call K 100,000 delivered at 125,000 settles 25,000 USD,
  // paid in BTC at the delivery price.
  test('settlement pays the intrinsic value, divided by the settlement price for inverse options', () => {
    assert.deepEqual(settlementValue(call(100_000, 'linear'), 125_000), { settlement: 'linear', valueQuote: 25_000 });
    assert.deepEqual(settlementValue(call(100_000, 'inverse'), 125_000), { settlement: 'inverse', valueCoin: 0.2 });
    const put: EuropeanOption = { kind: 'put', strike: 100_000, settlement: 'inverse' };
    assert.deepEqual(settlementValue(put, 80_000), { settlement: 'inverse', valueCoin: 0.25 });
    assert.deepEqual(settlementValue(put, 120_000), { settlement: 'inverse', valueCoin: 0 });
  });

  test('valueOption dispatches on the settlement', () => {
    assert.equal(valueOption(call(90_000, 'linear'), market).settlement, 'linear');
    assert.equal(valueOption(call(90_000, 'inverse'), market).settlement, 'inverse');
  });
});

const marketArb = fc.record({
  forward: fc.double({ min: Math.log(1), max: Math.log(1e6), noNaN: true }).map(Math.exp),
  basis: fc.double({ min: -0.1, max: 0.1, noNaN: true }),
  vol: fc.double({ min: 0.05, max: 3, noNaN: true }),
  timeYears: fc.double({ min: 1 / 365, max: 3, noNaN: true }),
  rate: fc.double({ min: 0, max: 0.1, noNaN: true }),
});
const optionArb = fc.record({
  kind: fc.constantFrom<OptionKind>('call', 'put'),
  moneyness: fc.double({ min: -1.5, max: 1.5, noNaN: true }),
});

describe('European cash-settled options: laws', () => {
  test('inverse value times the index equals the linear value', () => {
    fc.assert(
      fc.property(marketArb, optionArb, ({ basis, ...rest }, { kind, moneyness }) => {
        const market = { ...rest, indexPrice: rest.forward * Math.exp(-basis) };
        const strike = rest.forward * Math.exp(moneyness);
        const linear = valueLinearOption({ kind, strike, settlement: 'linear' }, market);
        const inverse = valueInverseOption({ kind, strike, settlement: 'inverse' }, market);
        assertClose(inverse.valueCoin * market.indexPrice, linear.valueQuote, 1e-14 * (rest.forward + strike), 'value');
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test("the inverse option's coin delta is the coin P&L per relative move of the index (Deribit's delta minus mark)", () => {
    fc.assert(
      fc.property(marketArb, optionArb, ({ basis, ...rest }, { kind, moneyness }) => {
        const index = rest.forward * Math.exp(-basis);
        const ratio = rest.forward / index; // the basis is held as the index moves
        const option: EuropeanOption = { kind, strike: rest.forward * Math.exp(moneyness), settlement: 'inverse' };
        const coinValue = (s: number) => valueInverseOption(option, { ...rest, forward: ratio * s, indexPrice: s }).valueCoin;
        const h = 1e-5 * index;
        const finiteDifference = (index * (coinValue(index + h) - coinValue(index - h))) / (2 * h);
        const valuation = valueInverseOption(option, { ...rest, indexPrice: index });
        assertClose(valuation.deltaCoin, finiteDifference, 1e-7, 'deltaCoin');
        assertClose(valuation.deltaCoin, ratio * valuation.greeksQuote.delta - valuation.valueCoin, 1e-15, 'identity');
        assertClose(valuation.vegaCoin * index, valuation.greeksQuote.vega, 1e-9 * valuation.greeksQuote.vega, 'vega');
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test('at expiry the value is the settlement value, for both settlements', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e6, noNaN: true }), optionArb, (price, { kind, moneyness }) => {
        const strike = price * Math.exp(moneyness);
        const market = { forward: price, indexPrice: price, vol: 0.8, timeYears: 0, rate: 0 };
        const linear = { kind, strike, settlement: 'linear' as const };
        const inverse = { kind, strike, settlement: 'inverse' as const };
        const linearSettled = settlementValue(linear, price);
        const inverseSettled = settlementValue(inverse, price);
        assert.ok(linearSettled.settlement === 'linear' && inverseSettled.settlement === 'inverse');
        assert.equal(valueLinearOption(linear, market).valueQuote, linearSettled.valueQuote);
        assertClose(valueInverseOption(inverse, market).valueCoin, inverseSettled.valueCoin, 1e-16, 'coin');
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test('an inverse call is worth less than one coin (times F/S), and an inverse put less than K/S', () => {
    fc.assert(
      fc.property(marketArb, optionArb, ({ basis, ...rest }, { kind, moneyness }) => {
        const market = { ...rest, indexPrice: rest.forward * Math.exp(-basis) };
        const strike = rest.forward * Math.exp(moneyness);
        const { valueCoin } = valueInverseOption({ kind, strike, settlement: 'inverse' }, market);
        const bound = (kind === 'call' ? rest.forward : strike) / market.indexPrice;
        assert.ok(valueCoin >= 0 && valueCoin <= bound, `${valueCoin} > ${bound}`);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('European cash-settled options: rejections', () => {
  test('an inverse option needs a positive index and settlement price', () => {
    const market: OptionMarket = { forward: 100, indexPrice: 0, vol: 0.5, timeYears: 1, rate: 0 };
    assert.throws(
      () => valueInverseOption(call(100, 'inverse'), market),
      (error: unknown) => error instanceof RangeError && error.message === 'option_input_invalid: indexPrice must be > 0',
    );
    assert.throws(
      () => settlementValue(call(100, 'inverse'), 0),
      (error: unknown) => error instanceof RangeError && error.message === 'option_input_invalid: settlementPrice must be > 0',
    );
    assert.throws(
      () => settlementValue(call(100, 'linear'), Number.NaN),
      (error: unknown) => error instanceof RangeError && error.message === 'option_input_invalid: settlementPrice must be finite',
    );
  });
});
