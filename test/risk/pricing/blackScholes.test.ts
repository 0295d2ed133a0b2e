import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { black76, bsm } from '../../../src/risk/pricing/blackScholes.js';
import type { BsmInput, Greeks, OptionKind } from '../../../src/risk/pricing/blackScholes.js';
import { assertClose, roundTo } from './approx.js';

const KEYS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const;

function rejects(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof RangeError && message.test(error.message));
}

describe('Black-Scholes-Merton: published values', () => {
  // Hull, "Options, Futures, and Other Derivatives" (8th ed.), the BSM pricing example;
  // METHODS.md section 3.1.
  test('Hull S 42, K 40, r 10%, vol 20%, T 0.5: call 4.759422, put 0.808599', () => {
    const input = { spot: 42, strike: 40, rate: 0.1, yield: 0, vol: 0.2, timeYears: 0.5 };
    assert.equal(roundTo(bsm({ kind: 'call', ...input }).price, 6), 4.759422);
    assert.equal(roundTo(bsm({ kind: 'put', ...input }).price, 6), 0.808599);
  });

  // Hull (8th ed.), "The Greek Letters": the same call throughout the chapter.
  test('Hull S 49, K 50, r 5%, vol 20%, T 20/52: call price and every Greek', () => {
    const greeks = bsm({ kind: 'call', spot: 49, strike: 50, rate: 0.05, yield: 0, vol: 0.2, timeYears: 20 / 52 });
    assert.equal(roundTo(greeks.price, 6), 2.400527);
    assert.equal(roundTo(greeks.delta, 6), 0.521605);
    assert.equal(roundTo(greeks.gamma, 6), 0.065544);
    assert.equal(roundTo(greeks.theta, 5), -4.30533);
    assert.equal(roundTo(greeks.vega, 5), 12.10548);
    assert.equal(roundTo(greeks.rho, 6), 8.906962);
  });

  // Haug, "The Complete Guide to Option Pricing Formulas" (2nd ed., 2007), section 1.1: the
  // generalized BSM with cost of carry b = r - q.
  test('Haug generalized BSM: S 60, K 65, T 0.25, r 8%, b 8%, vol 30%: call 2.1334', () => {
    const greeks = bsm({ kind: 'call', spot: 60, strike: 65, rate: 0.08, yield: 0, vol: 0.3, timeYears: 0.25 });
    assert.equal(roundTo(greeks.price, 4), 2.1334);
  });

  test('Haug Merton (1973) with yield: S 100, K 95, T 0.5, r 10%, q 5%, vol 20%: put 2.4648', () => {
    const greeks = bsm({ kind: 'put', spot: 100, strike: 95, rate: 0.1, yield: 0.05, vol: 0.2, timeYears: 0.5 });
    assert.equal(roundTo(greeks.price, 4), 2.4648);
  });

  test('Haug Garman-Kohlhagen: S 1.56, K 1.60, T 0.5, r 6%, rf 8%, vol 12%: call 0.0291', () => {
    const greeks = bsm({ kind: 'call', spot: 1.56, strike: 1.6, rate: 0.06, yield: 0.08, vol: 0.12, timeYears: 0.5 });
    assert.equal(roundTo(greeks.price, 4), 0.0291);
  });

  // Hull (8th ed.), options on stock indices: S 930, K 900, r 8%, q 3%, vol 20%, T 2/12: 51.83.
  test('Hull index option with dividend yield: call 51.83', () => {
    const greeks = bsm({ kind: 'call', spot: 930, strike: 900, rate: 0.08, yield: 0.03, vol: 0.2, timeYears: 2 / 12 });
    assert.equal(roundTo(greeks.price, 2), 51.83);
  });
});

describe('Black-76: published values', () => {
  // Hull (8th ed.), Black's model for futures options; METHODS.md section 3.1.
  test('Hull put F 20, K 20, r 9%, vol 25%, T 4/12: 1.116641', () => {
    const greeks = black76({ kind: 'put', forward: 20, strike: 20, rate: 0.09, vol: 0.25, timeYears: 4 / 12 });
    assert.equal(roundTo(greeks.price, 6), 1.116641);
  });

  // Haug (2007), section 1.1.6 (Black-76): F 19, K 19, T 0.75, r 10%, vol 28%: c = p = 1.7011.
  test('Haug F 19, K 19, T 0.75, r 10%, vol 28%: call = put = 1.7011', () => {
    const input = { forward: 19, strike: 19, rate: 0.1, vol: 0.28, timeYears: 0.75 };
    assert.equal(roundTo(black76({ kind: 'call', ...input }).price, 4), 1.7011);
    assert.equal(roundTo(black76({ kind: 'put', ...input }).price, 4), 1.7011);
  });

  test('rho holds the forward fixed: -T times the price', () => {
    const greeks = black76({ kind: 'call', forward: 100, strike: 90, rate: 0.05, vol: 0.4, timeYears: 2 });
    assertClose(greeks.rho, -2 * greeks.price, 1e-12, 'rho');
  });
});

// Inputs for the laws: spot 100, strike 100 e^u with |u| <= 1.5, so both tails are reached.
const kindArb = fc.constantFrom<OptionKind>('call', 'put');
const regularInput = fc.record({
  kind: kindArb,
  spot: fc.constant(100),
  strike: fc.double({ min: -1.5, max: 1.5, noNaN: true }).map((u) => 100 * Math.exp(u)),
  rate: fc.double({ min: -0.02, max: 0.15, noNaN: true }),
  yield: fc.double({ min: -0.02, max: 0.15, noNaN: true }),
  vol: fc.double({ min: 0.05, max: 2, noNaN: true }),
  timeYears: fc.double({ min: 0.02, max: 5, noNaN: true }),
});

function bump(input: BsmInput, field: 'spot' | 'vol' | 'timeYears' | 'rate' | 'yield', h: number): [Greeks, Greeks] {
  return [bsm({ ...input, [field]: input[field] + h }), bsm({ ...input, [field]: input[field] - h })];
}

describe('Black-Scholes-Merton: laws', () => {
  test('put-call parity: C - P = S e^-qT - K e^-rT', () => {
    fc.assert(
      fc.property(regularInput, (input) => {
        const call = bsm({ ...input, kind: 'call' }).price;
        const put = bsm({ ...input, kind: 'put' }).price;
        const { spot, strike, rate, timeYears } = input;
        const forwardValue = spot * Math.exp(-input.yield * timeYears) - strike * Math.exp(-rate * timeYears);
        assertClose(call - put, forwardValue, 1e-12 * (input.spot + input.strike), 'C - P');
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test('each Greek agrees with a central finite difference of the price', () => {
    fc.assert(
      fc.property(regularInput, (input) => {
        const greeks = bsm(input);
        const stdDev = input.vol * Math.sqrt(input.timeYears);
        const hSpot = 1e-4 * input.spot * stdDev;
        const [up, down] = bump(input, 'spot', hSpot);
        const fdDelta = (up.price - down.price) / (2 * hSpot);
        const fdGamma = (up.delta - down.delta) / (2 * hSpot);
        const hVol = 1e-5 * input.vol;
        const [volUp, volDown] = bump(input, 'vol', hVol);
        const hTime = 1e-5 * input.timeYears;
        const [later, earlier] = bump(input, 'timeYears', hTime);
        const hRate = 1e-6;
        const [rateUp, rateDown] = bump(input, 'rate', hRate);
        assertClose(greeks.delta, fdDelta, 1e-7, 'delta');
        assertClose(greeks.gamma, fdGamma, 1e-7 * Math.max(1, greeks.gamma), 'gamma');
        assertClose(greeks.vega, (volUp.price - volDown.price) / (2 * hVol), 1e-6 * Math.max(1, greeks.vega), 'vega');
        // Theta is the value change as calendar time passes: time to expiry falls.
        assertClose(greeks.theta, -(later.price - earlier.price) / (2 * hTime), 1e-6 * Math.max(1, Math.abs(greeks.theta)), 'theta');
        assertClose(greeks.rho, (rateUp.price - rateDown.price) / (2 * hRate), 1e-5 * Math.max(1, Math.abs(greeks.rho)), 'rho');
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test('the price stays within the no-arbitrage bounds', () => {
    fc.assert(
      fc.property(regularInput, (input) => {
        const spotYield = input.spot * Math.exp(-input.yield * input.timeYears);
        const strikeRate = input.strike * Math.exp(-input.rate * input.timeYears);
        const call = bsm({ ...input, kind: 'call' }).price;
        const put = bsm({ ...input, kind: 'put' }).price;
        assert.ok(Math.max(spotYield - strikeRate, 0) <= call && call <= spotYield, `call ${call}`);
        assert.ok(Math.max(strikeRate - spotYield, 0) <= put && put <= strikeRate, `put ${put}`);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test('the price never falls as vol rises, and a call never rises with the strike', () => {
    fc.assert(
      fc.property(regularInput, fc.double({ min: 0, max: 1, noNaN: true }), (input, extra) => {
        assert.ok(bsm({ ...input, vol: input.vol + extra }).price >= bsm(input).price);
        const call = { ...input, kind: 'call' as const };
        assert.ok(bsm({ ...call, strike: input.strike * (1 + extra) }).price <= bsm(call).price);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('Black-Scholes-Merton: edges', () => {
  test('at expiry the value is intrinsic and delta is the 0/1 step', () => {
    const expiry = { spot: 100, rate: 0.05, yield: 0.02, vol: 0.5, timeYears: 0 };
    const itmCall = bsm({ kind: 'call', strike: 90, ...expiry });
    assert.deepEqual(itmCall, { price: 10, delta: 1, gamma: 0, vega: 0, theta: 0, rho: 0 });
    const otmCall = bsm({ kind: 'call', strike: 110, ...expiry });
    assert.deepEqual(otmCall, { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 });
    const itmPut = bsm({ kind: 'put', strike: 110, ...expiry });
    assert.deepEqual(itmPut, { price: 10, delta: -1, gamma: 0, vega: 0, theta: 0, rho: 0 });
    // At the money the step takes its midpoint, the limit of N(d1) as T -> 0.
    assert.equal(bsm({ kind: 'call', strike: 100, ...expiry }).delta, 0.5);
    assert.equal(bsm({ kind: 'put', strike: 100, ...expiry }).delta, -0.5);
  });

  test('at zero vol the value is the discounted intrinsic value of the forward', () => {
    const input = { spot: 100, strike: 90, rate: 0.05, yield: 0, vol: 0, timeYears: 1 };
    const call = bsm({ kind: 'call', ...input });
    assertClose(call.price, 100 - 90 * Math.exp(-0.05), 1e-12, 'call');
    assert.equal(call.delta, 1);
    assertClose(call.theta, -0.05 * 90 * Math.exp(-0.05), 1e-12, 'theta');
    assert.equal(bsm({ kind: 'put', ...input }).price, 0);
    // Out of the money on the spot but in the money on the forward: S 100, K 104, r 5%, T 1.
    const forwardInTheMoney = bsm({ kind: 'call', spot: 100, strike: 104, rate: 0.05, yield: 0, vol: 0, timeYears: 1 });
    assertClose(forwardInTheMoney.price, 100 - 104 * Math.exp(-0.05), 1e-12, 'forward in the money');
  });

  test('zero vol at the money keeps the finite vega limit S e^-qT sqrt(T) n(0)', () => {
    const greeks = bsm({ kind: 'call', spot: 100, strike: 100, rate: 0, yield: 0, vol: 0, timeYears: 0.25 });
    assert.equal(greeks.price, 0);
    assertClose(greeks.vega, 100 * 0.5 * 0.3989422804014327, 1e-12, 'vega');
    const nearlyZero = bsm({ kind: 'call', spot: 100, strike: 100, rate: 0, yield: 0, vol: 1e-9, timeYears: 0.25 });
    assertClose(greeks.vega, nearlyZero.vega, 1e-6, 'limit');
  });

  test('a zero strike makes the call a prepaid forward and the put worthless', () => {
    const input = { spot: 100, strike: 0, rate: 0.05, yield: 0.03, vol: 0.6, timeYears: 2 };
    const call = bsm({ kind: 'call', ...input });
    assertClose(call.price, 100 * Math.exp(-0.06), 1e-12, 'call');
    assertClose(call.delta, Math.exp(-0.06), 1e-15, 'delta');
    assert.equal(bsm({ kind: 'put', ...input }).price, 0);
    const zeroSpot = bsm({ kind: 'put', spot: 0, strike: 50, rate: 0.05, yield: 0, vol: 0.6, timeYears: 2 });
    assertClose(zeroSpot.price, 50 * Math.exp(-0.1), 1e-12, 'put on a worthless asset');
  });

  test('no NaN or Infinity anywhere: expiry, zero vol, deep in and out of the money', () => {
    const extremeInput = fc.record({
      kind: kindArb,
      spot: fc.oneof(fc.constant(0), fc.double({ min: -14, max: 21, noNaN: true }).map(Math.exp)),
      strike: fc.oneof(fc.constant(0), fc.double({ min: -14, max: 21, noNaN: true }).map(Math.exp)),
      rate: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
      yield: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
      vol: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 20, noNaN: true })),
      timeYears: fc.oneof(fc.constant(0), fc.double({ min: 1e-8, max: 50, noNaN: true })),
    });
    fc.assert(
      fc.property(extremeInput, (input) => {
        const greeks = bsm(input);
        for (const key of KEYS) assert.ok(Number.isFinite(greeks[key]), `${key} = ${greeks[key]}`);
        assert.ok(greeks.price >= 0 && greeks.gamma >= 0 && greeks.vega >= 0);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  test('invalid input is rejected with option_input_invalid and the field named', () => {
    const good: BsmInput = { kind: 'call', spot: 100, strike: 100, rate: 0.05, yield: 0, vol: 0.2, timeYears: 1 };
    const cases: [Partial<BsmInput>, RegExp][] = [
      [{ vol: -0.1 }, /^option_input_invalid: vol must be >= 0$/],
      [{ spot: -1 }, /^option_input_invalid: spot must be >= 0$/],
      [{ strike: -1 }, /^option_input_invalid: strike must be >= 0$/],
      [{ timeYears: -0.5 }, /^option_input_invalid: timeYears must be >= 0$/],
      [{ spot: Number.NaN }, /^option_input_invalid: spot must be finite$/],
      [{ rate: Number.POSITIVE_INFINITY }, /^option_input_invalid: rate must be finite$/],
      [{ yield: Number.NaN }, /^option_input_invalid: yield must be finite$/],
      [{ vol: Number.POSITIVE_INFINITY }, /^option_input_invalid: vol must be finite$/],
    ];
    for (const [change, message] of cases) rejects(() => bsm({ ...good, ...change }), message);
    rejects(() => bsm({ ...good, kind: 'straddle' as OptionKind }), /^option_input_invalid: kind must be call or put$/);
    rejects(
      () => black76({ kind: 'call', forward: -1, strike: 1, rate: 0, vol: 0.2, timeYears: 1 }),
      /^option_input_invalid: forward must be >= 0$/,
    );
    // e^(-qT) with q = -100 over 10 years overflows float64: rejected rather than returned as Infinity.
    rejects(() => bsm({ ...good, yield: -100, timeYears: 10 }), /^option_input_invalid: result overflows float64$/);
  });
});
