/**
 * The value of one unit of an instrument now and in a scenario, in the portfolio's valuation
 * currency. Each instrument has a native currency: quote for linear options and futures, coin for
 * inverse ones and for spot. A scenario multiplies the index S, every forward F and the perpetual's
 * mark by f = 1 + priceMove; values convert between quote and coin at the scenario's own index S f.
 *
 *   linear option    quote  c x Black76(F f, K, vol', T, r)
 *   inverse option   coin   c x Black76(F f, K, vol', T, r) / (S f)     (Deribit: quote value / index)
 *   linear future    quote  c x (F f - F)                   (PnL from the current mark, c units)
 *   inverse future   coin   c x (1/F - 1/(F f))             (c quote per contract, Deribit 10 USD)
 *   spot             coin   1
 *
 * Worked: long 1 linear ETH future, F 2,253.155, move -15%: 2,253.155 x (0.85 - 1) = -337.97 USD.
 *
 * Delta, in units of the underlying per unit of the instrument, is the sensitivity of the value in
 * the valuation currency to a relative index move, divided by the index (quote) or not (coin):
 *   quote: dVq/dS;  coin: S d(Vq/S)/dS = dVq/dS - Vq/S,
 * so that a spot coin has delta 1 in a quote portfolio and 0 in a coin portfolio (coin is the
 * numeraire there), and an inverse option's coin delta is Deribit's "net transaction delta"
 * (F/S) dV/dF - V_coin (src/risk/pricing/options.ts).
 */
import { black76 } from '../pricing/blackScholes.js';
import { surfaceForward, surfaceVol } from '../pricing/volSurface.js';
import { shockedVol, type VolMove, type VolShockModel } from './scenarios.js';
import type { PmInstrument, PmMarket, ValuationCurrency } from './types.js';

export interface PricedInstrument {
  readonly instrument: PmInstrument;
  /** The price the scenarios move: the expiry's forward, the perpetual's mark, the index for spot. */
  readonly price: number;
  /** Current implied vol (options); 0 for the rest. */
  readonly vol: number;
  /** Value of one unit now, valuation currency (futures and perpetuals: 0, they are marked). */
  readonly valueNow: number;
  /** Delta of one unit, units of underlying (see the file comment). */
  readonly deltaUnits: number;
  /** |underlying units| of one contract of a future or perpetual (futures contingency); 0 otherwise. */
  readonly futuresUnits: number;
}

/** The forward of an expiry; at expiry (T = 0) the index itself. */
export function forwardOf(market: PmMarket, expiryYears: number): number {
  return expiryYears > 0 ? surfaceForward(market.surface, expiryYears) : market.indexPrice;
}

interface Native {
  readonly currency: ValuationCurrency;
  readonly value: number;
}

function toValuation(native: Native, indexPrice: number, currency: ValuationCurrency): number {
  if (native.currency === currency) return native.value;
  return currency === 'quote' ? native.value * indexPrice : native.value / indexPrice;
}

function nativeValue(priced: PricedInstrument, market: PmMarket, factor: number, vol: number): Native {
  const { instrument, price } = priced;
  switch (instrument.kind) {
    case 'option': {
      const quote =
        instrument.contractSize *
        black76({
          kind: instrument.optionKind,
          forward: price * factor,
          strike: instrument.strike,
          rate: market.rate,
          vol,
          timeYears: instrument.expiryYears,
        }).price;
      return instrument.settlement === 'linear'
        ? { currency: 'quote', value: quote }
        : { currency: 'coin', value: quote / (market.indexPrice * factor) };
    }
    case 'future':
    case 'perpetual':
      return instrument.settlement === 'linear'
        ? { currency: 'quote', value: instrument.contractSize * (price * factor - price) }
        : { currency: 'coin', value: instrument.contractSize * (1 / price - 1 / (price * factor)) };
    case 'spot':
      return { currency: 'coin', value: 1 };
  }
}

/** Value of one unit in a scenario (price factor f = 1 + move, vol move), valuation currency. */
export function scenarioValue(
  priced: PricedInstrument,
  market: PmMarket,
  volShock: VolShockModel,
  factor: number,
  volMove: VolMove,
  currency: ValuationCurrency,
): number {
  const { instrument } = priced;
  const expiryYears = instrument.kind === 'option' ? instrument.expiryYears : 0;
  const vol = instrument.kind === 'option' ? shockedVol(volShock, priced.vol, expiryYears, volMove) : 0;
  return toValuation(nativeValue(priced, market, factor, vol), market.indexPrice * factor, currency);
}

function priceOf(instrument: PmInstrument, market: PmMarket): number {
  switch (instrument.kind) {
    case 'option':
    case 'future':
      return forwardOf(market, instrument.expiryYears);
    case 'perpetual':
      return market.perpetualPrice ?? market.indexPrice;
    case 'spot':
      return market.indexPrice;
  }
}

/** dVq/dS of one unit, quote per quote. */
function quoteDelta(instrument: PmInstrument, market: PmMarket, price: number, vol: number): number {
  const index = market.indexPrice;
  switch (instrument.kind) {
    case 'option': {
      const greeks = black76({
        kind: instrument.optionKind,
        forward: price,
        strike: instrument.strike,
        rate: market.rate,
        vol,
        timeYears: instrument.expiryYears,
      });
      return instrument.contractSize * greeks.delta * (price / index);
    }
    case 'future':
    case 'perpetual':
      // Linear: c (F f - F) moves by c F / S per unit of S. Inverse: c (1/F - 1/(F f)) S f has
      // derivative c / F at f = 1.
      return instrument.settlement === 'linear' ? (instrument.contractSize * price) / index : instrument.contractSize / price;
    case 'spot':
      return 1;
  }
}

/** Prices one instrument once per market update: forward, vol, value now, delta. */
export function priceInstrument(instrument: PmInstrument, market: PmMarket, currency: ValuationCurrency): PricedInstrument {
  const price = priceOf(instrument, market);
  const vol =
    instrument.kind === 'option' && instrument.expiryYears > 0
      ? surfaceVol(market.surface, { timeYears: instrument.expiryYears, strike: instrument.strike })
      : 0;
  const futuresUnits =
    instrument.kind === 'future' || instrument.kind === 'perpetual'
      ? instrument.settlement === 'linear'
        ? instrument.contractSize
        : instrument.contractSize / price
      : 0;
  const partial: PricedInstrument = { instrument, price, vol, valueNow: 0, deltaUnits: 0, futuresUnits };
  const native = nativeValue(partial, market, 1, vol);
  const valueNow = toValuation(native, market.indexPrice, currency);
  const valueQuote = toValuation(native, market.indexPrice, 'quote');
  const dQuote = quoteDelta(instrument, market, price, vol);
  const deltaUnits = currency === 'quote' ? dQuote : dQuote - valueQuote / market.indexPrice;
  return { ...partial, valueNow, deltaUnits };
}
