/**
 * Laws of the liquidation and bankruptcy prices (src/risk/account/adversePrice.ts) for isolated and
 * cross pools, linear and inverse, long and short: the reported grid price is where the pool's own
 * valuation crosses the threshold, it is not crossed one grid step before, and the jump between the
 * two is one grid step's worth of value (plus rounding), so the figure is as close to the exact
 * crossing as the 1e-8 price grid allows.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { valueAccount, type PoolFigures, type PriceOutcome } from '../../../src/risk/account/index.js';
import { price, toNumber } from '../../../src/risk/units/quantities.js';
import { exactOf } from '../../support/exact.js';
import { brackets, flatCollateral, loadFixture, perpetual, position } from '../../support/riskDocument.js';
import { build, poolAt, scenario, type Built } from './scenarios.js';

// Report the failing assertion's message with the counterexample.
fc.configureGlobal({ includeErrorInReport: true });

const excessOf = (f: PoolFigures): bigint => f.collateralMaintenance - f.maintenanceMargin;
const USD_UNIT = 1e-8;
const usd = (units: bigint): number => Number(units) / 1e8;

/** One grid step's worth of the pool's value, plus the rounding of each figure, in USD. */
function stepWorth(b: Built, f: PoolFigures, p: bigint): number {
  const settlementUsd = toNumber(b.loaded.market.prices.get('BTC') ?? price(1n), 'Price') * (Number(p) / Number(b.loaded.market.marks.get(b.symbol)));
  const scale = Math.abs(toNumber(f.collateralMaintenance, 'Amount')) + toNumber(f.maintenanceMargin, 'Amount') + toNumber(f.notional, 'Amount');
  // MM moves by at most MM / p per unit of price: linear MM is notional x a rate that does not
  // fall with size; inverse MM in USD is fixed but for the size terms of Deribit (1/p) and Drift
  // (1/sqrt(p)), which make MM explode as p nears zero.
  const mmSlope = toNumber(f.maintenanceMargin, 'Amount') / toNumber(price(p), 'Price');
  return (
    (b.slope + mmSlope) * 1e-8 + // one price step
    4 * USD_UNIT + // PnL floor, collateral floor, MM ceil, entry value
    3 * settlementUsd * USD_UNIT + // the same roundings in BTC units (inverse, BTC collateral)
    1e-14 * scale // float64 risk measures
  );
}

function describeOutcome(o: PriceOutcome): string {
  return o.kind === 'price' ? exactOf(o.price).toFixed() : o.kind;
}

function checkAdversePrice(
  b: Built,
  outcome: PriceOutcome,
  long: boolean,
  crossed: (f: PoolFigures) => boolean,
  margin: (f: PoolFigures) => bigint,
  label: string,
): void {
  const mark = b.loaded.market.marks.get(b.symbol);
  assert.ok(mark !== undefined);
  if (outcome.kind === 'now') {
    assert.ok(crossed(poolAt(b, mark)), `${label}: "now" but not crossed at the mark`);
    return;
  }
  if (outcome.kind === 'none') {
    assert.ok(!crossed(poolAt(b, mark)));
    assert.ok(!crossed(poolAt(b, long ? 1n : mark * 1_000_000n)), `${label}: "none" but crossed at the far end`);
    return;
  }
  const at = outcome.price;
  const before = long ? at + 1n : at - 1n;
  assert.ok(long ? at < mark : at > mark, `${label}: ${describeOutcome(outcome)} is not adverse to the mark`);
  // It is the first crossing: no price sampled between the mark and it has crossed.
  for (let i = 1n; i < 8n; i++) {
    const between = mark + ((at - mark) * i) / 8n;
    assert.ok(!crossed(poolAt(b, between)), `${label}: crossed at ${exactOf(between).toFixed()}, before ${describeOutcome(outcome)}`);
  }
  const fAt = poolAt(b, at);
  const fBefore = poolAt(b, before);
  assert.ok(crossed(fAt), `${label}: not crossed at ${describeOutcome(outcome)}`);
  assert.ok(!crossed(fBefore), `${label}: already crossed one grid step before ${describeOutcome(outcome)}`);
  const jump = usd(margin(fBefore)) - usd(margin(fAt));
  const worth = stepWorth(b, fAt, at);
  assert.ok(jump >= 0 && jump <= worth, `${label}: the last grid step moved ${jump} USD, more than one step's worth ${worth}`);
  // So the figure at the reported price is within one step's worth of the threshold.
  assert.ok(usd(margin(fAt)) <= 0 && usd(margin(fAt)) >= -worth);
}

describe('liquidation and bankruptcy prices', () => {
  test('at the liquidation price MM-weighted collateral meets MM within one grid step, and not one step before', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(scenario, (s) => {
        const b = build(s);
        const { params, market, account } = b.loaded;
        const report = valueAccount(account, market, params).positions.find((p) => p.instrument === b.symbol);
        assert.ok(report !== undefined);
        const label = `${s.settlement} ${s.mode} ${s.long ? 'long' : 'short'}`;
        seen.set(`${label} ${report.liquidationPrice.kind}`, (seen.get(`${label} ${report.liquidationPrice.kind}`) ?? 0) + 1);
        checkAdversePrice(b, report.liquidationPrice, s.long, (f) => f.collateralMaintenance < f.maintenanceMargin, excessOf, `${label} LP`);
        checkAdversePrice(b, report.bankruptcyPrice, s.long, (f) => f.equity <= 0n, (f) => f.equity, `${label} BP`);
        // Liquidation comes before bankruptcy on the way down (long) or up (short).
        const lp = report.liquidationPrice;
        const bp = report.bankruptcyPrice;
        if (lp.kind === 'price' && bp.kind === 'price') assert.ok(s.long ? lp.price >= bp.price : lp.price <= bp.price, `${label}: LP ${describeOutcome(lp)} beyond BP ${describeOutcome(bp)}`);
        if (bp.kind === 'now') assert.equal(lp.kind, 'now');
        if (lp.kind === 'none') assert.equal(bp.kind, 'none');
      }),
      { seed: 601, numRuns: 400 },
    );
    // Every combination of settlement, margin mode and side found a liquidation price.
    for (const settlement of ['linear', 'inverse']) {
      for (const mode of ['isolated', 'cross']) {
        for (const side of ['long', 'short']) {
          assert.ok((seen.get(`${settlement} ${mode} ${side} price`) ?? 0) >= 10, `too few ${settlement} ${mode} ${side} cases: ${JSON.stringify([...seen])}`);
        }
      }
    }
  });

  test('the reported status agrees with the liquidation price: not liquidatable one step before it, liquidatable at it', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const b = build(s);
        const { params, market, account } = b.loaded;
        const lp = valueAccount(account, market, params).positions.find((p) => p.instrument === b.symbol)?.liquidationPrice;
        assert.ok(lp !== undefined);
        if (lp.kind !== 'price') return;
        const before = poolAt(b, s.long ? lp.price + 1n : lp.price - 1n);
        assert.ok(before.status !== 'liquidatable' && before.status !== 'bankrupt', `status ${before.status} one step before the LP`);
        const at = poolAt(b, lp.price);
        assert.ok(at.status === 'liquidatable' || at.status === 'bankrupt', `status ${at.status} at the LP`);
      }),
      { seed: 602, numRuns: 200 },
    );
  });

  test(
    'an account whose MM-weighted collateral exactly equals MM is not yet liquidatable, and its liquidation price is one step below the mark',
    () => {
      // Isolated long 1 BTC entered at 20,100 with 200 margin, MMR 0.5%, mark 20,000:
      // collateral 200 - 100 = 100, MM 0.5% x 20,000 = 100.
      const loaded = loadFixture({
        instruments: { BTCUSDT: perpetual({ underlying: 'BTC', quoteAsset: 'USDT', margin: brackets([['0', '0.005', '100']]) }) },
        prices: { BTC: '20000' },
        marks: { BTCUSDT: '20000' },
        account: { mode: 'isolated', positions: [position('BTCUSDT', '1', '20100', { isolatedMargin: '200' })] },
      });
      const figures = valueAccount(loaded.account, loaded.market, loaded.params);
      assert.equal(figures.collateralMaintenance, figures.maintenanceMargin);
      // The trigger is collateral < MM (METHODS.md §4: equity < MM), for the status and the price alike.
      assert.equal(figures.status, 'reduce_only');
      assert.deepEqual(figures.positions[0]?.liquidationPrice, { kind: 'price', price: 20000n * 10n ** 8n - 1n });
    },
  );

  test('a short inverse position fully collateralised in coin is never liquidated: "none"', () => {
    // Short 1,000 USD of BTC-PERP at 50,000 with 0.03 BTC of margin: the pool holds
    // 0.03 - 0.02 + 1,000 / p BTC, worth 0.01 p + 1,000 USD, which only grows with p.
    const loaded = loadFixture({
      assets: { BTC: flatCollateral('1') },
      instruments: { 'BTC-PERP': perpetual({ underlying: 'BTC', quoteAsset: 'USD', settlement: 'inverse', contractSize: '10', margin: 'binance-btcusdt' }) },
      prices: { BTC: '50000' },
      marks: { 'BTC-PERP': '50000' },
      account: { mode: 'isolated', positions: [position('BTC-PERP', '-100', '50000', { isolatedMargin: '0.03' })] },
    });
    const p = valueAccount(loaded.account, loaded.market, loaded.params).positions[0];
    assert.equal(p?.liquidationPrice.kind, 'none');
    assert.equal(p?.bankruptcyPrice.kind, 'none');
  });
});
