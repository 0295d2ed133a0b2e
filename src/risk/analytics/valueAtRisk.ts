/**
 * Value at risk and expected shortfall: delta-normal, empirical (historical, filtered historical
 * and Monte Carlo scenarios share it), and liquidity-adjusted.
 *
 * Sign convention: a loss is positive (loss = -PnL); VaR and ES are reported as positive amounts
 * in the units of the exposures (quote currency). Horizon: the delta-normal VaR scales a one-step
 * sigma by sqrt(h) (i.i.d. returns); scenario methods take returns already over the horizon
 * (overlapping h-step returns, or one-step returns scaled by the caller). See
 * docs/methodology/analytics.md.
 */
import { InputError } from '../errors.js';
import { normPdf } from '../pricing/normal.js';
import { requireAlignedSeries, requireConfidence, requireNonNegativeNumber, requirePositiveNumber } from './checks.js';
import { quadraticForm, type CovarianceMatrix } from './matrix.js';
import { SERIES_LENGTH_MAX, ewmaVariances, zQuantile, type EwmaOptions } from './statistics.js';

/** VaR and ES at one confidence level, positive amounts in the exposures' units. */
export interface RiskMeasure {
  readonly confidence: number;
  readonly valueAtRisk: number;
  readonly expectedShortfall: number;
}

/**
 * The normal ES multiplier phi(z)/(1 - a) per unit of standard deviation (the ES of N(0, s^2) at
 * level a is s phi(z_a)/(1 - a)): 2.337803 at 97.5%, 2.665214 at 99% (METHODS.md section 5).
 */
export function normalEsFactor(confidence: number): number {
  requireConfidence(confidence);
  return normPdf(zQuantile(confidence)) / (1 - confidence);
}

export interface DeltaNormalInput {
  /** Value exposures (delta times price, quote units) to each risk factor. */
  readonly exposures: ArrayLike<number>;
  /** Covariance of one-step factor returns, e.g. `ewmaCovariance`. */
  readonly covariance: CovarianceMatrix;
  readonly confidence: number;
  /** Horizon in steps (days for daily data); sigma scales by sqrt(horizonDays). */
  readonly horizonDays: number;
}

/**
 * Delta-normal VaR z sigma_P sqrt(h) and ES sigma_P sqrt(h) phi(z)/(1 - a), sigma_P = sqrt(w' S w),
 * zero mean (Jorion, "Value at Risk", 3rd ed., ch. 7; METHODS.md section 5). Worked (Hull, OFOD,
 * chapter "Value at risk"): 10m in one share with 2% daily vol and 5m in another with 1%, rho 0.3:
 * sigma_P = 220,227 a day, 10-day 99% VaR = 1,620,100.
 */
export function deltaNormalRisk(input: DeltaNormalInput): RiskMeasure & { readonly sigmaPortfolio: number } {
  requireConfidence(input.confidence);
  requirePositiveNumber('horizonDays', input.horizonDays, 'horizon_days_invalid');
  const sigmaPortfolio = Math.sqrt(quadraticForm(input.exposures, input.covariance));
  const sigmaHorizon = sigmaPortfolio * Math.sqrt(input.horizonDays);
  return {
    confidence: input.confidence,
    valueAtRisk: zQuantile(input.confidence) * sigmaHorizon,
    expectedShortfall: normalEsFactor(input.confidence) * sigmaHorizon,
    sigmaPortfolio,
  };
}

/**
 * Empirical VaR and ES of a sample of losses (each scenario weighs 1/n).
 *
 * Quantile convention: VaR is the lower empirical quantile of the losses, the k-th smallest with
 * k = ceil(n a) (the inverse of the empirical distribution function). ES is the tail average of
 * Acerbi and Tasche ("Expected shortfall: a natural coherent alternative to value at risk",
 * Economic Notes 31 (2002)): ES = [(k - n a) L_(k) + sum_(i > k) L_(i)] / (n (1 - a)), the mean
 * of the worst n(1 - a) losses, the VaR scenario counting for the fractional part. When n a is
 * whole this is the plain mean of the n(1 - a) losses beyond VaR; in every case ES >= VaR.
 * Worked: n = 250, a = 99%: k = 248, VaR = the 3rd-largest loss, ES = (0.5 L_(248) + L_(249) +
 * L_(250)) / 2.5. n = 1,000, a = 99%: VaR = the 11th-largest loss, ES = the mean of the 10 largest.
 */
export function empiricalRisk(losses: ArrayLike<number>, confidence: number): RiskMeasure & { readonly tailCount: number } {
  requireConfidence(confidence);
  const n = losses.length;
  if (n < 1) throw new InputError('scenarios_missing', 'at least one loss is required', 'losses');
  if (n > SERIES_LENGTH_MAX) throw new InputError('scenarios_too_many', `at most ${SERIES_LENGTH_MAX} losses`, 'losses');
  const sorted = Float64Array.from(losses as ArrayLike<number>);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(sorted[i])) throw new InputError('number_not_finite', 'must be a finite number', `losses[${i}]`);
  }
  sorted.sort();
  const na = n * confidence;
  // ceil(n a), where an n a within rounding of a whole number (100 x 0.99) counts as whole.
  const rounded = Math.round(na);
  const whole = Math.abs(na - rounded) <= 1e-9 * na;
  const k = Math.min(n, Math.max(1, whole ? rounded : Math.ceil(na)));
  const valueAtRisk = sorted[k - 1] as number;
  let tail = 0;
  for (let i = k; i < n; i++) tail += sorted[i] as number;
  // The weights (k - n a) and 1 per loss beyond k sum to n - n a, computed the same way so that a
  // constant sample has ES = VaR exactly; for a whole n a the fractional term is exactly 0.
  const fraction = whole ? 0 : k - na;
  const mass = whole ? n - k : n - na;
  const expectedShortfall = mass > 0 ? Math.max(valueAtRisk, (fraction * valueAtRisk + tail) / mass) : valueAtRisk;
  return { confidence, valueAtRisk, expectedShortfall, tailCount: n - k };
}

/**
 * Profit and loss of the portfolio in one scenario, from the factor returns of that scenario
 * (full revaluation: the function may reprice options with Black-76 at shocked spot and vol). The
 * array is a reused buffer: read it, never keep it.
 */
export type PnlFunction = (factorReturns: Float64Array) => number;

/** A linear PnL function, sum_i exposure_i r_i: delta exposures in quote units against returns. */
export function linearPnl(exposures: ArrayLike<number>): PnlFunction {
  const w = Float64Array.from(exposures as ArrayLike<number>);
  return (r) => {
    let pnl = 0;
    for (let i = 0; i < w.length; i++) pnl += (w[i] as number) * (r[i] as number);
    return pnl;
  };
}

/**
 * Loss (-PnL) of each scenario i, where scenario i applies factorReturns[f][i] to every factor f.
 * A non-finite PnL from the caller's function is rejected with its scenario index.
 */
export function scenarioLosses(factorReturns: readonly ArrayLike<number>[], pnlOf: PnlFunction): Float64Array {
  const n = requireAlignedSeries('factorReturns', factorReturns, 1);
  const factors = factorReturns.length;
  const shock = new Float64Array(factors);
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < factors; f++) shock[f] = (factorReturns[f] as ArrayLike<number>)[i] as number;
    const pnl = pnlOf(shock);
    if (!Number.isFinite(pnl)) throw new InputError('scenario_pnl_not_finite', 'the PnL function returned a non-finite value', `scenarios[${i}]`);
    losses[i] = -pnl;
  }
  return losses;
}

/**
 * Historical simulation with full revaluation: every historical scenario of factor returns is
 * applied to today's portfolio by `pnlOf`, and VaR and ES are read from the empirical losses.
 */
export function historicalRisk(input: {
  readonly factorReturns: readonly ArrayLike<number>[];
  readonly pnlOf: PnlFunction;
  readonly confidence: number;
}): RiskMeasure & { readonly losses: Float64Array } {
  const losses = scenarioLosses(input.factorReturns, input.pnlOf);
  const risk = empiricalRisk(losses, input.confidence);
  return { confidence: risk.confidence, valueAtRisk: risk.valueAtRisk, expectedShortfall: risk.expectedShortfall, losses };
}

/**
 * Volatility rescaling of one historical return, r_i s_now / s_i (Hull and White, "Incorporating
 * volatility updating into the historical simulation method for value-at-risk", J. of Risk 1
 * (1998); Barone-Adesi, Giannopoulos and Vosper, "VaR without correlations for portfolios of
 * derivative securities", J. Futures Markets 19 (1999)). METHODS.md section 5: -8% at s_i 5%,
 * s_now 3% gives -4.8%.
 */
export function rescaleReturn(input: { readonly historicalReturn: number; readonly volatilityThen: number; readonly volatilityNow: number }): number {
  requirePositiveNumber('volatilityThen', input.volatilityThen, 'volatility_not_positive');
  requireNonNegativeNumber('volatilityNow', input.volatilityNow, 'volatility_negative');
  return (input.historicalReturn * input.volatilityNow) / input.volatilityThen;
}

/**
 * Filtered historical returns of one factor: each r_i rescaled by s_now / s_i, where s_i is the
 * EWMA forecast for day i made the day before (it never includes r_i itself) and s_now the forecast
 * after the last return. Apply to each factor, then pass the results to `historicalRisk`.
 */
export function filteredReturns(returns: ArrayLike<number>, ewma: EwmaOptions): { readonly returns: Float64Array; readonly volatilityNow: number } {
  if (!(ewma.initialVariance > 0)) throw new InputError('variance_not_positive', 'the seed variance must be > 0 to rescale by it', 'initialVariance');
  const variances = ewmaVariances(returns, ewma);
  const n = returns.length;
  const volatilityNow = Math.sqrt(variances[n] as number);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const volatilityThen = Math.sqrt(variances[i] as number);
    // lambda^t underflows only after thousands of zero returns in a row; such a day has r_i = 0 too.
    out[i] = volatilityThen > 0 ? rescaleReturn({ historicalReturn: returns[i] as number, volatilityThen, volatilityNow }) : 0;
  }
  return { returns: out, volatilityNow };
}

export interface LiquidityAdjustmentInput {
  /** The market-risk VaR, in quote units. */
  readonly valueAtRisk: number;
  /** Position value V in quote units (its absolute value is used). */
  readonly positionValue: number;
  /** Mean relative bid-ask spread (ask - bid)/mid, e.g. 0.01. */
  readonly spreadMean: number;
  /** Standard deviation of the relative spread (0 for a constant spread). */
  readonly spreadVolatility: number;
  /** Multiple a of the spread volatility (Bangia et al. found about 3 fits fat-tailed spreads). */
  readonly spreadMultiplier: number;
}

/**
 * Liquidity-adjusted VaR, LVaR = VaR + 0.5 V (mu_spread + a s_spread): half the spread is paid to
 * exit (Bangia, Diebold, Schuermann and Stroughair, "Modeling liquidity risk, with implications for
 * traditional market risk measurement and management", Wharton FIC 99-06, 1999). METHODS.md
 * section 5, constant spread: V 100, s 2%, z 1.65 (VaR 3.30), spread 1%: LVaR 3.80.
 */
export function liquidityAdjustedVar(input: LiquidityAdjustmentInput): number {
  requireNonNegativeNumber('valueAtRisk', input.valueAtRisk, 'value_at_risk_negative');
  requireNonNegativeNumber('spreadMean', input.spreadMean, 'spread_negative');
  requireNonNegativeNumber('spreadVolatility', input.spreadVolatility, 'spread_negative');
  requireNonNegativeNumber('spreadMultiplier', input.spreadMultiplier, 'spread_multiplier_negative');
  if (!Number.isFinite(input.positionValue)) throw new InputError('number_not_finite', 'must be a finite number', 'positionValue');
  const cost = 0.5 * Math.abs(input.positionValue) * (input.spreadMean + input.spreadMultiplier * input.spreadVolatility);
  return input.valueAtRisk + cost;
}
