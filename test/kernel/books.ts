/**
 * Random books for the kernel's equality laws, built through the production constructors: the venue
 * through `loadVenueParams` from a document (decimal strings, presets), entry values through the
 * reference's `entryValueOf`. A venue holds every margin model (brackets, linear in size, sqrt size
 * premium, open-interest scaled), linear and inverse settlement, and collateral of every kind (flat,
 * tiered by quantity and by value, size discount, liabilities at weight > 1).
 */
import fc from 'fast-check';
import { loadVenueParams } from '../../src/config/load.js';
import type { MarginSpecDocument, VenueParamsDocument } from '../../src/config/schema.js';
import { entryValueOf } from '../../src/risk/account/position.js';
import type { Account, Market, Position, RiskParams } from '../../src/risk/account/types.js';
import { amount, price, size, type Amount, type Price } from '../../src/risk/units/quantities.js';

export interface VenueChoice {
  readonly weights: readonly [string, string];
  readonly bands: readonly [string, string, string];
  /** A random bracket table: [floor, rate, leverage] rows. */
  readonly brackets: readonly (readonly [number, number, number])[];
  readonly minimums: { readonly initial: number; readonly maintenance: number } | null;
}

export const venueChoice: fc.Arbitrary<VenueChoice> = fc.record({
  weights: fc.constantFrom<[string, string]>(['1', '1'], ['1', '1'], ['0.5', '1'], ['0.8', '0.9']),
  bands: fc.constantFrom<[string, string, string]>(['1.5', '1.2', '1'], ['2', '1.3', '1.05'], ['1.25', '1.1', '1']),
  brackets: fc
    .array(fc.tuple(fc.integer({ min: 1, max: 400_000 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 10 })), { minLength: 0, maxLength: 6 })
    .map((rows) => {
      const out: [number, number, number][] = [[0, 0.005, 100]];
      let floor = 0;
      let rate = 0.005;
      let leverage = 100;
      for (const [gap, step, drop] of rows) {
        floor += gap;
        rate = Math.min(0.5, rate + step / 10_000);
        leverage = Math.max(1, Math.min(leverage - drop, Math.floor(1 / rate)));
        out.push([floor, rate, leverage]);
      }
      return out;
    }),
  minimums: fc.option(fc.record({ initial: fc.integer({ min: 0, max: 30 }), maintenance: fc.integer({ min: 0, max: 20 }) }), { nil: null }),
});

const dec = (x: number): string => {
  const text = x.toFixed(8).replace(/0+$/, '').replace(/\.$/, '');
  return text === '-0' ? '0' : text;
};

/** Instruments of the generated venue: symbol -> [underlying, quote, settlement, contract size, lot, tick]. */
export const INSTRUMENTS = {
  BTCUSDT: ['BTC', 'USDT', 'linear', '1', '0.001', '0.1'],
  'BTCUSDT-FUT': ['BTC', 'USDT', 'linear', '0.001', '1', '0.1'],
  ETHUSDT: ['ETH', 'USDT', 'linear', '1', '0.00000001', '0.01'],
  SOLUSDC: ['SOL', 'USDC', 'linear', '1', '0.01', '0.001'],
  DYDXUSD: ['DYDX', 'USD', 'linear', '1', '1', '0.001'],
  'BTC-PERP': ['BTC', 'USD', 'inverse', '10', '1', '0.5'],
  'ETH-PERP': ['ETH', 'USD', 'inverse', '1', '1', '0.05'],
  RANDUSDT: ['BTC', 'USDT', 'linear', '0.01', '0.01', '0.01'],
} as const;
export type InstrumentSymbol = keyof typeof INSTRUMENTS;
export const SYMBOLS = Object.keys(INSTRUMENTS) as InstrumentSymbol[];

export const ASSET_SYMBOLS = ['USD', 'USDT', 'USDC', 'BTC', 'ETH', 'SOL'] as const;

export function venueDocument(choice: VenueChoice): VenueParamsDocument {
  const minimums = choice.minimums === null ? {} : { initialMinimum: dec(choice.minimums.initial), maintenanceMinimum: dec(choice.minimums.maintenance) };
  const margin: Record<InstrumentSymbol, MarginSpecDocument> = {
    BTCUSDT: { model: 'preset', preset: 'binance-btcusdt' },
    'BTCUSDT-FUT': { model: 'preset', preset: 'hyperliquid-tiers' },
    ETHUSDT: { model: 'brackets', brackets: [{ notionalFloor: '0', maintenanceRate: '0.0125', leverageMax: '40' }, { notionalFloor: '10000', maintenanceRate: '0.02', leverageMax: '25' }], ...minimums },
    SOLUSDC: { model: 'sqrtSize', initialRate: '0.1', maintenanceRate: '0.05', imfFactor: '0.0005', ...minimums },
    DYDXUSD: { model: 'openInterestScaled', initialRate: '0.05', maintenanceFraction: '0.6', openInterestLower: '1000000', openInterestUpper: '3000000' },
    'BTC-PERP': { model: 'preset', preset: 'deribit-btc-linear' },
    'ETH-PERP': { model: 'linearInSize', initialRate: '0.02', maintenanceRate: '0.01', initialRatePerUnit: '0.0005', maintenanceRatePerUnit: '0.0004', ...minimums },
    RANDUSDT: {
      model: 'brackets',
      brackets: choice.brackets.map(([floor, rate, leverage]) => ({ notionalFloor: dec(floor), maintenanceRate: dec(rate), leverageMax: dec(leverage) })),
      ...minimums,
    },
  };
  const instruments: VenueParamsDocument['instruments'] = {};
  for (const symbol of SYMBOLS) {
    const [underlying, quoteAsset, settlement, contractSize, lot, tick] = INSTRUMENTS[symbol];
    instruments[symbol] = { kind: 'perpetual', underlying, quoteAsset, settlement, contractSize, lot, tick, margin: margin[symbol] };
  }
  return {
    version: 1,
    valuationAsset: 'USD',
    assets: {
      USD: { kind: 'preset', preset: 'stablecoin' },
      USDT: { kind: 'preset', preset: 'stablecoin' },
      USDC: { kind: 'collateral', initial: { kind: 'flat', weight: '0.98' }, maintenance: { kind: 'flat', weight: '0.99' }, liabilityWeight: { initial: '1.05', maintenance: '1.02' } },
      BTC: { kind: 'preset', preset: 'bybit-btc-tiered' },
      ETH: {
        kind: 'collateral',
        initial: { kind: 'tiered', basis: 'value', tiers: [{ floor: '0', weight: '0.95' }, { floor: '50000', weight: '0.9' }, { floor: '200000', weight: '0.7' }] },
        maintenance: { kind: 'tiered', basis: 'value', tiers: [{ floor: '0', weight: '0.97' }, { floor: '100000', weight: '0.92' }] },
        liabilityWeight: { initial: '1.1', maintenance: '1.05' },
      },
      SOL: { kind: 'preset', preset: 'drift-spot' },
    },
    instruments,
    risk: {
      unrealisedPnlWeight: { initial: choice.weights[0], maintenance: choice.weights[1] },
      statusBands: { marginCall: choice.bands[0], reduceOnly: choice.bands[1], liquidation: choice.bands[2] },
    },
  };
}

export function venueParams(choice: VenueChoice): RiskParams {
  return loadVenueParams(venueDocument(choice));
}

/** Reference prices (USD) of the underlyings, on each instrument's tick after a move. */
const BASE: Record<string, number> = { BTC: 60_000, ETH: 3_000, SOL: 150, DYDX: 2 };

export interface MarketChoice {
  /** Per underlying, a move in basis points. */
  readonly moves: readonly number[];
  /** Per instrument, a basis from the underlying in tenths of a basis point. */
  readonly basis: readonly number[];
  readonly lagged: readonly (number | null)[];
  readonly openInterest: number;
  readonly usdc: number;
}

export const marketChoice: fc.Arbitrary<MarketChoice> = fc.record({
  moves: fc.array(fc.integer({ min: -3000, max: 3000 }), { minLength: 4, maxLength: 4 }),
  basis: fc.array(fc.integer({ min: -50, max: 50 }), { minLength: SYMBOLS.length, maxLength: SYMBOLS.length }),
  lagged: fc.array(fc.option(fc.integer({ min: -500, max: 500 }), { nil: null, freq: 2 }), { minLength: 10, maxLength: 10 }),
  openInterest: fc.integer({ min: 0, max: 4_000_000 }),
  usdc: fc.integer({ min: 9_950, max: 10_020 }),
});

/** A price with at most 8 decimals on a grid of `tick` (a decimal string), at least one tick. */
export function onTick(value: number, tick: string): Price {
  const tickUnits = BigInt(Math.round(Number(tick) * 1e8));
  const units = BigInt(Math.round(value * 1e8));
  const snapped = (units / tickUnits) * tickUnits;
  return price(snapped > 0n ? snapped : tickUnits);
}

export function underlyingPrice(choice: MarketChoice, underlying: string): number {
  const k = ['BTC', 'ETH', 'SOL', 'DYDX'].indexOf(underlying);
  return (BASE[underlying] ?? 1) * (1 + (choice.moves[k] ?? 0) / 10_000);
}

export function marketOf(choice: MarketChoice): Market {
  const prices = new Map<string, Price>();
  for (const asset of ['BTC', 'ETH', 'SOL', 'DYDX']) prices.set(asset, onTick(underlyingPrice(choice, asset), '0.00000001'));
  prices.set('USDT', price(100_000_000n));
  prices.set('USDC', price(BigInt(choice.usdc) * 10_000n));
  const marks = new Map<string, Price>();
  SYMBOLS.forEach((symbol, k) => {
    const [underlying, , , , , tick] = INSTRUMENTS[symbol];
    marks.set(symbol, onTick(underlyingPrice(choice, underlying) * (1 + (choice.basis[k] ?? 0) / 100_000), tick));
  });
  const lagged = new Map<string, Price>();
  const laggable = [...SYMBOLS.slice(0, 6), 'BTC', 'ETH', 'SOL', 'USDC'];
  laggable.forEach((symbol, k) => {
    const move = choice.lagged[k];
    if (move === null || move === undefined) return;
    const base = marks.get(symbol) ?? prices.get(symbol);
    if (base === undefined) return;
    lagged.set(symbol, price((base * BigInt(10_000 + move)) / 10_000n || 1n));
  });
  return { prices, marks, laggedPrices: lagged, openInterest: new Map([['DYDXUSD', choice.openInterest]]) };
}

export interface PositionChoice {
  readonly symbol: InstrumentSymbol;
  /** Signed lots; 0 is an order-only position when orders are present. */
  readonly lots: number;
  /** Entry price as a percentage of the mark, in tenths. */
  readonly entryPermille: number;
  readonly isolatedMarginPermille: number;
  readonly orders: readonly [number, number] | null;
  readonly leverage: number | null;
}

export interface AccountChoice {
  readonly mode: 'cross' | 'isolated';
  readonly balances: readonly (readonly [string, number])[];
  readonly positions: readonly PositionChoice[];
}

const positionChoice: fc.Arbitrary<PositionChoice> = fc.record({
  symbol: fc.constantFrom(...SYMBOLS),
  lots: fc.oneof(fc.integer({ min: -2_000, max: 2_000 }), fc.integer({ min: -200_000, max: 200_000 }), fc.constant(0)),
  entryPermille: fc.integer({ min: 700, max: 1_300 }),
  isolatedMarginPermille: fc.integer({ min: 0, max: 400 }),
  orders: fc.option(fc.tuple(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 3_000 })), { nil: null }),
  leverage: fc.option(fc.integer({ min: 1, max: 100 }), { nil: null }),
});

export const accountChoice: fc.Arbitrary<AccountChoice> = fc.record({
  mode: fc.constantFrom('cross' as const, 'cross' as const, 'isolated' as const),
  balances: fc.array(
    fc.tuple(
      fc.constantFrom('USDT', 'USDT', 'USDC', 'BTC', 'ETH', 'SOL', 'USD'),
      fc.oneof(fc.integer({ min: -2_000, max: 50_000 }), fc.integer({ min: 0, max: 2_000_000 })),
    ),
    { maxLength: 4 },
  ),
  positions: fc.uniqueArray(positionChoice, { maxLength: 6, selector: (p) => p.symbol }),
});

const LOT_UNITS: Record<InstrumentSymbol, bigint> = Object.fromEntries(
  SYMBOLS.map((s) => [s, BigInt(Math.round(Number(INSTRUMENTS[s][4]) * 1e8))]),
) as Record<InstrumentSymbol, bigint>;

/** The account a choice describes, as the reference's input. */
export function accountOf(id: string, choice: AccountChoice, params: RiskParams, market: Market): Account {
  const balances = new Map<string, Amount>();
  for (const [asset, whole] of choice.balances) {
    // Balances in whole units scaled to the asset's price, so that each is worth up to ~2M USD.
    const scale = asset === 'BTC' ? 60_000 : asset === 'ETH' ? 3_000 : asset === 'SOL' ? 150 : 1;
    const units = BigInt(Math.round((whole / scale) * 1e8));
    balances.set(asset, amount((balances.get(asset) ?? 0n) + units));
  }
  const positions: Position[] = choice.positions.flatMap((c): Position[] => {
    const instrument = params.instruments.get(c.symbol);
    const mark = market.marks.get(c.symbol);
    if (instrument === undefined || mark === undefined) return [];
    const sizeUnits = size(BigInt(c.lots) * LOT_UNITS[c.symbol]);
    const entryPrice = price(BigInt(Math.max(1, Math.round((Number(mark) * c.entryPermille) / 1_000))));
    const entryValue = sizeUnits === 0n ? amount(0n) : entryValueOf(instrument, sizeUnits, entryPrice);
    const orders = c.orders === null ? undefined : { buy: size(BigInt(c.orders[0]) * LOT_UNITS[c.symbol]), sell: size(BigInt(c.orders[1]) * LOT_UNITS[c.symbol]) };
    if (sizeUnits === 0n && (orders === undefined || (orders.buy === 0n && orders.sell === 0n))) return [];
    const cost = entryValue < 0n ? -entryValue : entryValue;
    const isolatedMargin = amount((cost * BigInt(c.isolatedMarginPermille)) / 1_000n);
    return [
      {
        instrument: c.symbol,
        size: sizeUnits,
        entryValue,
        ...(c.leverage === null ? {} : { leverage: c.leverage }),
        ...(choice.mode === 'isolated' ? { isolatedMargin } : {}),
        ...(orders === undefined ? {} : { openOrders: orders }),
      },
    ];
  });
  return { id, mode: choice.mode, balances, positions };
}

export interface BookCase {
  readonly params: RiskParams;
  readonly market: Market;
  readonly accounts: readonly Account[];
}

export const bookCase = (maxAccounts: number): fc.Arbitrary<BookCase> =>
  fc.tuple(venueChoice, marketChoice, fc.array(accountChoice, { minLength: 1, maxLength: maxAccounts })).map(([v, m, accounts]) => {
    const params = venueParams(v);
    const market = marketOf(m);
    return { params, market, accounts: accounts.map((c, k) => accountOf(`acc${k}`, c, params, market)) };
  });
