/**
 * The kernel benchmark's workload: a venue of linear perpetuals (Binance- and Hyperliquid-style
 * brackets) with USDT and tiered BTC collateral, and a deterministic book of accounts with ten
 * positions each (a position of account a is a pure function of a and its index).
 *
 * Sizes are log-uniform in notional from 100 to 200,000 USDT, on the lot grid (0.001); entries
 * within 5% of the mark on the tick grid; every account holds USDT at a leverage between 2x and
 * 40x of its notional, and one in ten also holds BTC, so that margin ratios spread over every
 * status band. Instrument 0 ("HOT") is held by exactly `hotHolders` accounts; the others are
 * spread evenly.
 */
import { loadVenueParams } from '../src/config/load.js';
import type { RiskParams } from '../src/risk/account/types.js';
import { price } from '../src/risk/units/quantities.js';
import { RiskBook } from '../src/kernel/index.js';

export const INSTRUMENT_COUNT = 200;
export const POSITIONS_PER_ACCOUNT = 10;

/** A 32-bit integer hash (splitmix-like finaliser): the book's only source of variety. */
export function mix(n: number): number {
  let x = (n + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const unit = (n: number): number => mix(n) / 4_294_967_296;

export function symbolOf(i: number): string {
  return i === 0 ? 'HOTUSDT' : `I${String(i).padStart(3, '0')}USDT`;
}

export function venueParams(): RiskParams {
  const instruments: Record<string, unknown> = {};
  for (let i = 0; i < INSTRUMENT_COUNT; i++) {
    instruments[symbolOf(i)] = {
      kind: 'perpetual',
      underlying: `U${i}`,
      quoteAsset: 'USDT',
      settlement: 'linear',
      contractSize: '1',
      lot: '0.001',
      tick: '0.01',
      margin: { model: 'preset', preset: i % 3 === 2 ? 'hyperliquid-tiers' : 'binance-btcusdt' },
    };
  }
  return loadVenueParams({
    version: 1,
    valuationAsset: 'USD',
    assets: { USD: { kind: 'preset', preset: 'stablecoin' }, USDT: { kind: 'preset', preset: 'stablecoin' }, BTC: { kind: 'preset', preset: 'bybit-btc-tiered' } },
    instruments,
  });
}

/** Mark of instrument i in units (1e-8 USDT), on the 0.01 tick, between 1 and 60,000. */
export function markUnits(i: number, move = 0): number {
  const base = 1 + 60_000 * unit(7 * i + 1) ** 2;
  return Math.max(1_000_000, Math.round(base * (1 + move) * 100) * 1_000_000);
}

export const BTC_PRICE_UNITS = 6_000_000_000_000;

export interface BookPosition {
  readonly instrument: number;
  /** Contracts in units of 1e-8 (lots of 0.001). */
  readonly sizeUnits: number;
  readonly entryUnits: number;
}

/** The k-th position of account a (k < POSITIONS_PER_ACCOUNT), in a book of `accounts` with `hotHolders` holding HOT. */
export function positionOf(a: number, k: number, accounts: number, hotHolders: number): BookPosition {
  const stride = Math.max(1, Math.floor(accounts / hotHolders));
  const holdsHot = a % stride === 0 && a / stride < hotHolders;
  let instrument: number;
  if (k === 0 && holdsHot) instrument = 0;
  else instrument = 1 + ((mix(a) % (INSTRUMENT_COUNT - 1)) + k * 17) % (INSTRUMENT_COUNT - 1);
  const h = a * POSITIONS_PER_ACCOUNT + k;
  const notional = 100 * 2_000 ** unit(3 * h + 11); // 100 .. 200,000 USDT, log-uniform
  const mark = markUnits(instrument);
  const lots = Math.max(1, Math.round((notional / (mark / 1e8)) * 1_000));
  const sizeUnits = (unit(h + 5) < 0.5 ? 1 : -1) * lots * 100_000;
  const entryPrice = Math.max(1_000_000, Math.round((mark * (0.95 + 0.1 * unit(h + 9))) / 1_000_000) * 1_000_000);
  // entryValueOf (linear): ceil(size x cs x price / 1e16) with cs = 1 contract; exact on this grid.
  const entryUnits = Math.ceil((sizeUnits * entryPrice) / 1e8);
  return { instrument, sizeUnits, entryUnits };
}

export interface BookBalances {
  readonly usdtUnits: number;
  readonly btcUnits: number;
}

export function balancesOf(a: number, notionalUnits: number): BookBalances {
  const leverage = 2 + 38 * unit(a * 13 + 3);
  const btc = a % 10 === 3 ? Math.round(((notionalUnits / leverage) * 0.3 * 1e8) / BTC_PRICE_UNITS) : 0;
  return { usdtUnits: Math.round(notionalUnits / leverage), btcUnits: btc };
}

export interface BuiltBook {
  readonly book: RiskBook;
  readonly params: RiskParams;
  readonly accounts: number;
  readonly hotHolders: number;
}

/** The kernel book of `accounts` accounts, marks set, not yet swept. */
export function buildBook(accounts: number, hotHolders: number, queueCapacity = 4_096): BuiltBook {
  const params = venueParams();
  const book = new RiskBook(params, { accounts, positions: accounts * POSITIONS_PER_ACCOUNT, queueCapacity });
  book.setPrice('USDT', price(100_000_000n));
  book.setPrice('BTC', price(BigInt(BTC_PRICE_UNITS)));
  for (let i = 0; i < INSTRUMENT_COUNT; i++) book.setMark(symbolOf(i), price(BigInt(markUnits(i))));
  const usdt = book.assets.index.indexOf('USDT') as number;
  const btc = book.assets.index.indexOf('BTC') as number;
  for (let a = 0; a < accounts; a++) {
    book.addAccount(`a${a}`, 'cross');
    book.reserve(a, POSITIONS_PER_ACCOUNT, a % 10 === 3 ? 2 : 1);
    let notional = 0;
    for (let k = 0; k < POSITIONS_PER_ACCOUNT; k++) {
      const p = positionOf(a, k, accounts, hotHolders);
      book.loadPositionUnits(a, p.instrument, p.sizeUnits, p.entryUnits);
      notional += Math.abs((p.sizeUnits * markUnits(p.instrument)) / 1e8);
    }
    const balances = balancesOf(a, notional);
    book.loadBalanceUnits(a, usdt, balances.usdtUnits);
    if (balances.btcUnits > 0) book.loadBalanceUnits(a, btc, balances.btcUnits);
  }
  return { book, params, accounts, hotHolders };
}
