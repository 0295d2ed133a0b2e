/**
 * A scratch copy of the engine state for planning: liquidation steps depend on each other (the
 * fund's exposure after one takeover bounds the next; an ADL counterparty's position changes), so
 * the planner applies its own events as it goes, to this copy, and the real state is untouched
 * (`decide` is pure). Accounts are copied on first access through `get` (which `apply` uses), so a
 * pass costs in proportion to the accounts it touches, not to the book.
 */
import type { AccountState, EngineState } from '../state.js';

export class OverlayAccounts extends Map<string, AccountState> {
  constructor(private readonly base: ReadonlyMap<string, AccountState>) {
    super();
  }

  /** The account for writing: copied from the base on first access. */
  override get(id: string): AccountState | undefined {
    const own = super.get(id);
    if (own !== undefined) return own;
    const found = this.base instanceof OverlayAccounts ? this.base.peek(id) : this.base.get(id);
    if (found === undefined) return undefined;
    const copy = cloneAccount(found);
    super.set(id, copy);
    return copy;
  }

  /** The account for reading: the copy if there is one, the base otherwise (never copies). */
  peek(id: string): AccountState | undefined {
    return super.get(id) ?? (this.base instanceof OverlayAccounts ? this.base.peek(id) : this.base.get(id));
  }

  override has(id: string): boolean {
    return super.has(id) || this.base.has(id);
  }

  override get size(): number {
    let extra = 0;
    for (const id of super.keys()) if (!this.base.has(id)) extra += 1;
    return this.base.size + extra;
  }

  override *keys(): MapIterator<string> {
    yield* this.base.keys();
    for (const id of super.keys()) if (!this.base.has(id)) yield id;
  }

  override *values(): MapIterator<AccountState> {
    for (const id of this.keys()) yield this.peek(id) as AccountState;
  }

  override *entries(): MapIterator<[string, AccountState]> {
    for (const id of this.keys()) yield [id, this.peek(id) as AccountState];
  }

  override [Symbol.iterator](): MapIterator<[string, AccountState]> {
    return this.entries();
  }

  override forEach(callback: (value: AccountState, key: string, map: Map<string, AccountState>) => void): void {
    for (const [id, a] of this.entries()) callback(a, id, this);
  }

  override delete(_id: string): boolean {
    throw new Error('Invariant: liquidation planning never deletes an account');
  }
}

function cloneAccount(a: AccountState): AccountState {
  return {
    id: a.id,
    ...(a.parentId === undefined ? {} : { parentId: a.parentId }),
    mode: a.mode,
    balances: new Map(a.balances),
    positions: new Map([...a.positions].map(([k, p]) => [k, { ...p }])),
    orders: new Map(a.orders),
    leverage: new Map(a.leverage),
  };
}

export interface Scratch extends EngineState {
  readonly accounts: OverlayAccounts;
}

export function scratchOf(base: EngineState): Scratch {
  const { ledgers, liquidation } = base;
  return {
    params: base.params,
    market: base.market,
    accounts: new OverlayAccounts(base.accounts),
    ledgers: {
      insuranceFund: new Map(ledgers.insuranceFund),
      feePool: new Map(ledgers.feePool),
      rounding: new Map(ledgers.rounding),
      deposits: new Map(ledgers.deposits),
      withdrawals: new Map(ledgers.withdrawals),
    },
    openInterest: new Map(base.openInterest),
    settled: base.settled,
    liquidation: {
      statuses: new Map(liquidation.statuses),
      fundDrawdown: new Map(liquidation.fundDrawdown),
      orders: new Map(liquidation.orders),
      auctions: new Map(liquidation.auctions),
    },
  };
}
