/**
 * Monte Carlo VaR and ES: factor returns drawn from a multivariate normal (or a multivariate
 * Student-t with the same covariance) through the Cholesky factor of the covariance, applied to the
 * portfolio by the caller's PnL function (full revaluation), read by `empiricalRisk`.
 *
 * Horizon: draws have covariance h S (i.i.d. steps; exact for the normal, the usual square-root
 * approximation for the t, whose h-step sum is not t-distributed). CCP practice (METHODS.md
 * section 5): OCC uses Monte Carlo 99% ES over 2 days.
 */
import { InputError } from '../errors.js';
import { requireConfidence, requireIntegerIn, requirePositiveNumber } from './checks.js';
import { cholesky, multiplyLower, type CovarianceMatrix } from './matrix.js';
import { chiSquare, fillNormal, type Random } from './random.js';
import { empiricalRisk, type PnlFunction, type RiskMeasure } from './valueAtRisk.js';

/** Most paths in one run: 10 million (80 MB of losses). */
export const MONTE_CARLO_PATHS_MAX = 10_000_000;

export type ShockDistribution =
  | { readonly kind: 'normal' }
  /** Multivariate t with nu > 2, scaled so that its covariance is the given one. */
  | { readonly kind: 'studentT'; readonly degreesOfFreedom: number };

export interface MonteCarloInput {
  /** Covariance of one-step factor returns. */
  readonly covariance: CovarianceMatrix;
  readonly horizonDays: number;
  readonly paths: number;
  readonly confidence: number;
  readonly distribution: ShockDistribution;
  readonly pnlOf: PnlFunction;
  /** Advanced by the run: the same seed and inputs give the same result. */
  readonly random: Random;
}

/**
 * Draws `paths` factor-return vectors x = sqrt(h) L z (normal) or sqrt(h) L z sqrt((nu - 2)/W)
 * with W ~ chi2_nu shared by all factors of a path (the multivariate t of Demarta and McNeil, "The
 * t copula and related copulas", Int. Stat. Review 73 (2005), scaled to covariance S), and returns
 * each path's loss.
 */
export function monteCarloLosses(input: Omit<MonteCarloInput, 'confidence'>): Float64Array {
  requireIntegerIn('paths', input.paths, 1, MONTE_CARLO_PATHS_MAX, 'paths_out_of_range');
  requirePositiveNumber('horizonDays', input.horizonDays, 'horizon_days_invalid');
  const distribution = input.distribution;
  if (distribution.kind === 'studentT' && !(Number.isFinite(distribution.degreesOfFreedom) && distribution.degreesOfFreedom > 2)) {
    throw new InputError('degrees_of_freedom_invalid', 'must be a finite number > 2', 'distribution.degreesOfFreedom');
  }
  const n = input.covariance.size;
  const l = cholesky(input.covariance);
  const rootHorizon = Math.sqrt(input.horizonDays);
  const z = new Float64Array(n);
  const x = new Float64Array(n);
  const losses = new Float64Array(input.paths);
  for (let p = 0; p < input.paths; p++) {
    fillNormal(input.random, z);
    multiplyLower(l, n, z, x);
    let scale = rootHorizon;
    if (distribution.kind === 'studentT') {
      const nu = distribution.degreesOfFreedom;
      scale *= Math.sqrt((nu - 2) / chiSquare(input.random, nu));
    }
    for (let i = 0; i < n; i++) x[i] = (x[i] as number) * scale;
    const pnl = input.pnlOf(x);
    if (!Number.isFinite(pnl)) throw new InputError('scenario_pnl_not_finite', 'the PnL function returned a non-finite value', `paths[${p}]`);
    losses[p] = -pnl;
  }
  return losses;
}

/** Monte Carlo VaR and ES with the empirical quantile convention of `empiricalRisk`. */
export function monteCarloRisk(input: MonteCarloInput): RiskMeasure & { readonly paths: number } {
  requireConfidence(input.confidence);
  const risk = empiricalRisk(monteCarloLosses(input), input.confidence);
  return { confidence: risk.confidence, valueAtRisk: risk.valueAtRisk, expectedShortfall: risk.expectedShortfall, paths: input.paths };
}
