/**
 * The pre-trade check on the columns: src/engine/pretrade.ts `checkOrder` from the lot and tick
 * checks on, in the same order and with the same rejection codes, answered from the cached figures
 * of the account plus one position's IM recomputed with the new order resting:
 *
 *   1. size and price on the instrument's grid (size_not_positive ... price_not_multiple_of_tick)
 *   2. reduce-only: only a smaller, opposite order (reduce_only_would_increase)
 *   3. an order that does not raise the account's IM is accepted (only this position's IM moves,
 *      and per-position IMs are the reference's exact integers, so this comparison is exact)
 *   4. the instrument and its underlying must be priced by a healthy oracle (market_halted,
 *      oracle_price_stale)
 *   5. the account must be healthy or in margin call (account_reduce_only)
 *   6. IM covered with every resting order worst-case: cross IM + isolated shortfalls <= cross
 *      IM collateral (initial_margin_insufficient)
 * Step 6 compares float collateral with its error bound; within the bound, and for wide accounts,
 * the exact reference answers (as the engine does). The limits on resting orders and positions per
 * account stay with the engine, which counts orders.
 */
import { marginOf } from '../risk/account/account.js';
import { initialMarginCovered, withRestingOrder } from '../risk/account/restingOrder.js';
import { InputError } from '../risk/errors.js';
import type { Price, Size } from '../risk/units/quantities.js';
import type { RiskBook } from './book.js';
import {
  A_COVER_ERROR,
  A_CROSS_COLLATERAL,
  A_CROSS_INITIAL,
  A_FLAGS,
  A_ISOLATED_SHORTFALL,
  A_STATUS,
  A_STRIDE,
  ACCOUNT_WIDE,
  P_BITS,
  P_BUY,
  P_INITIAL,
  P_LEVERAGE,
  P_SELL,
  P_SIZE,
  P_STRIDE,
  POSITION_ISOLATED,
} from './layout.js';
import { materialise } from './exact.js';
import { EXACT_HALF } from './float.js';
import { positionRequirement, requirementOut } from './requirement.js';
import { STATUS_HEALTHY, STATUS_MARGIN_CALL, STATUS_UNVALUED, statusName } from './status.js';
import { GUARD_HALTED, GUARD_OK } from './tables.js';
import { initialValue, isolatedPool, POOL_COLLATERAL_INITIAL, poolOut } from './valuation.js';

export interface KernelOrder {
  readonly account: number;
  readonly instrument: number;
  readonly side: 'buy' | 'sell';
  readonly size: Size;
  readonly price: Price;
  readonly reduceOnly?: boolean;
}

export interface KernelRejection {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
}

export type KernelCheck = { readonly ok: true } | KernelRejection;

const ACCEPTED: KernelCheck = Object.freeze({ ok: true });
/** engine/decide/context.ts VALUE_MAX: 10^15 of anything, in units. */
const VALUE_MAX = 10n ** 23n;

const reject = (code: string, message: string): KernelRejection => ({ ok: false, code, message });

export function checkOrder(b: RiskBook, order: KernelOrder): KernelCheck {
  if (b.hasPendingWork) b.remargin();
  const t = b.instruments;
  const i = order.instrument;
  const a = order.account;
  const malformed = checkGrid(b, order);
  if (malformed !== undefined) return malformed;
  const p = b.positionSlotOf(a, i);
  const r = p * P_STRIDE;
  const ra = a * A_STRIDE;
  const acc = b.acc;
  const held = p >= 0 ? b.cold[r + P_SIZE]! : 0;
  const orderUnits = Number(order.size);
  const exactUnits = (acc[ra + A_FLAGS]! & ACCOUNT_WIDE) === 0 && Number.isSafeInteger(orderUnits);
  if (order.reduceOnly === true) {
    let reduces: boolean;
    if (exactUnits) reduces = (order.side === 'sell' ? held > 0 : held < 0) && orderUnits <= Math.abs(held);
    else {
      const h = b.wide.get(a)?.positions.get(i)?.size ?? BigInt(held);
      reduces = (order.side === 'sell' ? h > 0n : h < 0n) && order.size <= (h < 0n ? -h : h);
    }
    return reduces ? ACCEPTED : reject('reduce_only_would_increase', 'a reduce-only order must be smaller than the position and opposite to it');
  }
  if (!exactUnits) return checkExact(b, order);
  if (acc[ra + A_STATUS] === STATUS_UNVALUED) return checkExact(b, order);
  const buy = (p >= 0 ? b.cold[r + P_BUY]! : 0) + (order.side === 'buy' ? orderUnits : 0);
  const sell = (p >= 0 ? b.cold[r + P_SELL]! : 0) + (order.side === 'sell' ? orderUnits : 0);
  const leverage = p >= 0 ? b.cold[r + P_LEVERAGE]! : (b.leverageChosen.get(a)?.get(i) ?? Number.NaN);
  positionRequirement(t, i, held, buy, sell, leverage, b.assets.price[t.settlementAsset[i]!]!);
  const after = requirementOut[0]!;
  const before = p >= 0 ? b.pos[r + P_INITIAL]! : 0;
  if (!(after === after) || Math.abs(after) >= EXACT_HALF) return checkExact(b, order);
  if (after <= before) return ACCEPTED;
  const guarded = guard(b, i);
  if (guarded !== undefined) return guarded;
  const status = acc[ra + A_STATUS]!;
  if (status !== STATUS_HEALTHY && status !== STATUS_MARGIN_CALL) {
    return reject('account_reduce_only', `account ${b.ids[a]} is ${statusName(status)}: only orders that reduce risk are accepted`);
  }
  const isolated = p >= 0 ? (b.pos[r + P_BITS]! & POSITION_ISOLATED) !== 0 : b.isolatedMode(a);
  let needed: number;
  if (!isolated) {
    needed = acc[ra + A_CROSS_INITIAL]! - before + after + acc[ra + A_ISOLATED_SHORTFALL]!;
  } else {
    // The position's own pool: its isolated margin and PnL (none yet for a new position).
    const collateral = p >= 0 ? poolCollateral(b, p) : initialValue(b.assets, t.settlementAsset[i]!, 0);
    if (!(collateral === collateral)) return checkExact(b, order);
    const shortBefore = before > collateral ? before - collateral : 0;
    const shortAfter = after > collateral ? after - collateral : 0;
    needed = acc[ra + A_CROSS_INITIAL]! + acc[ra + A_ISOLATED_SHORTFALL]! - shortBefore + shortAfter;
  }
  const have = acc[ra + A_CROSS_COLLATERAL]!;
  const error = acc[ra + A_COVER_ERROR]!;
  if (error === 0 && Math.abs(needed) < EXACT_HALF && Math.abs(have) < EXACT_HALF) {
    return needed <= have ? ACCEPTED : insufficient();
  }
  if (have - needed > error) return ACCEPTED;
  if (needed - have > error) return insufficient();
  return checkExact(b, order);
}

/** The IM collateral of an isolated position's pool (its status is not needed here); NaN if unvaluable. */
function poolCollateral(b: RiskBook, p: number): number {
  isolatedPool(b, p);
  return poolOut[POOL_COLLATERAL_INITIAL]!;
}

const insufficient = (): KernelRejection => reject('initial_margin_insufficient', 'the order would leave initial margin uncovered');

/**
 * checkSizeOnLot and checkPriceOnTick. A bigint within 2^53 converts exactly (Number.isSafeInteger
 * of the conversion says so), and then the checks run on doubles: a remainder of integers below
 * 2^53 is exact. Larger values take the bigint route.
 */
function checkGrid(b: RiskBook, order: KernelOrder): KernelRejection | undefined {
  const t = b.instruments;
  const i = order.instrument;
  const sizeUnits = Number(order.size);
  if (Number.isSafeInteger(sizeUnits)) {
    if (sizeUnits <= 0) return reject('size_not_positive', 'size must be > 0');
    if (sizeUnits % t.lotUnits[i]! !== 0) return offLot(t.index.symbols[i]!);
  } else {
    if (order.size <= 0n) return reject('size_not_positive', 'size must be > 0');
    if (order.size > VALUE_MAX) return reject('size_too_large', 'a size must be at most 10^15 contracts');
    if (order.size % BigInt(t.lotUnits[i]!) !== 0n) return offLot(t.index.symbols[i]!);
  }
  const priceUnits = Number(order.price);
  if (Number.isSafeInteger(priceUnits)) {
    if (priceUnits <= 0) return reject('price_not_positive', 'a price must be > 0');
    if (priceUnits % t.tickUnits[i]! !== 0) return offTick(t.index.symbols[i]!);
  } else {
    if (order.price <= 0n) return reject('price_not_positive', 'a price must be > 0');
    if (order.price > VALUE_MAX) return reject('price_too_large', 'a price must be at most 10^15');
    if (order.price % BigInt(t.tickUnits[i]!) !== 0n) return offTick(t.index.symbols[i]!);
  }
  return undefined;
}

const offLot = (symbol: string): KernelRejection => reject('size_not_multiple_of_lot', `size must be a multiple of the lot of ${symbol}`);
const offTick = (symbol: string): KernelRejection => reject('price_not_multiple_of_tick', `price must be a multiple of the tick of ${symbol}`);

function guard(b: RiskBook, i: number): KernelRejection | undefined {
  const code = b.instruments.guard[i]!;
  if (code === GUARD_OK) return undefined;
  const spec = b.instruments.specs[i]!;
  return code === GUARD_HALTED
    ? reject('market_halted', `${spec.symbol} or ${spec.underlying} is halted by a circuit breaker`)
    : reject('oracle_price_stale', `the price of ${spec.symbol} or ${spec.underlying} is stale`);
}

/** Steps 3 to 6 by the reference on the materialised account (engine/pretrade.ts, verbatim in logic). */
function checkExact(b: RiskBook, order: KernelOrder): KernelCheck {
  b.exactChecks++;
  const a = order.account;
  const i = order.instrument;
  try {
    const view = materialise(b, a);
    const before = marginOf(view, b.market, b.params);
    const leverage = b.leverageChosen.get(a)?.get(i);
    const after = marginOf(withRestingOrder(view, { instrument: b.instruments.index.symbols[i]!, side: order.side, size: order.size }, leverage), b.market, b.params);
    if (after.initialMargin <= before.initialMargin) return ACCEPTED;
    const guarded = guard(b, i);
    if (guarded !== undefined) return guarded;
    if (before.status !== 'healthy' && before.status !== 'margin_call') {
      return reject('account_reduce_only', `account ${b.ids[a]} is ${before.status}: only orders that reduce risk are accepted`);
    }
    return initialMarginCovered(after) ? ACCEPTED : insufficient();
  } catch (error) {
    if (error instanceof InputError) return reject(error.code, error.message);
    throw error;
  }
}

