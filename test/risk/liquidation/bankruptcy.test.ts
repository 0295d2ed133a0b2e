import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bankruptcyValuesOf } from '../../../src/risk/liquidation/bankruptcy.js';
import { amount, parseAmount } from '../../../src/risk/units/quantities.js';

const usd = (text: string) => parseAmount(text);

describe('bankruptcy values (dYdX: the price at which closing leaves zero equity)', () => {
  it('long 0.1 BTC with USDC -4,501 at 50,000: the bankruptcy quote is 4,501 (price 45,010)', () => {
    const r = bankruptcyValuesOf(usd('-4501'), [{ kappa: 1, markValue: usd('5000') }]);
    assert.deepEqual(r.values, [usd('4501')]);
    assert.equal(r.cashAtMark, usd('499'));
    assert.equal(r.unplaced, 0n);
  });

  it('a short past bankruptcy: its value falls below mark by the deficit', () => {
    // Short 1 at 100 (cash +100 +10 margin), mark 130: cash at mark 110 - 130 = -20; bankruptcy value 110.
    const r = bankruptcyValuesOf(usd('110'), [{ kappa: -1, markValue: usd('130') }]);
    assert.deepEqual(r.values, [usd('110')]);
    assert.equal(r.cashAtMark, usd('-20'));
  });

  it('spreads a deficit over several positions pro-rata to their value at mark', () => {
    const r = bankruptcyValuesOf(usd('-330'), [
      { kappa: 1, markValue: usd('200') },
      { kappa: 1, markValue: usd('100') },
    ]);
    assert.equal(r.cashAtMark, usd('-30'));
    assert.deepEqual(r.values, [usd('220'), usd('110')]);
  });

  it('law: closing at the bankruptcy values leaves exactly zero (what no value can take is returned)', () => {
    const leg = fc.record({ kappa: fc.constantFrom(1 as const, -1 as const), markValue: fc.bigInt({ min: 1n, max: 10n ** 15n }).map(amount) });
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.array(leg, { minLength: 1, maxLength: 5 }), (cash, legs) => {
        const r = bankruptcyValuesOf(cash, legs);
        const after = legs.reduce((t, l, i) => t + BigInt(l.kappa) * (r.values[i] as bigint), cash);
        assert.equal(after + r.unplaced, 0n);
        for (const v of r.values) assert.ok(v >= 1n, 'a value stays positive');
        if (r.cashAtMark < 0n && legs.some((l) => l.kappa === 1)) assert.equal(r.unplaced, 0n);
      }),
      { seed: 67, numRuns: 500 },
    );
  });
});
