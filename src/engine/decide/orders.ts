/** Resting orders: placed through the pre-trade check, cancelled by their owner. */
import type { Command } from '../commands.js';
import { checkOrder } from '../pretrade.js';
import type { EngineState } from '../state.js';
import { accountIn, ID_PATTERN, isRejection } from './context.js';
import { accept, reject, type Decision } from './result.js';

type Of<T extends Command['type']> = Extract<Command, { type: T }>;

export function decidePlaceOrder(state: EngineState, c: Of<'PlaceOrder'>): Decision {
  const account = accountIn(state, c.accountId);
  if (isRejection(account)) return account;
  if (typeof c.orderId !== 'string' || !ID_PATTERN.test(c.orderId)) return reject('order_id_invalid', 'an order id is 1-128 printable ASCII characters');
  if (account.orders.has(c.orderId)) return reject('order_exists', `order ${c.orderId} exists`);
  if (state.settled.has(c.instrument)) return reject('instrument_settled', `${c.instrument} has expired`);
  const check = checkOrder(state, c);
  if (!check.ok) return check;
  return accept({
    type: 'OrderPlaced',
    accountId: c.accountId,
    order: { orderId: c.orderId, instrument: c.instrument, side: c.side, size: c.size, price: c.price, reduceOnly: c.reduceOnly === true },
  });
}

export function decideCancelOrder(state: EngineState, c: Of<'CancelOrder'>): Decision {
  const account = accountIn(state, c.accountId);
  if (isRejection(account)) return account;
  if (!account.orders.has(c.orderId)) return reject('order_unknown', `no resting order ${c.orderId}`);
  return accept({ type: 'OrderCancelled', accountId: c.accountId, orderId: c.orderId, reason: 'cancelled_by_owner' });
}
