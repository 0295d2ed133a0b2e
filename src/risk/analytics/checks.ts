/**
 * Input checks shared by the analytics functions. A bad parameter from a document or a caller is an
 * expected rejection (STYLE.md habit 6): an `InputError` with a stable code and the name of the
 * offending field as its path, e.g. `confidence_out_of_range at confidence: must be in (0, 1)`.
 */
import { InputError } from '../errors.js';

export function requireFiniteNumber(path: string, value: number, code = 'number_not_finite'): void {
  if (!Number.isFinite(value)) throw new InputError(code, 'must be a finite number', path);
}

export function requirePositiveNumber(path: string, value: number, code = 'number_not_positive'): void {
  if (!(Number.isFinite(value) && value > 0)) throw new InputError(code, 'must be a finite number > 0', path);
}

export function requireNonNegativeNumber(path: string, value: number, code = 'number_negative'): void {
  if (!(Number.isFinite(value) && value >= 0)) throw new InputError(code, 'must be a finite number >= 0', path);
}

/** An integer in [min, max]; the limits are part of the message so that a user can fix the input. */
export function requireIntegerIn(path: string, value: number, min: number, max: number, code: string): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new InputError(code, `must be an integer in [${min}, ${max}]`, path);
  }
}

/** A confidence level a, strictly between 0 and 1 (VaR at a = 1 is unbounded). */
export function requireConfidence(value: number, path = 'confidence'): void {
  if (!(value > 0 && value < 1)) throw new InputError('confidence_out_of_range', 'must be in (0, 1)', path);
}

/** An EWMA decay factor lambda in (0, 1): RiskMetrics uses 0.94 for daily data. */
export function requireDecay(value: number, path = 'lambda'): void {
  if (!(value > 0 && value < 1)) throw new InputError('ewma_lambda_out_of_range', 'must be in (0, 1)', path);
}

export function requireAllFinite(path: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new InputError('number_not_finite', 'must be a finite number', `${path}[${i}]`);
  }
}

/** Series of equal length, at least `min` long. */
export function requireAlignedSeries(path: string, series: readonly ArrayLike<number>[], min: number): number {
  if (series.length === 0) throw new InputError('series_missing', 'at least one series is required', path);
  const length = series[0]?.length ?? 0;
  series.forEach((s, i) => {
    if (s.length !== length) throw new InputError('series_length_mismatch', `has ${s.length} values, series 0 has ${length}`, `${path}[${i}]`);
  });
  if (length < min) throw new InputError('series_too_short', `needs at least ${min} values, has ${length}`, path);
  return length;
}
