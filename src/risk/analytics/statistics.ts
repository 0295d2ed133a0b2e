/**
 * Return and volatility statistics over float64 series: returns from prices, EWMA variance and
 * covariance (RiskMetrics), sample moments and covariance, normal quantiles.
 *
 * Conventions (docs/methodology/analytics.md): returns are decimals (0.02 = 2%), one per step of the
 * price series (a day for daily data); variances are per step; EWMA assumes a zero mean return, as
 * RiskMetrics does for daily data. A `Float64Array` result is new; inputs are never written.
 */
import { InputError } from '../errors.js';
import { normInv } from '../pricing/normal.js';
import { requireAlignedSeries, requireAllFinite, requireConfidence, requireDecay, requireIntegerIn, requireNonNegativeNumber } from './checks.js';
import { covarianceMatrix, type CovarianceMatrix } from './matrix.js';

/** Longest series the analytics accept: 10 million steps (27,000 years of daily data). */
export const SERIES_LENGTH_MAX = 10_000_000;

/** RiskMetrics decay for daily data (J.P. Morgan/Reuters, RiskMetrics Technical Document, 1996). */
export const RISKMETRICS_DAILY_LAMBDA = 0.94;

function requirePrices(prices: ArrayLike<number>, path: string): void {
  requireIntegerIn(`${path}.length`, prices.length, 2, SERIES_LENGTH_MAX + 1, 'prices_too_few');
  for (let i = 0; i < prices.length; i++) {
    const p = prices[i] as number;
    if (!(Number.isFinite(p) && p > 0)) throw new InputError('price_not_positive', 'must be a finite number > 0', `${path}[${i}]`);
  }
}

/**
 * Log returns ln(P_(t+lag) / P_t) over `lagDays` steps (1 by default; a larger lag gives
 * overlapping multi-day returns). Worked: 100 -> 105 gives ln 1.05 = 0.048790.
 */
export function logReturns(prices: ArrayLike<number>, lagDays = 1): Float64Array {
  requirePrices(prices, 'prices');
  requireIntegerIn('lagDays', lagDays, 1, prices.length - 1, 'lag_days_invalid');
  const out = new Float64Array(prices.length - lagDays);
  for (let t = 0; t < out.length; t++) out[t] = Math.log((prices[t + lagDays] as number) / (prices[t] as number));
  return out;
}

/** Simple returns P_(t+lag) / P_t - 1. Worked: 100 -> 105 gives 0.05. */
export function simpleReturns(prices: ArrayLike<number>, lagDays = 1): Float64Array {
  requirePrices(prices, 'prices');
  requireIntegerIn('lagDays', lagDays, 1, prices.length - 1, 'lag_days_invalid');
  const out = new Float64Array(prices.length - lagDays);
  for (let t = 0; t < out.length; t++) out[t] = (prices[t + lagDays] as number) / (prices[t] as number) - 1;
  return out;
}

/** Arithmetic mean; an empty series is rejected. */
export function mean(values: ArrayLike<number>): number {
  requireIntegerIn('values.length', values.length, 1, SERIES_LENGTH_MAX, 'series_too_short');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/**
 * Mean of squares, the zero-mean variance estimate that RiskMetrics uses and the usual seed of an
 * EWMA: [0.01, -0.03] gives 0.0005.
 */
export function meanSquare(values: ArrayLike<number>): number {
  requireIntegerIn('values.length', values.length, 1, SERIES_LENGTH_MAX, 'series_too_short');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] as number) ** 2;
  return sum / values.length;
}

/**
 * Sample variance with the mean estimated, divisor n - 1 (unbiased), by Welford's one-pass update
 * (B. P. Welford, Technometrics 4 (1962) 419-420), which avoids the cancellation of sum x^2 - n m^2.
 * Worked: [2, 4, 4, 4, 5, 5, 7, 9] gives 32/7 = 4.571429.
 */
export function sampleVariance(values: ArrayLike<number>): number {
  requireIntegerIn('values.length', values.length, 2, SERIES_LENGTH_MAX, 'series_too_short');
  let m = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    const delta = x - m;
    m += delta / (i + 1);
    m2 += delta * (x - m);
  }
  return m2 / (values.length - 1);
}

/**
 * One EWMA update, s2_t = lambda s2_(t-1) + (1 - lambda) r_(t-1)^2 (RiskMetrics Technical Document,
 * 1996, eq. 5.3). METHODS.md section 5: lambda 0.94, s 2%, r 5% gives s 2.2935%. Hull, "Options,
 * Futures, and Other Derivatives", chapter "Estimating volatilities and correlations": lambda 0.90,
 * s 1%, r 2% gives s2 = 0.00013, s = 1.1402%.
 */
export function ewmaVarianceStep(input: { readonly lambda: number; readonly variance: number; readonly lastReturn: number }): number {
  return input.lambda * input.variance + (1 - input.lambda) * input.lastReturn * input.lastReturn;
}

/** One EWMA covariance update, cov_t = lambda cov_(t-1) + (1 - lambda) x_(t-1) y_(t-1) (same source). */
export function ewmaCovarianceStep(input: {
  readonly lambda: number;
  readonly covariance: number;
  readonly lastReturnX: number;
  readonly lastReturnY: number;
}): number {
  return input.lambda * input.covariance + (1 - input.lambda) * input.lastReturnX * input.lastReturnY;
}

export interface EwmaOptions {
  readonly lambda: number;
  /** The variance forecast for the first return (a seed, e.g. `meanSquare` of a warm-up window). */
  readonly initialVariance: number;
}

/**
 * The EWMA variance path for returns r_0..r_(n-1): out[t] is the forecast for r_t made after
 * r_(t-1) (out[0] is the seed), and out[n] the forecast for the next, unseen return. Length n + 1.
 * out[t] never uses r_t, which is what filtered historical simulation and backtests need.
 */
export function ewmaVariances(returns: ArrayLike<number>, options: EwmaOptions): Float64Array {
  requireDecay(options.lambda);
  requireNonNegativeNumber('initialVariance', options.initialVariance, 'variance_negative');
  requireIntegerIn('returns.length', returns.length, 0, SERIES_LENGTH_MAX, 'series_too_long');
  requireAllFinite('returns', returns);
  const out = new Float64Array(returns.length + 1);
  out[0] = options.initialVariance;
  let variance = options.initialVariance;
  for (let t = 0; t < returns.length; t++) {
    variance = ewmaVarianceStep({ lambda: options.lambda, variance, lastReturn: returns[t] as number });
    out[t + 1] = variance;
  }
  return out;
}

/** The EWMA covariance forecast after the last return, seeded by `initial` (per-step units). */
export function ewmaCovariance(
  returns: readonly ArrayLike<number>[],
  options: { readonly lambda: number; readonly initial: CovarianceMatrix },
): CovarianceMatrix {
  requireDecay(options.lambda);
  const length = requireAlignedSeries('returns', returns, 0);
  const n = returns.length;
  if (options.initial.size !== n) {
    throw new InputError('covariance_size_mismatch', `is ${options.initial.size} x ${options.initial.size}, expected ${n} x ${n}`, 'initial');
  }
  returns.forEach((r, i) => requireAllFinite(`returns[${i}]`, r));
  const values = Float64Array.from(options.initial.values);
  const lambda = options.lambda;
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < n; i++) {
      const ri = (returns[i] as ArrayLike<number>)[t] as number;
      for (let j = 0; j <= i; j++) {
        const rj = (returns[j] as ArrayLike<number>)[t] as number;
        const v = lambda * (values[i * n + j] as number) + (1 - lambda) * ri * rj;
        values[i * n + j] = v;
        values[j * n + i] = v;
      }
    }
  }
  return covarianceMatrix(n, values);
}

/**
 * Sample covariance of aligned return series. `mean: 'estimated'` subtracts each series' mean and
 * divides by n - 1; `mean: 'zero'` (RiskMetrics) divides the raw cross products by n. Worked:
 * x = [1, 2, 3], y = [1, 3, 2] (estimated means) gives var x = 1, var y = 1, cov = 0.5.
 */
export function sampleCovariance(returns: readonly ArrayLike<number>[], options: { readonly mean: 'estimated' | 'zero' }): CovarianceMatrix {
  const estimated = options.mean === 'estimated';
  const length = requireAlignedSeries('returns', returns, estimated ? 2 : 1);
  returns.forEach((r, i) => requireAllFinite(`returns[${i}]`, r));
  const n = returns.length;
  const means = returns.map((r) => (estimated ? mean(r) : 0));
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const ri = returns[i] as ArrayLike<number>;
      const rj = returns[j] as ArrayLike<number>;
      const mi = means[i] as number;
      const mj = means[j] as number;
      let sum = 0;
      for (let t = 0; t < length; t++) sum += ((ri[t] as number) - mi) * ((rj[t] as number) - mj);
      const v = sum / (estimated ? length - 1 : length);
      values[i * n + j] = v;
      values[j * n + i] = v;
    }
  }
  return covarianceMatrix(n, values);
}

/**
 * The standard normal quantile z(a) = N^-1(a) of a confidence level: z(95%) 1.644854,
 * z(99%) 2.326348, z(99.5%) 2.575829 (METHODS.md section 5), via AS 241 and a Halley step.
 */
export function zQuantile(confidence: number): number {
  requireConfidence(confidence);
  return normInv(confidence);
}
