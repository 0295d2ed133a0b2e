/**
 * An independent decimal oracle for tests: decimal.js at 120 significant digits, which is exact for
 * every product and quotient of ledger values the risk core handles (each has at most ~40 digits).
 * The tests compare the risk core's bigint and float64 figures against it, never against the
 * core's own helpers.
 */
import { Decimal } from 'decimal.js';

export const Exact = Decimal.clone({ precision: 120, rounding: Decimal.ROUND_HALF_UP });
export type Exact = Decimal;

/** A scaled integer (an Amount, Price, Size or Rate) as an exact decimal. */
export function exactOf(units: bigint, decimals = 8): Decimal {
  return new Exact(units.toString()).div(new Exact(10).pow(decimals));
}

/** The exact value of a float64, not its shortest decimal string. */
export function exactOfFloat(x: number): Decimal {
  return new Exact(x === 0 ? 0 : x.toExponential(100));
}

/** An exact decimal as an integer at `decimals` places, rounded as named. */
export function unitsOf(value: Decimal, decimals: number, rounding: 'floor' | 'ceil' | 'halfEven'): bigint {
  const mode = rounding === 'floor' ? Decimal.ROUND_FLOOR : rounding === 'ceil' ? Decimal.ROUND_CEIL : Decimal.ROUND_HALF_EVEN;
  return BigInt(value.times(new Exact(10).pow(decimals)).toDecimalPlaces(0, mode).toFixed(0));
}

/** A scaled integer rounded half up to the cent, as published figures are ("75,903.61"). */
export function cents(units: bigint, decimals = 8): string {
  return exactOf(units, decimals).toFixed(2, Decimal.ROUND_HALF_UP);
}

/** A float64 rounded half up to the cent. */
export function centsOfFloat(x: number): string {
  return exactOfFloat(x).toFixed(2, Decimal.ROUND_HALF_UP);
}
