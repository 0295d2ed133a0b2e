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
 */
import type { AccountMargin } from '../../risk/account/account.js';
import { cappedFees } from '../../risk/liquidation/fees.js';
import { INSURANCE_FUND_ACCOUNT_ID, SYSTEM_ACCOUNT_PREFIX } from '../../risk/liquidation/params.js';
import { amount } from '../../risk/units/quantities.js';
import { minBig } from '../../risk/units/rounding.js';
import { apply } from '../apply.js';
import type { AccountState } from '../state.js';
import { assetPriceIn, inAsset, marginIn } from './ledger.js';
import { scratchOf } from './scratch.js';
import { seize, started } from './step.js';
import { coverCashIn, fundMoneyRoom, type PlanContext } from './waterfall.js';

export function liquidateCollateral(ctx: PlanContext, accountId: string, m: AccountMargin): void {
  started(ctx, accountId, 'collateral', m);
  const liquidatorId = ctx.lp.defaultExecution === 'liquidator' ? ctx.lp.liquidatorAccountId : undefined;
  repayDebts(ctx, accountId, liquidatorId !== undefined && liquidatorCovers(ctx, accountId, liquidatorId) ? liquidatorId : undefined);
  const account = ctx.s.accounts.peek(accountId) as AccountState;
  for (const [asset, balance] of sortedBalances(account)) if (balance < 0n) coverDebt(ctx, accountId, asset, -balance);
}

const sortedBalances = (a: AccountState): [string, bigint][] => [...a.balances].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));

/** The liquidator repays on a trial copy first: it takes the debts only if it still covers its IM. */
function liquidatorCovers(ctx: PlanContext, accountId: string, liquidatorId: string): boolean {
  const liquidator = ctx.s.accounts.peek(liquidatorId);
  if (liquidatorId === accountId || liquidatorId.startsWith(SYSTEM_ACCOUNT_PREFIX) || liquidator?.mode !== 'cross') return false;
  const trial = scratchOf(ctx.s);
  repayDebts({ ...ctx, s: trial, emit: (e) => void apply(trial, e) }, accountId, liquidatorId);
  const cross = marginIn(trial, trial.accounts.peek(liquidatorId) as AccountState)?.pools[0];
  return cross !== undefined && cross.collateralInitial >= cross.initialMargin;
}

/** Each debt repaid from the other collateral at the oracle price, then the fees on what was taken, in its asset. */
function repayDebts(ctx: PlanContext, accountId: string, takerId: string | undefined): void {
  const { s, lp } = ctx;
  const current = (): AccountState => s.accounts.peek(accountId) as AccountState;
  const debts = new Set(sortedBalances(current()).filter(([, v]) => v < 0n).map(([asset]) => asset));
  for (const asset of debts) {
    const owed = -(current().balances.get(asset) ?? 0n);
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
