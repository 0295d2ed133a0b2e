/**
 * One liquidation step of one account (docs/methodology/liquidation.md):
 * 1. its open orders are cancelled (they may hold the requirement up: Drift's example);
 * 2. if it is still liquidatable and has equity, the least reduction that restores MM plus the
 *    buffer is planned (Drift's formula, generalised by `planReductions`), bounded by the step
 *    limits; a step that would not raise the margin ratio (fees above the margin freed,
 *    requirements that fall slower than size) closes the account whole instead;
 * 3. if it has no equity (bankrupt), every position goes at its bankruptcy value down the loss
 *    waterfall (waterfall.ts), after the account's collateral in other assets is seized.
 * Each reduction is executed by the instrument's mode: a backstop or liquidator takeover at mark
 * with fees that never take the equity below zero, or a liquidation order to the venue.
 */
import type { AccountMargin } from '../../risk/account/account.js';
import { cappedFees } from '../../risk/liquidation/fees.js';
import { bankruptcyValuesOf, type CloseLeg } from '../../risk/liquidation/bankruptcy.js';
import { INSURANCE_FUND_ACCOUNT_ID, SYSTEM_ACCOUNT_PREFIX, instrumentLiquidationOf, type ExecutionMode, type WaterfallStepKind } from '../../risk/liquidation/params.js';
import { limitStep, planReductions, type LiquidationCandidate } from '../../risk/liquidation/sizing.js';
import { settlementAssetOf, type LinearInstrument } from '../../risk/instruments/types.js';
import { amount, price, size as sizeOf, toNumber, type Amount, type Price } from '../../risk/units/quantities.js';
import { absBig, divCeil, divFloor } from '../../risk/units/rounding.js';
import { apply } from '../apply.js';
import type { EngineEvent } from '../events.js';
import type { AccountState, EngineState } from '../state.js';
import type { LiquidationPath } from './events.js';
import {
  assetPriceIn,
  cashIn,
  contractsOf,
  inAsset,
  instrumentIn,
  isLiquidatable,
  kappaOf,
  marginIn,
  markIn,
  markValueOf,
  priceOfValue,
  takeoverEvent,
} from './ledger.js';
import { auctionApplies, startAuction } from './auction.js';
import { liquidateCollateral } from './collateral.js';
import { scratchOf } from './scratch.js';
import { NO_DEFICIT_STEPS, place, coverCash, type PlanContext } from './waterfall.js';

export interface StepOptions {
  /** Take over at the backstop whatever the instrument's mode (a liquidation order expired unfilled). */
  readonly forceBackstop: boolean;
}

interface Reduction {
  readonly instrument: LinearInstrument;
  /** Contracts (> 0, on the lot grid, at most the position). */
  readonly size: bigint;
}

export function liquidateAccount(ctx: PlanContext, accountId: string, options: StepOptions): void {
  const { s } = ctx;
  const current = (): AccountState => s.accounts.peek(accountId) as AccountState;
  for (const orderId of [...current().orders.keys()].sort()) {
    if (!s.liquidation.orders.has(orderId)) ctx.emit({ type: 'OrderCancelled', accountId, orderId, reason: 'liquidation' });
  }
  const m = marginIn(s, current());
  if (m === undefined || !isLiquidatable(m.status)) return;
  if (current().positions.size === 0) {
    liquidateCollateral(ctx, accountId, m);
    return;
  }
  // Mode (d): a Dutch auction of slices of the whole portfolio instead of a takeover (auction.ts).
  if (!options.forceBackstop && m.status === 'liquidatable' && auctionApplies(ctx, current())) {
    startAuction(ctx, accountId, m);
    return;
  }
  if (current().mode === 'isolated') {
    isolatedPools(ctx, accountId, m, options);
    return;
  }
  if (m.status === 'bankrupt') {
    started(ctx, accountId, 'bankruptcy', m);
    bankruptcy(ctx, accountId);
    assertStepLaw(ctx, accountId, m, 'bankruptcy');
    return;
  }
  const plan = planPartial(ctx, current(), m);
  if (plan !== undefined) {
    // Try the partial step on a copy: it must raise the margin ratio (or end the positions).
    const trial = scratchOf(s);
    const events: EngineEvent[] = [];
    const trialCtx: PlanContext = { ...ctx, s: trial, emit: (e) => (applyTo(trial, e), events.push(e)) };
    started(trialCtx, accountId, plan.every((r) => modeOf(ctx, r, options) === 'orders') ? 'orders' : 'partial', m);
    let tookOver = false;
    for (const r of plan) tookOver = execute(trialCtx, accountId, r, options) || tookOver;
    const after = marginIn(trial, trial.accounts.peek(accountId) as AccountState);
    if (!tookOver || raisesRatio(m, after) || (trial.accounts.peek(accountId)?.positions.size ?? 0) === 0) {
      events.forEach((e) => ctx.emit(e));
      if (tookOver) assertStepLaw(ctx, accountId, m, 'partial');
      return;
    }
  }
  const whole = [...current().positions.values()].filter((p) => p.size !== 0n).map((p) => ({ instrument: instrumentIn(s, p.instrument), size: absBig(p.size) }));
  started(ctx, accountId, whole.every((r) => modeOf(ctx, r, options) === 'orders') ? 'orders' : 'whole', m);
  for (const symbol of [...current().positions.keys()].sort()) {
    const held = current().positions.get(symbol)?.size ?? 0n;
    if (held !== 0n) execute(ctx, accountId, { instrument: instrumentIn(s, symbol), size: absBig(held) }, options);
  }
  assertStepLaw(ctx, accountId, m, 'whole');
}

/**
 * DESIGN.md invariant: a liquidation step never lowers the account's margin ratio unless it ends
 * its positions (those left to working liquidation orders excepted). A violation is a planner bug.
 */
function assertStepLaw(ctx: PlanContext, accountId: string, before: AccountMargin, path: 'partial' | 'whole' | 'bankruptcy'): void {
  const account = ctx.s.accounts.peek(accountId) as AccountState;
  const working = new Set([...ctx.s.liquidation.orders.values()].filter((o) => o.accountId === accountId).map((o) => o.instrument));
  const left = [...account.positions.values()].filter((p) => p.size !== 0n && !working.has(p.instrument));
  if (path === 'partial' ? raisesRatio(before, marginIn(ctx.s, account)) || left.length === 0 : left.length === 0) return;
  throw new Error(`Invariant: the ${path} liquidation step of ${accountId} neither raised its margin ratio nor ended its positions`);
}

const applyTo = (state: EngineState, e: EngineEvent): void => void apply(state, e);

export function started(ctx: PlanContext, accountId: string, path: LiquidationPath, m: AccountMargin): void {
  ctx.emit({
    type: 'LiquidationStarted',
    accountId,
    path,
    equity: m.equity,
    collateralMaintenance: m.collateralMaintenance,
    maintenanceMargin: m.maintenanceMargin,
    marginRatio: m.marginRatio,
  });
}

/**
 * Isolated accounts: each isolated position is a pool of its own margin; a pool below MM is
 * liquidated whole (no partial step: its margin is its whole collateral), at mark with fees cut to
 * the pool's equity while it has some, else at its bankruptcy value down the waterfall. The wallet
 * is never touched: what the pool has left returns to it, a pool's deficit is the waterfall's.
 */
function isolatedPools(ctx: PlanContext, accountId: string, m: AccountMargin, options: StepOptions): void {
  const { s, lp } = ctx;
  for (const pool of m.pools) {
    const symbol = pool.positions[0]?.instrument;
    if (pool.kind !== 'isolated' || symbol === undefined || !isLiquidatable(pool.status)) continue;
    const account = s.accounts.peek(accountId) as AccountState;
    const p = account.positions.get(symbol);
    const instrument = s.params?.risk.instruments.get(symbol);
    const mark = markIn(s, symbol);
    if (p === undefined || p.size === 0n || instrument === undefined || mark === undefined) continue;
    const markValue = markValueOf(instrument, p.size, mark);
    const poolCash = (p.isolatedMargin ?? 0n) + (instrument.settlement === 'linear' ? -p.entryValue : p.entryValue);
    const bv = bankruptcyValuesOf(poolCash, [{ kappa: kappaOf(instrument, p.size), markValue }]);
    started(ctx, accountId, bv.cashAtMark >= 0n ? 'whole' : 'bankruptcy', m);
    const reduction = { instrument, size: absBig(p.size) };
    if (bv.cashAtMark >= 0n) {
      const mode: ExecutionMode = options.forceBackstop ? 'backstop' : instrumentLiquidationOf(lp, symbol).execution;
      takeoverAtMark(ctx, accountId, reduction, mode === 'orders' ? 'backstop' : mode, amount(bv.cashAtMark));
    } else {
      place(ctx, { accountId, instrument, size: reduction.size, value: bv.values[0] as Amount, markValue, steps: lp.waterfall, used: new Map<WaterfallStepKind, bigint>() });
      if (bv.unplaced > 0n) coverCash(ctx, accountId, instrument, bv.unplaced);
    }
  }
}

/** Exactly: CM_after / MM_after > CM_before / MM_before (MM > 0), or no requirement left. */
export function raisesRatio(before: AccountMargin, after: AccountMargin | undefined): boolean {
  if (after === undefined) return false;
  if (after.maintenanceMargin === 0n) return after.collateralMaintenance >= 0n;
  if (before.maintenanceMargin === 0n) return false;
  return after.collateralMaintenance * before.maintenanceMargin > before.collateralMaintenance * after.maintenanceMargin;
}

/**
 * Drift's cover size per position, through `planReductions`, then the step limits (dYdX): at most
 * a fraction of each position and a notional per account, dust closed whole; sizes rounded up to
 * the lot. Undefined when no partial step can restore the account (then it closes whole).
 */
function planPartial(ctx: PlanContext, account: AccountState, m: AccountMargin): Reduction[] | undefined {
  const { lp, s } = ctx;
  const cross = m.pools[0];
  if (cross === undefined || account.mode !== 'cross') return undefined;
  const feeRate = toNumber(lp.liquidatorFee, 'Rate') + toNumber(lp.insuranceFee, 'Rate');
  const candidates: (LiquidationCandidate & { held: bigint })[] = [];
  let shortage = -toNumber(m.collateralMaintenance, 'Amount');
  for (const f of cross.positions) {
    if (f.size === 0n) continue;
    const contracts = contractsOf(absBig(f.size));
    const notional = toNumber(f.notional, 'Amount');
    const mm = toNumber(f.maintenanceMargin, 'Amount');
    shortage += mm + lp.buffer * notional;
    const unitValue = notional / contracts;
    candidates.push({
      instrument: f.instrument,
      size: contracts,
      unitValue,
      marginPerUnitWithBuffer: mm / contracts + lp.buffer * unitValue,
      feePerUnit: unitValue * feeRate,
      held: absBig(f.size),
    });
  }
  if (!(shortage > 0)) return undefined;
  const plan = planReductions(shortage, candidates);
  const covered = plan.reduce((t, p) => t + p.covers, 0);
  if (!(covered >= shortage * (1 - 1e-9))) return undefined;
  let budget = lp.stepLimits.notionalMaxPerAccountStep;
  const reductions: Reduction[] = [];
  for (const p of plan) {
    const c = candidates.find((x) => x.instrument === p.instrument);
    if (c === undefined || budget <= 0) continue;
    const contracts = limitStep(p.size, c.size, c.unitValue, { ...lp.stepLimits, notionalMaxPerAccountStep: budget });
    const instrument = instrumentIn(s, p.instrument);
    // Float noise is not a fraction of a lot: a plan of 1.8000000000000003 contracts is 1.8.
    const scaled = contracts * 1e8;
    let units = roundUpToLot(BigInt(Math.ceil(scaled - Math.max(1e-6, scaled * 1e-12))), instrument.lot);
    if (units > c.held) units = c.held;
    // A remainder below the minimum notional (dust) goes now.
    if (contractsOf(c.held - units) * c.unitValue < lp.stepLimits.remainderMin) units = c.held;
    if (units <= 0n) continue;
    budget -= contractsOf(units) * c.unitValue;
    reductions.push({ instrument, size: units });
  }
  return reductions.length === 0 ? undefined : reductions;
}

function roundUpToLot(units: bigint, lot: bigint): bigint {
  return units <= 0n ? 0n : divCeil(units, lot) * lot;
}

function modeOf(ctx: PlanContext, r: Reduction, options: StepOptions): ExecutionMode {
  return options.forceBackstop ? 'backstop' : instrumentLiquidationOf(ctx.lp, r.instrument.symbol).execution;
}

/** Execute one reduction by the instrument's mode; true when a takeover happened (not an order). */
function execute(ctx: PlanContext, accountId: string, r: Reduction, options: StepOptions): boolean {
  const mode = modeOf(ctx, r, options);
  if (mode === 'orders' && emitOrder(ctx, accountId, r)) return false;
  takeoverAtMark(ctx, accountId, r, mode);
  return true;
}

/**
 * A takeover at mark: by the liquidator account (mode b) when it exists and stays covered for IM
 * after it, else placed with the fund (then ADL, at mark: a fair price). Fees on the value, to the
 * liquidator (the fund in backstop mode) and to the fund, never beyond the account's equity.
 */
function takeoverAtMark(ctx: PlanContext, accountId: string, r: Reduction, mode: ExecutionMode, poolRoom?: Amount): void {
  const { s, lp } = ctx;
  const mark = markIn(s, r.instrument.symbol) as Price;
  const value = markValueOf(r.instrument, r.size, mark);
  const liquidator = mode === 'liquidator' ? liquidatorFor(ctx, accountId, r, value) : undefined;
  if (liquidator !== undefined) {
    const account = s.accounts.peek(accountId) as AccountState;
    ctx.emit(takeoverEvent(account, liquidator, { accountId, takerId: liquidator.id, kind: 'liquidator', instrument: r.instrument, size: r.size, value, markValue: value, fundLoss: amount(0n) }));
  } else {
    place(ctx, { accountId, instrument: r.instrument, size: r.size, value, markValue: value, steps: NO_DEFICIT_STEPS, used: new Map<WaterfallStepKind, bigint>() });
  }
  const asset = settlementAssetOf(r.instrument);
  const after = marginIn(s, s.accounts.peek(accountId) as AccountState);
  const assetPrice = assetPriceIn(s, asset);
  if (after === undefined || assetPrice === undefined) return;
  // An isolated pool's fees come out of what the pool had left, not the wallet's equity.
  const room = poolRoom ?? amount(after.equity > 0n ? inAsset(after.equity, assetPrice) : 0n);
  const fees = cappedFees({ value, liquidatorRate: lp.liquidatorFee, insuranceRate: lp.insuranceFee, room });
  if (fees.liquidator + fees.insurance > 0n) {
    ctx.emit({
      type: 'LiquidationFeesCharged',
      accountId,
      asset,
      liquidatorId: liquidator?.id ?? INSURANCE_FUND_ACCOUNT_ID,
      liquidatorFee: fees.liquidator,
      insuranceFee: fees.insurance,
    });
  }
}

/** The configured liquidator, if it can take this reduction and still cover its IM afterwards. */
function liquidatorFor(ctx: PlanContext, accountId: string, r: Reduction, value: Amount): AccountState | undefined {
  const { s, lp } = ctx;
  const id = lp.liquidatorAccountId;
  if (id === undefined || id === accountId || id.startsWith(SYSTEM_ACCOUNT_PREFIX)) return undefined;
  const liquidator = s.accounts.peek(id);
  if (liquidator === undefined || liquidator.mode !== 'cross') return undefined;
  const trial = scratchOf(s);
  const account = trial.accounts.peek(accountId) as AccountState;
  applyTo(trial, takeoverEvent(account, liquidator, { accountId, takerId: id, kind: 'liquidator', instrument: r.instrument, size: r.size, value, markValue: value, fundLoss: amount(0n) }));
  const figures = marginIn(trial, trial.accounts.peek(id) as AccountState);
  const cross = figures?.pools[0];
  return cross !== undefined && cross.collateralInitial >= cross.initialMargin ? liquidator : undefined;
}

/**
 * Mode (c): a reduce-only order for the venue, its limit the bankruptcy price moved by the band
 * towards the account (a long is sold no lower than bankruptcy x (1 - band), rounded up to the
 * tick; a short bought back no higher than bankruptcy x (1 + band), rounded down). False when no
 * sensible limit exists (then the backstop takes over).
 */
function emitOrder(ctx: PlanContext, accountId: string, r: Reduction): boolean {
  const { s, lp, stamp } = ctx;
  const account = s.accounts.peek(accountId) as AccountState;
  const held = account.positions.get(r.instrument.symbol)?.size ?? 0n;
  const bp = bankruptcyPriceOf(ctx, account, r.instrument);
  if (held === 0n || bp === undefined) return false;
  const ppm = BigInt(Math.round(lp.priceBand * 1e6));
  const tick = r.instrument.tick;
  const sell = held > 0n;
  const limit = sell ? divCeil(divCeil(bp * (1_000_000n - ppm), 1_000_000n), tick) * tick : divFloor(divFloor(bp * (1_000_000n + ppm), 1_000_000n), tick) * tick;
  if (limit <= 0n) return false;
  ctx.emit({
    type: 'LiquidationOrderEmitted',
    accountId,
    order: { orderId: ctx.nextOrderId(), instrument: r.instrument.symbol, side: sell ? 'sell' : 'buy', size: sizeOf(r.size), price: price(limit), reduceOnly: true },
    bankruptcyPrice: bp,
    expiresMs: stamp.timestampMs + lp.orderTtlMs,
  });
  return true;
}

/** The price at which closing this position (the others at mark) leaves the account's cash in its asset at zero. */
export function bankruptcyPriceOf(ctx: Pick<PlanContext, 's'>, account: AccountState, instrument: LinearInstrument): Price | undefined {
  const legs = legsIn(ctx, account, settlementAssetOf(instrument));
  const i = legs.findIndex((l) => l.instrument.symbol === instrument.symbol);
  const leg = legs[i];
  if (leg === undefined) return undefined;
  const values = bankruptcyValuesOf(cashIn(ctx.s, account, settlementAssetOf(instrument)), legs);
  const v = values.values[i];
  if (v === undefined || v <= 0n) return undefined;
  const p = priceOfValue(instrument, leg.size, v);
  return p > 0n ? p : undefined;
}

interface Leg extends CloseLeg {
  readonly instrument: LinearInstrument;
  readonly size: bigint;
}

function legsIn(ctx: Pick<PlanContext, 's'>, account: AccountState, asset: string): Leg[] {
  const legs: Leg[] = [];
  for (const symbol of [...account.positions.keys()].sort()) {
    const p = account.positions.get(symbol);
    if (p === undefined || p.size === 0n) continue;
    const instrument = instrumentIn(ctx.s, symbol);
    if (settlementAssetOf(instrument) !== asset) continue;
    const mark = markIn(ctx.s, symbol);
    if (mark === undefined) throw new Error(`Invariant: liquidating ${symbol} without a mark`);
    legs.push({ instrument, size: absBig(p.size), kappa: kappaOf(instrument, p.size), markValue: markValueOf(instrument, p.size, mark) });
  }
  return legs;
}

/**
 * The bankruptcy path. Per settlement asset: positions whose asset holds a surplus at mark go at
 * mark; then the account's other collateral is seized into its deficits (the fund credits it at
 * the oracle price, rounded down); then every position of a deficit asset is placed at its
 * bankruptcy value down the waterfall, so the account ends at exactly zero in that asset.
 */
function bankruptcy(ctx: PlanContext, accountId: string): void {
  const { s, lp } = ctx;
  const current = (): AccountState => s.accounts.peek(accountId) as AccountState;
  const assets = (): string[] => {
    const set = new Set<string>();
    for (const symbol of current().positions.keys()) set.add(settlementAssetOf(instrumentIn(s, symbol)));
    return [...set].sort();
  };
  const cashAtMark = (asset: string): bigint => legsIn(ctx, current(), asset).reduce((t, l) => t + BigInt(l.kappa) * l.markValue, cashIn(s, current(), asset));
  const used = new Map<WaterfallStepKind, bigint>();
  for (const asset of assets()) {
    if (cashAtMark(asset) < 0n) continue;
    for (const leg of legsIn(ctx, current(), asset)) {
      place(ctx, { accountId, instrument: leg.instrument, size: leg.size, value: leg.markValue, markValue: leg.markValue, steps: NO_DEFICIT_STEPS, used });
    }
  }
  const deficits = assets().filter((a) => cashAtMark(a) < 0n);
  for (const asset of deficits) seize(ctx, accountId, asset, -cashAtMark(asset), new Set(deficits));
  for (const asset of deficits) {
    const legs = legsIn(ctx, current(), asset);
    const bv = bankruptcyValuesOf(cashIn(s, current(), asset), legs);
    legs.forEach((leg, i) => {
      const value = bv.cashAtMark >= 0n ? leg.markValue : (bv.values[i] as Amount);
      place(ctx, { accountId, instrument: leg.instrument, size: leg.size, value, markValue: leg.markValue, steps: bv.cashAtMark >= 0n ? NO_DEFICIT_STEPS : lp.waterfall, used });
    });
    const first = legs[0];
    if (bv.cashAtMark < 0n && bv.unplaced > 0n && first !== undefined) coverCash(ctx, accountId, first.instrument, bv.unplaced);
  }
}

/**
 * Seize the account's positive balances in other assets into a deficit of `needed` units of `asset`,
 * by the fund, or by `takerId` (a collateral-only account's liquidator). Returns what was taken.
 */
export function seize(ctx: PlanContext, accountId: string, asset: string, needed: bigint, deficitAssets: ReadonlySet<string>, takerId?: string): { asset: string; taken: bigint }[] {
  const seized: { asset: string; taken: bigint }[] = [];
  const { s } = ctx;
  const toPrice = assetPriceIn(s, asset);
  if (toPrice === undefined) return seized;
  let left = needed;
  const account = s.accounts.peek(accountId) as AccountState;
  for (const [from, balance] of [...account.balances].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (left <= 0n) break;
    if (from === asset || deficitAssets.has(from) || balance <= 0n) continue;
    const fromPrice = assetPriceIn(s, from);
    if (fromPrice === undefined) continue;
    const worth = divFloor(balance * fromPrice, toPrice);
    const credit = worth < left ? worth : left;
    if (credit <= 0n) continue;
    const taken = credit === worth ? balance : minBig(balance, divCeil(credit * toPrice, fromPrice));
    ctx.emit({ type: 'CollateralSeized', accountId, asset: from, amount: amount(taken), creditAsset: asset, creditAmount: amount(credit), ...(takerId === undefined ? {} : { takerId }) });
    seized.push({ asset: from, taken });
    left -= credit;
  }
  return seized;
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
