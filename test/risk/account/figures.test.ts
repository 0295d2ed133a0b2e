/**
 * Worked liquidation, bankruptcy and PnL figures (METHODS.md §1.1 and §4), to the cent, through
 * documents loaded by the production loader and valued by `valueAccount`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseDocumentText, loadRiskDocument } from '../../../src/config/load.js';
import type { MarginSpecDocument } from '../../../src/config/schema.js';
import { entryValueOf, unrealisedPnlOf, valueAccount, type AccountFigures, type PriceOutcome } from '../../../src/risk/account/index.js';
import { formatAmount, formatPrice, parsePrice, parseSize } from '../../../src/risk/units/index.js';
import { Exact, cents, exactOf } from '../../support/exact.js';
import { brackets, flatCollateral, loadFixture, perpetual, position, type CompactFixture } from '../../support/riskDocument.js';
import { BINANCE_BTCUSDT_ROWS } from '../../support/tables.js';

// Report the failing assertion's message with the counterexample.
fc.configureGlobal({ includeErrorInReport: true });

const SINGLE_BRACKET_04 = brackets([['0', '0.004', '125']]);

interface IsolatedCase {
  readonly margin: MarginSpecDocument | string;
  readonly size: string;
  readonly entry: string;
  readonly isolatedMargin: string;
  readonly leverage?: string;
  readonly mark?: string;
}

function isolatedBtc(c: IsolatedCase): CompactFixture {
  const mark = c.mark ?? c.entry;
  return {
    instruments: { BTCUSDT: perpetual({ underlying: 'BTC', quoteAsset: 'USDT', margin: c.margin }) },
    prices: { BTC: mark },
    marks: { BTCUSDT: mark },
    account: {
      mode: 'isolated',
      positions: [position('BTCUSDT', c.size, c.entry, { isolatedMargin: c.isolatedMargin, ...(c.leverage === undefined ? {} : { leverage: c.leverage }) })],
    },
  };
}

function valued(f: CompactFixture): AccountFigures {
  const { params, market, account } = loadFixture(f);
  return valueAccount(account, market, params);
}

function onlyPosition(figures: AccountFigures) {
  const p = figures.positions[0];
  assert.ok(p !== undefined && figures.positions.length === 1);
  return p;
}

function priceCents(outcome: PriceOutcome): string {
  assert.equal(outcome.kind, 'price', JSON.stringify(outcome, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return outcome.kind === 'price' ? cents(outcome.price) : '';
}

describe('isolated liquidation prices (Binance one-way formula)', () => {
  test('1 BTC at 84,000, 10x, MMR 0.4%, WB 8,400: long LP 75,903.61, short LP 92,031.87', () => {
    // METHODS.md §1.1 (derived): long (84,000 - 8,400 - 0) / (1 - 0.004) = 75,903.61;
    // short (84,000 + 8,400 + 0) / (1 + 0.004) = 92,031.87.
    const long = onlyPosition(valued(isolatedBtc({ margin: SINGLE_BRACKET_04, size: '1', entry: '84000', isolatedMargin: '8400', leverage: '10' })));
    assert.equal(priceCents(long.liquidationPrice), '75903.61');
    assert.equal(cents(long.initialMargin), '8400.00');
    assert.equal(cents(long.maintenanceMargin), '336.00');
    const short = onlyPosition(valued(isolatedBtc({ margin: SINGLE_BRACKET_04, size: '-1', entry: '84000', isolatedMargin: '8400', leverage: '10' })));
    assert.equal(priceCents(short.liquidationPrice), '92031.87');
  });

  test('10 BTC at 60,000, 20x, WB 30,000, BTCUSDT table: long LP 57,444.44, short LP 62,504.95', () => {
    // METHODS.md §1.1 (derived), bracket 250k (1%, cum 1,300):
    // long (600,000 - 30,000 - 1,300) / (10 x 0.99) = 57,444.44; short 631,300 / 10.1 = 62,504.95.
    const table = brackets(BINANCE_BTCUSDT_ROWS);
    const long = onlyPosition(valued(isolatedBtc({ margin: table, size: '10', entry: '60000', isolatedMargin: '30000', leverage: '20' })));
    assert.equal(priceCents(long.liquidationPrice), '57444.44');
    assert.equal(cents(long.initialMargin), '30000.00');
    assert.equal(cents(long.maintenanceMargin), '4700.00');
    const short = onlyPosition(valued(isolatedBtc({ margin: table, size: '-10', entry: '60000', isolatedMargin: '30000', leverage: '20' })));
    assert.equal(priceCents(short.liquidationPrice), '62504.95');
    // The preset is the same table.
    const viaPreset = onlyPosition(valued(isolatedBtc({ margin: 'binance-btcusdt', size: '10', entry: '60000', isolatedMargin: '30000' })));
    assert.deepEqual(viaPreset.liquidationPrice, long.liquidationPrice);
  });

  test('at the long LP of 57,444.44 equity equals MM: 4,444.44 each', () => {
    // METHODS.md §1.1: "equity = MM = 4,444.44 there". Value the account with the mark at the LP.
    const table = brackets(BINANCE_BTCUSDT_ROWS);
    const lp = onlyPosition(valued(isolatedBtc({ margin: table, size: '10', entry: '60000', isolatedMargin: '30000' }))).liquidationPrice;
    assert.ok(lp.kind === 'price');
    const at = valued(isolatedBtc({ margin: table, size: '10', entry: '60000', isolatedMargin: '30000', mark: formatPrice(lp.price) }));
    assert.equal(cents(at.equity), '4444.44');
    assert.equal(cents(at.maintenanceMargin), '4444.44');
    assert.equal(at.status, 'liquidatable');
  });

  test('examples/binance-isolated.yaml: LP 75,929.65 in the second bracket, bankruptcy 75,600', () => {
    // The example's own comment: (84,000 - 8,400 - 50) / 0.995 = 75,929.65; 84,000 x (1 - 1/10).
    const text = readFileSync(new URL('../../../examples/binance-isolated.yaml', import.meta.url), 'utf8');
    const { params, market, account } = loadRiskDocument(parseDocumentText(text, 'binance-isolated.yaml'));
    const figures = valueAccount(account, market, params);
    const p = onlyPosition(figures);
    assert.equal(priceCents(p.liquidationPrice), '75929.65');
    assert.equal(priceCents(p.bankruptcyPrice), '75600.00');
    assert.equal(cents(p.maintenanceMargin), '370.00');
    assert.equal(figures.status, 'healthy');
  });

  test('isolated bankruptcy price is EP x (1 - 1/leverage) long and EP x (1 + 1/leverage) short', () => {
    // METHODS.md §1.1: 84,000 at 10x: 75,600 / 92,400; 60,000 at 20x: 57,000 / 63,000;
    // 20,000 at 50x (Bybit): 19,600 / 20,400.
    const cases = [
      ['1', '84000', '8400', '75600.00', '92400.00'],
      ['10', '60000', '30000', '57000.00', '63000.00'],
      ['1', '20000', '400', '19600.00', '20400.00'],
    ] as const;
    for (const [size, entry, margin, longBp, shortBp] of cases) {
      const long = onlyPosition(valued(isolatedBtc({ margin: 'binance-btcusdt', size, entry, isolatedMargin: margin })));
      assert.equal(priceCents(long.bankruptcyPrice), longBp);
      const short = onlyPosition(valued(isolatedBtc({ margin: 'binance-btcusdt', size: `-${size}`, entry, isolatedMargin: margin })));
      assert.equal(priceCents(short.bankruptcyPrice), shortBp);
    }
  });

  test('the bankruptcy price is the first grid price past EP x (1 -/+ 1/leverage), for any entry and leverage', () => {
    // Isolated margin WB = Q x EP / L (entry on a 0.01 grid, Q on a 0.001 grid, L whole):
    // equity WB + Q (p - EP) is zero at EP (1 - 1/L) for a long and EP (1 + 1/L) for a short.
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 10_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 125 }),
        fc.boolean(),
        (entryCents, sizeMilli, leverage, long) => {
          const entry = exactOf(BigInt(entryCents), 2);
          const q = exactOf(BigInt(sizeMilli), 3);
          // Q x EP / L may need more than eight places: round the margin down (a hair less margin).
          const marginText = q.times(entry).div(leverage).toDecimalPlaces(8, Exact.ROUND_FLOOR).toFixed();
          const p = onlyPosition(
            valued(isolatedBtc({ margin: 'binance-btcusdt', size: `${long ? '' : '-'}${q.toFixed()}`, entry: entry.toFixed(), isolatedMargin: marginText })),
          );
          if (p.bankruptcyPrice.kind === 'none') {
            // Only a fully margined long: equity Q x p stays positive at every price above zero
            // (unless Q x p falls below one amount unit, where PnL rounds it away: then a price).
            assert.ok(long && leverage === 1);
            return;
          }
          assert.ok(p.bankruptcyPrice.kind === 'price');
          const bp = exactOf(p.bankruptcyPrice.price);
          const exactFormula = long ? entry.minus(entry.div(leverage)) : entry.plus(entry.div(leverage));
          // One grid step, plus what one amount unit of margin and one of PnL rounding move the
          // crossing by: 1e-8 / Q each.
          const slack = new Exact('0.00000001').plus(new Exact('0.00000002').div(q));
          assert.ok(bp.minus(exactFormula).abs().lte(slack), `${long ? 'long' : 'short'} ${q.toFixed()} at ${entry.toFixed()} ${leverage}x: ${bp.toFixed()} vs ${exactFormula.toFixed()}`);
        },
      ),
      { seed: 501, numRuns: 150 },
    );
  });
});

describe('Bybit isolated liquidation price', () => {
  // METHODS.md §1.1: Bybit's isolated USDT formula LP_long = EP - (IM - MM) / Q uses MM at entry:
  // 1 BTC at 20,000, 50x, MMR 0.5%: IM 400, MM 100, LP 20,000 - 300 = 19,700.
  // Solvent's trigger is MM-weighted collateral <= MM with MM at the mark (Binance's rule, and
  // DESIGN.md's "equity < MM"): at 19,700 MM is 0.5% x 19,700 = 98.50 while equity is 100, so the
  // position is not yet liquidatable. The right LP under Solvent's rule solves
  // 400 + (p - 20,000) = 0.005 p: p = 19,600 / 0.995 = 19,698.49. Entry-based MM is reproduced by
  // an absolute MM floor of 100 (`maintenanceMinimum`), which holds MM at 100 below the entry.
  const bybit = brackets([['0', '0.005', '100']]);

  test('with MM at the mark, the LP is 19,698.49, not Bybit’s 19,700', () => {
    const p = onlyPosition(valued(isolatedBtc({ margin: bybit, size: '1', entry: '20000', isolatedMargin: '400', leverage: '50' })));
    assert.equal(cents(p.initialMargin), '400.00');
    assert.equal(cents(p.maintenanceMargin), '100.00');
    assert.equal(priceCents(p.liquidationPrice), '19698.49');
    assert.equal(priceCents(p.bankruptcyPrice), '19600.00');
    // At Bybit's 19,700 Solvent still calls the position solvent above maintenance.
    const at19700 = valued(isolatedBtc({ margin: bybit, size: '1', entry: '20000', isolatedMargin: '400', mark: '19700' }));
    assert.equal(cents(at19700.equity), '100.00');
    assert.equal(cents(at19700.maintenanceMargin), '98.50');
    assert.notEqual(at19700.status, 'liquidatable');
  });

  test('with MM held at its entry value (an MM floor of 100), the LP is Bybit’s 19,700', () => {
    const entryMm: MarginSpecDocument = { model: 'brackets', brackets: [{ notionalFloor: '0', maintenanceRate: '0.005', leverageMax: '100' }], maintenanceMinimum: '100' };
    const p = onlyPosition(valued(isolatedBtc({ margin: entryMm, size: '1', entry: '20000', isolatedMargin: '400', leverage: '50' })));
    assert.equal(priceCents(p.liquidationPrice), '19700.00');
  });
});

describe('dYdX bankruptcy price (cross)', () => {
  test('long 0.1 BTC with USDC -4,501 goes bankrupt at 45,010 (bankruptcy quote 4,501)', () => {
    // METHODS.md §4 (dYdX tests, BTC 50,000, IMF 20%, MMF 10%). dYdX keeps the position's cost in
    // its USDC balance (-4,501); Solvent keeps it as the entry value, so the same account is a USDC
    // balance of 499 with a long 0.1 BTC entered at 50,000 (499 - 0.1 x 50,000 = -4,501).
    // Equity 0.1 p - 4,501 is zero at p = 45,010; closing 0.1 BTC there returns exactly 4,501.
    const dydx: MarginSpecDocument = { model: 'openInterestScaled', initialRate: '0.2', maintenanceFraction: '0.5', openInterestLower: '0', openInterestUpper: '0' };
    const figures = valued({
      instruments: { 'BTC-USD': perpetual({ underlying: 'BTC', quoteAsset: 'USDC', margin: dydx }) },
      marks: { 'BTC-USD': '50000' },
      account: { balances: { USDC: '499' }, positions: [position('BTC-USD', '0.1', '50000')] },
    });
    const p = onlyPosition(figures);
    assert.equal(priceCents(p.bankruptcyPrice), '45010.00');
    assert.ok(p.bankruptcyPrice.kind === 'price');
    assert.equal(cents((p.bankruptcyPrice.price * parseSize('0.1')) / 10n ** 8n), '4501.00');
    // Equity 499 is below MM 0.1 x 50,000 x 10% = 500: liquidatable now.
    assert.equal(cents(figures.maintenanceMargin), '500.00');
    assert.equal(cents(figures.initialMargin), '1000.00');
    assert.deepEqual(p.liquidationPrice, { kind: 'now' });
    assert.equal(figures.status, 'liquidatable');
  });
});

describe('inverse PnL (Deribit, BitMEX)', () => {
  const inverse = perpetual({ underlying: 'BTC', quoteAsset: 'USD', settlement: 'inverse', contractSize: '1', margin: 'binance-btcusdt' });

  test('long 100 contracts of 1 USD from 50,000 to 60,000 earns 0.00033333 BTC, rounded down', () => {
    // src/risk/account/position.ts: 100 x (1/50,000 - 1/60,000) = 0.000333333... BTC.
    const { params, market, account } = loadFixture({
      assets: { BTC: flatCollateral('1') },
      instruments: { 'BTC-PERP': inverse },
      prices: { BTC: '60000' },
      marks: { 'BTC-PERP': '60000' },
      account: { balances: { BTC: '1' }, positions: [position('BTC-PERP', '100', '50000')] },
    });
    const instrument = params.instruments.get('BTC-PERP');
    assert.ok(instrument !== undefined);
    const held = account.positions[0];
    assert.ok(held !== undefined);
    assert.equal(formatAmount(held.entryValue), '0.002');
    assert.equal(formatAmount(unrealisedPnlOf(instrument, held.size, held.entryValue, parsePrice('60000'))), '0.00033333');
    const p = onlyPosition(valueAccount(account, market, params));
    assert.equal(formatAmount(p.unrealisedPnlSettlement), '0.00033333');
    assert.equal(formatAmount(p.unrealisedPnl), '19.9998'); // 0.00033333 BTC x 60,000
    // The short side loses 0.000333333... BTC: rounded down (against the account) to -0.00033334.
    const shortSize = parseSize('-100');
    const shortEntry = entryValueOf(instrument, shortSize, parsePrice('50000'));
    assert.equal(formatAmount(unrealisedPnlOf(instrument, shortSize, shortEntry, parsePrice('60000'))), '-0.00033334');
  });
});
