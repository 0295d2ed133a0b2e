/**
 * Liquidation fees, exact. A fee never pushes the account past bankruptcy: each is reduced to what
 * the account's equity still holds (`room`), the liquidator's first (it is the incentive that gets
 * the liquidation done), the insurance fund's from what is left.
 *
 * dYdX's insurance-fund share of a liquidation fill (METHODS.md §4): the fund takes
 * min(cap x fill value, what the fill leaves above the bankruptcy value) and pays the difference
 * when the fill is worse than bankruptcy. Worked (dYdX tests): long 0.1 BTC, bankruptcy 51,000,
 * fill at 56,100: +28.05 at a 0.5% cap, +140.25 at 2.5%, +510 uncapped; a fill at 50,000 costs
 * the fund 100.
 */
import { RATE_DECIMALS, amount, type Amount, type Rate } from '../units/quantities.js';
import { divCeil, pow10 } from '../units/rounding.js';

const RATE_SCALE = pow10(RATE_DECIMALS);

export interface LiquidationFees {
  readonly liquidator: Amount;
  readonly insurance: Amount;
}

/** A charge on a value, rounded up (against the account). */
export function chargeOf(value: Amount, rate: Rate): Amount {
  const v = value < 0n ? -value : value;
  return amount(divCeil(v * rate, RATE_SCALE));
}

/** Both fees on a taken-over value, reduced so that their sum never exceeds `room` (>= 0 after). */
export function cappedFees(input: { readonly value: Amount; readonly liquidatorRate: Rate; readonly insuranceRate: Rate; readonly room: Amount }): LiquidationFees {
  const room = input.room > 0n ? input.room : amount(0n);
  const liquidator = minAmount(chargeOf(input.value, input.liquidatorRate), room);
  const insurance = minAmount(chargeOf(input.value, input.insuranceRate), amount(room - liquidator));
  return { liquidator, insurance };
}

/**
 * The insurance fund's delta on a fill of a liquidated position (dYdX): > 0 the fund receives it
 * from the account, < 0 the fund pays it to the account. `side` is the liquidated position's side:
 * a long is sold (the fill value should be at least the bankruptcy value), a short bought back.
 */
export function insuranceFundDeltaOfFill(input: {
  readonly side: 'long' | 'short';
  readonly fillValue: Amount;
  readonly bankruptcyValue: Amount;
  readonly cap: Rate | 'uncapped';
}): Amount {
  const excess = input.side === 'long' ? input.fillValue - input.bankruptcyValue : input.bankruptcyValue - input.fillValue;
  if (excess <= 0n) return amount(excess);
  if (input.cap === 'uncapped') return amount(excess);
  return minAmount(chargeOf(input.fillValue, input.cap), amount(excess));
}

function minAmount(a: Amount, b: Amount): Amount {
  return a < b ? a : b;
}
