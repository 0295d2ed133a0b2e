/**
 * The requirement of a `portfolio` account (METHODS.md section 3.3): per underlying, its options,
 * dated futures, perpetuals and spot holding are revalued together by `portfolioMargin` under the
 * venue's scenario model (`RiskParams.portfolio`, e.g. DERIBIT_LIKE_PM), so that a future or the
 * coin itself offsets an option inside every scenario. Underlyings do not offset each other.
 *
 *   MM = sum over underlyings of MM_u x the price of the model's currency in the valuation asset
 *        (coin models: the underlying's price; quote models: the quote asset's), rounded up
 *   IM likewise.
 *
 * What each underlying's portfolio holds:
 * - every position whose instrument is on the underlying, as contracts (PmPosition quantity);
 * - the spot holding: the coin the account holds in that underlying, i.e. its balance plus the
 *   unrealised PnL settled in it, less the mark value of its inverse options (those are revalued
 *   as options): the coin whose quote value moves with every scenario. A balance in an underlying
 *   of the venue's instruments is a spot holding even without positions in it.
 * The market of an underlying: its index in the instruments' quote asset (one quote asset per
 * underlying: `portfolio_quote_assets_differ` otherwise), the rate and surface of
 * `Market.volatility` (needed with options: `volatility_missing`); without a surface, flat
 * zero-vol slices carry each dated future's mark as the forward of its expiry. All perpetuals of
 * an underlying move from the first one's mark (in symbol order).
 *
 * Worked (METHODS.md, dederi-like): long 10 ETH futures, index 2,243.3, future mark 2,253.155:
 * worst loss 10 x 2,253.155 x 15% = 3,379.73 at -15%, contingency 0.006 x 2,243.3 x 10 = 134.60,
 * MM = 3,514.33 USDC.
 */
import { InputError } from '../errors.js';
import { yearsToExpiry } from '../options/instrument.js';
import { makeVolSurface, type VolSliceInput, type VolSurface } from '../pricing/volSurface.js';
import { explainPortfolioMargin, portfolioMargin, type PortfolioMarginResult } from '../portfolio/margin.js';
import type { PmInstrument, PmMarket, PmPosition } from '../portfolio/types.js';
import { amount, amountFromNumber, formatAmount, formatPrice, toNumber, type Amount, type Price } from '../units/quantities.js';
import { instrumentOf, markOf, optionOf, priceOf, underlyingOf, type PositionPnl } from './lookup.js';
import { optionValueOf } from './optionPosition.js';
import type { Pool } from './pool.js';
import type { Market, Position, RiskParams } from './types.js';

export interface PortfolioFigures {
  readonly underlying: string;
  /** The scenario model's result, float64 in the model's currency. */
  readonly result: PortfolioMarginResult;
  /** The asset the model measures in: the underlying (coin models) or the quote asset. */
  readonly currencyAsset: string;
  /** Price of one unit of `currencyAsset` in the valuation asset. */
  readonly currencyPrice: Price;
  /** In the valuation asset, rounded up. */
  readonly initialMargin: Amount;
  readonly maintenanceMargin: Amount;
  /** The requirement in sentences: figures, binding scenario with each position's PnL, contingencies. */
  readonly explanation: readonly string[];
}

/** The id of an underlying's spot holding in its portfolio; no instrument symbol contains a space. */
export const spotIdOf = (underlying: string): string => `${underlying} (spot)`;

interface Held {
  readonly position: Position;
  readonly pnl: PositionPnl;
}

function venueUnderlyings(params: RiskParams): Set<string> {
  const out = new Set<string>();
  for (const instrument of params.instruments.values()) out.add(instrument.underlying);
  for (const option of params.options?.values() ?? []) out.add(option.underlying);
  return out;
}

export function portfolioFiguresOf(pool: Pool, pnls: readonly PositionPnl[], market: Market, params: RiskParams): PortfolioFigures[] {
  const groups = new Map<string, Held[]>();
  pool.positions.forEach((position, i) => {
    const underlying = underlyingOf(params, position.instrument);
    const pnl = pnls[i];
    if (pnl === undefined) throw new Error('Invariant: one PnL per position');
    groups.set(underlying, [...(groups.get(underlying) ?? []), { position, pnl }]);
  });
  const underlyings = venueUnderlyings(params);
  for (const [asset, balance] of pool.balances) if (balance !== 0n && underlyings.has(asset) && !groups.has(asset)) groups.set(asset, []);
  if (groups.size === 0) return [];
  const model = params.portfolio;
  if (model === undefined) throw new InputError('portfolio_model_missing', 'a portfolio account needs a scenario model (risk.portfolio)');
  return [...groups.keys()].sort().map((underlying) => underlyingFigures(underlying, groups.get(underlying) ?? [], pool, market, params));
}

function quoteAssetOf(underlying: string, held: readonly Held[], params: RiskParams): string {
  const quotes = new Set(held.map(({ position }) => (optionOf(params, position.instrument) ?? instrumentOf(params, position.instrument)).quoteAsset));
  if (quotes.size > 1) {
    throw new InputError('portfolio_quote_assets_differ', `the ${underlying} portfolio mixes quote assets ${[...quotes].sort().join(', ')}: it is measured in one`);
  }
  return [...quotes][0] ?? params.valuationAsset;
}

function asOfOf(market: Market, underlying: string): number {
  if (market.asOfMs === undefined) throw new InputError('as_of_missing', `the ${underlying} portfolio holds dated instruments: the valuation time (asOf) is needed`);
  return market.asOfMs;
}

/** Flat zero-vol slices at each dated future's expiry, its mark the forward; one slice at the index otherwise. */
function futuresSurface(held: readonly Held[], market: Market, params: RiskParams, index: number): VolSurface {
  const byExpiry = new Map<number, number>();
  const futures = held
    .map(({ position }) => ({ symbol: position.instrument, instrument: params.instruments.get(position.instrument) }))
    .filter((f) => f.instrument?.kind === 'future')
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  for (const { symbol, instrument } of futures) {
    if (instrument?.kind !== 'future') continue;
    const years = yearsToExpiry(instrument.expiryMs, asOfOf(market, instrument.underlying));
    if (years > 0 && !byExpiry.has(years)) byExpiry.set(years, toNumber(markOf(market, symbol), 'Price'));
  }
  const slices: VolSliceInput[] = [...byExpiry.entries()]
    .sort(([a], [b]) => a - b)
    .map(([expiryYears, forward]) => ({ expiryYears, forward, smile: { kind: 'flat', vol: 0 } }));
  if (slices.length === 0) slices.push({ expiryYears: 1, forward: index, smile: { kind: 'flat', vol: 0 } });
  return makeVolSurface({ slices });
}

function pmPositionOf(position: Position, underlying: string, market: Market, params: RiskParams): PmPosition {
  const quantity = toNumber(position.size, 'Size');
  const id = position.instrument;
  const option = optionOf(params, id);
  if (option !== undefined) {
    const expiryYears = Math.max(yearsToExpiry(option.expiryMs, asOfOf(market, underlying)), 0);
    const instrument: PmInstrument = {
      kind: 'option',
      id,
      underlying,
      optionKind: option.optionKind,
      strike: toNumber(option.strike, 'Price'),
      expiryYears,
      settlement: option.settlement,
      contractSize: toNumber(option.contractSize, 'Size'),
    };
    return { instrument, quantity };
  }
  const linear = instrumentOf(params, id);
  const contractSize = toNumber(linear.contractSize, 'Size');
  if (linear.kind === 'perpetual') return { instrument: { kind: 'perpetual', id, underlying, settlement: linear.settlement, contractSize }, quantity };
  const expiryYears = Math.max(yearsToExpiry(linear.expiryMs, asOfOf(market, underlying)), 0);
  return { instrument: { kind: 'future', id, underlying, expiryYears, settlement: linear.settlement, contractSize }, quantity };
}

/** Coin held in the underlying: balance + PnL settled in it - the mark value of its inverse options. */
function spotUnitsOf(underlying: string, held: readonly Held[], pool: Pool, market: Market, params: RiskParams): number {
  let coin = pool.balances.get(underlying) ?? 0n;
  for (const { position, pnl } of held) {
    if (pnl.asset === underlying) coin += pnl.pnl;
    const option = optionOf(params, position.instrument);
    if (option?.settlement === 'inverse') coin -= optionValueOf(option, position.size, markOf(market, position.instrument));
  }
  return toNumber(amount(coin), 'Amount');
}

function underlyingFigures(underlying: string, held: readonly Held[], pool: Pool, market: Market, params: RiskParams): PortfolioFigures {
  const model = params.portfolio;
  if (model === undefined) throw new Error('Invariant: checked by portfolioFiguresOf');
  const quoteAsset = quoteAssetOf(underlying, held, params);
  const index = toNumber(priceOf(market, params, underlying), 'Price') / toNumber(priceOf(market, params, quoteAsset), 'Price');
  const volatility = market.volatility?.get(underlying);
  const hasOptions = held.some(({ position }) => optionOf(params, position.instrument) !== undefined);
  if (hasOptions && volatility === undefined) {
    throw new InputError('volatility_missing', `the ${underlying} portfolio holds options: a volatility surface for ${underlying} is needed`);
  }
  const perpetuals = held
    .map(({ position }) => position.instrument)
    .filter((symbol) => params.instruments.get(symbol)?.kind === 'perpetual')
    .sort();
  const firstPerpetual = perpetuals[0];
  const pmMarket: PmMarket = {
    underlying,
    indexPrice: index,
    rate: volatility?.rate ?? 0,
    surface: volatility?.surface ?? futuresSurface(held, market, params, index),
    ...(firstPerpetual === undefined ? {} : { perpetualPrice: toNumber(markOf(market, firstPerpetual), 'Price') }),
  };
  const positions = held.map(({ position }) => pmPositionOf(position, underlying, market, params));
  const spotUnits = spotUnitsOf(underlying, held, pool, market, params);
  if (spotUnits !== 0) positions.push({ instrument: { kind: 'spot', id: spotIdOf(underlying), underlying }, quantity: spotUnits });
  const result = portfolioMargin({ positions, market: pmMarket, model });
  const currencyAsset = model.currency === 'coin' ? underlying : quoteAsset;
  const currencyPrice = priceOf(market, params, currencyAsset);
  const conversion = toNumber(currencyPrice, 'Price');
  const initialMargin = amountFromNumber(result.initial * conversion, 'ceil');
  const maintenanceMargin = amountFromNumber(result.maintenance * conversion, 'ceil');
  const valuation = params.valuationAsset;
  const explanation = [
    ...explainPortfolioMargin(result),
    `in ${valuation} at ${formatPrice(currencyPrice)} per ${currencyAsset}, rounded up: ` +
      `MM ${formatAmount(maintenanceMargin)}, IM ${formatAmount(initialMargin)}`,
  ];
  return { underlying, result, currencyAsset, currencyPrice, initialMargin, maintenanceMargin, explanation };
}
