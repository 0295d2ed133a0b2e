/**
 * How much to liquidate: the least reduction that restores the account to MM plus a buffer.
 *
 * Drift v2 (METHODS.md §4, `calculate_base_asset_amount_to_cover_margin_shortage`):
 *
 *   base = shortage / (price x (marginRatioWithBuffer - liquidatorFee) - price x insuranceFee)
 *
 * Closing one unit frees its margin (price x ratio) but the fees paid on it cost collateral, so
 * each unit covers price x (ratio - fees) of the shortage. Worked (Drift's tests): shortage $10,
 * ratio 10%, price $100: no fees 1.0; liquidator 1%: 1.111111111; liquidator 1% + IF 1%: 1.25.
 */
import { AMOUNT_DECIMALS, PRICE_DECIMALS, RATE_ONE, amount, parseAmount, rateFromNumber, type Amount, type Price, type Rate } from '../units/quantities.js';
import { divFloor, maxBig, minBig, pow10 } from '../units/rounding.js';

export interface ShortageCover {
  /** Collateral missing to reach MM plus the buffer, in quote (> 0). */
  readonly shortage: number;
  readonly price: number;
  /** MM rate plus the liquidation buffer, as a fraction of notional. */
  readonly marginRatioWithBuffer: number;
  readonly liquidatorFee: number;
  readonly insuranceFee: number;
}

export type CoverSize =
  | { readonly kind: 'size'; readonly size: number }
  /** Fees at least as large as the margin a unit frees: no partial liquidation can help. */
  | { readonly kind: 'whole'; readonly reason: string };

export function sizeToCover(c: ShortageCover): CoverSize {
  if (c.shortage <= 0) return { kind: 'size', size: 0 };
  const coverPerUnit = c.price * (c.marginRatioWithBuffer - c.liquidatorFee) - c.price * c.insuranceFee;
  if (!(coverPerUnit > 0)) return { kind: 'whole', reason: 'fees exceed the margin a unit frees' };
  return { kind: 'size', size: c.shortage / coverPerUnit };
}

/** A candidate position for a multi-position liquidation. */
export interface LiquidationCandidate {
  readonly instrument: string;
  /** |size| in contracts. */
  readonly size: number;
  /** Quote value of one contract at mark. */
  readonly unitValue: number;
  /** MM of the position per contract, in quote, plus the buffer's share. */
  readonly marginPerUnitWithBuffer: number;
  /** Fees (liquidator + insurance) per contract, in quote. */
  readonly feePerUnit: number;
}

export interface PlannedReduction {
  readonly instrument: string;
  readonly size: number;
  /** Shortage covered by this reduction. */
  readonly covers: number;
}

/**
 * Beyond Drift's single market: for an account with several positions, close first what frees the
 * most margin per unit of cost (margin freed minus fees, per unit of value closed), each only as far
 * as the remaining shortage needs. Deterministic: ties break on the instrument symbol.
 */
export function planReductions(shortage: number, candidates: readonly LiquidationCandidate[]): PlannedReduction[] {
  const ranked = candidates
    .map((c) => ({ c, cover: c.marginPerUnitWithBuffer - c.feePerUnit }))
    .filter(({ c, cover }) => cover > 0 && c.size > 0 && c.unitValue > 0)
    .sort((a, b) => b.cover / b.c.unitValue - a.cover / a.c.unitValue || (a.c.instrument < b.c.instrument ? -1 : 1));
  const plan: PlannedReduction[] = [];
  let left = shortage;
  for (const { c, cover } of ranked) {
    if (left <= 0) break;
    const size = Math.min(c.size, left / cover);
    plan.push({ instrument: c.instrument, size, covers: size * cover });
    left -= size * cover;
  }
  return plan;
}

/**
 * Step limits on one liquidation step (dYdX: at most 10% of a position per block, at least a
 * minimum notional; at most a notional per account per block; Hyperliquid: 20% slices for large
 * positions), and a minimum below which a position closes whole.
 */
export interface StepLimits {
  readonly fractionMax: number;
  readonly notionalMinPerStep: number;
  readonly notionalMaxPerAccountStep: number;
  /** Positions whose remaining notional would fall below this close whole. */
  readonly remainderMin: number;
}

export function limitStep(wanted: number, positionSize: number, unitValue: number, limits: StepLimits): number {
  if (wanted <= 0 || positionSize <= 0 || unitValue <= 0) return 0;
  const byFraction = Math.max(positionSize * limits.fractionMax, limits.notionalMinPerStep / unitValue);
  let size = Math.min(wanted, byFraction, positionSize);
  // A remainder too small to be worth a later step (dust) goes now.
  if ((positionSize - size) * unitValue < limits.remainderMin) size = positionSize;
  return Math.min(size, limits.notionalMaxPerAccountStep / unitValue);
}

/**
 * Collateral-only accounts (Drift's `liquidate_spot`, Mango's token liquidation; docs §6 b): an
 * account without positions owes debts (negative balances, at their liability weight) against its
 * collateral (at its MM weight). Its MM is zero, so "MM x (1 + buffer)" is Drift's requirement with
 * the buffer added to the liability weight: the account is restored when
 *   CM >= buffer x debt value   (CM = weighted collateral - weighted debts),
 * and its margin ratio is Drift's: weighted collateral / weighted debts. Repaying r of debt value
 * with collateral of weight wC and fees f covers r x (wD + buffer - wC x (1 + f)) of the shortage
 * buffer x debt - CM, so r = shortage / (wD + buffer - wC x (1 + f)) (flat weights); the engine finds
 * the least repayment on the amount grid exactly, by trial, whatever the weights.
 */
export interface DebtFigures {
  /** MM-weighted value of the positive balances (valuation asset). */
  readonly assets: Amount;
  /** Liability-weighted value of the debts (> 0 when there are any). */
  readonly liabilities: Amount;
  /** Unweighted value of the debts (the "notional" the buffer applies to). */
  readonly debt: Amount;
  readonly collateralMaintenance: Amount;
}

export function debtFiguresOf(collateral: readonly { readonly value: Amount; readonly maintenanceValue: Amount }[]): DebtFigures {
  let assets = 0n;
  let liabilities = 0n;
  let debt = 0n;
  for (const c of collateral) {
    if (c.value < 0n) {
      debt -= c.value;
      liabilities -= c.maintenanceValue;
    } else assets += c.maintenanceValue;
  }
  return { assets: amount(assets), liabilities: amount(liabilities), debt: amount(debt), collateralMaintenance: amount(assets - liabilities) };
}

/** CM >= buffer x debt value, exactly: the account is back at MM plus the buffer. */
export const meetsDebtBuffer = (f: DebtFigures, buffer: Rate): boolean => f.collateralMaintenance * RATE_ONE >= buffer * f.debt;

/** The margin ratio (weighted collateral / weighted debts) is not lower after, exactly; no debt left is the best ratio. */
export function debtRatioHolds(before: DebtFigures, after: DebtFigures): boolean {
  if (after.liabilities <= 0n) return after.collateralMaintenance >= 0n;
  if (before.liabilities <= 0n) return false;
  return after.assets * before.liabilities >= before.assets * after.liabilities;
}

/** The step limits in exact units: rates on 1e-12, amounts in the valuation asset. */
export interface ExactStepLimits {
  readonly fractionMax: Rate;
  readonly notionalMinPerStep: Amount;
  readonly notionalMaxPerAccountStep: Amount;
  readonly remainderMin: Amount;
}

export function exactStepLimits(l: StepLimits): ExactStepLimits {
  const asAmount = (x: number): Amount => parseAmount(x.toFixed(AMOUNT_DECIMALS));
  return {
    fractionMax: rateFromNumber(l.fractionMax, 'halfEven'),
    notionalMinPerStep: asAmount(l.notionalMinPerStep),
    notionalMaxPerAccountStep: asAmount(l.notionalMaxPerAccountStep),
    remainderMin: asAmount(l.remainderMin),
  };
}

/**
 * `limitStep` for a debt, exactly: at most `fractionMax` of it (but at least the minimum notional),
 * the whole of it when the remainder would be dust, and never beyond the account's budget for the
 * step (valuation asset). Units of the debt's asset; `unitPrice` its price in the valuation asset.
 */
export function limitRepayment(wanted: bigint, owed: bigint, unitPrice: Price, limits: ExactStepLimits, budget: Amount): bigint {
  if (wanted <= 0n || owed <= 0n || unitPrice <= 0n) return 0n;
  const scale = pow10(PRICE_DECIMALS);
  const units = (value: bigint): bigint => divFloor(value * scale, unitPrice);
  const byFraction = maxBig(divFloor(owed * limits.fractionMax, RATE_ONE), units(limits.notionalMinPerStep));
  let repay = minBig(minBig(wanted, byFraction), owed);
  if (divFloor((owed - repay) * unitPrice, scale) < limits.remainderMin) repay = owed;
  return minBig(repay, units(budget > 0n ? budget : 0n));
}
