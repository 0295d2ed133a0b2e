/**
 * The value types of the ledger (DESIGN.md D1, STYLE.md habit 2). Each is an integer in a named,
 * fixed scale, branded so that a price cannot be passed where an amount is expected:
 *
 *   Amount  an amount of one asset (balance, PnL, fee, margin), AMOUNT_DECIMALS places
 *   Price   a price of one unit of something in a quote asset, PRICE_DECIMALS places
 *   Size    a position or order size in contracts, SIZE_DECIMALS places
 *   Rate    a dimensionless fraction used for money (funding), RATE_DECIMALS places
 *
 * Operations that change the unit are named functions (`notionalOf`, `valueOf`), and every one that
 * loses precision names its rounding. Float64 appears only through `toNumber`/`fromNumber`, used for
 * risk measures, which round against the account when they turn back into money.
 */
import { InputError, invariant } from '../errors.js';
import { formatDecimal, parseDecimal } from './decimal.js';
import { divRound, pow10, type Rounding } from './rounding.js';

export const AMOUNT_DECIMALS = 8;
export const PRICE_DECIMALS = 8;
export const SIZE_DECIMALS = 8;
export const RATE_DECIMALS = 12;

declare const unit: unique symbol;
export type Amount = bigint & { readonly [unit]: 'Amount' };
export type Price = bigint & { readonly [unit]: 'Price' };
export type Size = bigint & { readonly [unit]: 'Size' };
export type Rate = bigint & { readonly [unit]: 'Rate' };

export const amount = (units: bigint): Amount => units as Amount;
export const price = (units: bigint): Price => units as Price;
export const size = (units: bigint): Size => units as Size;
export const rate = (units: bigint): Rate => units as Rate;

export const AMOUNT_ONE = amount(pow10(AMOUNT_DECIMALS));
export const PRICE_ONE = price(pow10(PRICE_DECIMALS));
export const SIZE_ONE = size(pow10(SIZE_DECIMALS));
export const RATE_ONE = rate(pow10(RATE_DECIMALS));
export const ZERO_AMOUNT = amount(0n);
export const ZERO_SIZE = size(0n);

export const parseAmount = (input: unknown, path = ''): Amount => amount(parseDecimal(input, AMOUNT_DECIMALS, path));
export const parseSize = (input: unknown, path = ''): Size => size(parseDecimal(input, SIZE_DECIMALS, path));
export const parseRate = (input: unknown, path = ''): Rate => rate(parseDecimal(input, RATE_DECIMALS, path));

/** Prices must be positive: a zero or negative price is a broken feed, not a market. */
export function parsePrice(input: unknown, path = ''): Price {
  const value = parseDecimal(input, PRICE_DECIMALS, path);
  if (value <= 0n) throw new InputError('price_not_positive', `price must be > 0, got "${String(input)}"`, path);
  return price(value);
}

export const formatAmount = (value: Amount): string => formatDecimal(value, AMOUNT_DECIMALS);
export const formatPrice = (value: Price): string => formatDecimal(value, PRICE_DECIMALS);
export const formatSize = (value: Size): string => formatDecimal(value, SIZE_DECIMALS);
export const formatRate = (value: Rate): string => formatDecimal(value, RATE_DECIMALS);

const SCALE_OF = { Amount: AMOUNT_DECIMALS, Price: PRICE_DECIMALS, Size: SIZE_DECIMALS, Rate: RATE_DECIMALS } as const;
const FLOAT_SCALE = {
  Amount: 10 ** AMOUNT_DECIMALS,
  Price: 10 ** PRICE_DECIMALS,
  Size: 10 ** SIZE_DECIMALS,
  Rate: 10 ** RATE_DECIMALS,
} as const;

/** A float view of a ledger value, for risk maths only. */
export function toNumber(value: Amount | Price | Size | Rate, kind: keyof typeof SCALE_OF): number {
  return Number(value) / FLOAT_SCALE[kind];
}

/**
 * Turn a float risk measure into an amount, rounding as named: requirements `ceil`, collateral and
 * payouts `floor` (against the account). Non-finite input is a programmer error.
 */
export function amountFromNumber(value: number, rounding: Rounding): Amount {
  invariant(Number.isFinite(value), `risk measure is not finite: ${value}`);
  return amount(roundFloat(value * FLOAT_SCALE.Amount, rounding));
}

/** A float parameter (a buffer, a step fraction) as an exact rate on the 1e-12 grid, rounding as named. */
export function rateFromNumber(value: number, rounding: Rounding): Rate {
  invariant(Number.isFinite(value), `rate is not finite: ${value}`);
  return rate(roundFloat(value * FLOAT_SCALE.Rate, rounding));
}

export function priceFromNumber(value: number, rounding: Rounding): Price {
  invariant(Number.isFinite(value) && value > 0, `price is not finite and positive: ${value}`);
  return price(roundFloat(value * FLOAT_SCALE.Price, rounding));
}

/**
 * Float64 noise is not a fraction of a unit: 0.02 + 25 x 0.00005 is 0.021250000000000002, and
 * rounding its product up would charge one unit too many. A scaled value within a few ulps (this
 * relative distance) of an integer is that integer; real fractions are rounded as named. Risk
 * measures are float64 (DESIGN.md D1), so beyond 2^53 units (about 90 million at 8 decimals)
 * they are exact to the float's relative precision, not to the unit.
 */
export const FLOAT_NOISE_RELATIVE = 4 * Number.EPSILON;

function roundFloat(scaled: number, rounding: Rounding): bigint {
  const nearest = Math.round(scaled);
  if (Math.abs(scaled - nearest) <= Math.max(Math.abs(scaled) * FLOAT_NOISE_RELATIVE, 1e-9)) return BigInt(nearest);
  switch (rounding) {
    case 'floor':
      return BigInt(Math.floor(scaled));
    case 'ceil':
      return BigInt(Math.ceil(scaled));
    case 'halfEven': {
      const floor = Math.floor(scaled);
      const diff = scaled - floor;
      if (diff > 0.5) return BigInt(floor + 1);
      if (diff < 0.5) return BigInt(floor);
      return BigInt(floor % 2 === 0 ? floor : floor + 1);
    }
  }
}

/** size x price as an amount of the quote asset (linear notional, or the cost of a spot holding). */
export function notionalOf(quantity: Size | Amount, unitPrice: Price, rounding: Rounding): Amount {
  const productDecimals = SIZE_DECIMALS + PRICE_DECIMALS; // AMOUNT and SIZE share a scale
  return amount(divRound(quantity * unitPrice, pow10(productDecimals - AMOUNT_DECIMALS), rounding));
}

/** An amount of a quote asset divided by a price: the quantity of the priced asset it buys. */
export function quantityOf(quoteAmount: Amount, unitPrice: Price, rounding: Rounding): Amount {
  return amount(divRound(quoteAmount * pow10(PRICE_DECIMALS), unitPrice, rounding));
}

/** An amount scaled by an exact rate (funding payments, fees). */
export function applyRate(value: Amount, fraction: Rate, rounding: Rounding): Amount {
  return amount(divRound(value * fraction, pow10(RATE_DECIMALS), rounding));
}

export function addAmounts(...values: readonly Amount[]): Amount {
  let total = 0n;
  for (const v of values) total += v;
  return amount(total);
}

export function negateAmount(value: Amount): Amount {
  return amount(-value);
}
