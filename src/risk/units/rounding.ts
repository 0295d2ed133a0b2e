/**
 * Integer division with a named rounding (STYLE.md habit 4). bigint `/` truncates toward zero,
 * which rounds a negative amount up: never use it bare on money.
 */
import { invariant } from '../errors.js';

export type Rounding = 'floor' | 'ceil' | 'halfEven';

export function divFloor(numerator: bigint, denominator: bigint): bigint {
  invariant(denominator !== 0n, 'division by zero');
  const q = numerator / denominator;
  const r = numerator % denominator;
  return r !== 0n && (r < 0n) !== (denominator < 0n) ? q - 1n : q;
}

export function divCeil(numerator: bigint, denominator: bigint): bigint {
  invariant(denominator !== 0n, 'division by zero');
  const q = numerator / denominator;
  const r = numerator % denominator;
  return r !== 0n && (r < 0n) === (denominator < 0n) ? q + 1n : q;
}

/** Round half to even ("banker's rounding"): the unbiased choice for display and neutral prices. */
export function divHalfEven(numerator: bigint, denominator: bigint): bigint {
  invariant(denominator !== 0n, 'division by zero');
  const floor = divFloor(numerator, denominator);
  const twiceRemainder = 2n * (numerator - floor * denominator);
  const d = denominator < 0n ? -denominator : denominator;
  const r = denominator < 0n ? -twiceRemainder : twiceRemainder;
  if (r > d) return floor + 1n;
  if (r < d) return floor;
  return floor % 2n === 0n ? floor : floor + 1n;
}

export function divRound(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  switch (rounding) {
    case 'floor':
      return divFloor(numerator, denominator);
    case 'ceil':
      return divCeil(numerator, denominator);
    case 'halfEven':
      return divHalfEven(numerator, denominator);
  }
}

export function pow10(exponent: number): bigint {
  invariant(Number.isInteger(exponent) && exponent >= 0 && exponent <= 60, `pow10 exponent ${exponent}`);
  return 10n ** BigInt(exponent);
}

/** Move an integer from one decimal scale to another, rounding as named when precision is lost. */
export function rescale(value: bigint, fromDecimals: number, toDecimals: number, rounding: Rounding): bigint {
  if (toDecimals >= fromDecimals) return value * pow10(toDecimals - fromDecimals);
  return divRound(value, pow10(fromDecimals - toDecimals), rounding);
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function absBig(a: bigint): bigint {
  return a < 0n ? -a : a;
}
