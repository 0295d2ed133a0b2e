import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { limitStep, planReductions, sizeToCover } from '../../../src/risk/liquidation/sizing.js';

const close = (actual: number, expected: number, digits = 9) =>
  assert.ok(Math.abs(actual - expected) < 10 ** -digits, `${actual} != ${expected}`);

describe('liquidation sizing (Drift v2, METHODS.md §4)', () => {
  it('covers a $10 shortage at a 10% ratio and $100 with 1, 1.111111111 and 1.25 units as fees grow', () => {
    const base = { shortage: 10, price: 100, marginRatioWithBuffer: 0.1, liquidatorFee: 0, insuranceFee: 0 };
    const size = (fees: Partial<typeof base>) => {
      const r = sizeToCover({ ...base, ...fees });
      assert.equal(r.kind, 'size');
      return r.kind === 'size' ? r.size : NaN;
    };
    close(size({}), 1);
    close(size({ liquidatorFee: 0.01 }), 1.111111111);
    close(size({ liquidatorFee: 0.01, insuranceFee: 0.01 }), 1.25);
  });

  it("reproduces Drift's full example: long 2 SOL, quote -200, $5 USDC: 1.8 SOL liquidated, 0.2 left, quote -23.60", () => {
    // MMR 5% + buffer 2% = 7%; collateral = 5 + 2 x 100 - 200 = 5; MM with buffer 2 x 100 x 7% = 14.
    const shortage = 2 * 100 * 0.07 - 5;
    close(shortage, 9);
    const r = sizeToCover({ shortage, price: 100, marginRatioWithBuffer: 0.07, liquidatorFee: 0.01, insuranceFee: 0.01 });
    assert.ok(r.kind === 'size');
    close(r.size, 1.8);
    const fee = r.size * 100 * 0.01;
    close(fee, 1.8);
    const quote = -200 + r.size * 100 - 2 * fee;
    close(quote, -23.6);
    const left = 2 - r.size;
    close(left, 0.2);
    // What is left sits exactly at MM plus the buffer: 5 + 0.2 x 100 - 23.60 = 1.40 = 0.2 x 100 x 7%.
    close(5 + left * 100 + quote, left * 100 * 0.07);
  });

  it('says "whole" when fees exceed the margin a unit frees', () => {
    assert.equal(sizeToCover({ shortage: 1, price: 100, marginRatioWithBuffer: 0.02, liquidatorFee: 0.015, insuranceFee: 0.01 }).kind, 'whole');
  });

  it('planReductions closes first what frees the most margin per unit of value, and no more than the shortage needs', () => {
    const plan = planReductions(50, [
      { instrument: 'ETH', size: 10, unitValue: 1_000, marginPerUnitWithBuffer: 50, feePerUnit: 10 }, // 4% net
      { instrument: 'BTC', size: 1, unitValue: 50_000, marginPerUnitWithBuffer: 3_500, feePerUnit: 500 }, // 6% net
    ]);
    assert.equal(plan[0]?.instrument, 'BTC');
    close(plan[0]?.size ?? NaN, 50 / 3_000);
    assert.equal(plan.length, 1);
  });

  it('the plan never covers more than the shortage, and covers it whenever the positions can', () => {
    const candidate = fc.record({
      instrument: fc.constantFrom('A', 'B', 'C', 'D'),
      size: fc.double({ min: 0.001, max: 100, noNaN: true }),
      unitValue: fc.double({ min: 1, max: 1e5, noNaN: true }),
      marginPerUnitWithBuffer: fc.double({ min: 0.01, max: 1e4, noNaN: true }),
      feePerUnit: fc.double({ min: 0, max: 1e3, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e6, noNaN: true }), fc.uniqueArray(candidate, { selector: (c) => c.instrument, maxLength: 4 }), (shortage, candidates) => {
        const plan = planReductions(shortage, candidates);
        const covered = plan.reduce((t, p) => t + p.covers, 0);
        assert.ok(covered <= shortage * (1 + 1e-12));
        const capacity = candidates.reduce((t, c) => t + Math.max(0, c.marginPerUnitWithBuffer - c.feePerUnit) * c.size, 0);
        if (capacity >= shortage) assert.ok(covered >= shortage * (1 - 1e-9));
        for (const p of plan) assert.ok(p.size <= (candidates.find((c) => c.instrument === p.instrument)?.size ?? 0));
      }),
      { seed: 31, numRuns: 300 },
    );
  });
});

describe('step limits (dYdX, Hyperliquid)', () => {
  const limits = { fractionMax: 0.1, notionalMinPerStep: 1_000, notionalMaxPerAccountStep: 100_000, remainderMin: 50 };

  it('takes at most 10% of a position per step, but at least 1,000 of notional', () => {
    close(limitStep(100, 100, 100, limits), 10); // 10% of 100 contracts
    close(limitStep(100, 5, 100, limits), 5); // 10% is 50 of notional: the 1,000 minimum takes it whole
  });

  it('never exceeds the per-account notional per step', () => {
    close(limitStep(1e9, 1e6, 1_000, { ...limits, fractionMax: 1 }), 100);
  });

  it('closes a position whole when the remainder would be dust', () => {
    close(limitStep(9.99, 10, 100, { ...limits, fractionMax: 1, notionalMinPerStep: 0 }), 10);
  });
});
