/**
 * Black-Scholes-Merton with a continuous yield q, and Black-76 on a forward, for European calls
 * and puts: price and the first-order Greeks, in float64.
 *
 * Units: rates, yields and vols are annual and continuously compounded, as decimals (0.05 = 5%);
 * `vega` is per 1.00 of vol (divide by 100 for "per vol point"), `theta` is per year of calendar
 * time (divide by 365 for per day), `rho` per 1.00 of rate.
 *
 * Edge conventions (docs/methodology/options-pricing.md):
 * - timeYears = 0: the option is at expiry. Price = intrinsic value, delta the 0/1 step
 *   (1/2 exactly at the money, the limit of N(d1)), gamma = vega = theta = rho = 0.
 * - vol = 0, timeYears > 0: the price is the discounted intrinsic value of the forward,
 *   max(S e^-qT - K e^-rT, 0) for a call; the Greeks are their vol -> 0 limits where finite
 *   (at the money vega tends to S e^-qT sqrt(T) n(0) and is returned; gamma tends to infinity there
 *   and is returned as 0).
 * - strike = 0: the call is a prepaid forward (price S e^-qT, delta e^-qT), the put is worthless.
 *   spot = 0: the call is worthless, the put is worth K e^-rT.
 * - Invalid input (negative spot, strike, vol or time; any non-finite number) throws
 *   `option_input_invalid: <field> must be ...`; a result that would overflow float64 throws
 *   `option_input_invalid: result overflows float64`. No NaN or Infinity is ever returned.
 */
import { logRatio, optionInputInvalid, requireFinite, requireNonNegative } from './inputs.js';
import { bsmLegs, type Legs } from './legs.js';
import { normCdf, normPdf } from './normal.js';

export type OptionKind = 'call' | 'put';

export interface Greeks {
  readonly price: number;
  readonly delta: number;
  readonly gamma: number;
  /** Per 1.00 of vol. */
  readonly vega: number;
  /** Per year of calendar time: the change in value as time passes (usually negative). */
  readonly theta: number;
  /** Per 1.00 of rate. */
  readonly rho: number;
}

export interface BsmInput {
  readonly kind: OptionKind;
  readonly spot: number;
  readonly strike: number;
  /** Risk-free rate r, continuously compounded per year. */
  readonly rate: number;
  /** Continuous yield q (dividends, foreign rate, or the cost-of-carry gap b = r - q). */
  readonly yield: number;
  readonly vol: number;
  readonly timeYears: number;
}

export interface Black76Input {
  readonly kind: OptionKind;
  readonly forward: number;
  readonly strike: number;
  /** Rate used only to discount the payoff; Deribit uses 0. */
  readonly rate: number;
  readonly vol: number;
  readonly timeYears: number;
}

function checkBsmInput(input: BsmInput): void {
  if (input.kind !== 'call' && input.kind !== 'put') throw optionInputInvalid('kind must be call or put');
  requireNonNegative('spot', input.spot);
  requireNonNegative('strike', input.strike);
  requireFinite('rate', input.rate);
  requireFinite('yield', input.yield);
  requireNonNegative('vol', input.vol);
  requireNonNegative('timeYears', input.timeYears);
}

/** x + 0 turns -0 (e.g. a put's rho at T = 0) into +0, so that results compare as expected. */
const positiveZero = (x: number): number => x + 0;

function checkFiniteResult(greeks: Greeks): Greeks {
  const values = [greeks.price, greeks.delta, greeks.gamma, greeks.vega, greeks.theta, greeks.rho];
  if (!values.every(Number.isFinite)) throw optionInputInvalid('result overflows float64');
  return {
    price: positiveZero(greeks.price),
    delta: positiveZero(greeks.delta),
    gamma: positiveZero(greeks.gamma),
    vega: positiveZero(greeks.vega),
    theta: positiveZero(greeks.theta),
    rho: positiveZero(greeks.rho),
  };
}

/**
 * The case where the payoff is known now: no time, no vol, or a zero spot or strike. `step` is
 * N(d1) = N(d2) in the limit: 1 in the money (forward above strike for a call), 0 out of it, 1/2 at
 * the money. Worked: S 100, K 90, r 5%, q 0, vol 0, T 1: call 100 - 90 e^-0.05 = 14.389352.
 */
function degenerate(input: BsmInput, legs: Legs): Greeks {
  const { kind, yield: q, rate: r, strike, timeYears: t } = input;
  const { spotYield, strikeRate, yieldDiscount, rateDiscount } = legs;
  const callStep = spotYield > strikeRate ? 1 : spotYield < strikeRate ? 0 : 0.5;
  const step = kind === 'call' ? callStep : 1 - callStep; // N(d1) for a call, N(-d1) for a put
  const sign = kind === 'call' ? 1 : -1;
  const expired = t === 0;
  const atTheMoneyVega = callStep === 0.5 ? spotYield * Math.sqrt(t) * normPdf(0) : 0;
  return {
    price: Math.max(sign * (spotYield - strikeRate), 0),
    delta: sign * yieldDiscount * step,
    gamma: 0,
    vega: expired ? 0 : atTheMoneyVega,
    theta: expired ? 0 : sign * step * (q * spotYield - r * strikeRate),
    rho: sign * strike * t * rateDiscount * step,
  };
}

/**
 * Rounding in the two-term formulas (each term near 0 far out of the money, near 1 deep in it) can
 * leave the result a few ulps outside the no-arbitrage bounds, even below zero. The bounds are
 * exact facts about the true price, so the computed price is clamped into
 * [max(discounted intrinsic, 0), S e^-qT for a call or K e^-rT for a put].
 */
function withinBounds(price: number, intrinsic: number, upper: number): number {
  return Math.min(Math.max(price, intrinsic, 0), upper);
}

/**
 * Generalized Black-Scholes-Merton (Merton 1973; Hull, "Options, Futures, and Other Derivatives",
 * ch. 15 and 17; METHODS.md section 3.1):
 *   d1 = (ln(S/K) + (r - q + vol^2/2) T) / (vol sqrt T),  d2 = d1 - vol sqrt T
 *   call = S e^-qT N(d1) - K e^-rT N(d2),  put = K e^-rT N(-d2) - S e^-qT N(-d1).
 * Worked (Hull): S 42, K 40, r 10%, vol 20%, T 0.5: call 4.759422, put 0.808599.
 * S 49, K 50, r 5%, vol 20%, T 20/52: call 2.400527, delta 0.521605, gamma 0.065544,
 * theta -4.30533/yr, vega 12.10548, rho 8.906962.
 */
export function bsm(input: BsmInput): Greeks {
  checkBsmInput(input);
  const legs = bsmLegs(input);
  const { kind, spot, strike, rate: r, yield: q, vol, timeYears: t } = input;
  const sqrtT = Math.sqrt(t);
  const stdDev = vol * sqrtT;
  if (stdDev === 0 || spot === 0 || strike === 0) return checkFiniteResult(degenerate(input, legs));
  const d1 = (logRatio(spot, strike) + (r - q) * t) / stdDev + stdDev / 2;
  const d2 = d1 - stdDev;
  const { spotYield, strikeRate, yieldDiscount, rateDiscount } = legs;
  const density = normPdf(d1);
  const decay = -(spotYield * density * vol) / (2 * sqrtT); // the theta term shared by calls and puts
  const common = {
    gamma: (yieldDiscount * density) / (spot * stdDev),
    vega: spotYield * density * sqrtT,
  };
  if (kind === 'call') {
    const n1 = normCdf(d1);
    const n2 = normCdf(d2);
    return checkFiniteResult({
      price: withinBounds(spotYield * n1 - strikeRate * n2, spotYield - strikeRate, spotYield),
      delta: yieldDiscount * n1,
      ...common,
      theta: decay + q * spotYield * n1 - r * strikeRate * n2,
      rho: strike * t * rateDiscount * n2,
    });
  }
  const m1 = normCdf(-d1);
  const m2 = normCdf(-d2);
  return checkFiniteResult({
    price: withinBounds(strikeRate * m2 - spotYield * m1, strikeRate - spotYield, strikeRate),
    delta: -yieldDiscount * m1,
    ...common,
    theta: decay - q * spotYield * m1 + r * strikeRate * m2,
    rho: -strike * t * rateDiscount * m2,
  });
}

/**
 * Black (1976) on a forward F: BSM with S = F and q = r, so that the forward grows at no drift.
 * Delta and gamma are with respect to the forward; rho is -T * price, the rate sensitivity with the
 * forward held fixed (only the discounting moves). Worked (Hull, Black's model for futures
 * options): put with F 20, K 20, r 9%, vol 25%, T 4/12 is worth 1.116641. Haug, "The Complete
 * Guide to Option Pricing Formulas" (2007), Black-76: F 19, K 19, T 0.75, r 10%, vol 28%:
 * call = put = 1.7011.
 */
export function black76(input: Black76Input): Greeks {
  requireNonNegative('forward', input.forward);
  const greeks = bsm({
    kind: input.kind,
    spot: input.forward,
    strike: input.strike,
    rate: input.rate,
    yield: input.rate,
    vol: input.vol,
    timeYears: input.timeYears,
  });
  return checkFiniteResult({ ...greeks, rho: -input.timeYears * greeks.price });
}
