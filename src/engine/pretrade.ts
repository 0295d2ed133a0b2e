/**
 * The pre-trade check (DESIGN.md: "may this order be placed?"), answered from the live state
 * without a journal write, and the largest size that may be placed. `decide` runs the same check
 * for PlaceOrder, so an order the check accepts is an order the engine accepts (R23).
 *
 * An order that is not reduce-only is accepted when, counting every resting order worst-case
 * (as if the side that raises the requirement fills), the account's IM stays covered: the cross
 * pool's IM plus any isolated pool's shortfall must not exceed the cross pool's IM collateral.
 * An order that lowers the requirement is always accepted; reduce-only orders need only to reduce.
 */
import { initialMarginCovered, withRestingOrder } from '../risk/account/restingOrder.js';
import { size as sizeOf, type Price, type Size } from '../risk/units/quantities.js';
import type { Side } from './commands.js';
import { accountIn, checkPriceOnTick, checkSizeOnLot, instrumentIn, isRejection, paramsOf, riskError } from './decide/context.js';
import { LIMITS, reject, type Rejection } from './decide/result.js';
import { accountMarginOf, riskAccountOf } from './riskView.js';
import { auctionRestriction } from './liquidation/auction.js';
import { checkCaps } from './liquidation/caps.js';
import type { AccountState, EngineState } from './state.js';
import type { LinearInstrument } from '../risk/instruments/types.js';

export interface OrderIntent {
  readonly accountId: string;
  readonly instrument: string;
  readonly side: Side;
  readonly size: Size;
  readonly price: Price;
  readonly reduceOnly?: boolean;
}

export type CheckResult = { readonly ok: true } | Rejection;

/** Who answers the margin steps: the reference, or the engine's columnar mirror (same answers). */
export type MarginCheck = (state: EngineState, account: AccountState, instrument: LinearInstrument, order: OrderIntent) => CheckResult;

export function checkOrder(state: EngineState, order: OrderIntent, margin: MarginCheck = referenceMarginCheck): CheckResult {
  const params = paramsOf(state);
  if (isRejection(params)) return params;
  const account = accountIn(state, order.accountId);
  if (isRejection(account)) return account;
  const instrument = instrumentIn(state, order.instrument);
  if (isRejection(instrument)) return instrument;
  const malformed = checkSizeOnLot(instrument, order.size) ?? checkPriceOnTick(instrument, order.price);
  if (malformed) return malformed;
  if (account.orders.size >= LIMITS.ordersPerAccountMax) return reject('order_limit_reached', `at most ${LIMITS.ordersPerAccountMax} resting orders`);
  const held = account.positions.get(order.instrument)?.size ?? 0n;
  const opensNewInstrument = held === 0n && !restsIn(account, order.instrument);
  if (opensNewInstrument && account.positions.size >= LIMITS.positionsPerAccountMax) {
    return reject('position_limit_reached', `at most ${LIMITS.positionsPerAccountMax} positions`);
  }
  // While the account's auction runs its owner may only reduce risk (liquidation.md §4 d).
  const inAuction = auctionRestriction(state, account.id, order);
  if (inAuction) return inAuction;
  if (order.reduceOnly === true) {
    const reduces = (order.side === 'sell' ? held > 0n : held < 0n) && order.size <= (held < 0n ? -held : held);
    return reduces ? { ok: true } : reject('reduce_only_would_increase', 'a reduce-only order must be smaller than the position and opposite to it');
  }
  // Liquidation hook (issue 6, R11, R12): position and open-interest caps hold whatever the margin.
  const capped = checkCaps(state, account, order);
  if (capped) return capped;
  return margin(state, account, instrument, order);
}

function restsIn(account: AccountState, instrument: string): boolean {
  for (const o of account.orders.values()) if (o.instrument === instrument) return true;
  return false;
}

/**
 * Steps 3-6 of the check (does the order raise IM; guards; status; IM covered), by the reference.
 * The engine's mirror answers the same on the columnar book (mirror.ts); this is the definition.
 */
export function referenceMarginCheck(state: EngineState, account: AccountState, instrument: LinearInstrument, order: OrderIntent): CheckResult {
  try {
    const view = riskAccountOf(account);
    const before = accountMarginOf(state, view);
    const after = accountMarginOf(state, withRestingOrder(view, order, account.leverage.get(order.instrument)));
    if (after.initialMargin <= before.initialMargin) return { ok: true };
    const guarded = marketGuard(state, [order.instrument, instrument.underlying]);
    if (guarded) return guarded;
    if (before.status !== 'healthy' && before.status !== 'margin_call') {
      return reject('account_reduce_only', `account ${account.id} is ${before.status}: only orders that reduce risk are accepted`);
    }
    return initialMarginCovered(after) ? { ok: true } : reject('initial_margin_insufficient', 'the order would leave initial margin uncovered');
  } catch (error) {
    return riskError(error);
  }
}

/**
 * Risk may not grow on a price the oracle does not vouch for: a halted market refuses it, and so
 * does a stale or degraded one (R8, R9). Only the symbols the order depends on count, so one
 * market's trouble never blocks another.
 */
export function marketGuard(state: EngineState, symbols: readonly string[]): Rejection | undefined {
  for (const symbol of symbols) {
    const status = state.market.statuses.get(symbol);
    if (status === 'halted') return reject('market_halted', `${symbol} is halted by a circuit breaker`);
    if (status === 'stale' || status === 'degraded') return reject('oracle_price_stale', `the price of ${symbol} is ${status}`);
  }
  return undefined;
}


/**
 * The largest size, on the lot grid, that `checkOrder` accepts for this account, side and price
 * (0 when none): an exponential search for an upper bound, then bisection. Bounded: at most
 * 2 x 64 checks.
 */
export function maxOrderSize(state: EngineState, intent: Omit<OrderIntent, 'size'>, margin: MarginCheck = referenceMarginCheck): Size {
  const instrument = state.params?.risk.instruments.get(intent.instrument);
  if (instrument === undefined) return sizeOf(0n);
  const accepts = (lots: bigint): boolean => checkOrder(state, { ...intent, size: sizeOf(lots * instrument.lot) }, margin).ok;
  if (!accepts(1n)) return sizeOf(0n);
  let good = 1n;
  let bad = 2n;
  for (let i = 0; i < 64 && accepts(bad); i++) {
    good = bad;
    bad *= 2n;
  }
  while (bad - good > 1n) {
    const mid = (good + bad) / 2n;
    if (accepts(mid)) good = mid;
    else bad = mid;
  }
  return sizeOf(good * instrument.lot);
}
