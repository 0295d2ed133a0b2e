/**
 * The options part of a risk document, validated with the rest of it (load.ts) and with the same
 * paths and stable codes: option instruments, standard option margin parameters, the portfolio
 * model, the valuation time `asOf`, volatility surfaces, option positions and their marks.
 *
 * Marks: an option position takes its mark from `marks` when given, else from its underlying's
 * volatility surface (Black-76 on the expiry's forward, src/risk/options/mark.ts), rounded half to
 * even to the 1e-8 price grid. Either way the account is then valued from `Market.marks`, so a
 * computed mark and the same mark typed in give the same figures.
 */
import type { Account, Market, Position, RiskParams } from '../risk/account/types.js';
import { optionEntryValueOf } from '../risk/account/optionPosition.js';
import { yearsToExpiry, type OptionInstrument } from '../risk/options/instrument.js';
import { optionModelMark, type UnderlyingVolatility } from '../risk/options/mark.js';
import type { StandardOptionMarginParams } from '../risk/options/standardMargin.js';
import { PricingInputError } from '../risk/pricing/inputs.js';
import { makeVolSlice, makeVolSurface, type SmileInput, type VolSlice } from '../risk/pricing/volSurface.js';
import { PM_PRESETS } from '../risk/portfolio/presets.js';
import type { PortfolioMarginModel } from '../risk/portfolio/margin.js';
import { PRICE_ONE, parsePrice, parseSize, parseAmount, price, priceFromNumber, toNumber, type Price } from '../risk/units/quantities.js';
import { parameterOf, sortedEntries, type IssueCollector } from './issues.js';
import { OPTION_MARGIN_PRESETS } from './optionPresets.js';
import type { OptionInstrumentDocument, PositionDocument, RiskDocument, VenueParamsDocument } from './schema.js';

export interface LoadedParts {
  readonly params: RiskParams;
  readonly market: Market;
  readonly account: Account;
}

type OptionVenueParams = Pick<RiskParams, 'options' | 'optionMargin' | 'portfolio'>;
type VolatilityDocument = NonNullable<RiskDocument['volatility']>[string];
type SliceDocument = VolatilityDocument['slices'][number];

/** Option instruments, option margin parameters and the portfolio model of the venue. */
export function optionVenueParamsOf(c: IssueCollector, doc: VenueParamsDocument): OptionVenueParams {
  const options = new Map<string, OptionInstrument>();
  for (const [symbol, spec] of sortedEntries(doc.instruments)) {
    if (spec.kind !== 'option') continue;
    const option = optionInstrumentOf(c, `/instruments/${symbol}`, symbol, spec, doc);
    if (option !== undefined) options.set(symbol, option);
  }
  const optionMargin = new Map<string, StandardOptionMarginParams>();
  for (const [underlying, spec] of sortedEntries(doc.risk?.optionMargin ?? {})) {
    const path = `/risk/optionMargin/${underlying}`;
    if (spec.kind === 'preset') {
      const preset = OPTION_MARGIN_PRESETS[spec.preset];
      c.check(preset !== undefined, `${path}/preset`, 'preset_unknown', `no option margin preset "${spec.preset}"; known: ${Object.keys(OPTION_MARGIN_PRESETS).join(', ')}`);
      if (preset !== undefined) optionMargin.set(underlying, preset);
      continue;
    }
    const params = {
      initialBase: parameterOf(c, `${path}/initialBase`, spec.initialBase, 0, 1),
      initialMin: parameterOf(c, `${path}/initialMin`, spec.initialMin, 0, 1),
      maintenance: parameterOf(c, `${path}/maintenance`, spec.maintenance, 0, 1),
      longInitialHaircut: parameterOf(c, `${path}/longInitialHaircut`, spec.longInitialHaircut, 0, 1),
    };
    // initialMin >= maintenance keeps IM >= MM for every short (standardMargin.ts).
    c.check(params.initialMin >= params.maintenance, `${path}/initialMin`, 'option_margin_not_ordered', 'must be >= maintenance (IM >= MM)');
    c.check(params.initialBase >= params.initialMin, `${path}/initialBase`, 'option_margin_not_ordered', 'must be >= initialMin');
    optionMargin.set(underlying, params);
  }
  let portfolio: PortfolioMarginModel | undefined;
  const model = doc.risk?.portfolio?.model;
  if (model !== undefined) {
    portfolio = PM_PRESETS.get(model);
    c.check(portfolio !== undefined, '/risk/portfolio/model', 'preset_unknown', `no portfolio margin model "${model}"; known: ${[...PM_PRESETS.keys()].join(', ')}`);
  }
  return {
    ...(options.size === 0 ? {} : { options }),
    ...(doc.risk?.optionMargin === undefined ? {} : { optionMargin }),
    ...(portfolio === undefined ? {} : { portfolio }),
  };
}

function optionInstrumentOf(
  c: IssueCollector,
  path: string,
  symbol: string,
  doc: OptionInstrumentDocument,
  root: VenueParamsDocument,
): OptionInstrument | undefined {
  const strike = c.try(`${path}/strike`, () => parsePrice(doc.strike, `${path}/strike`));
  const contractSize = c.try(`${path}/contractSize`, () => parseSize(doc.contractSize, `${path}/contractSize`));
  const tick = c.try(`${path}/tick`, () => parsePrice(doc.tick, `${path}/tick`));
  const lot = c.try(`${path}/lot`, () => parseSize(doc.lot, `${path}/lot`));
  c.check(contractSize === undefined || contractSize > 0n, `${path}/contractSize`, 'value_not_positive', 'must be > 0');
  c.check(lot === undefined || lot > 0n, `${path}/lot`, 'value_not_positive', 'must be > 0');
  const expiryMs = Date.parse(doc.expiry);
  c.check(Number.isFinite(expiryMs), `${path}/expiry`, 'expiry_invalid', 'an option needs an ISO 8601 expiry time');
  const settlementAsset = doc.settlement === 'linear' ? doc.quoteAsset : doc.underlying;
  c.check(
    Object.hasOwn(root.assets, settlementAsset),
    `${path}/${doc.settlement === 'linear' ? 'quoteAsset' : 'underlying'}`,
    'settlement_asset_unknown',
    `a ${doc.settlement} option settles in ${settlementAsset}, which has no entry in /assets`,
  );
  if (strike === undefined || contractSize === undefined || tick === undefined || lot === undefined) return undefined;
  return {
    kind: 'option',
    symbol,
    underlying: doc.underlying,
    quoteAsset: doc.quoteAsset,
    settlement: doc.settlement,
    optionKind: doc.optionKind,
    strike,
    expiryMs,
    contractSize,
    tick,
    lot,
  };
}

/** The options part of the market and the account, added to what load.ts built from the rest. */
export function withOptions(c: IssueCollector, doc: RiskDocument, loaded: LoadedParts): LoadedParts {
  const { params, market, account } = loaded;
  const options = params.options ?? new Map<string, OptionInstrument>();
  const asOfMs = asOfOf(c, doc);
  const volatility = volatilityOf(c, doc, asOfMs);
  const optionPositions = new Map<string, Position>();
  doc.account.positions.forEach((p, i) => {
    const option = options.get(p.instrument);
    if (option === undefined) return;
    const position = optionPositionOf(c, `/account/positions/${i}`, p, option, doc, asOfMs);
    if (position !== undefined) optionPositions.set(p.instrument, position);
  });
  checkOptionInputs(c, doc, params, options);
  if (doc.account.mode === 'portfolio') checkPortfolio(c, doc, params);
  checkAsOfGiven(c, doc, params);
  // Document order: linear positions as load.ts built them, options from here.
  const linear = new Map(account.positions.map((p) => [p.instrument, p]));
  const positions = doc.account.positions
    .map((p) => optionPositions.get(p.instrument) ?? linear.get(p.instrument))
    .filter((p): p is Position => p !== undefined);
  const marks = c.issues.length === 0 ? marksWithModel(c, params, market, [...optionPositions.keys()], volatility, asOfMs) : market.marks;
  return {
    params,
    market: {
      ...market,
      marks,
      ...(asOfMs === undefined ? {} : { asOfMs }),
      ...(volatility.size === 0 ? {} : { volatility }),
    },
    account: { ...account, positions },
  };
}

function asOfOf(c: IssueCollector, doc: RiskDocument): number | undefined {
  if (doc.asOf === undefined) return undefined;
  const ms = Date.parse(doc.asOf);
  c.check(Number.isFinite(ms), '/asOf', 'as_of_invalid', 'must be an ISO 8601 time, e.g. 2026-01-01T08:00:00Z');
  return Number.isFinite(ms) ? ms : undefined;
}

function volatilityOf(c: IssueCollector, doc: RiskDocument, asOfMs: number | undefined): Map<string, UnderlyingVolatility> {
  const out = new Map<string, UnderlyingVolatility>();
  for (const [underlying, spec] of sortedEntries(doc.volatility ?? {})) {
    const path = `/volatility/${underlying}`;
    const rate = parameterOf(c, `${path}/rate`, spec.rate ?? '0', -1, 1);
    if (asOfMs === undefined) continue;
    const slices = spec.slices.map((slice, i) => sliceOf(c, `${path}/slices/${i}`, slice, asOfMs));
    let ascending = true;
    slices.forEach((slice, i) => {
      const previous = slices[i - 1];
      if (slice === undefined || previous === undefined) return;
      ascending &&= slice.expiryYears > previous.expiryYears;
      c.check(slice.expiryYears > previous.expiryYears, `${path}/slices/${i}/expiry`, 'slices_not_ascending', 'slices must be in increasing expiry');
    });
    if (!ascending || !slices.every((s): s is VolSlice => s !== undefined)) continue;
    // The slices are valid one by one and ascending: the surface is the same slices, checked once more.
    const inputs = slices.map(({ expiryYears, forward }, i) => ({ expiryYears, forward, smile: smileInputOf(spec.slices[i]) }));
    const surface = convert(c, path, () => makeVolSurface({ slices: inputs }));
    if (surface !== undefined) out.set(underlying, { rate, surface });
  }
  return out;
}

function smileInputOf(slice: SliceDocument | undefined): SmileInput {
  const smile = slice?.smile;
  switch (smile?.kind) {
    case 'grid':
      return { kind: 'grid', points: smile.points.map((p) => ({ strike: Number(p.strike), vol: Number(p.vol) })) };
    case 'svi':
      return { kind: 'svi', params: { a: Number(smile.a), b: Number(smile.b), rho: Number(smile.rho), m: Number(smile.m), sigma: Number(smile.sigma) } };
    case 'flat':
      return { kind: 'flat', vol: Number(smile.vol) };
    case undefined:
      throw new Error('Invariant: a slice has a smile');
  }
}

function sliceOf(c: IssueCollector, path: string, doc: SliceDocument, asOfMs: number): VolSlice | undefined {
  const expiryMs = Date.parse(doc.expiry);
  c.check(Number.isFinite(expiryMs), `${path}/expiry`, 'expiry_invalid', 'a slice needs an ISO 8601 expiry time');
  if (!Number.isFinite(expiryMs)) return undefined;
  const expiryYears = yearsToExpiry(expiryMs, asOfMs);
  c.check(expiryYears > 0, `${path}/expiry`, 'slice_expired', `the slice expires at or before asOf`);
  const forward = Number(doc.forward);
  c.check(forward > 0, `${path}/forward`, 'value_not_positive', 'must be > 0');
  if (expiryYears <= 0 || !(forward > 0)) return undefined;
  return convert(c, `${path}/smile`, () => makeVolSlice({ expiryYears, forward, smile: smileInputOf(doc) }));
}

/** Run a pricing constructor; its PricingInputError becomes an issue with its code at `path`. */
function convert<T>(c: IssueCollector, path: string, build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof PricingInputError)) throw error;
    c.add(path, error.code, error.detail);
    return undefined;
  }
}

function optionPositionOf(
  c: IssueCollector,
  path: string,
  doc: PositionDocument,
  option: OptionInstrument,
  root: RiskDocument,
  asOfMs: number | undefined,
): Position | undefined {
  const size = c.try(`${path}/size`, () => parseSize(doc.size, `${path}/size`));
  const entryPrice = c.try(`${path}/entryPrice`, () => parsePrice(doc.entryPrice, `${path}/entryPrice`));
  if (size !== undefined) c.check(size % option.lot === 0n, `${path}/size`, 'size_not_multiple_of_lot', 'must be a multiple of the lot');
  c.check(doc.leverage === undefined, `${path}/leverage`, 'leverage_unexpected', 'an option position has no leverage: its margin follows the option rules');
  c.check(doc.openOrders === undefined, `${path}/openOrders`, 'open_orders_unexpected', 'open orders on options are not margined yet');
  const mode = root.account.mode;
  c.check(
    (doc.isolatedMargin !== undefined) === (mode === 'isolated'),
    `${path}/isolatedMargin`,
    mode === 'isolated' ? 'isolated_margin_missing' : 'isolated_margin_unexpected',
    mode === 'isolated' ? 'an isolated account gives each position its margin' : `a ${mode} account pools margin`,
  );
  const isolatedMargin =
    doc.isolatedMargin === undefined ? undefined : c.try(`${path}/isolatedMargin`, () => parseAmount(doc.isolatedMargin, `${path}/isolatedMargin`));
  c.check(isolatedMargin === undefined || isolatedMargin >= 0n, `${path}/isolatedMargin`, 'value_negative', 'must be >= 0');
  if (asOfMs !== undefined && Number.isFinite(option.expiryMs)) {
    c.check(option.expiryMs >= asOfMs, `${path}/instrument`, 'option_expired', `${option.symbol} expired before asOf: settle it first`);
  }
  if (size === undefined || entryPrice === undefined) return undefined;
  return {
    instrument: option.symbol,
    size,
    entryValue: optionEntryValueOf(option, size, entryPrice),
    ...(isolatedMargin === undefined ? {} : { isolatedMargin }),
  };
}

/** Prices, marks (or a surface to compute them) and margin parameters for every option held. */
function checkOptionInputs(
  c: IssueCollector,
  doc: RiskDocument,
  params: RiskParams,
  options: ReadonlyMap<string, OptionInstrument>,
): void {
  const needed = new Set<string>();
  const margined = new Set<string>();
  doc.account.positions.forEach((p, i) => {
    const option = options.get(p.instrument);
    if (option === undefined) return;
    needed.add(option.underlying);
    needed.add(option.quoteAsset);
    margined.add(option.underlying);
    c.check(
      Object.hasOwn(doc.marks, p.instrument) || Object.hasOwn(doc.volatility ?? {}, option.underlying),
      `/marks/${p.instrument}`,
      'mark_price_missing',
      `position ${i} needs a mark for ${p.instrument}, or a volatility surface for ${option.underlying} to compute one`,
    );
  });
  if (doc.account.mode !== 'portfolio') {
    for (const underlying of [...margined].sort()) {
      c.check(
        params.optionMargin?.has(underlying) === true || Object.hasOwn(doc.risk?.optionMargin ?? {}, underlying),
        `/risk/optionMargin/${underlying}`,
        'option_margin_missing',
        `the account holds options on ${underlying}: standard option margin parameters are needed`,
      );
    }
  }
  for (const asset of [...needed].sort()) {
    if (asset === doc.valuationAsset) continue;
    c.check(Object.hasOwn(doc.prices, asset), `/prices/${asset}`, 'price_missing', `no price for ${asset} in ${doc.valuationAsset}`);
  }
}

/** A portfolio account needs its model, one quote asset per underlying, and surfaces for its options. */
function checkPortfolio(c: IssueCollector, doc: RiskDocument, params: RiskParams): void {
  c.check(doc.risk?.portfolio !== undefined, '/risk/portfolio', 'portfolio_model_missing', 'a portfolio account needs a scenario model, e.g. { model: deribit-like }');
  const quotes = new Map<string, Set<string>>();
  const unpriced = new Set<string>();
  for (const p of doc.account.positions) {
    const option = params.options?.get(p.instrument);
    const instrument = option ?? params.instruments.get(p.instrument);
    if (instrument === undefined) continue;
    quotes.set(instrument.underlying, (quotes.get(instrument.underlying) ?? new Set<string>()).add(instrument.quoteAsset));
    if (option !== undefined && doc.volatility?.[option.underlying] === undefined) unpriced.add(option.underlying);
  }
  for (const underlying of [...unpriced].sort()) {
    c.add(`/volatility/${underlying}`, 'volatility_missing', `the ${underlying} portfolio holds options: its scenarios need a volatility surface`);
  }
  for (const underlying of [...quotes.keys()].sort()) {
    const set = [...(quotes.get(underlying) ?? [])].sort();
    c.check(set.length === 1, '/account/positions', 'portfolio_quote_assets_differ', `the ${underlying} positions are quoted in ${set.join(' and ')}: a portfolio is measured in one quote asset`);
  }
}

/** Time is an input: surfaces, options held and a portfolio's dated futures all need `asOf`. */
function checkAsOfGiven(c: IssueCollector, doc: RiskDocument, params: RiskParams): void {
  if (doc.asOf !== undefined) return;
  const held = doc.account.positions.map((p) => p.instrument);
  const reason =
    Object.keys(doc.volatility ?? {}).length > 0
      ? 'volatility surfaces expire at set times'
      : held.some((symbol) => params.options?.has(symbol))
        ? 'the account holds options'
        : doc.account.mode === 'portfolio' && held.some((symbol) => params.instruments.get(symbol)?.kind === 'future')
          ? 'a portfolio with dated futures measures their time to expiry'
          : undefined;
  if (reason !== undefined) c.add('/asOf', 'as_of_missing', `the valuation time is needed: ${reason}`);
}

/** The document's marks, with a model mark for every option position without one. */
function marksWithModel(
  c: IssueCollector,
  params: RiskParams,
  market: Market,
  symbols: readonly string[],
  volatility: ReadonlyMap<string, UnderlyingVolatility>,
  asOfMs: number | undefined,
): ReadonlyMap<string, Price> {
  const marks = new Map(market.marks);
  for (const symbol of symbols) {
    const option = params.options?.get(symbol);
    const surface = option === undefined ? undefined : volatility.get(option.underlying);
    if (marks.has(symbol) || option === undefined || surface === undefined || asOfMs === undefined) continue;
    const priceOf = (asset: string): number => toNumber(market.prices.get(asset) ?? PRICE_ONE, 'Price');
    const model = convert(c, `/volatility/${option.underlying}`, () =>
      optionModelMark({ option, volatility: surface, asOfMs, indexPrice: priceOf(option.underlying) / priceOf(option.quoteAsset) }),
    );
    if (model !== undefined) marks.set(symbol, model.mark > 0 ? priceFromNumber(model.mark, 'halfEven') : price(0n));
  }
  return marks;
}
