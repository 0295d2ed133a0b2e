/**
 * A slow, independent reference for the normal distribution in decimal arithmetic (decimal.js, a
 * dev dependency), used only by tests. N(x) = 1/2 + n(x) * sum_k x^(2k+1) / (1*3*5*...*(2k+1))
 * (Abramowitz and Stegun 26.2.11) converges for every x; the working precision grows with x^2 so
 * that the cancellation in the left tail still leaves more than 30 correct digits.
 */
import { Decimal } from 'decimal.js';

/** The exact value of a float64 (to 100 significant digits), not its shortest decimal string. */
export function exactDecimal(x: number): Decimal {
  return new Decimal(x === 0 ? 0 : x.toExponential(100));
}

function toDecimal(x: Decimal.Value): Decimal.Value {
  return typeof x === 'number' ? exactDecimal(x) : x;
}

function decimalFor(x: number): typeof Decimal {
  return Decimal.clone({ precision: Math.ceil((x * x) / 2 / Math.LN10) * 2 + 40 });
}

export function normPdfReference(x: Decimal.Value, digits = 50): Decimal {
  const D = Decimal.clone({ precision: digits });
  const xd = new D(toDecimal(x));
  return xd.times(xd).div(-2).exp().div(D.acos(-1).times(2).sqrt());
}

export function normCdfReference(x: Decimal.Value): Decimal {
  const D = decimalFor(Number(x));
  const xd = new D(toDecimal(x));
  const x2 = xd.times(xd);
  const epsilon = new D(10).pow(-D.precision);
  let term = xd;
  let sum = xd;
  for (let k = 1; ; k += 1) {
    term = term.times(x2).div(2 * k + 1);
    sum = sum.plus(term);
    if (k > x2.toNumber() && term.abs().lte(epsilon.times(sum.abs()))) break;
  }
  return new D(0.5).plus(normPdfReference(xd, D.precision).times(sum));
}

/** The quantile by Newton's method in decimal arithmetic, started from a float64 estimate. */
export function normInvReference(p: Decimal.Value, start: number): Decimal {
  const D = decimalFor(start);
  let z = new D(start);
  // Two steps from a float64 start: the error goes 1e-16 -> 1e-32 -> 1e-64.
  for (let i = 0; i < 2; i += 1) {
    z = z.minus(normCdfReference(z).minus(toDecimal(p)).div(normPdfReference(z)));
  }
  return z;
}

/** |computed - reference| / |reference|, as a float64. */
export function relativeError(computed: number, reference: Decimal): number {
  if (reference.isZero()) return Math.abs(computed);
  return exactDecimal(computed).minus(reference).abs().div(reference.abs()).toNumber();
}

function timesSqrt2(x: number): Decimal {
  const D = Decimal.clone({ precision: 60 });
  return new D(exactDecimal(x)).times(new D(2).sqrt());
}

/** erf(x) = 2 N(x sqrt 2) - 1, from the exact value of x. */
export function erfReference(x: number): Decimal {
  return normCdfReference(timesSqrt2(x)).times(2).minus(1);
}

/** erfc(x) = 2 N(-x sqrt 2), from the exact value of x. */
export function erfcReference(x: number): Decimal {
  return normCdfReference(timesSqrt2(-x)).times(2);
}
