/**
 * Position and open-interest caps in the pre-trade check (R11 Mango, R12 dYdX YFI): an order that
 * would open exposure beyond an instrument's caps is refused, however much collateral (or
 * unrealised PnL) backs it. Reducing orders always pass. The caps live in the venue document's
 * `liquidation.instruments.<symbol>` (openInterestMax, positionMax), in contracts.
 */
import { instrumentLiquidationOf } from '../../risk/liquidation/params.js';
import type { Side } from '../commands.js';
import { reject, type Rejection } from '../decide/result.js';
import type { AccountState, EngineState } from '../state.js';

export function checkCaps(state: EngineState, account: AccountState, order: { readonly instrument: string; readonly side: Side; readonly size: bigint }): Rejection | undefined {
  const lp = state.params?.liquidation;
  if (lp === undefined) return undefined;
  const caps = instrumentLiquidationOf(lp, order.instrument);
  if (caps.positionMax === undefined && caps.openInterestMax === undefined) return undefined;
  const held = account.positions.get(order.instrument)?.size ?? 0n;
  let resting = 0n;
  for (const o of account.orders.values()) if (o.instrument === order.instrument && o.side === order.side && !o.reduceOnly) resting += o.size;
  // The position if every resting order on this side and this one fill, signed towards the side.
  const towards = order.side === 'buy' ? held : -held;
  const worst = towards + resting + order.size;
  const opening = positivePart(towards + order.size) - positivePart(towards);
  if (caps.positionMax !== undefined && opening > 0n && worst > caps.positionMax) {
    return reject('position_cap_reached', `a position in ${order.instrument} is capped at ${caps.positionMax} units of contracts, orders included`);
  }
  const openInterest = state.openInterest.get(order.instrument) ?? 0n;
  if (caps.openInterestMax !== undefined && opening > 0n && openInterest + opening > caps.openInterestMax) {
    return reject('open_interest_cap_reached', `open interest in ${order.instrument} is capped at ${caps.openInterestMax} units of contracts`);
  }
  return undefined;
}

function positivePart(x: bigint): bigint {
  return x > 0n ? x : 0n;
}
