/**
 * Risk factors of an account and its full revaluation at shocked prices.
 *
 * A factor is a symbol whose price moves: an asset of `prices` (collateral, a settlement asset), an
 * underlying (it moves the marks of every instrument on it, and the asset of the same name), or an
 * instrument's own mark (a shock keyed by the instrument symbol overrides its underlying's). A
 * shock is a map from symbols to price multipliers (new price / old price); symbols it does not
 * name keep their prices. The account is then valued again by the risk core (`marginOf`), so
 * tiers, haircuts, inverse PnL and isolated pools are all exact at the shocked prices: a scenario
 * PnL is equity(shocked) - equity(now), in the valuation asset.
 *
 * Pegged symbols (the valuation asset, instruments' quote assets, a list of stablecoins) are held
 * fixed by moves that apply to "every other" price; they move only when a shock names them.
 */
import { marginOf, type AccountMargin } from '../risk/account/account.js';
import type { Account, Market, RiskParams } from '../risk/account/types.js';
import { InputError } from '../risk/errors.js';
import { price, toNumber, type Price } from '../risk/units/quantities.js';

/** The account, its market and the venue's parameters: a loaded risk document. */
export interface Book {
  readonly params: RiskParams;
  readonly market: Market;
  readonly account: Account;
}

/** Symbol -> price multiplier (> 0). */
export type PriceShock = ReadonlyMap<string, number>;

/**
 * Stablecoins that a move of "every other price" leaves alone (they move only when named, as USDe
 * in the 10 Oct 2025 scenario). Quote assets of instruments and the valuation asset are added.
 */
export const STABLECOINS: readonly string[] = ['BUSD', 'DAI', 'FDUSD', 'PYUSD', 'TUSD', 'USD', 'USDC', 'USDE', 'USDP', 'USDS', 'USDT'];

/** What the account's value depends on, each list sorted. */
export interface AccountFactors {
  /** Underlyings of the positions held (size != 0). */
  readonly underlyings: readonly string[];
  /** Instruments of the positions held. */
  readonly instruments: readonly string[];
  /** Priced assets the account holds or settles in, without the valuation asset. */
  readonly assets: readonly string[];
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

export function accountFactors(book: Book): AccountFactors {
  const { params, account } = book;
  const underlyings: string[] = [];
  const instruments: string[] = [];
  const assets: string[] = [];
  for (const [asset, balance] of account.balances) if (balance !== 0n) assets.push(asset);
  for (const position of account.positions) {
    if (position.size === 0n) continue;
    const instrument = params.instruments.get(position.instrument);
    if (instrument === undefined) {
      throw new InputError('instrument_not_linear', `the analytics revalue linear instruments only; ${position.instrument} is not one`, `account ${account.id}`);
    }
    underlyings.push(instrument.underlying);
    instruments.push(instrument.symbol);
    assets.push(instrument.quoteAsset, instrument.settlement === 'linear' ? instrument.quoteAsset : instrument.underlying);
  }
  return {
    underlyings: sorted(underlyings),
    instruments: sorted(instruments),
    assets: sorted(assets).filter((a) => a !== params.valuationAsset),
  };
}

/** Symbols held fixed by "every other price" moves. */
export function peggedSymbols(params: RiskParams, extra: readonly string[] = []): ReadonlySet<string> {
  const pegged = new Set<string>([...STABLECOINS, ...extra, params.valuationAsset]);
  for (const instrument of params.instruments.values()) pegged.add(instrument.quoteAsset);
  return pegged;
}

/**
 * Every symbol a shock can name for this market: the priced assets, and the marked instruments
 * with their underlyings. Sorted.
 */
export function marketSymbols(book: Pick<Book, 'market' | 'params'>): string[] {
  const symbols: string[] = [...book.market.prices.keys()];
  for (const symbol of book.market.marks.keys()) {
    symbols.push(symbol);
    const underlying = book.params.instruments.get(symbol)?.underlying;
    if (underlying !== undefined) symbols.push(underlying);
  }
  return sorted(symbols);
}

const PRICE_UNIT_MIN = price(1n);

function scaled(p: Price, multiplier: number): Price {
  if (multiplier === 1) return p;
  // A float risk measure back on the price grid, half to even; never below one unit (1e-8), since a
  // price of zero is a broken feed to the risk core, not a market.
  const units = Math.round(Number(p) * multiplier);
  if (!Number.isFinite(units)) throw new InputError('shocked_price_not_finite', `a multiplier of ${multiplier} overflows the price ${toNumber(p, 'Price')}`);
  return units < 1 ? PRICE_UNIT_MIN : price(BigInt(units));
}

/**
 * The market after a shock: asset prices by their own symbol, marks by the instrument's symbol or
 * else its underlying's. Lagged prices stay as they were (they lag), and so does open interest.
 */
export function shockedMarket(book: Pick<Book, 'market' | 'params'>, shock: PriceShock): Market {
  const { market, params } = book;
  for (const [symbol, m] of shock) {
    if (!(Number.isFinite(m) && m > 0)) throw new InputError('price_multiplier_invalid', `must be a finite number > 0, got ${m}`, symbol);
  }
  const prices = new Map<string, Price>();
  for (const [asset, p] of market.prices) prices.set(asset, scaled(p, shock.get(asset) ?? 1));
  const marks = new Map<string, Price>();
  for (const [symbol, p] of market.marks) {
    const underlying = params.instruments.get(symbol)?.underlying;
    const m = shock.get(symbol) ?? (underlying === undefined ? undefined : shock.get(underlying)) ?? 1;
    marks.set(symbol, scaled(p, m));
  }
  return { ...market, prices, marks };
}

/** The account valued at shocked prices (the cheap path: no liquidation prices). */
export function marginAt(book: Book, shock: PriceShock): AccountMargin {
  return marginOf(book.account, shock.size === 0 ? book.market : shockedMarket(book, shock), book.params);
}

export function equityOf(margin: AccountMargin): number {
  return toNumber(margin.equity, 'Amount');
}

/** The current price of a factor symbol: its asset price, or else the mark of the first instrument on it. */
export function factorPrice(book: Pick<Book, 'market' | 'params'>, symbol: string): number | undefined {
  const asset = book.market.prices.get(symbol);
  if (asset !== undefined) return toNumber(asset, 'Price');
  const own = book.market.marks.get(symbol);
  if (own !== undefined) return toNumber(own, 'Price');
  for (const [instrument, mark] of [...book.market.marks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (book.params.instruments.get(instrument)?.underlying === symbol) return toNumber(mark, 'Price');
  }
  return undefined;
}

/** Gross notional of the positions held, in the valuation asset: what an exit crosses the spread on. */
export function grossNotional(margin: AccountMargin): number {
  let total = 0;
  for (const pool of margin.pools) total += toNumber(pool.notional, 'Amount');
  return total;
}
