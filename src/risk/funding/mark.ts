/**
 * Perpetual mark price, Binance method (METHODS.md §1.3):
 *
 *   Price1 = index x (1 + F x t_left / interval),  Price2 = index + MA(basis),
 *   mark = median(Price1, Price2, last traded)
 *
 * Worked: index 50,000, F 0.01%, 4h of 8h left, MA basis +10, last 50,030: Price1 50,002.5,
 * Price2 50,010, mark 50,010. The oracle (src/oracle) samples the inputs; this is the formula.
 */
import { RATE_DECIMALS } from '../units/quantities.js';
import { price, type Price, type Rate } from '../units/quantities.js';
import { divHalfEven, pow10 } from '../units/rounding.js';

export interface MarkInputs {
  readonly index: Price;
  readonly fundingRate: Rate;
  readonly timeLeftMs: number;
  readonly intervalMs: number;
  /** Moving average of (mid - index), in price units; may be negative. */
  readonly basisAverage: bigint;
  readonly last: Price;
}

export function perpetualMarkOf(m: MarkInputs): { mark: Price; price1: Price; price2: Price } {
  const scale = pow10(RATE_DECIMALS);
  const timeLeft = BigInt(Math.max(0, Math.round(m.timeLeftMs)));
  const interval = BigInt(Math.max(1, Math.round(m.intervalMs)));
  const price1 = price(m.index + divHalfEven(m.index * m.fundingRate * timeLeft, scale * interval));
  const price2 = price(m.index + m.basisAverage);
  const sorted = [price1, price2, m.last].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { mark: sorted[1] as Price, price1, price2 };
}
