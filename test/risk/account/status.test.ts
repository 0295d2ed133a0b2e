/**
 * Account status by bands on the margin ratio (src/risk/account/status.ts, METHODS.md §2 Binance
 * uniMMR bands): the status is the band the ratio falls in, it only worsens as collateral falls,
 * and a healthy account always covers its maintenance margin.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  STATUS_BANDS_DEFAULT,
  STATUS_ORDER,
  statusOf,
  valueAccount,
  worstStatus,
  type Status,
  type StatusBands,
} from '../../../src/risk/account/index.js';
import { amount } from '../../../src/risk/units/index.js';
import { Exact, exactOf } from '../../support/exact.js';
import { loadFixture, perpetual, position } from '../../support/riskDocument.js';
import { build, poolAt, scenario } from './scenarios.js';

// Report the failing assertion's message with the counterexample.
fc.configureGlobal({ includeErrorInReport: true });

const rank = (s: Status): number => STATUS_ORDER.indexOf(s);

/** Bands as a document writes them: liquidation <= reduceOnly <= marginCall, in thousandths. */
const bands = (liquidationMin: number): fc.Arbitrary<StatusBands> =>
  fc
    .tuple(fc.integer({ min: liquidationMin, max: 3_000 }), fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: 1_000 }))
    .map(([l, r, m]) => ({ liquidation: l / 1000, reduceOnly: (l + r) / 1000, marginCall: (l + r + m) / 1000 }));

const units = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n });
const positiveUnits = fc.bigInt({ min: 0n, max: 10n ** 15n });

/** The band the exact ratio falls in, read straight from METHODS.md §2 and DESIGN.md. */
function referenceStatus(equity: bigint, collateral: bigint, mm: bigint, atRisk: boolean, b: StatusBands): Status {
  if (equity < 0n || (equity === 0n && atRisk)) return 'bankrupt';
  if (!atRisk) return 'healthy';
  if (mm === 0n) return collateral < 0n ? 'liquidatable' : 'healthy';
  const ratio = exactOf(collateral).div(exactOf(mm));
  if (ratio.lt(new Exact(b.liquidation))) return 'liquidatable';
  if (ratio.lt(new Exact(b.reduceOnly))) return 'reduce_only';
  if (ratio.lt(new Exact(b.marginCall))) return 'margin_call';
  return 'healthy';
}

describe('status by bands', () => {
  test('the status is the band the exact margin ratio falls in', () => {
    fc.assert(
      fc.property(units, units, positiveUnits, fc.boolean(), bands(1), (equity, collateral, mm, atRisk, b) => {
        const got = statusOf({ equity: amount(equity), collateralMaintenance: amount(collateral), maintenanceMargin: amount(mm), atRisk, bands: b });
        assert.equal(got, referenceStatus(equity, collateral, mm, atRisk, b));
      }),
      { seed: 801, numRuns: 3000 },
    );
  });

  test('ratios on the band edges: exactly 1.5 is healthy, 1.2 margin call, 1.0 reduce-only (METHODS.md §2 bands)', () => {
    const at = (collateral: number, mm = 1000) =>
      statusOf({ equity: amount(BigInt(collateral) * 10n ** 8n), collateralMaintenance: amount(BigInt(collateral) * 10n ** 8n), maintenanceMargin: amount(BigInt(mm) * 10n ** 8n), atRisk: true, bands: STATUS_BANDS_DEFAULT });
    assert.equal(at(1600), 'healthy');
    assert.equal(at(1500), 'healthy');
    assert.equal(at(1499), 'margin_call');
    assert.equal(at(1200), 'margin_call');
    assert.equal(at(1199), 'reduce_only');
    assert.equal(at(1000), 'reduce_only'); // ratio 1.0 is not below the liquidation band
    assert.equal(at(999), 'liquidatable');
    assert.equal(at(0), 'bankrupt');
    assert.equal(
      statusOf({ equity: amount(0n), collateralMaintenance: amount(0n), maintenanceMargin: amount(0n), atRisk: false, bands: STATUS_BANDS_DEFAULT }),
      'healthy',
      'an empty account is healthy',
    );
  });

  test('less collateral never improves the status; nor does less equity', () => {
    fc.assert(
      fc.property(units, positiveUnits, positiveUnits, positiveUnits, fc.boolean(), bands(1), (equity, c1, c2, mm, atRisk, b) => {
        const [low, high] = c1 <= c2 ? [c1, c2] : [c2, c1];
        const status = (e: bigint, c: bigint) => statusOf({ equity: amount(e), collateralMaintenance: amount(c), maintenanceMargin: amount(mm), atRisk, bands: b });
        assert.ok(rank(status(equity, low)) >= rank(status(equity, high)));
        assert.ok(rank(status(equity - 1n, high)) >= rank(status(equity, high)));
      }),
      { seed: 802, numRuns: 2000 },
    );
  });

  test('a healthy status never has MM-weighted collateral below MM (any bands at or above 1)', () => {
    fc.assert(
      fc.property(units, units, positiveUnits, fc.boolean(), bands(1000), (equity, collateral, mm, atRisk, b) => {
        const s = statusOf({ equity: amount(equity), collateralMaintenance: amount(collateral), maintenanceMargin: amount(mm), atRisk, bands: b });
        if (s === 'healthy' && atRisk) assert.ok(collateral >= mm, `healthy with collateral ${collateral} < MM ${mm}`);
        if (s === 'healthy' || s === 'margin_call' || s === 'reduce_only') assert.ok(!atRisk || collateral >= mm);
      }),
      { seed: 803, numRuns: 2000 },
    );
  });

  test('a healthy account never has MM-weighted collateral below MM, in any pool (random accounts)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const b = build(s);
        const { params, market, account } = b.loaded;
        const figures = valueAccount(account, market, params);
        for (const pool of figures.pools) {
          if (pool.status === 'healthy') assert.ok(pool.collateralMaintenance >= pool.maintenanceMargin);
        }
        if (figures.status === 'healthy') assert.ok(figures.collateralMaintenance >= figures.maintenanceMargin);
        assert.equal(figures.status, worstStatus(figures.pools.map((p) => p.status)));
      }),
      { seed: 804, numRuns: 300 },
    );
  });

  test('as the price moves against a stablecoin-margined position, its pool walks through the bands in order and never back', () => {
    fc.assert(
      fc.property(scenario, fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 5, maxLength: 12 }), (s, steps) => {
        // One linear position margined in a stablecoin. With collateral in the underlying, or a
        // coin-margined inverse short, a move "against" the position is partly hedged and the
        // ratio may legitimately improve, so those are not part of this law.
        const b = build({ ...s, settlement: 'linear', btcMilli: 0, other: null });
        const mark = b.loaded.market.marks.get(b.symbol);
        assert.ok(mark !== undefined);
        let p: bigint = mark;
        let previous = rank(poolAt(b, p).status);
        for (const bp of steps) {
          // Adverse moves of 0.01% to 4% each: down for a long, up for a short.
          const move = (p * BigInt(bp)) / 10_000n;
          p = s.long ? p - move : p + move;
          if (p <= 0n) break;
          const current = rank(poolAt(b, p).status);
          assert.ok(current >= previous, `status improved from ${STATUS_ORDER[previous]} to ${STATUS_ORDER[current]} at ${p}`);
          previous = current;
        }
      }),
      { seed: 805, numRuns: 150 },
    );
  });

  test('a long walks healthy, margin call, reduce-only, liquidatable, bankrupt as its mark falls', () => {
    const statusAt = (mark: string) => {
      const loaded = loadFixture({
        instruments: { BTCUSDT: perpetual({ underlying: 'BTC', quoteAsset: 'USDT', margin: 'binance-btcusdt' }) },
        prices: { BTC: mark },
        marks: { BTCUSDT: mark },
        account: { mode: 'isolated', positions: [position('BTCUSDT', '1', '20000', { isolatedMargin: '400' })] },
      });
      return valueAccount(loaded.account, loaded.market, loaded.params).status;
    };
    // Isolated long 1 BTC at 20,000 with 400 margin: collateral 400 + (p - 20,000); the first
    // BTCUSDT bracket gives MM 0.004 p. Default bands 1.5 / 1.2 / 1.0. 19,800: 200/79.2 = 2.5 healthy;
    // 19,720: 120/78.88 = 1.52 healthy; 19,710: 110/78.84 = 1.395 margin call;
    // 19,690: 90/78.76 = 1.14 reduce-only; 19,675: 75/78.7 = 0.953 liquidatable; 19,600: bankrupt.
    assert.deepEqual(
      ['19800', '19720', '19710', '19690', '19675', '19600', '19000'].map(statusAt),
      ['healthy', 'healthy', 'margin_call', 'reduce_only', 'liquidatable', 'bankrupt', 'bankrupt'],
    );
  });

  test('the worst pool decides the account status', () => {
    assert.equal(worstStatus([]), 'healthy');
    for (const a of STATUS_ORDER) for (const b of STATUS_ORDER) assert.equal(worstStatus([a, b]), rank(a) >= rank(b) ? a : b);
  });
});
