/**
 * Statistics for counting exceptions: the binomial distribution, Kupiec's proportion-of-failures
 * test and the Basel traffic light.
 */
import { InputError } from '../errors.js';
import { erfc, normInv } from '../pricing/normal.js';
import { requireIntegerIn } from './checks.js';
import { SERIES_LENGTH_MAX } from './statistics.js';

function requireProbability(path: string, p: number): void {
  if (!(p > 0 && p < 1)) throw new InputError('exception_probability_out_of_range', 'must be in (0, 1)', path);
}

function requireCounts(observations: number, exceptions: number): void {
  requireIntegerIn('observations', observations, 1, SERIES_LENGTH_MAX, 'observations_invalid');
  requireIntegerIn('exceptions', exceptions, 0, observations, 'exceptions_invalid');
}

/**
 * P(X <= x) for X ~ Binomial(T, p), summed in log space from the pmf recursion
 * ln f(k+1) = ln f(k) + ln((T - k)/(k + 1)) + ln(p/(1 - p)), so that (1 - p)^T may underflow
 * without harm. Worked (Basel Committee, "Supervisory framework for the use of backtesting in
 * conjunction with the internal models approach", 1996, table 2; T 250, p 1%): x = 4: 89.22%,
 * x = 5: 95.88%, x = 9: 99.97%, x = 10: 99.99%.
 */
export function binomialCdf(exceptions: number, observations: number, probability: number): number {
  requireCounts(observations, exceptions);
  requireProbability('probability', probability);
  const logOdds = Math.log(probability) - Math.log1p(-probability);
  let logPmf = observations * Math.log1p(-probability);
  let sum = 0;
  for (let k = 0; k <= exceptions; k++) {
    sum += Math.exp(logPmf);
    logPmf += Math.log((observations - k) / (k + 1)) + logOdds;
  }
  return Math.min(1, sum);
}

/** x ln(x / y) with the limit 0 at x = 0, so that x = 0 and x = T give finite statistics. */
function xLogRatio(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(x / y);
}

export interface KupiecResult {
  readonly observations: number;
  readonly exceptions: number;
  /** The likelihood ratio, chi-square with 1 degree of freedom under the model. */
  readonly likelihoodRatio: number;
  /** P(chi2_1 > LR) = erfc(sqrt(LR / 2)). */
  readonly pValue: number;
  /** The critical value at the significance level (3.841459 at 5%). */
  readonly criticalValue: number;
  readonly rejected: boolean;
}

/**
 * Kupiec's proportion-of-failures test ("Techniques for verifying the accuracy of risk measurement
 * models", J. of Derivatives 3 (1995) 73-84):
 * LR = -2 ln((1-p)^(T-x) p^x) + 2 ln((1-x/T)^(T-x) (x/T)^x)
 *    = 2 [(T - x) ln((1 - x/T)/(1 - p)) + x ln((x/T)/p)],
 * rejected at 5% when LR > 3.841 (= z(0.975)^2). x = 0 gives -2 T ln(1 - p) and x = T gives
 * -2 T ln p (0 ln 0 = 0). Worked (computed): T 250, p 1%: x 10 gives LR 12.955 (rejected), x 4 gives
 * 0.769, x 0 gives 5.025 (too few exceptions also rejects a model).
 */
export function kupiecPof(input: {
  readonly observations: number;
  readonly exceptions: number;
  /** Expected exception rate p = 1 - coverage, e.g. 0.01. */
  readonly exceptionProbability: number;
  /** Test size, 0.05 by default. */
  readonly significance?: number;
}): KupiecResult {
  const { observations: t, exceptions: x, exceptionProbability: p } = input;
  requireCounts(t, x);
  requireProbability('exceptionProbability', p);
  const significance = input.significance ?? 0.05;
  requireProbability('significance', significance);
  const lr = Math.max(0, 2 * (xLogRatio(t - x, t * (1 - p)) + xLogRatio(x, t * p)));
  const criticalValue = normInv(1 - significance / 2) ** 2;
  return {
    observations: t,
    exceptions: x,
    likelihoodRatio: lr,
    pValue: erfc(Math.sqrt(lr / 2)),
    criticalValue,
    rejected: lr > criticalValue,
  };
}

export type TrafficLightZone = 'green' | 'yellow' | 'red';

/** The highest exception counts of the green and yellow zones; red starts at yellowMax + 1. */
export interface TrafficLightBands {
  readonly greenMax: number;
  readonly yellowMax: number;
}

/** Cumulative probabilities that open the yellow and red zones (Basel 1996: 95% and 99.99%). */
const YELLOW_FROM = 0.95;
const RED_FROM = 0.9999;

/**
 * The Basel traffic-light bands for any number of observations T and exception probability p: the
 * yellow zone starts at the smallest x with P(X <= x) >= 95%, the red zone at the smallest x with
 * P(X <= x) >= 99.99% (Basel Committee 1996, section III). At T 250, p 1%: green 0-4,
 * yellow 5-9, red 10 and more.
 */
export function trafficLightBands(observations: number, exceptionProbability: number): TrafficLightBands {
  requireIntegerIn('observations', observations, 1, SERIES_LENGTH_MAX, 'observations_invalid');
  requireProbability('exceptionProbability', exceptionProbability);
  const logOdds = Math.log(exceptionProbability) - Math.log1p(-exceptionProbability);
  let logPmf = observations * Math.log1p(-exceptionProbability);
  let cdf = 0;
  let greenMax: number | 'open' = 'open';
  for (let k = 0; k <= observations; k++) {
    cdf += Math.exp(logPmf);
    // Zero exceptions is always green, whatever T (for T <= 5 at 1%, P(X = 0) alone is >= 95%).
    if (cdf >= YELLOW_FROM && greenMax === 'open') greenMax = Math.max(0, k - 1);
    if (cdf >= RED_FROM) {
      const green = greenMax === 'open' ? 0 : greenMax;
      return { greenMax: green, yellowMax: Math.max(green, k - 1) };
    }
    logPmf += Math.log((observations - k) / (k + 1)) + logOdds;
  }
  // Only reached when rounding leaves the total a hair below 99.99% (not for realistic T and p).
  return { greenMax: greenMax === 'open' ? observations : greenMax, yellowMax: observations };
}

export function trafficLightZone(exceptions: number, bands: TrafficLightBands): TrafficLightZone {
  if (exceptions <= bands.greenMax) return 'green';
  if (exceptions <= bands.yellowMax) return 'yellow';
  return 'red';
}
