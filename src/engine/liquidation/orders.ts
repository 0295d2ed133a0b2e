/**
 * Mode (c): liquidation orders to the venue, and their fills (dYdX). A fill that names a
 * liquidation order is applied as any fill, plus the insurance fund's share: the fund takes
 * min(cap x fill value, what the fill leaves above the bankruptcy value) and pays the difference
 * when the fill is worse than bankruptcy (METHODS.md §4). A fill beyond the order's limit (the
 * bankruptcy price minus the band) is refused, so a liquidator bidding zero never fills (R19);
 * an order that does not fill in time is cancelled and the backstop takes the position over.
 */
import { fillValueOf } from '../../risk/account/trade.js';
import { insuranceFundDeltaOfFill } from '../../risk/liquidation/fees.js';
import { settlementAssetOf } from '../../risk/instruments/types.js';
import { amount, size as sizeOf } from '../../risk/units/quantities.js';
import type { Command } from '../commands.js';
import { accept, reject, type Decision, type Stamp } from '../decide/result.js';
import type { EngineEvent } from '../events.js';
import type { AccountState, EngineState } from '../state.js';
import { assetPriceIn, inAsset, instrumentIn, kappaOf, marginIn } from './ledger.js';
import { liquidationParamsIn } from './pass.js';
import { scratchOf } from './scratch.js';
import { bankruptcyPriceOf } from './step.js';
import { apply } from '../apply.js';

type Of<T extends Command['type']> = Extract<Command, { type: T }>;

/** The owner may not cancel a liquidation order (only expiry or a fill ends it). */
export function guardCancel(state: EngineState, c: Of<'CancelOrder'>): Decision | undefined {
  const o = state.liquidation.orders.get(c.orderId);
  if (o === undefined || o.accountId !== c.accountId) return undefined;
  return reject('liquidation_order_not_cancellable', `order ${c.orderId} liquidates ${c.accountId}: it ends when it fills or expires`);
}

/**
 * After `decideApplyFill`: the time-to-live and the limit of a liquidation order, and the insurance
 * fund's share. The time-to-live is checked here, on the fill's own stamp, so an expired order never
 * executes even when no pass has run since it expired (R17: the price feed itself may stall).
 */
export function withLiquidationFill(state: EngineState, c: Of<'ApplyFill'>, decision: Decision, stamp: Stamp): Decision {
  if (!decision.ok) return decision;
  const extra: EngineEvent[] = [];
  for (const [party, side] of [
    [c.buyer, 'buy'],
    [c.seller, 'sell'],
  ] as const) {
    if (party.orderId === undefined) continue;
    const o = state.liquidation.orders.get(party.orderId);
    if (o === undefined || o.accountId !== party.accountId) continue;
    if (stamp.timestampMs >= o.expiresMs) {
      return reject('liquidation_order_expired', `liquidation order ${o.orderId} expired at ${o.expiresMs}`);
    }
    if (side === 'sell' ? c.price < o.limitPrice : c.price > o.limitPrice) {
      return reject('fill_beyond_liquidation_limit', `liquidation order ${o.orderId} may not ${side} beyond ${o.limitPrice} (bankruptcy price minus the band)`);
    }
    const account = state.accounts.get(party.accountId) as AccountState;
    const instrument = instrumentIn(state, c.instrument);
    const held = account.positions.get(c.instrument)?.size ?? 0n;
    const bp = bankruptcyPriceOf({ s: scratchOf(state) }, account, instrument) ?? o.bankruptcyPrice;
    // An inverse contract's value moves against its price: an inverse long settles like a linear short.
    const kappa = kappaOf(instrument, held);
    let delta: bigint = insuranceFundDeltaOfFill({
      side: kappa > 0 ? 'long' : 'short',
      fillValue: fillValueOf(instrument, sizeOf(c.size), c.price),
      bankruptcyValue: fillValueOf(instrument, sizeOf(c.size), bp),
      cap: liquidationParamsIn(state).insuranceFeeCap,
    });
    if (delta > 0n) delta = capByEquity(state, decision.events, party.accountId, settlementAssetOf(instrument), delta);
    if (delta !== 0n) extra.push({ type: 'InsuranceFundPaid', accountId: party.accountId, instrument: c.instrument, asset: settlementAssetOf(instrument), amount: amount(-delta) });
  }
  return extra.length === 0 ? decision : accept(...decision.events, ...extra);
}

/** The fund's take never leaves the account with negative equity (after the fill and its trading fee). */
function capByEquity(state: EngineState, fillEvents: readonly EngineEvent[], accountId: string, asset: string, delta: bigint): bigint {
  const trial = scratchOf(state);
  for (const e of fillEvents) apply(trial, e);
  const figures = marginIn(trial, trial.accounts.peek(accountId) as AccountState);
  const assetPrice = assetPriceIn(trial, asset);
  if (figures === undefined || assetPrice === undefined) return 0n;
  const room = figures.equity > 0n ? inAsset(figures.equity, assetPrice) : 0n;
  return delta < room ? delta : room;
}
