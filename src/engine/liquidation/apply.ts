/**
 * How liquidation events change the state: as total and deterministic as the rest of `apply`
 * (they never reject: the liquidation planner decided). Takeovers reuse the fill legs' ledger
 * arithmetic, so conservation and open interest hold by the same argument as for fills.
 */
import { INSURANCE_FUND_ACCOUNT_ID } from '../../risk/liquidation/params.js';
import { applyLeg } from '../apply.js';
import { addTo, type AccountState, type EngineState } from '../state.js';
import type { LiquidationEvent } from './events.js';

export function applyLiquidationEvent(state: EngineState, event: LiquidationEvent): void {
  switch (event.type) {
    case 'AccountStatusChanged':
      if (event.to === 'healthy') state.liquidation.statuses.delete(event.accountId);
      else state.liquidation.statuses.set(event.accountId, event.to);
      break;
    case 'LiquidationStarted':
      break; // a record of the figures; nothing moves
    case 'PositionLiquidated':
      applyLeg(state, event.instrument, event.asset, event.account);
      applyLeg(state, event.instrument, event.asset, event.taker);
      if (event.fundLoss > 0n) addTo(state.liquidation.fundDrawdown, event.instrument, event.fundLoss);
      break;
    case 'LiquidationFeesCharged': {
      const a = account(state, event.accountId);
      addTo(a.balances, event.asset, -(event.liquidatorFee + event.insuranceFee));
      addTo(account(state, event.liquidatorId).balances, event.asset, event.liquidatorFee);
      addTo(account(state, INSURANCE_FUND_ACCOUNT_ID).balances, event.asset, event.insuranceFee);
      break;
    }
    case 'CollateralSeized': {
      const a = account(state, event.accountId);
      const taker = account(state, event.takerId ?? INSURANCE_FUND_ACCOUNT_ID);
      addTo(a.balances, event.asset, -event.amount);
      addTo(taker.balances, event.asset, event.amount);
      addTo(taker.balances, event.creditAsset, -event.creditAmount);
      addTo(a.balances, event.creditAsset, event.creditAmount);
      break;
    }
    case 'LossSocialised': {
      let received = 0n;
      for (const p of event.payments) {
        addTo(account(state, p.accountId).balances, event.asset, p.amount);
        received -= p.amount;
      }
      addTo(account(state, event.accountId).balances, event.asset, received);
      break;
    }
    case 'InsuranceFundPaid':
      addTo(account(state, INSURANCE_FUND_ACCOUNT_ID).balances, event.asset, -event.amount);
      addTo(account(state, event.accountId).balances, event.asset, event.amount);
      if (event.amount > 0n) addTo(state.liquidation.fundDrawdown, event.instrument, event.amount);
      break;
    case 'LiquidationOrderEmitted':
      account(state, event.accountId).orders.set(event.order.orderId, event.order);
      state.liquidation.orders.set(event.order.orderId, {
        accountId: event.accountId,
        orderId: event.order.orderId,
        instrument: event.order.instrument,
        bankruptcyPrice: event.bankruptcyPrice,
        limitPrice: event.order.price,
        expiresMs: event.expiresMs,
      });
      break;
    case 'LiquidationAuctionStarted':
      state.liquidation.auctions.set(event.auctionId, {
        auctionId: event.auctionId,
        accountId: event.accountId,
        asset: event.asset,
        startMs: event.startMs,
        endMs: event.endMs,
        schedule: event.schedule,
      });
      break;
    case 'LiquidationAuctionBid': {
      const a = account(state, event.accountId);
      const bidder = account(state, event.liquidatorId);
      for (const c of event.collateral) {
        addTo(a.balances, c.asset, -c.amount);
        addTo(bidder.balances, c.asset, c.amount);
      }
      addTo(bidder.balances, event.asset, -event.payment);
      addTo(a.balances, event.asset, event.payment - event.insuranceFee);
      addTo(account(state, INSURANCE_FUND_ACCOUNT_ID).balances, event.asset, event.insuranceFee);
      break;
    }
    case 'LiquidationAuctionEnded':
      state.liquidation.auctions.delete(event.auctionId);
      break;
  }
}

/** A liquidation order leaves the books with its resting order (filled, cancelled or expired). */
export function forgetLiquidationOrder(state: EngineState, accountId: string, orderId: string): void {
  const known = state.liquidation.orders.get(orderId);
  if (known === undefined || known.accountId !== accountId) return;
  if (!(state.accounts.get(accountId)?.orders.has(orderId) ?? false)) state.liquidation.orders.delete(orderId);
}

function account(state: EngineState, id: string): AccountState {
  const found = state.accounts.get(id);
  if (found === undefined) throw new Error(`Invariant: liquidation event for unknown account ${id}`);
  return found;
}

/** The insurance fund's account, created with the engine (EngineInitialised). */
export function insuranceFundAccount(): AccountState {
  return { id: INSURANCE_FUND_ACCOUNT_ID, mode: 'cross', balances: new Map(), positions: new Map(), orders: new Map(), leverage: new Map() };
}
