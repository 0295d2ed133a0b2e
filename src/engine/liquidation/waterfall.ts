/**
 * Placing a liquidated size, and the loss waterfall (METHODS.md §4; docs/methodology/liquidation.md).
 *
 * Every contract taken from a liquidated account is placed with someone at a value: at mark while
 * the account has equity, at its bankruptcy value once it has none (so the account ends at exactly
 * zero and its deficit travels with the contracts). Whoever takes a contract at the bankruptcy
 * value bears the contract's share of the deficit (its loss against mark). The configured steps,
 * in order, each with an optional cap per bankruptcy:
 * - insuranceFund: the fund's account takes as many contracts as its exposure cap in the
 *   instrument (R14), its equity above the floor, the instrument's drawdown budget and the step's
 *   cap allow; what it pays above mark is its drawdown;
 * - adl: opposite positions ranked by PnL% x effective leverage (queue) or pro-rata (proRata)
 *   take the rest at the bankruptcy value; they close no more than the size the fund could not
 *   take;
 * - socialisedLoss (always the last resort): the fund takes the rest at mark, and the deficit on it
 *   is paid by the accounts holding the opposite side of the instrument, pro-rata to their size
 *   (then any holder of the instrument, then any holder of a position settled in the asset, and
 *   only if there is none, the fund beyond its floor). Accounts without positions never pay.
 * A placement with no deficit (a takeover at mark) always tries the fund first, then ADL (at mark,
 * a fair price), then the fund beyond its exposure cap.
 */
import { unrealisedPnlOf, exposureOf } from '../../risk/account/position.js';
import { allocateProRata, allocateQueue, rankForAdl, splitExact, type AdlCandidate } from '../../risk/liquidation/adl.js';
import {
  INSURANCE_FUND_ACCOUNT_ID,
  SYSTEM_ACCOUNT_PREFIX,
  instrumentLiquidationOf,
  type LiquidationParams,
  type WaterfallStep,
  type WaterfallStepKind,
} from '../../risk/liquidation/params.js';
import type { LinearInstrument } from '../../risk/instruments/types.js';
import { settlementAssetOf } from '../../risk/instruments/types.js';
import { SIZE_ONE, amount, toNumber, type Amount, type Price } from '../../risk/units/quantities.js';
import { absBig, divFloor, divHalfEven } from '../../risk/units/rounding.js';
import type { Stamp } from '../decide/result.js';
import type { EngineEvent, Payment } from '../events.js';
import type { AccountState } from '../state.js';
import type { TakeoverKind } from './events.js';
import { assetPriceIn, inAsset, inValuation, kappaOf, marginIn, markIn, takeoverEvent } from './ledger.js';
import type { Scratch } from './scratch.js';

export interface PlanContext {
  readonly s: Scratch;
  readonly lp: LiquidationParams;
  readonly stamp: Stamp;
  /** Apply an event to the scratch state and record it. */
  emit(event: EngineEvent): void;
  /** A fresh liquidation order id (unique: the pass's seq and a counter). */
  nextOrderId(): string;
}

export const NO_DEFICIT_STEPS: readonly WaterfallStep[] = [{ step: 'insuranceFund' }, { step: 'adl' }];

export interface Placement {
  readonly accountId: string;
  readonly instrument: LinearInstrument;
  /** Contracts to place (> 0, on the lot grid, at most the position). */
  readonly size: bigint;
  /** What the account's side exchanges for them: the bankruptcy value, or the mark value. */
  readonly value: Amount;
  readonly markValue: Amount;
  readonly steps: readonly WaterfallStep[];
  /** Cap usage of this bankruptcy so far, per step (valuation asset). */
  readonly used: Map<WaterfallStepKind, bigint>;
}

const isSystem = (id: string): boolean => id.startsWith(SYSTEM_ACCOUNT_PREFIX);

export function fundOf(ctx: PlanContext): AccountState {
  const fund = ctx.s.accounts.peek(INSURANCE_FUND_ACCOUNT_ID);
  if (fund === undefined) throw new Error('Invariant: the insurance fund account exists from genesis');
  return fund;
}

/** Place `size` contracts of the account's position, step by step; returns nothing left. */
export function place(ctx: PlanContext, p: Placement): void {
  const { s } = ctx;
  const mark = markIn(s, p.instrument.symbol);
  const assetPrice = assetPriceIn(s, settlementAssetOf(p.instrument));
  if (mark === undefined || assetPrice === undefined) throw new Error(`Invariant: placing ${p.instrument.symbol} without its prices`);
  const held = s.accounts.peek(p.accountId)?.positions.get(p.instrument.symbol)?.size ?? 0n;
  const kappa = kappaOf(p.instrument, held);
  const sign = held > 0n ? 1n : -1n;
  let left = p.size;
  let valueLeft: bigint = p.value;
  let markLeft: bigint = p.markValue;
  // The taker's loss against mark on a piece: kappa x (value - mark value).
  const lossOf = (v: bigint, mv: bigint): bigint => BigInt(kappa) * (v - mv);
  const piece = (units: bigint): { v: Amount; mv: Amount } =>
    units === left ? { v: amount(valueLeft), mv: amount(markLeft) } : { v: amount(divHalfEven(valueLeft * units, left)), mv: amount(divHalfEven(markLeft * units, left)) };
  const take = (takerId: string, units: bigint, kind: TakeoverKind, atMark = false): bigint => {
    const pc = piece(units);
    const value = atMark ? pc.mv : pc.v;
    const account = s.accounts.peek(p.accountId) as AccountState;
    const taker = s.accounts.peek(takerId) as AccountState;
    const loss = lossOf(value, pc.mv);
    ctx.emit(
      takeoverEvent(account, taker, {
        accountId: p.accountId,
        takerId,
        kind,
        instrument: p.instrument,
        size: units,
        value: value,
        markValue: pc.mv,
        fundLoss: amount(takerId === INSURANCE_FUND_ACCOUNT_ID && loss > 0n ? loss : 0n),
      }),
    );
    left -= units;
    valueLeft -= pc.v;
    markLeft -= pc.mv;
    return lossOf(pc.v, pc.mv) - loss; // the deficit left uncovered by an at-mark takeover
  };
  const lot = p.instrument.lot;
  const floorLots = (units: bigint): bigint => (units <= 0n ? 0n : (units / lot) * lot);
  // Most units whose piece loss stays within `room` (settlement asset), on the lot grid.
  const unitsWithin = (room: bigint): bigint => {
    const loss = lossOf(valueLeft, markLeft);
    if (loss <= 0n) return left;
    if (room <= 0n) return 0n;
    let units = floorLots(divFloor(left * room, loss));
    while (units > 0n && lossOf(piece(units).v, piece(units).mv) > room) units -= lot;
    return units < left ? units : left;
  };
  const capRoom = (kind: WaterfallStepKind, capValue: Amount | undefined): bigint =>
    capValue === undefined ? -1n : inAsset(capValue - (p.used.get(kind) ?? 0n), assetPrice);
  const use = (kind: WaterfallStepKind, loss: bigint) => {
    if (loss > 0n) p.used.set(kind, (p.used.get(kind) ?? 0n) + inValuation(loss, assetPrice));
  };

  for (const step of p.steps) {
    if (left === 0n) break;
    const cap = capRoom(step.step, step.capValue);
    switch (step.step) {
      case 'insuranceFund': {
        let units = minBig(left, fundExposureRoom(ctx, p.instrument, sign, mark));
        const money = fundMoneyRoom(ctx, p.instrument.symbol, assetPrice);
        units = floorLots(minBig(units, unitsWithin(cap < 0n ? money : minBig(money, cap))));
        if (units > 0n) {
          const before = lossOf(valueLeft, markLeft);
          take(INSURANCE_FUND_ACCOUNT_ID, units, 'backstop');
          use('insuranceFund', before - lossOf(valueLeft, markLeft));
        }
        break;
      }
      case 'adl': {
        const total = cap < 0n ? left : minBig(left, unitsWithin(cap));
        for (const a of adlAllocations(ctx, p.accountId, p.instrument, sign, total)) {
          const before = lossOf(valueLeft, markLeft);
          take(a.accountId, a.size, 'adl');
          use('adl', before - lossOf(valueLeft, markLeft));
        }
        break;
      }
      case 'socialisedLoss':
        socialise(ctx, p, () => take(INSURANCE_FUND_ACCOUNT_ID, left, 'socialised', true));
        break;
    }
  }
  if (left > 0n) socialise(ctx, p, () => take(INSURANCE_FUND_ACCOUNT_ID, left, 'socialised', true));
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** The fund takes the rest at mark; the deficit on it is socialised. */
function socialise(ctx: PlanContext, p: Placement, takeAtMark: () => bigint): void {
  const deficit = takeAtMark();
  if (deficit > 0n) coverCash(ctx, p.accountId, p.instrument, amount(deficit));
}

/**
 * Contracts the fund may take on the account's side (`sign`) before its position in the
 * instrument passes the backstop notional cap: first what offsets its opposite position, then up
 * to the cap (R14).
 */
function fundExposureRoom(ctx: PlanContext, instrument: LinearInstrument, sign: bigint, mark: Price): bigint {
  const capQuote = instrumentLiquidationOf(ctx.lp, instrument.symbol).backstopNotionalMax;
  const held = fundOf(ctx).positions.get(instrument.symbol)?.size ?? 0n;
  if (capQuote === Number.POSITIVE_INFINITY) return absBig(held) + 10n ** 30n;
  const perContract = exposureOf(instrument, SIZE_ONE, mark).notional; // quote notional of one contract
  const capUnits = perContract > 0 ? BigInt(Math.floor((capQuote / perContract) * 1e8)) : 0n;
  const offset = held !== 0n && (held > 0n) !== (sign > 0n) ? absBig(held) : 0n;
  const sameSide = held !== 0n && (held > 0n) === (sign > 0n) ? absBig(held) : 0n;
  const room = offset + capUnits - sameSide;
  return room > 0n ? room : 0n;
}

/**
 * What the fund can still lose on the instrument (or, for a debt, the asset), in its settlement
 * asset: equity above the floor and the drawdown budget.
 */
export function fundMoneyRoom(ctx: PlanContext, symbol: string, assetPrice: Price): bigint {
  const figures = marginIn(ctx.s, fundOf(ctx));
  const equity = figures?.equity ?? 0n;
  let room = inAsset(equity - ctx.lp.fundFloor, assetPrice);
  const budget = instrumentLiquidationOf(ctx.lp, symbol).fundDrawdownMax;
  if (budget !== undefined) room = minBig(room, budget - (ctx.s.liquidation.fundDrawdown.get(symbol) ?? 0n));
  return room > 0n ? room : 0n;
}

/** ADL counterparties for `total` contracts: opposite positions, not the venue's, ranked. */
function adlAllocations(ctx: PlanContext, accountId: string, instrument: LinearInstrument, sign: bigint, total: bigint) {
  if (total <= 0n) return [];
  const { s } = ctx;
  const mark = markIn(s, instrument.symbol);
  if (mark === undefined) return [];
  const candidates: AdlCandidate[] = [];
  for (const a of s.accounts.values()) {
    if (a.id === accountId || isSystem(a.id)) continue;
    const p = a.positions.get(instrument.symbol);
    if (p === undefined || p.size === 0n || (p.size > 0n) === (sign > 0n)) continue;
    const figures = marginIn(s, a);
    const notional = figures?.pools.flatMap((pool) => pool.positions).find((f) => f.instrument === instrument.symbol)?.notional ?? 0n;
    candidates.push({
      accountId: a.id,
      size: absBig(p.size),
      pnl: toNumber(unrealisedPnlOf(instrument, p.size, p.entryValue, mark), 'Amount'),
      entryValueAbs: toNumber(amount(absBig(p.entryValue)), 'Amount'),
      notional: toNumber(amount(notional), 'Amount'),
      equity: toNumber(amount(figures?.equity ?? 0n), 'Amount'),
    });
  }
  const ranked = rankForAdl(candidates);
  return ctx.lp.adlMode === 'queue' ? allocateQueue(total, ranked) : allocateProRata(total, ranked, instrument.lot);
}

/**
 * Cash the account is short of (its deficit on contracts the fund took at mark), paid by accounts
 * with positions: the opposite side of the instrument pro-rata to size, else any holder of it,
 * else any holder of a position settled in the asset; the fund only when no one holds any.
 */
export function coverCash(ctx: PlanContext, accountId: string, instrument: LinearInstrument, deficit: Amount): void {
  coverCashIn(ctx, accountId, { asset: settlementAssetOf(instrument), instrument }, deficit);
}

/**
 * `coverCash` for a deficit in `asset`, with or without an instrument it arose in. Without one (a
 * collateral-only account's debt) the payers are the holders of positions settled in the asset, and
 * the events name the asset in place of an instrument.
 */
export function coverCashIn(ctx: PlanContext, accountId: string, where: { readonly asset: string; readonly instrument?: LinearInstrument }, deficit: Amount): void {
  const { s } = ctx;
  const { asset, instrument } = where;
  const symbol = instrument?.symbol ?? asset;
  const held = instrument === undefined ? 0n : (s.accounts.peek(accountId)?.positions.get(instrument.symbol)?.size ?? 0n);
  const side = held > 0n ? 1n : held < 0n ? -1n : 0n;
  const holders = (pick: (a: AccountState) => bigint): { id: string; weight: bigint }[] =>
    [...s.accounts.values()]
      .filter((a) => a.id !== accountId && !isSystem(a.id))
      .map((a) => ({ id: a.id, weight: pick(a) }))
      .filter((h) => h.weight > 0n)
      .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const sizeIn = (a: AccountState) => (instrument === undefined ? 0n : (a.positions.get(instrument.symbol)?.size ?? 0n));
  let payers = holders((a) => (side !== 0n && (sizeIn(a) > 0n) !== (side > 0n) ? absBig(sizeIn(a)) : 0n));
  if (payers.length === 0) payers = holders((a) => absBig(sizeIn(a)));
  if (payers.length === 0) {
    payers = holders((a) => {
      let total = 0n;
      for (const p of a.positions.values()) {
        const i = s.params?.risk.instruments.get(p.instrument);
        if (i !== undefined && settlementAssetOf(i) === asset) total += absBig(p.size);
      }
      return total;
    });
  }
  if (payers.length === 0) {
    ctx.emit({ type: 'InsuranceFundPaid', accountId, instrument: symbol, asset, amount: deficit });
    return;
  }
  const shares = splitExact(deficit, payers.map((h) => h.weight));
  const payments: Payment[] = payers.map((h, i) => ({ accountId: h.id, amount: amount(-(shares[i] ?? 0n)) })).filter((x) => x.amount !== 0n);
  ctx.emit({ type: 'LossSocialised', accountId, instrument: symbol, asset, payments });
}
