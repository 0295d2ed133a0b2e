/**
 * The standard normal distribution in float64: density, cumulative distribution and quantile.
 * Measured against a 50-digit reference (test/risk/pricing/normal.test.ts): N(x) within 1e-15
 * relative for x >= -37.5 (where N >= 4.6e-308; below that the result is subnormal and loses bits
 * gradually), the density likewise, the quantile within 3e-16 relative.
 *
 * Sources:
 * - W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969)
 *   631-638; coefficients as in Cody's SPECFUN routine CALERF (netlib.org/specfun/erf, 1990).
 * - M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution",
 *   Applied Statistics 37 (1988) 477-484 (PPND16, about 1 part in 1e16).
 */
import { PricingInputError } from './inputs.js';

const SQRT_2 = 1.4142135623730950488;
const INV_SQRT_2PI = 0.39894228040143267794; // 1/sqrt(2 pi)
const INV_SQRT_PI = 0.56418958354775628695; // 1/sqrt(pi)

/**
 * Horner evaluation, highest-degree coefficient first. Starting from the first coefficient is the
 * same arithmetic as starting from 0 (0 x + c = c for every finite x), without the first product;
 * an indexed loop, because an iterator here cost about a third of normCdf's time.
 */
function poly(coefficients: readonly number[], x: number): number {
  let sum = coefficients[0]!;
  for (let i = 1; i < coefficients.length; i++) sum = sum * x + coefficients[i]!;
  return sum;
}

// Cody (1969), |y| <= 0.46875: erf(y) = y * A(y^2) / B(y^2).
const ERF_A = [
  0.185777706184603153, 3.16112374387056560, 113.864154151050156, 377.485237685302021, 3209.37758913846947,
];
const ERF_B = [1, 23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
// Cody (1969), 0.46875 < y <= 4: erfc(y) = exp(-y^2) * C(y) / D(y).
const ERFC_C = [
  2.15311535474403846e-8, 0.564188496988670089, 8.88314979438837594, 66.1191906371416295,
  298.635138197400131, 881.952221241769090, 1712.04761263407058, 2051.07837782607147, 1230.33935479799725,
];
const ERFC_D = [
  1, 15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019,
  3290.79923573345963, 4362.61909014324716, 3439.36767414372164, 1230.33935480374942,
];
// Cody (1969), y > 4: erfc(y) = exp(-y^2) / y * (1/sqrt(pi) - z P(z) / Q(z)), z = 1/y^2.
const ERFC_P = [
  0.0163153871373020978, 0.305326634961232344, 0.360344899949804439, 0.125781726111229246,
  0.0160837851487422766, 6.58749161529837803e-4,
];
const ERFC_Q = [
  1, 2.56852019228982242, 1.87295284992346047, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185,
];

const ERF_SMALL_MAX = 0.46875;

function erfSmall(y: number): number {
  const ysq = y * y;
  return (y * poly(ERF_A, ysq)) / poly(ERF_B, ysq);
}

/**
 * The scaled complementary error function exp(y^2) erfc(y) for y > 0.46875. It is smooth and of
 * order 1/y, so rounding in y costs only about one ulp, unlike erfc itself.
 */
function erfcxLarge(y: number): number {
  if (y <= 4) return poly(ERFC_C, y) / poly(ERFC_D, y);
  const z = 1 / (y * y);
  return (INV_SQRT_PI - (z * poly(ERFC_P, z)) / poly(ERFC_Q, z)) / y;
}

/**
 * exp(-scale x head^2) for the heads k/16 below 64, for the two scales the functions below use:
 * the same expression on the same (exact) head, computed once instead of per call (a head of -k/16
 * gives the same product as k/16: every step is exact in sign). Half of normCdf's exponentials.
 */
const HEAD_STEPS = 1024;
const expHeads = (scale: number): Float64Array =>
  Float64Array.from({ length: HEAD_STEPS }, (_, k) => {
    const head = k / 16;
    return Math.exp(-scale * head * head);
  });
const EXP_HEAD_HALF = expHeads(0.5);
const EXP_HEAD_ONE = expHeads(1);

/**
 * exp(-scale * x^2) without the relative error scale * x^2 * 1e-16 that rounding x^2 would cause in
 * the tails: x splits into a part with 4 fraction bits (whose square is exact) and a small
 * remainder, as in Cody's CALERF. At x = 37, scale 1/2, this keeps about 1e-16 instead of 7e-14.
 */
function expNegScaledSquare(x: number, scale: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (Math.abs(x) > 1e150) return 0; // x^2 overflows; the true value underflows long before
  const sixteenths = Math.trunc(x * 16);
  const head = sixteenths / 16;
  const tail = (x - head) * (x + head);
  const k = Math.abs(sixteenths);
  if (k < HEAD_STEPS) {
    if (scale === 0.5) return EXP_HEAD_HALF[k]! * Math.exp(-scale * tail);
    if (scale === 1) return EXP_HEAD_ONE[k]! * Math.exp(-scale * tail);
  }
  return Math.exp(-scale * head * head) * Math.exp(-scale * tail);
}

/** erf(x) = 2/sqrt(pi) int_0^x exp(-t^2) dt. erf(0.5) = 0.520499877813047. */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= ERF_SMALL_MAX) return erfSmall(x);
  const tail = erfcxLarge(y) * expNegScaledSquare(y, 1);
  return x > 0 ? 1 - tail : tail - 1;
}

/** erfc(x) = 1 - erf(x), accurate in the right tail: erfc(5) = 1.537459794428035e-12. */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= ERF_SMALL_MAX) return 1 - erfSmall(x);
  const tail = erfcxLarge(y) * expNegScaledSquare(y, 1);
  return x > 0 ? tail : 2 - tail;
}

/** Standard normal density n(x) = exp(-x^2/2)/sqrt(2 pi); n(0) = 0.3989422804014327. */
export function normPdf(x: number): number {
  return INV_SQRT_2PI * expNegScaledSquare(x, 0.5);
}

/**
 * Standard normal distribution N(x) = P(Z <= x); N(1.96) = 0.97500210485177957,
 * N(-10) = 7.6198530241605261e-24 (50-digit reference values). The left tail uses
 * N(x) = erfcx(-x/sqrt 2) exp(-x^2/2) / 2 with the exponential taken from x itself, so the relative
 * error stays near 1e-15 down to the subnormal range.
 */
export function normCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x) / SQRT_2;
  if (y <= ERF_SMALL_MAX) return 0.5 + 0.5 * erfSmall(x / SQRT_2);
  const lower = 0.5 * erfcxLarge(y) * expNegScaledSquare(x, 0.5);
  return x < 0 ? lower : 1 - lower;
}

// Wichura (1988) AS 241 PPND16, highest-degree coefficient first.
const AS241_A = [
  2509.0809287301226727, 33430.575583588128105, 67265.770927008700853, 45921.953931549871457,
  13731.693765509461125, 1971.5909503065514427, 133.14166789178437745, 3.387132872796366608,
];
const AS241_B = [
  5226.495278852854561, 28729.085735721942674, 39307.89580009271061, 21213.794301586595867,
  5394.1960214247511077, 687.1870074920579083, 42.313330701600911252, 1,
];
const AS241_C = [
  7.7454501427834140764e-4, 0.0227238449892691845833, 0.24178072517745061177, 1.27045825245236838258,
  3.64784832476320460504, 5.7694972214606914055, 4.6303378461565452959, 1.42343711074968357734,
];
const AS241_D = [
  1.05075007164441684324e-9, 5.475938084995344946e-4, 0.0151986665636164571966, 0.14810397642748007459,
  0.68976733498510000455, 1.6763848301838038494, 2.05319162663775882187, 1,
];
const AS241_E = [
  2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.0012426609473880784386, 0.026532189526576123093,
  0.29656057182850489123, 1.7848265399172913358, 5.4637849111641143699, 6.6579046435011037772,
];
const AS241_F = [
  2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5, 7.868691311456132591e-4,
  0.0148753612908506148525, 0.13692988092273580531, 0.59983220655588793769, 1,
];

/** AS 241 for 0 < p <= 0.5 (the lower half, where z <= 0). */
function as241Lower(p: number): number {
  const q = p - 0.5;
  if (q >= -0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(AS241_A, r)) / poly(AS241_B, r);
  }
  const r = Math.sqrt(-Math.log(p));
  if (r <= 5) return -poly(AS241_C, r - 1.6) / poly(AS241_D, r - 1.6);
  return -poly(AS241_E, r - 5) / poly(AS241_F, r - 5);
}

/**
 * The quantile z(p) with N(z) = p, for 0 < p < 1: z(0.95) = 1.644853627, z(0.99) = 2.326347874,
 * z(0.995) = 2.575829304 (METHODS.md section 5), each within 3e-16 relative of the exact quantile.
 *
 * Wichura's AS 241 gives about 1e-16; one Halley step against normCdf (Acklam's refinement)
 * removes the last ulps. Both work in the lower half, where N is accurate to 1e-15 relative; the
 * upper half uses z(p) = -z(1 - p), and 1 - p is exact for p >= 0.5 (Sterbenz). p outside (0, 1)
 * has no finite quantile and is rejected with `quantile_probability_invalid`.
 */
export function normInv(p: number): number {
  if (!(p > 0 && p < 1)) {
    throw new PricingInputError('quantile_probability_invalid', 'p must be in (0, 1)');
  }
  if (p > 0.5) return -normInv(1 - p);
  const z = as241Lower(p);
  const density = normPdf(z);
  if (density === 0) return z;
  const u = (normCdf(z) - p) / density;
  return z - u / (1 + 0.5 * z * u);
}
