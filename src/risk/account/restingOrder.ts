/**
 * The two rules of a pre-trade check, shared by the engine's reference check and the kernel's:
 * the account as if one more order rested (counted worst case through `openOrders`), and whether
 * its IM is then covered (the cross pool's IM plus every isolated pool's shortfall, against the
 * cross pool's IM collateral: isolated margin can only be topped up from the wallet).
 */
import type { AccountMargin } from './account.js';
import type { Account, Position } from './types.js';
import { amount, size as sizeOf, type Size } from '../units/quantities.js';

export interface RestingOrder {
  readonly instrument: string;
  readonly side: 'buy' | 'sell';
  readonly size: Size;
}

/** The account with `order` resting too; a new instrument keeps the leverage chosen for it. */
export function withRestingOrder(view: Account, order: RestingOrder, leverage: number | undefined): Account {
  const existing = view.positions.find((p) => p.instrument === order.instrument);
  const base: Position = existing ?? {
    instrument: order.instrument,
    size: sizeOf(0n),
    entryValue: amount(0n),
    ...(leverage === undefined ? {} : { leverage }),
    ...(view.mode === 'isolated' ? { isolatedMargin: amount(0n) } : {}),
  };
  const orders = base.openOrders ?? { buy: sizeOf(0n), sell: sizeOf(0n) };
  const updated: Position = {
    ...base,
    openOrders: order.side === 'buy' ? { ...orders, buy: sizeOf(orders.buy + order.size) } : { ...orders, sell: sizeOf(orders.sell + order.size) },
  };
  const positions = existing === undefined ? [...view.positions, updated] : view.positions.map((p) => (p === existing ? updated : p));
  return { ...view, positions };
}

export function initialMarginCovered(margin: Pick<AccountMargin, 'pools'>): boolean {
  const [cross, ...isolated] = margin.pools;
  if (cross === undefined) return true;
  let needed: bigint = cross.initialMargin;
  for (const pool of isolated) if (pool.initialMargin > pool.collateralInitial) needed += pool.initialMargin - pool.collateralInitial;
  return needed <= cross.collateralInitial;
}
