import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cappedFees, chargeOf, insuranceFundDeltaOfFill } from '../../../src/risk/liquidation/fees.js';
import { amount, parseAmount, parseRate, type Amount } from '../../../src/risk/units/quantities.js';

const usd = (text: string) => parseAmount(text);

describe('insurance fund share of a liquidation fill (dYdX, METHODS.md §4)', () => {
  // Long 0.1 BTC, bankruptcy 51,000 (value 5,100), fill at 56,100 (value 5,610).
  const fill = { side: 'long' as const, fillValue: usd('5610'), bankruptcyValue: usd('5100') };

  it('takes +28.05 at a 0.5% cap, +140.25 at 2.5%, +510 uncapped', () => {
    assert.equal(insuranceFundDeltaOfFill({ ...fill, cap: parseRate('0.005') }), usd('28.05'));
    assert.equal(insuranceFundDeltaOfFill({ ...fill, cap: parseRate('0.025') }), usd('140.25'));
    assert.equal(insuranceFundDeltaOfFill({ ...fill, cap: 'uncapped' }), usd('510'));
  });

  it('pays when the fill is worse than bankruptcy: a long sold at 50,000 costs the fund 100', () => {
    assert.equal(insuranceFundDeltaOfFill({ side: 'long', fillValue: usd('5000'), bankruptcyValue: usd('5100'), cap: parseRate('0.015') }), usd('-100'));
  });

  it('mirrors for a short bought back: above bankruptcy the fund pays, below it takes its capped share', () => {
    assert.equal(insuranceFundDeltaOfFill({ side: 'short', fillValue: usd('5200'), bankruptcyValue: usd('5100'), cap: parseRate('0.015') }), usd('-100'));
    assert.equal(insuranceFundDeltaOfFill({ side: 'short', fillValue: usd('4000'), bankruptcyValue: usd('5100'), cap: parseRate('0.015') }), usd('60'));
  });
});

describe('liquidation fees never push the account past bankruptcy', () => {
  it('charges both fees in full while the equity holds them, the liquidator first when it does not', () => {
    const rates = { liquidatorRate: parseRate('0.01'), insuranceRate: parseRate('0.01') };
    assert.deepEqual(cappedFees({ value: usd('180'), ...rates, room: usd('100') }), { liquidator: usd('1.8'), insurance: usd('1.8') });
    assert.deepEqual(cappedFees({ value: usd('180'), ...rates, room: usd('2.5') }), { liquidator: usd('1.8'), insurance: usd('0.7') });
    assert.deepEqual(cappedFees({ value: usd('180'), ...rates, room: usd('-3') }), { liquidator: usd('0'), insurance: usd('0') });
  });

  it('law: fees are non-negative, never above their rate (rounded up) and never above the room', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 16n }), fc.bigInt({ min: 0n, max: 10n ** 11n }), fc.bigInt({ min: 0n, max: 10n ** 11n }), fc.bigInt({ min: -(10n ** 12n), max: 10n ** 14n }), (v, lr, ir, r) => {
        const value = amount(v);
        const f = cappedFees({ value, liquidatorRate: lr as never, insuranceRate: ir as never, room: amount(r) });
        assert.ok(f.liquidator >= 0n && f.insurance >= 0n);
        assert.ok(f.liquidator + f.insurance <= (r > 0n ? r : 0n));
        assert.ok(f.liquidator <= chargeOf(value, lr as never) && f.insurance <= chargeOf(value, ir as never));
      }),
      { seed: 61, numRuns: 500 },
    );
  });

  it('rounds a fee up, against the account: 1% of 0.00000001 is 0.00000001', () => {
    assert.equal(chargeOf(1n as Amount, parseRate('0.01')), 1n);
  });
});
