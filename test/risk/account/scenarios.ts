/**
 * Random accounts for the account laws: one BTC position, linear or inverse, isolated or cross,
 * long or short, under any margin model, with (cross) BTC collateral and a second position in
 * another market. Built through the production loader from a document.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LoadedRiskDocument } from '../../../src/config/load.js';
import type { InstrumentDocument, MarginSpecDocument } from '../../../src/config/schema.js';
import { poolsOf, valuePool, type Market, type PoolFigures, type RiskParams } from '../../../src/risk/account/index.js';
import { divHalfEven } from '../../../src/risk/units/rounding.js';
import { price } from '../../../src/risk/units/quantities.js';
import { Exact } from '../../support/exact.js';
import { brackets, flatCollateral, loadFixture, perpetual, position } from '../../support/riskDocument.js';

export interface Scenario {
  readonly settlement: 'linear' | 'inverse';
  readonly mode: 'isolated' | 'cross';
  readonly long: boolean;
  readonly margin: MarginSpecDocument | string;
  /** The entry price in US cents, and the mark as a percentage of it. */
  readonly entryCents: number;
  readonly markPercent: number;
  /** Linear: thousandths of a contract of `contractSize` BTC; inverse: whole 10-USD contracts. */
  readonly sizeSteps: number;
  readonly contractSize: string;
  readonly leverage: number;
  /** Cross only: BTC held as collateral beside the position (linear), in thousandths of a BTC. */
  readonly btcMilli: number;
  readonly btcWeight: string;
  /** Cross only: an ETHUSDT position held at its mark while BTC moves. */
  readonly other: { readonly long: boolean; readonly size: number; readonly entry: number; readonly mark: number } | null;
}

const margins: readonly (MarginSpecDocument | string)[] = [
  'binance-btcusdt',
  brackets([['0', '0.004', '125']]),
  'hyperliquid-tiers',
  'deribit-btc-linear',
  'drift-size-premium',
];

export const scenario: fc.Arbitrary<Scenario> = fc.record({
  settlement: fc.constantFrom('linear' as const, 'inverse' as const),
  mode: fc.constantFrom('isolated' as const, 'cross' as const),
  long: fc.boolean(),
  margin: fc.constantFrom(...margins),
  entryCents: fc.integer({ min: 100_000, max: 20_000_000 }),
  markPercent: fc.integer({ min: 94, max: 106 }), // percent of entry, turned into cents below
  sizeSteps: fc.integer({ min: 1, max: 500_000 }),
  contractSize: fc.constantFrom('1', '0.001', '5'),
  leverage: fc.integer({ min: 1, max: 60 }),
  btcMilli: fc.integer({ min: 0, max: 50_000 }),
  btcWeight: fc.constantFrom('1', '0.95', '0.8'),
  other: fc.option(
    fc.record({ long: fc.boolean(), size: fc.integer({ min: 1, max: 100 }), entry: fc.integer({ min: 1_500, max: 2_500 }), mark: fc.integer({ min: 1_500, max: 2_500 }) }),
    { nil: null },
  ),
});

const centsText = (n: number): string => new Exact(n).div(100).toFixed();

export interface Built {
  readonly loaded: LoadedRiskDocument;
  readonly symbol: string;
  readonly poolIndex: number;
  /** Upper bound on |d(collateral)/d(price)|, USD per USD of price. */
  readonly slope: number;
}

export function build(s: Scenario): Built {
  const entry = Math.round(s.entryCents);
  const mark = Math.round((s.entryCents * s.markPercent) / 100);
  const entryText = centsText(entry);
  const markText = centsText(mark);
  const sign = s.long ? '' : '-';
  const other = s.mode === 'cross' ? s.other : null;
  const instruments: Record<string, InstrumentDocument> = {
    ETHUSDT: perpetual({ underlying: 'ETH', quoteAsset: 'USDT', margin: 'binance-btcusdt' }),
  };
  const positions = [];
  const balances: Record<string, string> = {};
  let symbol: string;
  let slope: number;
  if (s.settlement === 'linear') {
    symbol = 'BTCUSDT';
    instruments[symbol] = perpetual({ underlying: 'BTC', quoteAsset: 'USDT', contractSize: s.contractSize, margin: s.margin });
    const contracts = new Exact(s.sizeSteps).div(1000);
    const btc = contracts.times(s.contractSize);
    const collateral = btc.times(entryText).div(s.leverage).toDecimalPlaces(8, Exact.ROUND_FLOOR).toFixed();
    const btcHeld = s.mode === 'cross' ? new Exact(s.btcMilli).div(1000) : new Exact(0);
    if (s.mode === 'isolated') positions.push(position(symbol, `${sign}${contracts.toFixed()}`, entryText, { isolatedMargin: collateral }));
    else {
      positions.push(position(symbol, `${sign}${contracts.toFixed()}`, entryText));
      balances['USDT'] = collateral;
      if (!btcHeld.isZero()) balances['BTC'] = btcHeld.toFixed();
    }
    // PnL moves by Q per unit of price, BTC held by its quantity.
    slope = btc.toNumber() + btcHeld.toNumber();
  } else {
    symbol = 'BTC-PERP';
    instruments[symbol] = perpetual({ underlying: 'BTC', quoteAsset: 'USD', settlement: 'inverse', contractSize: '10', margin: s.margin });
    const contracts = new Exact(s.sizeSteps);
    const btcCost = contracts.times(10).div(entryText);
    const collateral = btcCost.div(s.leverage).toDecimalPlaces(8, Exact.ROUND_FLOOR).toFixed();
    if (s.mode === 'isolated') positions.push(position(symbol, `${sign}${contracts.toFixed()}`, entryText, { isolatedMargin: collateral }));
    else {
      positions.push(position(symbol, `${sign}${contracts.toFixed()}`, entryText));
      balances['BTC'] = collateral;
    }
    // With BTC priced at the mark, the pool's BTC is worth (B + E) x p - Q USD: slope |B + E|.
    const entryValue = s.long ? btcCost : btcCost.neg();
    slope = Math.abs(new Exact(collateral).plus(entryValue).toNumber());
  }
  if (other !== null) {
    positions.push(position('ETHUSDT', `${other.long ? '' : '-'}${other.size}`, String(other.entry)));
    balances['USDT'] = new Exact(balances['USDT'] ?? '0').plus(new Exact(other.size).times(other.entry).div(10)).toFixed();
  }
  const loaded = loadFixture({
    assets: { BTC: flatCollateral(s.btcWeight) },
    instruments,
    prices: { BTC: markText, ETH: other === null ? '2000' : String(other.mark) },
    marks: { [symbol]: markText, ETHUSDT: other === null ? '2000' : String(other.mark) },
    account: { mode: s.mode, balances, positions },
  });
  return { loaded, symbol, poolIndex: s.mode === 'cross' ? 0 : 1, slope };
}

/** The market with `symbol`'s mark at p and its underlying moved in proportion, as the search does. */
export function marketAt(market: Market, params: RiskParams, symbol: string, p: bigint): Market {
  const mark = market.marks.get(symbol);
  const instrument = params.instruments.get(symbol);
  assert.ok(mark !== undefined && instrument !== undefined);
  const marks = new Map(market.marks).set(symbol, price(p));
  const underlyingPrice = market.prices.get(instrument.underlying);
  if (underlyingPrice === undefined) return { ...market, marks };
  const moved = divHalfEven(underlyingPrice * p, mark);
  return { ...market, marks, prices: new Map(market.prices).set(instrument.underlying, price(moved > 0n ? moved : 1n)) };
}

export function poolAt(b: Built, p: bigint): PoolFigures {
  const { params, market, account } = b.loaded;
  const pool = poolsOf(account, params)[b.poolIndex];
  assert.ok(pool !== undefined);
  return valuePool(pool, marketAt(market, params, b.symbol, p), params);
}

