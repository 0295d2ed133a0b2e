/**
 * Rounding never favours the account (DESIGN.md D1, STYLE.md habit 4): entry values, PnL and
 * requirements computed by the account valuation, compared with exact decimal.js computations of
 * the same formulas from the same document strings.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { MarginSpecDocument } from '../../../src/config/schema.js';
import { entryValueOf, unrealisedPnlOf, valueAccount } from '../../../src/risk/account/index.js';
import { FLOAT_NOISE_RELATIVE, parsePrice, parseSize } from '../../../src/risk/units/index.js';
import { Exact, exactOf, unitsOf, type Exact as ExactValue } from '../../support/exact.js';
import { brackets, flatCollateral, loadFixture, perpetual, position } from '../../support/riskDocument.js';
import { BINANCE_BTCUSDT_ROWS } from '../../support/tables.js';

// Report the failing assertion's message with the counterexample.
fc.configureGlobal({ includeErrorInReport: true });

const UNIT = new Exact('0.00000001');

/** A decimal string with up to `places` places, from an integer count of its smallest step. */
const decimalText = (min: number, max: number, places: number) =>
  fc.integer({ min, max }).map((n) => new Exact(n).div(new Exact(10).pow(places)).toFixed());

const sizeText = fc.tuple(fc.boolean(), decimalText(1, 2_000_000_000, 5)).map(([negative, s]) => `${negative ? '-' : ''}${s}`); // up to 20,000
const priceText = decimalText(1, 2_000_000_000, 4); // up to 200,000
const contractSizeText = fc.constantFrom('1', '0.001', '0.1', '10', '100');

describe('entry values and PnL round against the account', () => {
  test('linear entry value rounds up (a higher cost), inverse entry value rounds down (less coin owed)', () => {
    fc.assert(
      fc.property(sizeText, priceText, contractSizeText, fc.constantFrom('linear' as const, 'inverse' as const), (s, p, cs, settlement) => {
        const { params } = loadFixture({
          assets: { BTC: flatCollateral('1') },
          instruments: { X: perpetual({ underlying: 'BTC', quoteAsset: settlement === 'linear' ? 'USDT' : 'USD', settlement, contractSize: cs, margin: 'binance-btcusdt' }) },
          marks: {},
          account: {},
        });
        const instrument = params.instruments.get('X');
        assert.ok(instrument !== undefined);
        const quantity = new Exact(s).times(cs);
        const got = entryValueOf(instrument, parseSize(s), parsePrice(p));
        if (settlement === 'linear') assert.equal(got, unitsOf(quantity.times(p), 8, 'ceil'));
        else assert.equal(got, unitsOf(quantity.div(p), 8, 'floor'));
      }),
      { seed: 701, numRuns: 400 },
    );
  });

  test('unrealised PnL is never above the exact PnL from the entry price, and less than two units below it', () => {
    // Two roundings, each at most one unit against the account: the entry value and the PnL itself.
    fc.assert(
      fc.property(
        sizeText,
        priceText,
        priceText,
        contractSizeText,
        fc.constantFrom('linear' as const, 'inverse' as const),
        (s, entry, mark, cs, settlement) => {
          const { params, market, account } = loadFixture({
            assets: { BTC: flatCollateral('1') },
            instruments: { X: perpetual({ underlying: 'BTC', quoteAsset: settlement === 'linear' ? 'USDT' : 'USD', settlement, contractSize: cs, margin: 'binance-btcusdt' }) },
            prices: { BTC: mark },
            marks: { X: mark },
            account: { balances: { BTC: '1000000', USDT: '1000000000' }, positions: [position('X', s, entry)] },
          });
          const quantity = new Exact(s).times(cs);
          const exact: ExactValue =
            settlement === 'linear'
              ? quantity.times(new Exact(mark).minus(entry))
              : quantity.times(new Exact(1).div(entry).minus(new Exact(1).div(mark)));
          const held = account.positions[0];
          const instrument = params.instruments.get('X');
          assert.ok(held !== undefined && instrument !== undefined);
          const pnlUnits = unrealisedPnlOf(instrument, held.size, held.entryValue, parsePrice(mark));
          const pnl = exactOf(pnlUnits);
          assert.ok(pnl.lte(exact), `PnL ${pnl.toFixed()} above exact ${exact.toFixed()}`);
          assert.ok(pnl.gt(exact.minus(UNIT.times(2))), `PnL ${pnl.toFixed()} too far below exact ${exact.toFixed()}`);
          // In the valuation asset (USD) the settlement PnL is converted rounding down once more.
          const report = valueAccount(account, market, params).positions[0];
          assert.ok(report !== undefined);
          assert.equal(report.unrealisedPnlSettlement, pnlUnits);
          const settlementPrice = settlement === 'linear' ? new Exact(1) : new Exact(mark);
          assert.ok(exactOf(report.unrealisedPnl).lte(pnl.times(settlementPrice)));
        },
      ),
      { seed: 702, numRuns: 400 },
    );
  });
});

/** The exact bracket requirement of a notional, from the table's decimal strings. */
function exactBracketRequirement(rows: readonly (readonly [string, string, string])[], notional: ExactValue): { initial: ExactValue; maintenance: ExactValue } {
  let k = 0;
  rows.forEach(([floor], j) => {
    if (notional.gte(floor)) k = j;
  });
  let cum = new Exact(0);
  for (let j = 1; j <= k; j++) cum = cum.plus(new Exact(rows[j]?.[0] ?? 0).times(new Exact(rows[j]?.[1] ?? 0).minus(rows[j - 1]?.[1] ?? 0)));
  const [, rate, leverage] = rows[k] ?? ['0', '0', '1'];
  const maintenance = notional.times(rate).minus(cum);
  const initial = notional.div(leverage);
  return { initial: initial.gt(maintenance) ? initial : maintenance, maintenance };
}

interface RequirementCase {
  readonly margin: MarginSpecDocument;
  readonly exact: (notional: ExactValue, size: ExactValue) => { initial: ExactValue; maintenance: ExactValue };
}

const bracketCase: RequirementCase = { margin: brackets(BINANCE_BTCUSDT_ROWS), exact: (n) => exactBracketRequirement(BINANCE_BTCUSDT_ROWS, n) };
const deribitCase: RequirementCase = {
  margin: { model: 'linearInSize', initialRate: '0.02', maintenanceRate: '0.01', initialRatePerUnit: '0.00005', maintenanceRatePerUnit: '0.00005' },
  exact: (n, q) => ({ initial: n.times(new Exact('0.02').plus(q.times('0.00005'))), maintenance: n.times(new Exact('0.01').plus(q.times('0.00005'))) }),
};

function requirementOfDocument(c: RequirementCase, s: string, p: string) {
  const { params, market, account } = loadFixture({
    instruments: { X: perpetual({ underlying: 'BTC', quoteAsset: 'USDT', margin: c.margin }) },
    marks: { X: p },
    account: { balances: { USDT: '1000000000000' }, positions: [position('X', s, p)] },
  });
  const report = valueAccount(account, market, params).positions[0];
  assert.ok(report !== undefined);
  const q = new Exact(s).abs();
  return { got: { initial: exactOf(report.initialMargin), maintenance: exactOf(report.maintenanceMargin) }, exact: c.exact(q.times(p), q) };
}

describe('requirements round up', () => {
  // Up to 100 BTC at up to 100,000: notionals below 1e7. Requirements round up, except that a
  // float within a few ulps (FLOAT_NOISE_RELATIVE) of a unit is taken as that unit, so that
  // 2% + 25 x 0.005% charges 53,125 and not 53,125.00000001: the requirement is never below the
  // exact figure by more than that relative noise.
  const moderateSize = decimalText(1, 10_000_000, 5);
  const moderatePrice = decimalText(1, 10_000_000, 2);

  test('IM and MM are never below the exact requirement and about one unit above it at most (notional < 1e7)', () => {
    fc.assert(
      fc.property(fc.constantFrom(bracketCase, deribitCase), fc.boolean(), moderateSize, moderatePrice, (c, short, s, p) => {
        const { got, exact } = requirementOfDocument(c, short ? `-${s}` : s, p);
        for (const side of ['initial', 'maintenance'] as const) {
          const noise = exact[side].times(FLOAT_NOISE_RELATIVE);
          assert.ok(got[side].gte(exact[side].minus(noise)), `${side} ${got[side].toFixed()} below exact ${exact[side].toFixed()}`);
          // Float64 error may add a unit on top of rounding up (against the account, as allowed).
          const slack = exact[side].times('1e-15');
          assert.ok(got[side].lte(exact[side].plus(UNIT).plus(slack)), `${side} ${got[side].toFixed()} more than a unit above ${exact[side].toFixed()}`);
        }
      }),
      { seed: 711, numRuns: 600 },
    );
  });

  test('at any notional, requirements are within float64 precision of rounding up', () => {
    // Above 2^53 units (about 90 million) float64 cannot resolve a unit; the requirement is then
    // the exact figure to within a relative 1e-15: requirements are float64 risk measures (DESIGN.md
    // D1); docs/methodology/linear-margin.md, Precision.
    const largeSize = decimalText(1, 2_000_000_000, 5); // up to 20,000 BTC
    fc.assert(
      fc.property(fc.constantFrom(bracketCase, deribitCase), largeSize, moderatePrice, (c, s, p) => {
        const { got, exact } = requirementOfDocument(c, s, p);
        for (const side of ['initial', 'maintenance'] as const) {
          const slack = exact[side].times('1e-15');
          assert.ok(got[side].gte(exact[side].minus(slack)), `${side} ${got[side].toFixed()} below exact ${exact[side].toFixed()}`);
          assert.ok(got[side].lte(exact[side].plus(UNIT).plus(slack)));
        }
      }),
      { seed: 712, numRuns: 400 },
    );
  });
});
