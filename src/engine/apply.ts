/**
 * apply(state, event): the only way state changes. Total (it never rejects: decide already did)
 * and deterministic (no clock, no randomness, no I/O). It mutates the state in place; see
 * state.ts for why. Events carry every decided figure, so apply only adds and moves.
 */
import { loadLiquidationParams, loadVenueParams } from '../config/load.js';
import { INSURANCE_FUND_ACCOUNT_ID } from '../risk/liquidation/params.js';
import { amount, size } from '../risk/units/quantities.js';
import type { EngineEvent, FillLeg } from './events.js';
import { addTo, type AccountState, type EngineState, type PositionState } from './state.js';
import { applyLiquidationEvent, forgetLiquidationOrder, insuranceFundAccount } from './liquidation/apply.js';

export function apply(state: EngineState, event: EngineEvent): EngineState {
  switch (event.type) {
    case 'EngineInitialised':
      state.params = { version: 1, document: event.document, risk: loadVenueParams(event.document), liquidation: loadLiquidationParams(event.document), pending: [] };
      // Liquidation hook: the insurance fund is a system account that holds positions taken over.
      if (!state.accounts.has(INSURANCE_FUND_ACCOUNT_ID)) state.accounts.set(INSURANCE_FUND_ACCOUNT_ID, insuranceFundAccount());
      break;
    case 'AccountCreated':
      state.accounts.set(event.accountId, {
        id: event.accountId,
        ...(event.parentId === undefined ? {} : { parentId: event.parentId }),
        mode: event.mode,
        balances: new Map(),
        positions: new Map(),
        orders: new Map(),
        leverage: new Map(),
      });
      break;
    case 'Deposited':
      addTo(account(state, event.accountId).balances, event.asset, event.amount);
      addTo(state.ledgers.deposits, event.asset, event.amount);
      break;
    case 'Withdrawn':
      addTo(account(state, event.accountId).balances, event.asset, -event.amount);
      addTo(state.ledgers.withdrawals, event.asset, event.amount);
      break;
    case 'Transferred':
      addTo(account(state, event.fromAccountId).balances, event.asset, -event.amount);
      addTo(account(state, event.toAccountId).balances, event.asset, event.amount);
      break;
    case 'IsolatedMarginMoved': {
      const a = account(state, event.accountId);
      addTo(a.balances, event.asset, -event.amount);
      const p = positionOf(a, event.instrument, true);
      p.isolatedMargin = amount((p.isolatedMargin ?? 0n) + event.amount);
      dropIfEmpty(a, p);
      break;
    }
    case 'LeverageSet':
      account(state, event.accountId).leverage.set(event.instrument, event.leverage);
      break;
    case 'MarginModeSet':
      account(state, event.accountId).mode = event.mode;
      break;
    case 'OrderPlaced':
      account(state, event.accountId).orders.set(event.order.orderId, event.order);
      break;
    case 'OrderCancelled':
      account(state, event.accountId).orders.delete(event.orderId);
      forgetLiquidationOrder(state, event.accountId, event.orderId); // liquidation hook
      break;
    case 'FillApplied':
      applyLeg(state, event.instrument, event.asset, event.buyer);
      applyLeg(state, event.instrument, event.asset, event.seller);
      // Liquidation hook: a liquidation order filled whole leaves the liquidation book too.
      for (const leg of [event.buyer, event.seller]) if (leg.orderId !== undefined) forgetLiquidationOrder(state, leg.accountId, leg.orderId);
      break;
    case 'PricesUpdated':
      for (const [k, v] of Object.entries(event.prices)) state.market.prices.set(k, v);
      for (const [k, v] of Object.entries(event.marks)) state.market.marks.set(k, v);
      for (const [k, v] of Object.entries(event.laggedPrices)) state.market.laggedPrices.set(k, v);
      if (event.asOfMs !== undefined) {
        for (const symbols of [event.prices, event.marks, event.laggedPrices, event.statuses ?? {}]) {
          for (const k of Object.keys(symbols)) state.market.asOfMs.set(k, event.asOfMs);
        }
      }
      for (const [k, v] of Object.entries(event.statuses ?? {})) {
        if (v === 'ok') state.market.statuses.delete(k);
        else state.market.statuses.set(k, v);
      }
      break;
    case 'FundingSettled':
      for (const payment of event.payments) {
        const a = account(state, payment.accountId);
        const p = a.positions.get(event.instrument);
        // Isolated positions pay from their own margin while it lasts, then from the wallet (which
        // may turn into a liability); they receive into their margin.
        const fromIsolated =
          p?.isolatedMargin === undefined ? 0n : payment.amount >= 0n ? payment.amount : -minOf(p.isolatedMargin, -payment.amount);
        if (p?.isolatedMargin !== undefined) p.isolatedMargin = amount(p.isolatedMargin + fromIsolated);
        addTo(a.balances, event.asset, payment.amount - fromIsolated);
      }
      addTo(state.ledgers.rounding, event.asset, event.rounding);
      if (event.intervalEndMs !== undefined) state.market.fundingSettledToMs.set(event.instrument, event.intervalEndMs);
      break;
    case 'ExpirySettled':
      for (const payment of event.payments) {
        const a = account(state, payment.accountId);
        const p = a.positions.get(event.instrument);
        addTo(a.balances, event.asset, payment.amount + (p?.isolatedMargin ?? 0n));
        a.positions.delete(event.instrument);
      }
      for (const a of state.accounts.values()) {
        for (const [id, order] of a.orders) if (order.instrument === event.instrument) a.orders.delete(id);
      }
      addTo(state.ledgers.rounding, event.asset, event.rounding);
      state.openInterest.delete(event.instrument);
      state.settled.set(event.instrument, event.price);
      for (const [id, order] of state.liquidation.orders) if (order.instrument === event.instrument) state.liquidation.orders.delete(id); // liquidation hook
      break;
    case 'ParamsChanged':
      requireParams(state).pending.push({ version: event.version, effectiveMs: event.effectiveMs, document: event.document });
      break;
    case 'ParamsActivated': {
      const params = requireParams(state);
      const change = params.pending.shift();
      if (change === undefined || change.version !== event.version) throw new Error(`Invariant: params version ${event.version} is next`);
      params.version = change.version;
      params.document = change.document;
      params.risk = loadVenueParams(change.document);
      params.liquidation = loadLiquidationParams(change.document);
      break;
    }
    default:
      // Liquidation, insurance fund, ADL and socialised loss (issue 6).
      applyLiquidationEvent(state, event);
  }
  return state;
}

/** One side of a trade on the ledger; shared with liquidation takeovers (liquidation/apply.ts). */
export function applyLeg(state: EngineState, instrument: string, asset: string, leg: FillLeg): void {
  const a = account(state, leg.accountId);
  const p = positionOf(a, instrument, a.mode === 'isolated');
  const longBefore = p.size > 0n ? p.size : 0n;
  p.size = leg.sizeAfter;
  p.entryValue = leg.entryValueAfter;
  if (a.mode === 'isolated') p.isolatedMargin = amount((p.isolatedMargin ?? 0n) + leg.isolatedMarginDelta);
  addTo(a.balances, asset, leg.realisedPnl - leg.fee - leg.isolatedMarginDelta);
  addTo(state.ledgers.feePool, asset, leg.fee);
  const longAfter = p.size > 0n ? p.size : 0n;
  const oi = (state.openInterest.get(instrument) ?? 0n) + longAfter - longBefore;
  if (oi === 0n) state.openInterest.delete(instrument);
  else state.openInterest.set(instrument, size(oi));
  if (leg.orderId !== undefined) {
    const order = a.orders.get(leg.orderId);
    if (order !== undefined) {
      const left = order.size - (leg.sizeDelta < 0n ? -leg.sizeDelta : leg.sizeDelta);
      if (left <= 0n) a.orders.delete(leg.orderId);
      else a.orders.set(leg.orderId, { ...order, size: size(left) });
    }
  }
  dropIfEmpty(a, p);
}

const minOf = (a: bigint, b: bigint): bigint => (a < b ? a : b);

function account(state: EngineState, id: string): AccountState {
  const found = state.accounts.get(id);
  if (found === undefined) throw new Error(`Invariant: event for unknown account ${id}`);
  return found;
}

function requireParams(state: EngineState) {
  if (state.params === undefined) throw new Error('Invariant: parameters before their changes');
  return state.params;
}

function positionOf(a: AccountState, instrument: string, isolated: boolean): PositionState {
  let p = a.positions.get(instrument);
  if (p === undefined) {
    p = { instrument, size: size(0n), entryValue: amount(0n), ...(isolated ? { isolatedMargin: amount(0n) } : {}) };
    a.positions.set(instrument, p);
  }
  return p;
}

/** A flat position with nothing left in it disappears; its isolated margin returns to the wallet. */
function dropIfEmpty(a: AccountState, p: PositionState): void {
  if (p.size !== 0n || p.entryValue !== 0n) return;
  if ((p.isolatedMargin ?? 0n) !== 0n) return;
  a.positions.delete(p.instrument);
}

