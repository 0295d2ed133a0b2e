/**
 * Funding maths for perpetuals, Binance method (METHODS.md §1.3), exact in Rate units.
 *
 *   premium index P = (max(0, impact bid - index) - max(0, index - impact ask)) / index
 *   funding rate  F = P_avg + clamp(I - P_avg, -clamp, +clamp), then capped at +/- cap
 *   payment       = notional at mark x F, longs pay when F > 0
 *
 * Worked: I = 0.01% per 8h, clamp 0.05%: P_avg 0.03% -> F 0.01%; 0 -> 0.01%; 0.10% -> 0.05%;
 * -0.10% -> -0.05%. Long 2 BTC at 50,000 with F 0.05% pays 50.
 */
import type { LinearInstrument } from '../instruments/types.js';
import { RATE_DECIMALS, SIZE_DECIMALS, PRICE_DECIMALS, AMOUNT_DECIMALS } from '../units/quantities.js';
import { amount, rate, type Amount, type Price, type Rate, type Size } from '../units/quantities.js';
import { divFloor, divHalfEven, maxBig, minBig, pow10 } from '../units/rounding.js';

const RATE_SCALE = pow10(RATE_DECIMALS);

/** The premium of the impact prices over the index, rounded half-even to the rate scale. */
export function premiumIndexOf(input: { impactBid: Price; impactAsk: Price; index: Price }): Rate {
  const { impactBid, impactAsk, index } = input;
  const above = maxBig(0n, impactBid - index);
  const below = maxBig(0n, index - impactAsk);
  return rate(divHalfEven((above - below) * RATE_SCALE, index));
}

/**
 * The average of premium samples over a funding interval. Binance weights the i-th of n samples by
 * i ("time-weighted"), so later samples count more; 'equal' is the plain mean.
 */
export function premiumAverageOf(samples: readonly Rate[], weighting: 'equal' | 'timeWeighted'): Rate {
  if (samples.length === 0) return rate(0n);
  let total = 0n;
  let weights = 0n;
  samples.forEach((sample, i) => {
    const weight = weighting === 'equal' ? 1n : BigInt(i + 1);
    total += sample * weight;
    weights += weight;
  });
  return rate(divHalfEven(total, weights));
}

export interface FundingRateParams {
  /** Interest rate per interval (Binance: 0.01% per 8h). */
  readonly interest: Rate;
  /** Bound on (interest - premium) (Binance: 0.05%). */
  readonly clamp: Rate;
  /** Bound on the final rate per interval (Binance BTCUSDT: 0.3%). */
  readonly cap: Rate;
}

export function fundingRateOf(premiumAverage: Rate, p: FundingRateParams): Rate {
  const clamped = maxBig(-p.clamp, minBig(p.clamp, p.interest - premiumAverage));
  return rate(maxBig(-p.cap, minBig(p.cap, premiumAverage + clamped)));
}

// size x contractSize x mark x rate carries this many decimals beyond AMOUNT.
const LINEAR_SHIFT = pow10(SIZE_DECIMALS + SIZE_DECIMALS + PRICE_DECIMALS + RATE_DECIMALS - AMOUNT_DECIMALS);
const INVERSE_SHIFT = pow10(SIZE_DECIMALS + SIZE_DECIMALS + RATE_DECIMALS - PRICE_DECIMALS - AMOUNT_DECIMALS);

/**
 * What a position receives (positive) or pays (negative) at a funding settlement, in its settlement
 * asset: -(size x contractSize x mark x F) for linear, -(size x contractSize / mark x F) for
 * inverse. Rounded down, so a payer pays at least, and a receiver receives at most, the exact
 * figure; the engine sends the difference to its rounding account so that funding stays zero-sum.
 */
export function fundingPaymentOf(instrument: LinearInstrument, size: Size, mark: Price, fundingRate: Rate): Amount {
  const quantity = size * instrument.contractSize;
  if (instrument.settlement === 'linear') {
    return amount(divFloor(-quantity * mark * fundingRate, LINEAR_SHIFT));
  }
  return amount(divFloor(-quantity * fundingRate, mark * INVERSE_SHIFT));
}
