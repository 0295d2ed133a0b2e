/**
 * Exact parsing and printing of decimal strings. Money and prices enter and leave Solvent as
 * strings such as "84000.5" so that no float ever touches them (DESIGN.md D1).
 *
 * Accepted: an optional '-', digits without leading zeros (a lone "0" is fine), and an optional
 * '.' followed by at least one digit. Rejected with a stable code: non-strings, empty strings,
 * NaN, Infinity, exponent notation, '+' signs, leading or trailing dots, whitespace, more than
 * `decimals` significant fractional digits, and strings longer than DECIMAL_LENGTH_MAX.
 * Trailing fractional zeros beyond the scale are accepted ("1.50000000000" is exactly 1.5).
 */
import { InputError } from '../errors.js';
import { pow10 } from './rounding.js';

export const DECIMAL_LENGTH_MAX = 64;
const DECIMAL_PATTERN = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

export function parseDecimal(input: unknown, decimals: number, path = ''): bigint {
  if (typeof input !== 'string') {
    throw new InputError('decimal_not_a_string', `expected a decimal string, got ${describe(input)}`, path);
  }
  if (input.length === 0) throw new InputError('decimal_empty', 'expected a decimal string, got ""', path);
  if (input.length > DECIMAL_LENGTH_MAX) {
    throw new InputError('decimal_too_long', `more than ${DECIMAL_LENGTH_MAX} characters`, path);
  }
  const match = DECIMAL_PATTERN.exec(input);
  if (match === null) {
    throw new InputError('decimal_malformed', `"${input}" is not a plain decimal such as "-12.5"`, path);
  }
  const [, sign, whole = '0', fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > decimals) {
    throw new InputError(
      'decimal_excess_precision',
      `"${input}" has more than ${decimals} decimal places`,
      path,
    );
  }
  const units = BigInt(whole) * pow10(decimals) + BigInt(significant.padEnd(decimals, '0') || '0');
  return sign === '-' ? -units : units;
}

/** Print an integer at a scale as a decimal string; trailing fractional zeros are trimmed. */
export function formatDecimal(value: bigint, decimals: number, options: { minDecimals?: number } = {}): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  let fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  const minDecimals = Math.min(options.minDecimals ?? 0, decimals);
  if (fraction.length < minDecimals) fraction = fraction.padEnd(minDecimals, '0');
  const body = fraction.length > 0 ? `${whole}.${fraction}` : whole;
  return negative ? `-${body}` : body;
}

function describe(input: unknown): string {
  if (typeof input === 'number') return `the number ${String(input)} (write it as a string)`;
  if (input === null) return 'null';
  return typeof input;
}
