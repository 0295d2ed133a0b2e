/**
 * From a risk document (JSON or YAML text, or a parsed object) to the risk core's inputs:
 * parameters, market and account. Validation is whole-document: the schema first, then the rules
 * a schema cannot say (brackets ascending, weights within [0, 1], every referenced asset priced),
 * each problem reported with its path; nothing is returned unless the whole document is valid.
 */
import { parse as parseYaml } from 'yaml';
import type { Account, Market, Position, RiskParams, StatusBands } from '../risk/account/types.js';
import { STATUS_BANDS_DEFAULT } from '../risk/account/types.js';
import { liquidationParamsFrom, type LiquidationParams } from '../risk/liquidation/params.js';
import { entryValueOf } from '../risk/account/position.js';
import type { CollateralAsset, HaircutSchedule } from '../risk/collateral/types.js';
import type { FeeSchedule, FundingSchedule, LinearInstrument } from '../risk/instruments/types.js';
import type { LinearMarginSpec } from '../risk/margin/types.js';
import {
  parseAmount,
  parsePrice,
  parseRate,
  parseSize,
  RATE_ONE,
  type Amount,
  type Price,
  type Rate,
} from '../risk/units/quantities.js';
import { DocumentError, IssueCollector, parameterOf, sortedEntries } from './issues.js';
import { optionVenueParamsOf, withOptions } from './loadOptions.js';
import { COLLATERAL_PRESETS, MARGIN_PRESETS } from './presets.js';
import {
  RiskDocumentSchema,
  type AssetDocument,
  type HaircutDocument,
  type InstrumentDocument,
  type MarginSpecDocument,
  type PositionDocument,
  type RiskDocument,
  type VenueParamsDocument,
  VenueParamsSchema,
} from './schema.js';
import { schemaIssues } from './validate.js';

export interface LoadedRiskDocument {
  readonly params: RiskParams;
  readonly market: Market;
  readonly account: Account;
}

export const DOCUMENT_BYTES_MAX = 4 * 1024 * 1024;

/** Parse JSON or YAML text (YAML is a superset of JSON; JSON is tried first for exact errors). */
export function parseDocumentText(text: string, sourceName = 'document'): unknown {
  if (text.length > DOCUMENT_BYTES_MAX) {
    throw new DocumentError([{ path: '', code: 'document_too_large', message: `${sourceName} exceeds ${DOCUMENT_BYTES_MAX} bytes` }]);
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a byte-order mark is not content
  try {
    return body.trimStart().startsWith('{') ? JSON.parse(body) : parseYaml(body, { maxAliasCount: 100 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DocumentError([{ path: '', code: 'document_unreadable', message: `${sourceName}: ${message}` }]);
  }
}

export function loadRiskDocument(input: unknown): LoadedRiskDocument {
  const structural = schemaIssues(RiskDocumentSchema, input);
  if (structural.length > 0) throw new DocumentError(structural);
  const doc = input as RiskDocument;
  const c = new IssueCollector();
  const params = venueParamsOf(c, doc);
  const market = marketOf(c, doc);
  const account = accountOf(c, doc, params.instruments);
  checkPricesCover(c, doc, params.instruments);
  // Options, asOf, volatility and portfolio accounts: loadOptions.ts.
  const loaded = withOptions(c, doc, { params, market, account: account as Account });
  c.throwIfAny();
  return loaded;
}

/** Venue parameters alone (the engine's configuration and its parameter changes), validated whole. */
export function loadVenueParams(input: unknown): RiskParams {
  const structural = schemaIssues(VenueParamsSchema, input);
  if (structural.length > 0) throw new DocumentError(structural);
  const c = new IssueCollector();
  const params = venueParamsOf(c, input as VenueParamsDocument);
  liquidationSettingsOf(c, input as VenueParamsDocument, params); // liquidation hook: checked with the rest, whole
  c.throwIfAny();
  return params;
}

/**
 * The venue's liquidation parameters (issue 6), defaults filled in; undefined when the document has
 * no `liquidation` section (no automatic liquidation). Throws like loadVenueParams on any problem.
 */
export function loadLiquidationParams(input: unknown): LiquidationParams | undefined {
  const params = loadVenueParams(input);
  return liquidationSettingsOf(new IssueCollector(), input as VenueParamsDocument, params);
}

function liquidationSettingsOf(c: IssueCollector, doc: VenueParamsDocument, params: RiskParams): LiquidationParams | undefined {
  if (doc.liquidation === undefined) return undefined;
  const symbols = new Set(params.instruments.keys());
  return liquidationParamsFrom(doc.liquidation, symbols, (path, code, message) => c.add(`/liquidation${path}`, code, message));
}

function venueParamsOf(c: IssueCollector, doc: VenueParamsDocument): RiskParams {
  const assets = new Map<string, CollateralAsset>();
  for (const [symbol, spec] of sortedEntries(doc.assets)) {
    const asset = collateralOf(c, `/assets/${symbol}`, symbol, spec);
    if (asset !== undefined) assets.set(symbol, asset);
  }
  const instruments = new Map<string, LinearInstrument>();
  for (const [symbol, spec] of sortedEntries(doc.instruments)) {
    if (spec.kind === 'option') continue; // loadOptions.ts
    const instrument = instrumentOf(c, `/instruments/${symbol}`, symbol, spec, doc);
    if (instrument !== undefined) instruments.set(symbol, instrument);
  }
  const params: RiskParams = {
    valuationAsset: doc.valuationAsset,
    assets,
    instruments,
    unrealisedPnlWeight: {
      initial: unitRate(c, '/risk/unrealisedPnlWeight/initial', doc.risk?.unrealisedPnlWeight?.initial ?? '1'),
      maintenance: unitRate(c, '/risk/unrealisedPnlWeight/maintenance', doc.risk?.unrealisedPnlWeight?.maintenance ?? '1'),
    },
    statusBands: bandsOf(c, doc),
    ...optionVenueParamsOf(c, doc),
  };
  return params;
}

const unitRate = (c: IssueCollector, path: string, text: string): number => parameterOf(c, path, text, 0, 1);

function marginSpecOf(c: IssueCollector, path: string, doc: MarginSpecDocument): LinearMarginSpec | undefined {
  const minimums = (d: { initialMinimum?: string; maintenanceMinimum?: string }) => ({
    ...(d.initialMinimum === undefined ? {} : { initialMinimum: parameterOf(c, `${path}/initialMinimum`, d.initialMinimum) }),
    ...(d.maintenanceMinimum === undefined ? {} : { maintenanceMinimum: parameterOf(c, `${path}/maintenanceMinimum`, d.maintenanceMinimum) }),
  });
  switch (doc.model) {
    case 'preset': {
      const preset = MARGIN_PRESETS[doc.preset];
      c.check(preset !== undefined, `${path}/preset`, 'preset_unknown', `no margin preset "${doc.preset}"; known: ${Object.keys(MARGIN_PRESETS).join(', ')}`);
      return preset;
    }
    case 'brackets': {
      const brackets = doc.brackets.map((b, i) => ({
        notionalFloor: parameterOf(c, `${path}/brackets/${i}/notionalFloor`, b.notionalFloor),
        maintenanceRate: unitRate(c, `${path}/brackets/${i}/maintenanceRate`, b.maintenanceRate),
        leverageMax: parameterOf(c, `${path}/brackets/${i}/leverageMax`, b.leverageMax, 1),
      }));
      brackets.forEach((b, i) => {
        const prev = brackets[i - 1];
        if (prev === undefined) {
          c.check(b.notionalFloor === 0, `${path}/brackets/0/notionalFloor`, 'bracket_floor_not_zero', 'the first bracket starts at 0');
          return;
        }
        c.check(b.notionalFloor > prev.notionalFloor, `${path}/brackets/${i}/notionalFloor`, 'brackets_not_ascending', 'floors must increase');
        c.check(b.maintenanceRate >= prev.maintenanceRate, `${path}/brackets/${i}/maintenanceRate`, 'brackets_rate_falls', 'maintenance rates must not fall as notional grows');
        c.check(b.leverageMax <= prev.leverageMax, `${path}/brackets/${i}/leverageMax`, 'brackets_leverage_rises', 'leverage maxima must not rise as notional grows');
      });
      return { model: 'brackets', brackets, ...minimums(doc) };
    }
    case 'linearInSize':
      return {
        model: 'linearInSize',
        initialRate: unitRate(c, `${path}/initialRate`, doc.initialRate),
        maintenanceRate: unitRate(c, `${path}/maintenanceRate`, doc.maintenanceRate),
        initialRatePerUnit: unitRate(c, `${path}/initialRatePerUnit`, doc.initialRatePerUnit),
        maintenanceRatePerUnit: unitRate(c, `${path}/maintenanceRatePerUnit`, doc.maintenanceRatePerUnit),
        ...minimums(doc),
      };
    case 'sqrtSize':
      return {
        model: 'sqrtSize',
        initialRate: unitRate(c, `${path}/initialRate`, doc.initialRate),
        maintenanceRate: unitRate(c, `${path}/maintenanceRate`, doc.maintenanceRate),
        imfFactor: unitRate(c, `${path}/imfFactor`, doc.imfFactor),
        ...minimums(doc),
      };
    case 'openInterestScaled': {
      const spec = {
        model: 'openInterestScaled' as const,
        initialRate: unitRate(c, `${path}/initialRate`, doc.initialRate),
        maintenanceFraction: unitRate(c, `${path}/maintenanceFraction`, doc.maintenanceFraction),
        openInterestLower: parameterOf(c, `${path}/openInterestLower`, doc.openInterestLower),
        openInterestUpper: parameterOf(c, `${path}/openInterestUpper`, doc.openInterestUpper),
        ...minimums(doc),
      };
      return spec;
    }
  }
}

function haircutOf(c: IssueCollector, path: string, doc: HaircutDocument): HaircutSchedule {
  switch (doc.kind) {
    case 'flat':
      return { kind: 'flat', weight: unitRate(c, `${path}/weight`, doc.weight) };
    case 'sizeDiscount':
      return { kind: 'sizeDiscount', weight: unitRate(c, `${path}/weight`, doc.weight), imfFactor: parameterOf(c, `${path}/imfFactor`, doc.imfFactor) };
    case 'tiered': {
      const tiers = doc.tiers.map((t, i) => ({
        floor: parameterOf(c, `${path}/tiers/${i}/floor`, t.floor),
        weight: unitRate(c, `${path}/tiers/${i}/weight`, t.weight),
      }));
      tiers.forEach((t, i) => {
        const prev = tiers[i - 1];
        if (prev === undefined) c.check(t.floor === 0, `${path}/tiers/0/floor`, 'tier_floor_not_zero', 'the first tier starts at 0');
        else c.check(t.floor > prev.floor, `${path}/tiers/${i}/floor`, 'tiers_not_ascending', 'floors must increase');
      });
      return { kind: 'tiered', basis: doc.basis, tiers };
    }
  }
}

function collateralOf(c: IssueCollector, path: string, symbol: string, doc: AssetDocument): CollateralAsset | undefined {
  if (doc.kind === 'preset') {
    const preset = COLLATERAL_PRESETS[doc.preset];
    c.check(preset !== undefined, `${path}/preset`, 'preset_unknown', `no collateral preset "${doc.preset}"; known: ${Object.keys(COLLATERAL_PRESETS).join(', ')}`);
    return preset === undefined ? undefined : { symbol, ...preset };
  }
  const liability = doc.liabilityWeight ?? { initial: '1', maintenance: '1' };
  return {
    symbol,
    initial: haircutOf(c, `${path}/initial`, doc.initial),
    maintenance: haircutOf(c, `${path}/maintenance`, doc.maintenance),
    liabilityWeight: {
      initial: parameterOf(c, `${path}/liabilityWeight/initial`, liability.initial, 1),
      maintenance: parameterOf(c, `${path}/liabilityWeight/maintenance`, liability.maintenance, 1),
    },
  };
}

function instrumentOf(
  c: IssueCollector,
  path: string,
  symbol: string,
  doc: InstrumentDocument,
  root: VenueParamsDocument,
): LinearInstrument | undefined {
  const margin = marginSpecOf(c, `${path}/margin`, doc.margin);
  const contractSize = c.try(`${path}/contractSize`, () => parseSize(doc.contractSize, `${path}/contractSize`));
  const tick = c.try(`${path}/tick`, () => parsePrice(doc.tick, `${path}/tick`));
  const lot = c.try(`${path}/lot`, () => parseSize(doc.lot, `${path}/lot`));
  c.check(contractSize === undefined || contractSize > 0n, `${path}/contractSize`, 'value_not_positive', 'must be > 0');
  c.check(lot === undefined || lot > 0n, `${path}/lot`, 'value_not_positive', 'must be > 0');
  const settlementAsset = doc.settlement === 'linear' ? doc.quoteAsset : doc.underlying;
  c.check(
    Object.hasOwn(root.assets, settlementAsset),
    `${path}/${doc.settlement === 'linear' ? 'quoteAsset' : 'underlying'}`,
    'settlement_asset_unknown',
    `a ${doc.settlement} instrument settles in ${settlementAsset}, which has no entry in /assets`,
  );
  let expiryMs: number | undefined;
  if (doc.kind === 'future') {
    expiryMs = doc.expiry === undefined ? NaN : Date.parse(doc.expiry);
    c.check(Number.isFinite(expiryMs), `${path}/expiry`, 'expiry_invalid', 'a future needs an ISO 8601 expiry time');
  } else {
    c.check(doc.expiry === undefined, `${path}/expiry`, 'expiry_unexpected', 'a perpetual has no expiry');
  }
  const fees = doc.fees === undefined ? undefined : feesOf(c, `${path}/fees`, doc.fees);
  const funding = doc.funding === undefined ? undefined : fundingOf(c, `${path}/funding`, doc.funding);
  c.check(funding === undefined || doc.kind === 'perpetual', `${path}/funding`, 'funding_unexpected', 'only perpetuals pay funding');
  if (margin === undefined || contractSize === undefined || tick === undefined || lot === undefined) return undefined;
  const base = {
    symbol,
    underlying: doc.underlying,
    quoteAsset: doc.quoteAsset,
    settlement: doc.settlement,
    contractSize,
    tick,
    lot,
    margin,
    ...(fees === undefined ? {} : { fees }),
  };
  return doc.kind === 'future'
    ? { ...base, kind: 'future', expiryMs: expiryMs ?? NaN }
    : { ...base, kind: 'perpetual', ...(funding === undefined ? {} : { funding }) };
}

function exactRate(c: IssueCollector, path: string, text: string, min: bigint, max: bigint): Rate | undefined {
  const value = c.try(path, () => parseRate(text, path));
  if (value !== undefined) c.check(value >= min && value <= max, path, 'value_out_of_range', `${text} is out of range`);
  return value;
}

function feesOf(c: IssueCollector, path: string, doc: { maker: string; taker: string }): FeeSchedule | undefined {
  const makerRate = exactRate(c, `${path}/maker`, doc.maker, -RATE_ONE / 100n, RATE_ONE / 10n);
  const takerRate = exactRate(c, `${path}/taker`, doc.taker, 0n, RATE_ONE / 10n);
  if (makerRate !== undefined && takerRate !== undefined) {
    c.check(makerRate + takerRate >= 0n, `${path}/maker`, 'fees_pay_out', 'a maker rebate larger than the taker fee pays money out of the fee pool');
  }
  return makerRate === undefined || takerRate === undefined ? undefined : { makerRate, takerRate };
}

function fundingOf(
  c: IssueCollector,
  path: string,
  doc: { interestRate: string; clamp: string; cap: string; intervalHours: string },
): FundingSchedule | undefined {
  const interest = exactRate(c, `${path}/interestRate`, doc.interestRate, -RATE_ONE, RATE_ONE);
  const clamp = exactRate(c, `${path}/clamp`, doc.clamp, 0n, RATE_ONE);
  const cap = exactRate(c, `${path}/cap`, doc.cap, 0n, RATE_ONE);
  const hours = parameterOf(c, `${path}/intervalHours`, doc.intervalHours, 1 / 60, 24 * 7);
  if (interest === undefined || clamp === undefined || cap === undefined) return undefined;
  return { interest, clamp, cap, intervalMs: Math.round(hours * 3_600_000) };
}

function bandsOf(c: IssueCollector, doc: VenueParamsDocument): StatusBands {
  const given = doc.risk?.statusBands;
  if (given === undefined) return STATUS_BANDS_DEFAULT;
  const path = '/risk/statusBands';
  const bands = {
    marginCall: parameterOf(c, `${path}/marginCall`, given.marginCall, 0),
    reduceOnly: parameterOf(c, `${path}/reduceOnly`, given.reduceOnly, 0),
    liquidation: parameterOf(c, `${path}/liquidation`, given.liquidation, 0),
  };
  c.check(bands.liquidation >= 1, `${path}/liquidation`, 'value_out_of_range', 'must be >= 1: an account below MM is always liquidatable');
  c.check(bands.reduceOnly >= bands.liquidation, `${path}/reduceOnly`, 'bands_not_ordered', 'must be >= liquidation');
  c.check(bands.marginCall >= bands.reduceOnly, `${path}/marginCall`, 'bands_not_ordered', 'must be >= reduceOnly');
  return bands;
}

function priceMap(c: IssueCollector, path: string, record: Readonly<Record<string, string>> | undefined): Map<string, Price> {
  const map = new Map<string, Price>();
  for (const [symbol, text] of sortedEntries(record ?? {})) {
    const p = c.try(`${path}/${symbol}`, () => parsePrice(text, `${path}/${symbol}`));
    if (p !== undefined) map.set(symbol, p);
  }
  return map;
}

function marketOf(c: IssueCollector, doc: RiskDocument): Market {
  const openInterest = new Map<string, number>();
  for (const [symbol, text] of sortedEntries(doc.openInterest ?? {})) {
    openInterest.set(symbol, parameterOf(c, `/openInterest/${symbol}`, text));
  }
  return {
    prices: priceMap(c, '/prices', doc.prices),
    marks: priceMap(c, '/marks', doc.marks),
    ...(doc.laggedPrices === undefined ? {} : { laggedPrices: priceMap(c, '/laggedPrices', doc.laggedPrices) }),
    openInterest,
  };
}

function accountOf(
  c: IssueCollector,
  doc: RiskDocument,
  instruments: ReadonlyMap<string, LinearInstrument>,
): Account | undefined {
  const balances = new Map<string, Amount>();
  for (const [asset, text] of sortedEntries(doc.account.balances)) {
    const path = `/account/balances/${asset}`;
    c.check(Object.hasOwn(doc.assets, asset), path, 'asset_unknown', `no entry for ${asset} in /assets`);
    const value = c.try(path, () => parseAmount(text, path));
    if (value !== undefined) balances.set(asset, value);
  }
  const seen = new Set<string>();
  const positions: Position[] = [];
  doc.account.positions.forEach((p, i) => {
    const path = `/account/positions/${i}`;
    c.check(!seen.has(p.instrument), `${path}/instrument`, 'position_duplicate', `a second position in ${p.instrument}`);
    seen.add(p.instrument);
    const instrument = instruments.get(p.instrument);
    if (instrument === undefined) {
      c.check(Object.hasOwn(doc.instruments, p.instrument), `${path}/instrument`, 'instrument_unknown', `no instrument ${p.instrument}`);
      return;
    }
    const position = positionOf(c, path, p, instrument, doc.account.mode);
    if (position !== undefined) positions.push(position);
  });
  return { id: doc.account.id, mode: doc.account.mode, balances, positions };
}

function positionOf(
  c: IssueCollector,
  path: string,
  doc: PositionDocument,
  instrument: LinearInstrument,
  mode: RiskDocument['account']['mode'],
): Position | undefined {
  const size = c.try(`${path}/size`, () => parseSize(doc.size, `${path}/size`));
  const entryPrice = c.try(`${path}/entryPrice`, () => parsePrice(doc.entryPrice, `${path}/entryPrice`));
  const onLot = (value: bigint, at: string) =>
    c.check(value % instrument.lot === 0n, at, 'size_not_multiple_of_lot', `must be a multiple of the lot`);
  if (size !== undefined) onLot(size, `${path}/size`);
  const leverage = doc.leverage === undefined ? undefined : parameterOf(c, `${path}/leverage`, doc.leverage, 1);
  c.check(
    (doc.isolatedMargin !== undefined) === (mode === 'isolated'),
    `${path}/isolatedMargin`,
    mode === 'isolated' ? 'isolated_margin_missing' : 'isolated_margin_unexpected',
    mode === 'isolated' ? 'an isolated account gives each position its margin' : `a ${mode} account pools margin`,
  );
  const isolatedMargin =
    doc.isolatedMargin === undefined ? undefined : c.try(`${path}/isolatedMargin`, () => parseAmount(doc.isolatedMargin, `${path}/isolatedMargin`));
  c.check(isolatedMargin === undefined || isolatedMargin >= 0n, `${path}/isolatedMargin`, 'value_negative', 'must be >= 0');
  let openOrders: Position['openOrders'];
  if (doc.openOrders !== undefined) {
    const buy = c.try(`${path}/openOrders/buy`, () => parseSize(doc.openOrders?.buy, `${path}/openOrders/buy`));
    const sell = c.try(`${path}/openOrders/sell`, () => parseSize(doc.openOrders?.sell, `${path}/openOrders/sell`));
    if (buy !== undefined) c.check(buy >= 0n, `${path}/openOrders/buy`, 'value_negative', 'must be >= 0');
    if (sell !== undefined) c.check(sell >= 0n, `${path}/openOrders/sell`, 'value_negative', 'must be >= 0');
    if (buy !== undefined && sell !== undefined) openOrders = { buy, sell };
  }
  if (size === undefined || entryPrice === undefined) return undefined;
  return {
    instrument: instrument.symbol,
    size,
    entryValue: entryValueOf(instrument, size, entryPrice),
    ...(leverage === undefined ? {} : { leverage }),
    ...(isolatedMargin === undefined ? {} : { isolatedMargin }),
    ...(openOrders === undefined ? {} : { openOrders }),
  };
}

/** Every asset held or settled in needs a price; every position needs a mark. */
function checkPricesCover(c: IssueCollector, doc: RiskDocument, instruments: ReadonlyMap<string, LinearInstrument>): void {
  const needed = new Set<string>(Object.keys(doc.account.balances));
  doc.account.positions.forEach((p, i) => {
    const instrument = instruments.get(p.instrument);
    if (instrument === undefined) return;
    needed.add(instrument.settlement === 'linear' ? instrument.quoteAsset : instrument.underlying);
    needed.add(instrument.quoteAsset);
    c.check(Object.hasOwn(doc.marks, p.instrument), `/marks/${p.instrument}`, 'mark_price_missing', `position ${i} needs a mark for ${p.instrument}`);
  });
  for (const asset of [...needed].sort()) {
    if (asset === doc.valuationAsset) continue;
    c.check(Object.hasOwn(doc.prices, asset), `/prices/${asset}`, 'price_missing', `no price for ${asset} in ${doc.valuationAsset}`);
  }
}
