/**
 * A seeded price generator with fat tails and volatility clustering: GARCH(1,1) with Student-t
 * shocks scaled to unit variance (Bollerslev, "Generalized autoregressive conditional
 * heteroskedasticity", J. Econometrics 31 (1986); "A conditionally heteroskedastic time series
 * model for speculative prices and rates of return", Rev. Econ. Stat. 69 (1987) for the t), with
 * optional Markov switching between parameter sets (Hamilton, Econometrica 57 (1989); Gray,
 * J. Financial Economics 42 (1996) for switching GARCH).
 *
 *   r_t = mu + e_t,  e_t = sigma_t z_t,  z_t ~ t_nu * sqrt((nu - 2)/nu)  (or N(0, 1))
 *   sigma2_t = omega + alpha e2_(t-1) + beta sigma2_(t-1),  P_t = P_(t-1) exp(r_t)
 *
 * The long-run variance is omega / (1 - alpha - beta). Worked (Hull, OFOD, chapter "Estimating
 * volatilities and correlations"): omega 0.000002, alpha 0.13, beta 0.86: long-run variance
 * 0.0002, 1.4142% a day; sigma 1.6% and a 1% move give sigma2_n = 0.00023516, sigma_n 1.5335%.
 */
import { InputError } from '../errors.js';
import { requireFiniteNumber, requireIntegerIn, requirePositiveNumber } from './checks.js';
import { normal, standardizedStudentT, uniform, type Random } from './random.js';

/** Longest simulated series: 10 million steps. */
export const SIMULATION_DAYS_MAX = 10_000_000;

export interface GarchParams {
  readonly omega: number;
  readonly alpha: number;
  readonly beta: number;
}

export type GarchShocks = { readonly kind: 'normal' } | { readonly kind: 'studentT'; readonly degreesOfFreedom: number };

export type GarchModel =
  | { readonly kind: 'garch'; readonly params: GarchParams }
  | {
      readonly kind: 'regimeSwitching';
      readonly regimes: readonly GarchParams[];
      /** Row-stochastic: transition[i][j] = P(regime j tomorrow | regime i today). */
      readonly transition: readonly (readonly number[])[];
      readonly initialRegime: number;
    };

export interface GarchSimulationInput {
  readonly model: GarchModel;
  readonly shocks: GarchShocks;
  readonly days: number;
  readonly initialPrice: number;
  /** Mean log return per day; 0 by default. */
  readonly driftPerDay?: number;
  /** Advanced by the run. */
  readonly random: Random;
}

export interface GarchSimulation {
  /** days + 1 prices, from initialPrice. */
  readonly prices: Float64Array;
  /** days log returns. */
  readonly returns: Float64Array;
  /** The conditional variance of each return, sigma2_t, known the day before. */
  readonly variances: Float64Array;
  /** The regime of each return (all 0 for a single GARCH). */
  readonly regimes: Uint8Array;
}

/** Most regimes in a switching model. */
export const REGIMES_MAX = 8;

function checkParams(p: GarchParams, path: string): void {
  requirePositiveNumber(`${path}.omega`, p.omega, 'garch_parameters_invalid');
  if (!(p.alpha >= 0 && p.beta >= 0 && p.alpha + p.beta < 1)) {
    throw new InputError('garch_parameters_invalid', 'needs alpha >= 0, beta >= 0 and alpha + beta < 1 (a finite long-run variance)', path);
  }
}

/** The unconditional (long-run) variance omega / (1 - alpha - beta). */
export function garchLongRunVariance(params: GarchParams): number {
  checkParams(params, 'params');
  return params.omega / (1 - params.alpha - params.beta);
}

/** One GARCH(1,1) variance update, sigma2_n = omega + alpha u2_(n-1) + beta sigma2_(n-1). */
export function garchVarianceStep(params: GarchParams, input: { readonly variance: number; readonly lastShock: number }): number {
  return params.omega + params.alpha * input.lastShock * input.lastShock + params.beta * input.variance;
}

function regimesOf(model: GarchModel): readonly GarchParams[] {
  if (model.kind === 'garch') {
    checkParams(model.params, 'model.params');
    return [model.params];
  }
  const n = model.regimes.length;
  requireIntegerIn('model.regimes.length', n, 1, REGIMES_MAX, 'regimes_count_invalid');
  model.regimes.forEach((p, i) => checkParams(p, `model.regimes[${i}]`));
  requireIntegerIn('model.initialRegime', model.initialRegime, 0, n - 1, 'regime_invalid');
  if (model.transition.length !== n) throw new InputError('transition_matrix_invalid', `needs ${n} rows`, 'model.transition');
  model.transition.forEach((row, i) => {
    const sum = row.reduce((s, x) => s + x, 0);
    if (row.length !== n || !row.every((x) => x >= 0 && x <= 1) || Math.abs(sum - 1) > 1e-12) {
      throw new InputError('transition_matrix_invalid', `row must hold ${n} probabilities summing to 1`, `model.transition[${i}]`);
    }
  });
  return model.regimes;
}

function nextRegime(model: GarchModel, current: number, u: number): number {
  if (model.kind === 'garch') return 0;
  const row = model.transition[current] as readonly number[];
  let cumulative = 0;
  for (let j = 0; j < row.length; j++) {
    cumulative += row[j] as number;
    if (u < cumulative) return j;
  }
  return row.length - 1;
}

/**
 * Simulates prices. The variance starts at the first regime's long-run level; on a regime switch
 * the recursion carries the variance over and continues with the new parameters. One uniform is
 * drawn per day for the regime only in a switching model, so a single GARCH's stream is shocks only.
 */
export function simulateGarch(input: GarchSimulationInput): GarchSimulation {
  const regimes = regimesOf(input.model);
  requireIntegerIn('days', input.days, 1, SIMULATION_DAYS_MAX, 'simulation_days_invalid');
  requirePositiveNumber('initialPrice', input.initialPrice, 'price_not_positive');
  const drift = input.driftPerDay ?? 0;
  requireFiniteNumber('driftPerDay', drift);
  const shocks = input.shocks;
  if (shocks.kind === 'studentT' && !(Number.isFinite(shocks.degreesOfFreedom) && shocks.degreesOfFreedom > 2)) {
    throw new InputError('degrees_of_freedom_invalid', 'must be a finite number > 2 for unit-variance shocks', 'shocks.degreesOfFreedom');
  }
  const prices = new Float64Array(input.days + 1);
  const returns = new Float64Array(input.days);
  const variances = new Float64Array(input.days);
  const path = new Uint8Array(input.days);
  let regime = input.model.kind === 'garch' ? 0 : input.model.initialRegime;
  let params = regimes[regime] as GarchParams;
  let variance = params.omega / (1 - params.alpha - params.beta);
  let logPrice = Math.log(input.initialPrice);
  prices[0] = input.initialPrice;
  for (let t = 0; t < input.days; t++) {
    const z = shocks.kind === 'normal' ? normal(input.random) : standardizedStudentT(input.random, shocks.degreesOfFreedom);
    const shock = Math.sqrt(variance) * z;
    variances[t] = variance;
    returns[t] = drift + shock;
    path[t] = regime;
    logPrice += drift + shock;
    prices[t + 1] = Math.exp(logPrice);
    if (input.model.kind === 'regimeSwitching') regime = nextRegime(input.model, regime, uniform(input.random));
    params = regimes[regime] as GarchParams;
    variance = garchVarianceStep(params, { variance, lastShock: shock });
  }
  return { prices, returns, variances, regimes: path };
}

/**
 * The GARCH conditional variances of observed returns (the filter, with known parameters): out[t]
 * is sigma2_t for return t, out[n] the forecast for the next day; the recursion starts at the
 * long-run variance. A "correctly calibrated" margin model for a GARCH series uses it.
 */
export function garchVariances(params: GarchParams, returns: ArrayLike<number>, driftPerDay = 0): Float64Array {
  let variance = garchLongRunVariance(params);
  const out = new Float64Array(returns.length + 1);
  out[0] = variance;
  for (let t = 0; t < returns.length; t++) {
    variance = garchVarianceStep(params, { variance, lastShock: (returns[t] as number) - driftPerDay });
    out[t + 1] = variance;
  }
  return out;
}
