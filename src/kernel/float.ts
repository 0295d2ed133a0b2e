/**
 * Float64 replicas of the reference's unit conversions (src/risk/units/quantities.ts), operation
 * for operation, so that a kernel risk measure is bit-identical to the reference's whenever its
 * inputs are:
 *   toNumber(x)              = units / 1e8
 *   amountFromNumber(v, mode) = roundFloat(v x 1e8, mode), float noise within 4 ulps snapped
 *
 * The kernel holds ledger values (balances, sizes, entry values, isolated margins, resting order
 * sizes) as integer-valued float64 "units" of 1e-8. Integers are exact in float64 up to 2^53
 * (about 90 million of an asset at 8 decimals), and so is any sum whose partial sums stay below
 * it: inside that range the kernel's ledger columns and its sums of rounded amounts are exact, not
 * approximations. Values beyond it are held exactly elsewhere (book.ts, "wide" accounts).
 */

/** Units per whole asset, price unit or contract: every ledger scale has 8 decimals. */
export const UNITS = 1e8;
/** 2^53: integer-valued float64 values and their sums are exact below this magnitude. */
export const EXACT_MAX = 2 ** 53;
/** Half of EXACT_MAX: a bound on terms whose sum must stay exact. */
export const EXACT_HALF = 2 ** 52;
/** The unit roundoff of float64, 2^-53. */
export const ROUNDOFF = 2 ** -53;
/** A relative slack that covers float64 rounding of sums of up to ~9,000 terms (n x 2^-53 < 1e-12). */
export const SUM_SLACK = 1e-12;

// quantities.ts FLOAT_NOISE_RELATIVE.
const NOISE = 4 * Number.EPSILON;

/**
 * The reference's roundFloat: a scaled value within max(|x| x 4 eps, 1e-9) of an integer is that
 * integer (Math.round: halves up); otherwise floor or ceil as named. Beyond about 5.6e14 units the
 * tolerance reaches 0.5 and every value rounds to nearest, as in the reference.
 */
function roundReference(scaled: number, up: boolean): number {
  const nearest = Math.round(scaled);
  if (Math.abs(scaled - nearest) <= Math.max(Math.abs(scaled) * NOISE, 1e-9)) return nearest;
  return up ? Math.ceil(scaled) : Math.floor(scaled);
}

/** Below this magnitude the noise tolerance is under 0.5 and a gap to an integer is exact. */
const FAST_MAX = 2 ** 49;

/**
 * `amountFromNumber(value, 'ceil')` in units, as a float, without the reference's Math.round. For
 * 1 <= |x| < 2^49, x = value x 1e8: the gap g = ceil(x) - x is exact (Sterbenz) and so is 1 - g, the
 * tolerance t = max(|x| x 4 eps, 1e-9) is below 0.5, and the reference's nearest integer is ceil(x)
 * when g <= t, ceil(x) - 1 when 1 - g <= t (both within noise: the reference returns them), and
 * otherwise x is a real fraction and rounds up. Outside that range the reference's steps run as
 * written. Non-finite input gives NaN (the reference throws; the kernel marks the account unvalued).
 */
export function ceilUnits(value: number): number {
  const scaled = value * UNITS;
  const ceiling = Math.ceil(scaled);
  const magnitude = scaled < 0 ? -scaled : scaled;
  if (magnitude >= 1 && magnitude < FAST_MAX) {
    // g <= t also returns ceil(x): one comparison decides, without a branch.
    const tolerance = Math.max(magnitude * NOISE, 1e-9);
    return ceiling - +(1 - (ceiling - scaled) <= tolerance);
  }
  return roundReference(scaled, true);
}

/** `amountFromNumber(value, 'floor')` in units, as a float; see ceilUnits. */
export function floorUnits(value: number): number {
  const scaled = value * UNITS;
  const floor = Math.floor(scaled);
  const magnitude = scaled < 0 ? -scaled : scaled;
  if (magnitude >= 1 && magnitude < FAST_MAX) {
    const tolerance = Math.max(magnitude * NOISE, 1e-9);
    return floor + +(1 - (scaled - floor) <= tolerance);
  }
  return roundReference(scaled, false);
}

/**
 * floor(quantity x price / 1e8) for integer units (the reference's `notionalOf(q, p, 'floor')`).
 * Exact when |q x p| < 2^52: the quotient is corrected by its exact remainder. Beyond that the
 * float quotient is snapped up by its own rounding error, so that an exact integer stays itself;
 * the result is then within 1 unit (see `floorMulDivError`).
 */
export function floorMulDiv(quantityUnits: number, priceUnits: number, wholePrice = Number.NaN): number {
  // A whole price (a stablecoin at 1; `wholePrice` is price / 1e8 when that is an integer, else
  // NaN): q x P exactly, no division.
  if (wholePrice === wholePrice) {
    const whole = quantityUnits * wholePrice;
    if (Math.abs(whole) < EXACT_HALF) return whole;
  }
  const product = quantityUnits * priceUnits;
  if (Math.abs(product) < EXACT_HALF) {
    let quotient = Math.floor(product / UNITS);
    const remainder = product - quotient * UNITS;
    if (remainder < 0) quotient -= 1;
    else if (remainder >= UNITS) quotient += 1;
    return quotient;
  }
  const quotient = product / UNITS;
  return Math.floor(quotient + 8 * ROUNDOFF * Math.abs(quotient));
}

/** The error bound of floorMulDiv on exact inputs: 0 in its exact range, else 1 unit plus rounding. */
export function floorMulDivError(quantityUnits: number, priceUnits: number, wholePrice = Number.NaN): number {
  if (wholePrice === wholePrice && Math.abs(quantityUnits * wholePrice) < EXACT_HALF) return 0;
  const product = Math.abs(quantityUnits * priceUnits);
  return product < EXACT_HALF ? 0 : 1 + 16 * ROUNDOFF * (product / UNITS);
}

/** Whether a bigint ledger value is held exactly by a float64 unit column. */
export function fitsUnits(value: bigint): boolean {
  return value < 9_007_199_254_740_992n && value > -9_007_199_254_740_992n;
}
