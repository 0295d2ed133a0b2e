/**
 * Option marks from a volatility surface, for options whose mark the market does not give:
 * Black-76 on the forward of the option's expiry (METHODS.md section 3.1), at the surface's vol
 * for the option's strike. A linear option's mark is its quote value per unit of underlying; an
 * inverse option's is that value divided by the index, in coin (Deribit: "the price in USD is
 * calculated by using the latest index price"). At or after expiry the mark is the intrinsic value
 * against the index.
 *
 * Worked: call K 100,000, forward 100,000, vol 60%, 30 days, rate 0: 6,853.94 USDC per BTC
 * (linear); with the index at 99,500, 6,853.94 / 99,500 = 0.068884 BTC (inverse).
 */
import { settlementValue, valueOption } from '../pricing/options.js';
import { requirePositive } from '../pricing/inputs.js';
import { surfaceForward, surfaceVol, type VolSurface } from '../pricing/volSurface.js';
import { toNumber } from '../units/quantities.js';
import { yearsToExpiry, type OptionInstrument } from './instrument.js';

/** The market's view of one underlying's options. */
export interface UnderlyingVolatility {
  /** Continuously compounded rate that discounts option payoffs (Deribit: 0). */
  readonly rate: number;
  /** Implied vols by strike and expiry, and the forward of each expiry. */
  readonly surface: VolSurface;
}

export interface ModelMark {
  /** Per unit of underlying: quote asset (linear) or coin (inverse). */
  readonly mark: number;
  readonly forward: number;
  readonly vol: number;
  readonly timeYears: number;
}

export function optionModelMark(input: {
  readonly option: OptionInstrument;
  readonly volatility: UnderlyingVolatility;
  readonly asOfMs: number;
  /** The underlying's index in the option's quote asset. */
  readonly indexPrice: number;
}): ModelMark {
  const { option, volatility, asOfMs, indexPrice } = input;
  requirePositive('indexPrice', indexPrice);
  const strike = toNumber(option.strike, 'Price');
  const contract = { kind: option.optionKind, strike, settlement: option.settlement };
  const timeYears = yearsToExpiry(option.expiryMs, asOfMs);
  if (timeYears <= 0) {
    const payoff = settlementValue(contract, indexPrice);
    const mark = payoff.settlement === 'linear' ? payoff.valueQuote : payoff.valueCoin;
    return { mark, forward: indexPrice, vol: 0, timeYears: 0 };
  }
  const forward = surfaceForward(volatility.surface, timeYears);
  const vol = surfaceVol(volatility.surface, { timeYears, strike });
  const valuation = valueOption(contract, { forward, indexPrice, vol, timeYears, rate: volatility.rate });
  const mark = valuation.settlement === 'linear' ? valuation.valueQuote : valuation.valueCoin;
  return { mark, forward, vol, timeYears };
}
