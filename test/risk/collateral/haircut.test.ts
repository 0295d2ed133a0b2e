/**
 * Collateral haircuts (src/risk/collateral/haircut.ts, METHODS.md §2): the Bybit worked figure, and
 * the laws every schedule keeps: a holding never counts for more than it is worth, more of it never
 * counts for less, and in an account its value rounds down (against the account).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { COLLATERAL_PRESETS } from '../../../src/config/presets.js';
import { valueAccount } from '../../../src/risk/account/index.js';
import { haircutValue, type HaircutSchedule } from '../../../src/risk/collateral/index.js';
import { cents, centsOfFloat, exactOf } from '../../support/exact.js';
import { flatCollateral, loadFixture } from '../../support/riskDocument.js';

// Report the failing assertion's message with the counterexample.
fc.configureGlobal({ includeErrorInReport: true });

function bybitBtc(): HaircutSchedule {
  const preset = COLLATERAL_PRESETS['bybit-btc-tiered'];
  assert.ok(preset !== undefined);
  return preset.maintenance;
}

const weight = fc.integer({ min: 0, max: 10_000 }).map((n) => n / 10_000);

const schedule: fc.Arbitrary<HaircutSchedule> = fc.oneof(
  weight.map((w) => ({ kind: 'flat' as const, weight: w })),
  fc.tuple(weight, fc.integer({ min: 0, max: 10_000 })).map(([w, imf]) => ({ kind: 'sizeDiscount' as const, weight: w, imfFactor: imf / 1_000_000 })),
  fc
    .tuple(fc.constantFrom('quantity' as const, 'value' as const), fc.array(fc.tuple(fc.integer({ min: 1, max: 1_000_000 }), weight), { maxLength: 6 }), weight)
    .map(([basis, rows, first]) => {
      // Weights that fall tier by tier, as every venue's do (a larger holding is harder to sell).
      let floor = 0;
      let w = first;
      const tiers = [{ floor: 0, weight: first }];
      for (const [gap, next] of rows) {
        floor += gap;
        w = Math.min(w, next);
        tiers.push({ floor, weight: w });
      }
      return { kind: 'tiered' as const, basis, tiers };
    }),
);

const quantity = fc.bigInt({ min: 0n, max: 10n ** 15n }).map((n) => Number(n) / 1e8); // up to 10 million units
const unitPrice = fc.integer({ min: 1, max: 100_000_000 }).map((n) => n / 100);

describe('collateral haircuts', () => {
  test('Bybit tiered BTC: 25 BTC at 60,000 counts for 1,428,000', () => {
    // METHODS.md §2 (derived): (10 x 0.98 + 10 x 0.95 + 5 x 0.90) x 60,000 = 1,428,000.
    const v = haircutValue(bybitBtc(), 25, 60_000);
    assert.equal(centsOfFloat(v.value), '1428000.00');
    assert.equal(v.weight.toFixed(6), '0.952000');
    assert.match(v.rule, /10 x 0\.98 \+ 10 x 0\.95 \+ 5 x 0\.9 at 60000/);
    // The same holding in a cross account loaded from a document.
    const { params, market, account } = loadFixture({
      assets: { BTC: 'bybit-btc-tiered' },
      instruments: {},
      prices: { BTC: '60000' },
      marks: {},
      account: { balances: { BTC: '25' } },
    });
    const figures = valueAccount(account, market, params);
    assert.equal(cents(figures.equity), '1500000.00');
    assert.equal(cents(figures.collateralMaintenance), '1428000.00');
    assert.equal(cents(figures.collateralInitial), '1428000.00');
    assert.equal(cents(figures.freeCollateral), '1428000.00');
    assert.equal(figures.status, 'healthy');
  });

  test('Bybit tiered BTC: nothing counts beyond 50 BTC', () => {
    // METHODS.md §2: > 50: 0. (9.8 + 9.5 + 9 + 8.5 + 8) = 44.8 BTC-equivalents at most.
    assert.equal(centsOfFloat(haircutValue(bybitBtc(), 50, 60_000).value), centsOfFloat(44.8 * 60_000));
    assert.equal(centsOfFloat(haircutValue(bybitBtc(), 80, 60_000).value), centsOfFloat(44.8 * 60_000));
  });

  test('a holding never counts for more than its value, nor for less than nothing', () => {
    fc.assert(
      fc.property(schedule, quantity, unitPrice, (s, q, p) => {
        const v = haircutValue(s, q, p);
        assert.ok(v.value >= 0);
        assert.ok(v.value <= q * p * (1 + 1e-12), `${v.value} > ${q * p} (${v.rule})`);
      }),
      { seed: 401, numRuns: 2000 },
    );
  });

  test('more of a holding never counts for less', () => {
    fc.assert(
      fc.property(schedule, quantity, quantity, unitPrice, (s, a, b, p) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const vs = haircutValue(s, small, p).value;
        const vl = haircutValue(s, large, p).value;
        // Drift's size discount weight falls with size, but never fast enough to lower the value:
        // q / (1 + imf sqrt(q)) grows with q.
        assert.ok(vl >= vs * (1 - 1e-12), `${s.kind}: ${vs} at ${small} but ${vl} at ${large}`);
      }),
      { seed: 402, numRuns: 2000 },
    );
  });

  test('in an account, collateral rounds down to within float64 precision of the exact haircut value', () => {
    // Flat weights as a document writes them (decimal strings), valued exactly with decimal.js.
    const balance = fc.bigInt({ min: 0n, max: 10n ** 16n }); // up to 100 million units
    const priceUnits = fc.bigInt({ min: 1n, max: 10n ** 14n });
    const weightText = fc.integer({ min: 0, max: 10_000 }).map((n) => (n / 10_000).toString());
    fc.assert(
      fc.property(balance, priceUnits, weightText, (b, p, w) => {
        const priceText = exactOf(p).toFixed();
        const balanceText = exactOf(b).toFixed();
        const { params, market, account } = loadFixture({
          assets: { ETH: flatCollateral(w) },
          instruments: {},
          prices: { ETH: priceText },
          marks: {},
          account: { balances: { ETH: balanceText } },
        });
        const figures = valueAccount(account, market, params);
        const exactValue = exactOf(b).times(exactOf(p));
        const exactWeighted = exactValue.times(w);
        const got = exactOf(figures.collateralMaintenance);
        const unit = exactOf(1n);
        // The value is a float64 product before it rounds down: allow its relative error (1e-15, under
        // a unit below ten million) and nothing more: collateral is a float64 risk measure (DESIGN.md D1),
        // rounded down; docs/methodology/linear-margin.md, Precision.
        assert.ok(got.lte(exactWeighted.times(1 + 1e-15).plus(unit.div(1e4))), `${got} > exact ${exactWeighted}`);
        assert.ok(got.gt(exactWeighted.times(1 - 1e-15).minus(unit.times(2))), `${got} too far below ${exactWeighted}`);
        // Equity is exact bigint arithmetic, rounded down.
        assert.ok(exactOf(figures.equity).lte(exactValue) && exactOf(figures.equity).gt(exactValue.minus(unit)));
      }),
      { seed: 403, numRuns: 300 },
    );
  });

});
