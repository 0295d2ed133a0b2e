/**
 * Small dense symmetric matrices for covariance work: a validated covariance type, the quadratic
 * form w' S w, and a Cholesky factor that accepts positive semi-definite matrices (perfectly
 * correlated factors are common in crypto books: a perpetual and a future on the same index).
 */
import { InputError } from '../errors.js';

/** Largest number of risk factors in one covariance matrix (a 1,000 x 1,000 matrix is 8 MB). */
export const FACTORS_MAX = 1_000;

/** A symmetric covariance matrix, row-major `size` x `size`, in per-step return units squared. */
export interface CovarianceMatrix {
  readonly size: number;
  readonly values: Float64Array;
}

/** Relative tolerance for symmetry and for zero pivots: a few hundred ulps of the largest variance. */
const RELATIVE_TOLERANCE = 1e-12;

/**
 * Checks and wraps a covariance matrix: finite, symmetric within 1e-12 of its largest diagonal
 * entry (and then made exactly symmetric), non-negative variances. Positive semi-definiteness is
 * checked by `cholesky`, where it matters.
 */
export function covarianceMatrix(size: number, values: ArrayLike<number>): CovarianceMatrix {
  if (!(Number.isInteger(size) && size >= 1 && size <= FACTORS_MAX)) {
    throw new InputError('covariance_size_invalid', `must be an integer in [1, ${FACTORS_MAX}]`, 'size');
  }
  if (values.length !== size * size) {
    throw new InputError('covariance_size_mismatch', `has ${values.length} entries, expected ${size * size}`, 'values');
  }
  const out = Float64Array.from(values as ArrayLike<number>);
  let diagonalMax = 0;
  for (let i = 0; i < size; i++) {
    const d = out[i * size + i] as number;
    if (!(Number.isFinite(d) && d >= 0)) throw new InputError('variance_negative', 'must be a finite number >= 0', `values[${i * size + i}]`);
    diagonalMax = Math.max(diagonalMax, d);
  }
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < i; j++) {
      const a = out[i * size + j] as number;
      const b = out[j * size + i] as number;
      if (!Number.isFinite(a) || !Number.isFinite(b)) throw new InputError('number_not_finite', 'must be a finite number', `values[${i * size + j}]`);
      if (Math.abs(a - b) > RELATIVE_TOLERANCE * diagonalMax) {
        throw new InputError('covariance_not_symmetric', `entries (${i}, ${j}) and (${j}, ${i}) differ`, `values[${i * size + j}]`);
      }
      const mid = 0.5 * (a + b);
      out[i * size + j] = mid;
      out[j * size + i] = mid;
    }
  }
  return { size, values: out };
}

/**
 * Covariance from volatilities and a correlation matrix, S_ij = s_i s_j rho_ij. Worked (Hull's
 * two-asset VaR example): daily changes with s.d. 200,000 and 50,000, rho 0.3 give
 * S_12 = 3,000,000,000.
 */
export function covarianceFromCorrelation(volatilities: ArrayLike<number>, correlation: ArrayLike<number>): CovarianceMatrix {
  const n = volatilities.length;
  if (correlation.length !== n * n) {
    throw new InputError('covariance_size_mismatch', `has ${correlation.length} entries, expected ${n * n}`, 'correlation');
  }
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const rho = correlation[i * n + j] as number;
      if (!(rho >= -1 && rho <= 1)) throw new InputError('correlation_out_of_range', 'must be in [-1, 1]', `correlation[${i * n + j}]`);
      if (i === j && rho !== 1) throw new InputError('correlation_diagonal_not_one', 'must be 1', `correlation[${i * n + j}]`);
      values[i * n + j] = (volatilities[i] as number) * (volatilities[j] as number) * rho;
    }
  }
  return covarianceMatrix(n, values);
}

/** w' S w for exposures w (length S.size). */
export function quadraticForm(weights: ArrayLike<number>, matrix: CovarianceMatrix): number {
  const n = matrix.size;
  if (weights.length !== n) throw new InputError('exposures_length_mismatch', `has ${weights.length} entries, expected ${n}`, 'exposures');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const wi = weights[i] as number;
    if (!Number.isFinite(wi)) throw new InputError('number_not_finite', 'must be a finite number', `exposures[${i}]`);
    let row = 0;
    for (let j = 0; j < n; j++) row += (matrix.values[i * n + j] as number) * (weights[j] as number);
    sum += wi * row;
  }
  // Rounding can leave a tiny negative value for a perfectly hedged book; variance is never below 0.
  return Math.max(0, sum);
}

/**
 * The lower-triangular Cholesky factor L with L L' = S (row-major), by the Cholesky-Banachiewicz
 * order. A pivot within 1e-12 of the largest variance of zero is taken as exactly zero (a
 * semi-definite matrix: a factor that is a combination of others), and the rest of its column must
 * then vanish too; a clearly negative pivot is rejected with `covariance_not_positive_semidefinite`.
 * Worked: [[4, 2], [2, 2]] gives L = [[2, 0], [1, 1]].
 */
export function cholesky(matrix: CovarianceMatrix): Float64Array {
  const n = matrix.size;
  const a = matrix.values;
  let diagonalMax = 0;
  for (let i = 0; i < n; i++) diagonalMax = Math.max(diagonalMax, a[i * n + i] as number);
  const tolerance = RELATIVE_TOLERANCE * Math.max(diagonalMax, Number.MIN_VALUE) * n;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
      if (i === j) {
        if (sum < -tolerance) notPsd(i);
        l[i * n + i] = sum > tolerance ? Math.sqrt(sum) : 0;
      } else {
        const pivot = l[j * n + j] as number;
        if (pivot === 0) {
          if (Math.abs(sum) > Math.sqrt(tolerance * Math.max(a[i * n + i] as number, tolerance))) notPsd(i);
          l[i * n + j] = 0;
        } else {
          l[i * n + j] = sum / pivot;
        }
      }
    }
  }
  return l;
}

function notPsd(row: number): never {
  throw new InputError('covariance_not_positive_semidefinite', `the matrix has a negative direction at row ${row}`, 'covariance');
}

/** out = L z for a lower-triangular row-major L: turns independent draws into correlated ones. */
export function multiplyLower(l: Float64Array, size: number, z: Float64Array, out: Float64Array): Float64Array {
  for (let i = size - 1; i >= 0; i--) {
    let sum = 0;
    for (let k = 0; k <= i; k++) sum += (l[i * size + k] as number) * (z[k] as number);
    out[i] = sum;
  }
  return out;
}
