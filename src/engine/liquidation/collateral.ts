/**
 * Collateral-only liquidation (Mango's and Drift's spot liquidation; docs/methodology/liquidation.md
 * §6 b): an account without positions whose debts (negative balances, at their liability weight)
 * outweigh its collateral is below MM (MM is zero; its MM collateral is negative). Its debts are
 * repaid from its collateral at the oracle price: the liquidator (when the venue's default mode is
 * `liquidator` and it still covers its IM afterwards) or else the insurance fund pays each debt
 * and takes collateral worth as much, asset by asset in name order (`CollateralSeized`), plus the
 * liquidator and insurance fees on what it took, cut so that the account's equity stays >= 0. A debt
 * its collateral cannot repay is a deficit and goes down the loss waterfall like a position's: the
 * fund within its floor and the step's cap; ADL has no contracts to take; the rest is socialised
 * over the holders of positions settled in the asset (accounts without positions never pay).
 *
 * Partial repayment (Drift's `liquidate_spot` sizing): a solvent account repays only the least
 * amount that restores CM >= buffer x debt value after the fees (its MM is zero: this is MM plus
 * the buffer in Drift's terms, the buffer on the liability weight), found exactly by trial on the
 * amount grid, debt by debt in name order, then cut by the step limits. The whole debt goes when the
 * account is bankrupt, when even all of it would not restore the buffer, or when the step-limited
 * repayment would lower the margin ratio (weighted collateral / weighted debts).
 */
import type { AccountMargin } from '../../risk/account/account.js';
import { cappedFees } from '../../risk/liquidation/fees.js';
import { INSURANCE_FUND_ACCOUNT_ID, SYSTEM_ACCOUNT_PREFIX } from '../../risk/liquidation/params.js';
import { debtFiguresOf, debtRatioHolds, exactStepLimits, limitRepayment, meetsDebtBuffer, type DebtFigures } from '../../risk/liquidation/sizing.js';
import { PRICE_DECIMALS, RATE_ONE, amount, rateFromNumber } from '../../risk/units/quantities.js';
import { divCeil, minBig, pow10 } from '../../risk/units/rounding.js';
import { apply } from '../apply.js';
import type { AccountState } from '../state.js';
import type { CollateralRepayment, RepaymentSizing } from './events.js';
import { assetPriceIn, inAsset, marginIn } from './ledger.js';
import { scratchOf, type Scratch } from './scratch.js';
import { seize } from './step.js';
import { coverCashIn, fundMoneyRoom, type PlanContext } from './waterfall.js';

/** Units of each debt asset to repay; a debt not named is not repaid. */
type RepayPlan = ReadonlyMap<string, bigint>;

export function liquidateCollateral(ctx: PlanContext, accountId: string, m: AccountMargin): void {
  const { plan, repayment } = planRepayment(ctx, accountId, m);
  ctx.emit({
    type: 'LiquidationStarted',
    accountId,
    path: 'collateral',
    equity: m.equity,
    collateralMaintenance: m.collateralMaintenance,
    maintenanceMargin: m.maintenanceMargin,
    marginRatio: m.marginRatio,
    repayment,
  });
  const liquidatorId = ctx.lp.defaultExecution === 'liquidator' ? ctx.lp.liquidatorAccountId : undefined;
  repayDebts(ctx, accountId, plan, liquidatorId !== undefined && liquidatorCovers(ctx, accountId, plan, liquidatorId) ? liquidatorId : undefined);
  const account = ctx.s.accounts.peek(accountId) as AccountState;
  if (repayment.sizing === 'least' || repayment.sizing === 'limited') {
    // The law (DESIGN.md): a partial repayment never lowers the margin ratio. A violation is a planner bug.
    const after = figuresIn(ctx.s, accountId);
    if (after === undefined || !debtRatioHolds(debtFiguresOf(m.collateral), after)) throw new Error(`Invariant: the partial repayment of ${accountId} lowered its margin ratio`);
    return;
  }
  for (const [asset, balance] of sortedBalances(account)) if (balance < 0n) coverDebt(ctx, accountId, asset, -balance);
}

const sortedBalances = (a: AccountState): [string, bigint][] => [...a.balances].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));

const debtsOf = (a: AccountState): [string, bigint][] => sortedBalances(a).filter(([, v]) => v < 0n).map(([asset, v]) => [asset, -v]);

function figuresIn(s: Scratch, accountId: string): DebtFigures | undefined {
  const m = marginIn(s, s.accounts.peek(accountId) as AccountState);
  return m === undefined ? undefined : debtFiguresOf(m.collateral);
}

/** The account's figures after repaying `plan` (on a copy; the taker does not change them). */
function trialFigures(ctx: PlanContext, accountId: string, plan: RepayPlan): DebtFigures | undefined {
  const trial = scratchOf(ctx.s);
  repayDebts({ ...ctx, s: trial, emit: (e) => void apply(trial, e) }, accountId, plan, undefined);
  return figuresIn(trial, accountId);
}

/**
 * The repayment: for a solvent account, debt by debt in name order, the least units (exact, by
 * bisection on trial copies: what a unit repays is monotone up to the rounding of what is taken)
 * after which CM >= buffer x debt value; a debt that cannot get there alone is repaid whole and the
 * next one is sized. Then the step limits; a limited repayment that would lower the ratio goes whole.
 */
function planRepayment(ctx: PlanContext, accountId: string, m: AccountMargin): { plan: RepayPlan; repayment: CollateralRepayment } {
  const { s, lp } = ctx;
  const buffer = rateFromNumber(lp.buffer, 'halfEven');
  const before = debtFiguresOf(m.collateral);
  const debts = debtsOf(s.accounts.peek(accountId) as AccountState);
  const whole = new Map(debts);
  const shortage = amount(divCeil(buffer * before.debt, RATE_ONE) - before.collateralMaintenance);
  const result = (sizing: RepaymentSizing, plan: RepayPlan): { plan: RepayPlan; repayment: CollateralRepayment } => ({
    plan,
    repayment: { sizing, buffer, debtValue: before.debt, shortage, repay: [...plan].map(([asset, units]) => ({ asset, amount: amount(units) })) },
  });
  if (m.status === 'bankrupt') return result('bankrupt', whole);
  const restores = (plan: RepayPlan): boolean => {
    const f = trialFigures(ctx, accountId, plan);
    return f !== undefined && meetsDebtBuffer(f, buffer);
  };
  const plan = new Map<string, bigint>();
  let found = false;
  for (const [asset, owed] of debts) {
    plan.set(asset, owed);
    if (!restores(plan)) continue;
    let lo = 0n; // does not restore
    let hi = owed; // restores
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      plan.set(asset, mid);
      if (restores(plan)) hi = mid;
      else lo = mid;
    }
    plan.set(asset, hi);
    found = true;
    break;
  }
  if (!found) return result('uncovered', whole);
  const limits = exactStepLimits(lp.stepLimits);
  let budget = limits.notionalMaxPerAccountStep;
  const limited = new Map<string, bigint>();
  for (const [asset, wanted] of plan) {
    const unitPrice = assetPriceIn(s, asset);
    const owed = whole.get(asset) ?? 0n;
    if (unitPrice === undefined) return result('uncovered', whole);
    const units = limitRepayment(wanted, owed, unitPrice, limits, budget);
    if (units <= 0n) break;
    limited.set(asset, units);
    budget = amount(budget - divCeil(units * unitPrice, pow10(PRICE_DECIMALS)));
  }
  const same = limited.size === plan.size && [...plan].every(([a, u]) => limited.get(a) === u);
  if (same) return result('least', plan);
  const after = trialFigures(ctx, accountId, limited);
  if (limited.size > 0 && after !== undefined && (meetsDebtBuffer(after, buffer) || debtRatioHolds(before, after))) {
    const allOf = [...whole].every(([a, u]) => limited.get(a) === u);
    return result(allOf ? 'remainder' : meetsDebtBuffer(after, buffer) ? 'least' : 'limited', limited);
  }
  return result('ratio', whole);
}

/** The liquidator repays on a trial copy first: it takes the debts only if it still covers its IM. */
function liquidatorCovers(ctx: PlanContext, accountId: string, plan: RepayPlan, liquidatorId: string): boolean {
  const liquidator = ctx.s.accounts.peek(liquidatorId);
  if (liquidatorId === accountId || liquidatorId.startsWith(SYSTEM_ACCOUNT_PREFIX) || liquidator?.mode !== 'cross') return false;
  const trial = scratchOf(ctx.s);
  repayDebts({ ...ctx, s: trial, emit: (e) => void apply(trial, e) }, accountId, plan, liquidatorId);
  const cross = marginIn(trial, trial.accounts.peek(liquidatorId) as AccountState)?.pools[0];
  return cross !== undefined && cross.collateralInitial >= cross.initialMargin;
}

/** Each planned repayment from the other collateral at the oracle price, then the fees on what was taken, in its asset. */
function repayDebts(ctx: PlanContext, accountId: string, plan: RepayPlan, takerId: string | undefined): void {
  const { s, lp } = ctx;
  const current = (): AccountState => s.accounts.peek(accountId) as AccountState;
  const debts = new Set(debtsOf(current()).map(([asset]) => asset));
  for (const [asset, units] of plan) {
    const owed = minBig(units, -(current().balances.get(asset) ?? 0n));
    if (owed <= 0n) continue;
    for (const seized of seize(ctx, accountId, asset, owed, debts, takerId)) {
      const assetPrice = assetPriceIn(s, seized.asset);
      const equity = marginIn(s, current())?.equity ?? 0n;
      if (assetPrice === undefined || equity <= 0n) continue;
      const left = current().balances.get(seized.asset) ?? 0n;
      const byEquity = inAsset(equity, assetPrice);
      const fees = cappedFees({ value: amount(seized.taken), liquidatorRate: lp.liquidatorFee, insuranceRate: lp.insuranceFee, room: amount(left < byEquity ? left : byEquity) });
      if (fees.liquidator + fees.insurance === 0n) continue;
      ctx.emit({
        type: 'LiquidationFeesCharged',
        accountId,
        asset: seized.asset,
        liquidatorId: takerId ?? INSURANCE_FUND_ACCOUNT_ID,
        liquidatorFee: fees.liquidator,
        insuranceFee: fees.insurance,
      });
    }
  }
}

/**
 * A debt no collateral repaid, down the waterfall: the fund pays within its room (equity above the
 * floor, the step's cap); ADL has no contracts to take; the rest is socialised (`coverCashIn`). The
 * events name the asset in place of an instrument, and the fund's drawdown is counted under it.
 */
function coverDebt(ctx: PlanContext, accountId: string, asset: string, deficit: bigint): void {
  const assetPrice = assetPriceIn(ctx.s, asset);
  let left = deficit;
  for (const step of ctx.lp.waterfall) {
    if (left <= 0n || assetPrice === undefined) break;
    if (step.step !== 'insuranceFund') continue;
    let pay = fundMoneyRoom(ctx, asset, assetPrice);
    if (step.capValue !== undefined) pay = minBig(pay, inAsset(step.capValue, assetPrice));
    pay = minBig(pay, left);
    if (pay <= 0n) continue;
    ctx.emit({ type: 'InsuranceFundPaid', accountId, instrument: asset, asset, amount: amount(pay) });
    left -= pay;
  }
  if (left > 0n) coverCashIn(ctx, accountId, { asset }, amount(left));
}
