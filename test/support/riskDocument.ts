/**
 * Test fixtures built through the production constructors (STYLE.md habit 14): a compact
 * description becomes a full risk document (the format of src/config/schema.ts), which
 * `loadRiskDocument` validates and turns into params, market and account exactly as it does for a
 * user's file. A fixture that the loader rejects is a broken fixture, not a passing test.
 *
 *   loadFixture({
 *     instruments: { BTCUSDT: perpetual({ underlying: 'BTC', quoteAsset: 'USDT', margin: 'binance-btcusdt' }) },
 *     prices: { BTC: '84000' },
 *     marks: { BTCUSDT: '84000' },
 *     account: { mode: 'isolated', positions: [position('BTCUSDT', '1', '84000', { leverage: '10', isolatedMargin: '8400' })] },
 *   })
 */
import { DocumentError } from '../../src/config/issues.js';
import { loadRiskDocument, type LoadedRiskDocument } from '../../src/config/load.js';
import type {
  AssetDocument,
  HaircutDocument,
  InstrumentDocument,
  MarginSpecDocument,
  PositionDocument,
  RiskDocument,
} from '../../src/config/schema.js';

/** Every asset a fixture may settle in or hold; a string names a collateral preset. */
export type AssetSpec = string | AssetDocument;

export interface CompactAccount {
  readonly id?: string;
  readonly mode?: 'cross' | 'isolated';
  readonly balances?: Readonly<Record<string, string>>;
  readonly positions?: readonly PositionDocument[];
}

export interface CompactFixture {
  readonly valuationAsset?: string;
  /** Merged over the default stablecoins USD, USDT and USDC. */
  readonly assets?: Readonly<Record<string, AssetSpec>>;
  readonly instruments: Readonly<Record<string, InstrumentDocument>>;
  /** Prices of assets in the valuation asset; stablecoins default to "1". */
  readonly prices?: Readonly<Record<string, string>>;
  readonly marks: Readonly<Record<string, string>>;
  readonly laggedPrices?: Readonly<Record<string, string>>;
  readonly openInterest?: Readonly<Record<string, string>>;
  readonly risk?: RiskDocument['risk'];
  readonly account: CompactAccount;
}

const DEFAULT_ASSETS: Readonly<Record<string, AssetSpec>> = { USD: 'stablecoin', USDT: 'stablecoin', USDC: 'stablecoin' };
const DEFAULT_PRICES: Readonly<Record<string, string>> = { USDT: '1', USDC: '1' };

/** A Binance-style bracket table from rows of [notionalFloor, maintenanceRate, leverageMax]. */
export function brackets(rows: readonly (readonly [string, string, string])[]): MarginSpecDocument {
  return {
    model: 'brackets',
    brackets: rows.map(([notionalFloor, maintenanceRate, leverageMax]) => ({ notionalFloor, maintenanceRate, leverageMax })),
  };
}

export function marginPreset(preset: string): MarginSpecDocument {
  return { model: 'preset', preset };
}

export interface PerpetualOptions {
  readonly underlying: string;
  readonly quoteAsset: string;
  readonly settlement?: 'linear' | 'inverse';
  readonly contractSize?: string;
  readonly tick?: string;
  readonly lot?: string;
  /** A margin spec document, or the name of a margin preset. */
  readonly margin: MarginSpecDocument | string;
}

export function perpetual(o: PerpetualOptions): InstrumentDocument {
  return {
    kind: 'perpetual',
    underlying: o.underlying,
    quoteAsset: o.quoteAsset,
    settlement: o.settlement ?? 'linear',
    contractSize: o.contractSize ?? '1',
    tick: o.tick ?? '0.00000001',
    lot: o.lot ?? '0.00000001',
    margin: typeof o.margin === 'string' ? marginPreset(o.margin) : o.margin,
  };
}

export interface PositionOptions {
  readonly leverage?: string;
  readonly isolatedMargin?: string;
  readonly openOrders?: { readonly buy: string; readonly sell: string };
}

export function position(instrument: string, size: string, entryPrice: string, o: PositionOptions = {}): PositionDocument {
  return {
    instrument,
    size,
    entryPrice,
    ...(o.leverage === undefined ? {} : { leverage: o.leverage }),
    ...(o.isolatedMargin === undefined ? {} : { isolatedMargin: o.isolatedMargin }),
    ...(o.openOrders === undefined ? {} : { openOrders: { ...o.openOrders } }),
  };
}

export function flatCollateral(maintenanceWeight: string, initialWeight = maintenanceWeight): AssetDocument {
  const flat = (weight: string): HaircutDocument => ({ kind: 'flat', weight });
  return { kind: 'collateral', initial: flat(initialWeight), maintenance: flat(maintenanceWeight) };
}

export function riskDocument(f: CompactFixture): RiskDocument {
  const assets: Record<string, AssetDocument> = {};
  for (const [symbol, spec] of Object.entries({ ...DEFAULT_ASSETS, ...f.assets })) {
    assets[symbol] = typeof spec === 'string' ? { kind: 'preset', preset: spec } : spec;
  }
  return {
    version: 1,
    valuationAsset: f.valuationAsset ?? 'USD',
    assets,
    instruments: { ...f.instruments },
    prices: { ...DEFAULT_PRICES, ...f.prices },
    marks: { ...f.marks },
    ...(f.laggedPrices === undefined ? {} : { laggedPrices: { ...f.laggedPrices } }),
    ...(f.openInterest === undefined ? {} : { openInterest: { ...f.openInterest } }),
    ...(f.risk === undefined ? {} : { risk: f.risk }),
    account: {
      id: f.account.id ?? 'fixture',
      mode: f.account.mode ?? 'cross',
      balances: { ...f.account.balances },
      positions: [...(f.account.positions ?? [])],
    },
  };
}

export function loadFixture(f: CompactFixture): LoadedRiskDocument {
  const document = riskDocument(f);
  try {
    return loadRiskDocument(document);
  } catch (error) {
    // A fixture the loader rejects is a broken fixture: say which value, on one line.
    if (error instanceof DocumentError) {
      const problems = error.issues.map((i) => `${i.path}: ${i.code}: ${i.message}`).join('; ');
      throw new Error(`fixture rejected by loadRiskDocument: ${problems}`, { cause: error });
    }
    throw error;
  }
}
