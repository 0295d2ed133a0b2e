/**
 * Input checks shared by the pricing functions. A bad number is an expected rejection at the edge
 * of the risk core (STYLE.md habit 6): it throws a `RangeError` whose message starts with a stable
 * code, e.g. `option_input_invalid: vol must be >= 0`, and whose `code` field holds that code.
 * The error is a `RangeError` (not the engine's `InputError`) so that the pricing folder depends on
 * nothing outside itself; the server maps both by their `code`.
 */
export class PricingInputError extends RangeError {
  override readonly name = 'PricingInputError';
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export function optionInputInvalid(detail: string): PricingInputError {
  return new PricingInputError('option_input_invalid', detail);
}

export function requireFinite(name: string, value: number, code = 'option_input_invalid'): void {
  if (!Number.isFinite(value)) throw new PricingInputError(code, `${name} must be finite`);
}

export function requireNonNegative(name: string, value: number, code = 'option_input_invalid'): void {
  requireFinite(name, value, code);
  if (value < 0) throw new PricingInputError(code, `${name} must be >= 0`);
}

export function requirePositive(name: string, value: number, code = 'option_input_invalid'): void {
  requireFinite(name, value, code);
  if (value <= 0) throw new PricingInputError(code, `${name} must be > 0`);
}

/**
 * ln(a/b) for a, b > 0. The quotient is taken first because it rounds once and keeps ln(a/b)
 * accurate near a = b (ln(a) - ln(b) would lose digits to cancellation); the difference of logs
 * is the fallback when the quotient overflows or underflows.
 */
export function logRatio(a: number, b: number): number {
  const ratio = a / b;
  if (ratio > 0 && Number.isFinite(ratio)) return Math.log(ratio);
  return Math.log(a) - Math.log(b);
}
