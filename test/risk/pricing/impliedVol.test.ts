import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { black76, bsm } from '../../../src/risk/pricing/blackScholes.js';
import type { OptionKind } from '../../../src/risk/pricing/blackScholes.js';
import { impliedVol, impliedVolBlack76 } from '../../../src/risk/pricing/impliedVol.js';
import type { ImpliedVolResult } from '../../../src/risk/pricing/impliedVol.js';
import { assertClose, roundTo } from './approx.js';

function volOf(result: ImpliedVolResult): number {
  assert.equal(result.kind, 'ok', `expected a vol, got ${JSON.stringify(result)}`);
  return result.kind === 'ok' ? result.vol : Number.NaN;
}

describe('implied vol: published values', () => {
  // Hull, "Options, Futures, and Other Derivatives" (8th ed.), implied volatilities: a call priced
  // 1.875 with S 21, K 20, r 10%, T 0.25 implies 23.5%; METHODS.md section 3.1 gives 0.2345.
  test('Hull call 1.875, S 21, K 20, r 10%, T 0.25: 0.2345', () => {
    const result = impliedVol({ kind: 'call', price: 1.875, spot: 21, strike: 20, rate: 0.1, yield: 0, timeYears: 0.25 });
    assert.equal(roundTo(volOf(result), 4), 0.2345);
  });

  test('Hull Black-76 put 1.116641 (F 20, K 20, r 9%, T 4/12) implies 25%', () => {
    const price = black76({ kind: 'put', forward: 20, strike: 20, rate: 0.09, vol: 0.25, timeYears: 4 / 12 }).price;
    const result = impliedVolBlack76({ kind: 'put', price, forward: 20, strike: 20, rate: 0.09, timeYears: 4 / 12 });
    assertClose(volOf(result), 0.25, 1e-14, 'vol');
    const published = impliedVolBlack76({ kind: 'put', price: 1.116641, forward: 20, strike: 20, rate: 0.09, timeYears: 4 / 12 });
    assert.equal(roundTo(volOf(published), 5), 0.25);
  });
});

const kindArb = fc.constantFrom<OptionKind>('call', 'put');
const market = fc.record({
  kind: kindArb,
  spot: fc.double({ min: Math.log(0.01), max: Math.log(1e6), noNaN: true }).map(Math.exp),
  moneyness: fc.double({ min: -2, max: 2, noNaN: true }),
  rate: fc.double({ min: -0.02, max: 0.2, noNaN: true }),
  yield: fc.double({ min: -0.02, max: 0.2, noNaN: true }),
  vol: fc.double({ min: Math.log(0.005), max: Math.log(5), noNaN: true }).map(Math.exp),
  timeYears: fc.double({ min: Math.log(1 / 365 / 24), max: Math.log(10), noNaN: true }).map(Math.exp),
});

describe('implied vol: laws', () => {
  test('price -> vol -> price round-trips for every price strictly inside the bounds', () => {
    fc.assert(
      fc.property(market, ({ moneyness, vol, ...rest }) => {
        const input = { ...rest, strike: rest.spot * Math.exp(moneyness) };
        const greeks = bsm({ ...input, vol });
        const result = impliedVol({ ...input, price: greeks.price });
        const scale = Math.max(input.spot, input.strike);
        const spotYield = input.spot * Math.exp(-input.yield * input.timeYears);
        const upper = input.kind === 'call' ? spotYield : input.strike * Math.exp(-input.rate * input.timeYears);
        if (result.kind === 'none') {
          // Only a price that rounded onto the upper bound (a huge vol) has no finite vol.
          assert.equal(result.reason, 'above_upper_bound');
          assertClose(greeks.price, upper, 4 * Number.EPSILON * scale, 'price at the bound');
          return;
        }
        assert.ok(result.iterations <= 20, `iterations ${result.iterations}`);
        const back = bsm({ ...input, vol: result.vol }).price;
        assertClose(back, greeks.price, 4 * Number.EPSILON * scale, 'price');
        // Where the price is sensitive to vol, the vol itself comes back.
        if (greeks.vega >= 1e-3 * scale) assertClose(result.vol, vol, 1e-9 * vol, 'vol');
      }),
      { seed: 42, numRuns: 3000 },
    );
  });

  test('Black-76 implied vol round-trips too', () => {
    fc.assert(
      fc.property(market, ({ spot, moneyness, vol, kind, rate, timeYears }) => {
        const input = { kind, forward: spot, strike: spot * Math.exp(moneyness), rate, timeYears };
        const price = black76({ ...input, vol }).price;
        const result = impliedVolBlack76({ ...input, price });
        if (result.kind === 'none') {
          assert.equal(result.reason, 'above_upper_bound');
          return;
        }
        const back = black76({ ...input, vol: result.vol }).price;
        assertClose(back, price, 4 * Number.EPSILON * Math.max(spot, input.strike), 'price');
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  test('a price below the discounted intrinsic value has no vol', () => {
    fc.assert(
      fc.property(market, fc.double({ min: 1e-6, max: 1, noNaN: true }), ({ moneyness, vol: _vol, ...rest }, shortfall) => {
        const input = { ...rest, strike: rest.spot * Math.exp(moneyness) };
        const spotYield = input.spot * Math.exp(-input.yield * input.timeYears);
        const strikeRate = input.strike * Math.exp(-input.rate * input.timeYears);
        const intrinsic = input.kind === 'call' ? spotYield - strikeRate : strikeRate - spotYield;
        fc.pre(intrinsic > 1e-6 * Math.max(input.spot, input.strike));
        const result = impliedVol({ ...input, price: intrinsic * (1 - shortfall) });
        assert.deepEqual(result, { kind: 'none', reason: 'below_intrinsic' });
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('implied vol: edges', () => {
  const base = { spot: 100, strike: 100, rate: 0.05, yield: 0, timeYears: 1 };

  test('a price at or above the upper bound has no finite vol', () => {
    assert.deepEqual(impliedVol({ kind: 'call', price: 100, ...base }), { kind: 'none', reason: 'above_upper_bound' });
    assert.deepEqual(impliedVol({ kind: 'call', price: 150, ...base }), { kind: 'none', reason: 'above_upper_bound' });
    assert.deepEqual(impliedVol({ kind: 'put', price: 100 * Math.exp(-0.05), ...base }), { kind: 'none', reason: 'above_upper_bound' });
  });

  test('a price equal to the discounted intrinsic value implies zero vol', () => {
    const intrinsic = 100 - 90 * Math.exp(-0.05);
    assert.deepEqual(impliedVol({ kind: 'call', price: intrinsic, ...base, strike: 90 }), { kind: 'ok', vol: 0, iterations: 0 });
    assert.deepEqual(impliedVol({ kind: 'put', price: 0, ...base, strike: 90 }), { kind: 'ok', vol: 0, iterations: 0 });
  });

  test('at expiry, or with a zero strike, the price does not identify a vol', () => {
    assert.deepEqual(impliedVol({ kind: 'call', price: 10, ...base, strike: 90, timeYears: 0 }), {
      kind: 'none',
      reason: 'vol_not_identifiable',
    });
    assert.deepEqual(impliedVol({ kind: 'put', price: 0, ...base, strike: 0 }), { kind: 'none', reason: 'vol_not_identifiable' });
    // At expiry only the intrinsic value is a price: anything above it has no vol.
    assert.deepEqual(impliedVol({ kind: 'call', price: 12, ...base, strike: 90, timeYears: 0 }), {
      kind: 'none',
      reason: 'above_upper_bound',
    });
  });

  test('converges for extreme but valid prices: far out of the money, near the upper bound, an hour to expiry', () => {
    const cases = [
      { kind: 'call' as const, strike: 300, vol: 0.05, timeYears: 1 }, // price near 1e-100
      { kind: 'put' as const, strike: 20, vol: 0.3, timeYears: 0.5 },
      { kind: 'call' as const, strike: 100, vol: 8, timeYears: 4 }, // price near S
      { kind: 'call' as const, strike: 100.5, vol: 0.8, timeYears: 1 / 8760 },
      { kind: 'put' as const, strike: 100, vol: 1e-4, timeYears: 1 / 365 },
    ];
    for (const { vol, ...option } of cases) {
      const input = { ...base, ...option };
      const price = bsm({ ...input, vol }).price;
      assert.ok(price > 0, `price ${price}`);
      const result = impliedVol({ ...input, price });
      const found = volOf(result);
      assertClose(bsm({ ...input, vol: found }).price, price, 4 * Number.EPSILON * 300, 'price');
    }
  });

  test('invalid input is rejected with option_input_invalid', () => {
    assert.throws(
      () => impliedVol({ kind: 'call', price: -1, ...base }),
      (error: unknown) => error instanceof RangeError && /^option_input_invalid: price must be >= 0$/.test(error.message),
    );
    assert.throws(
      () => impliedVol({ kind: 'call', price: Number.NaN, ...base }),
      (error: unknown) => error instanceof RangeError && /^option_input_invalid: price must be finite$/.test(error.message),
    );
  });
});
