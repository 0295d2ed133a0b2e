/**
 * Serialisation of commands, events and state for the journal and snapshots: JSON with bigints as
 * {"$n": "123"} (no domain object has a "$n" key), Maps as sorted [key, value] arrays, and a
 * canonical form of the state whose SHA-256 is the state hash that replay must reproduce (R3).
 */
import { hash } from 'node:crypto';
import { loadLiquidationParams, loadVenueParams } from '../config/load.js';
import type { LiquidationAuctionState, LiquidationOrderState } from './liquidation/events.js';
import type { OrderState } from './events.js';
import type { AccountState, EngineState, PositionState } from './state.js';

/**
 * JSON.stringify with a replacer that tags bigints. A hand-written, replacer-free writer of the
 * same text was tried for issue 8 and measured no faster here once the record is hashed: it builds
 * a rope of small strings that hashing must flatten (docs/PERFORMANCE.md, "Where the time goes").
 */
export function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? { $n: v.toString() } : v));
}

/** JSON with object keys sorted at every level: equal values give equal text, whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return { $n: v.toString() };
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/**
 * The inverse of `encode`: JSON.parse without a reviver, then one walk that turns every object
 * whose only key is "$n" into a bigint, in place. A reviver is a call into JavaScript
 * for every value and redefines each property it returns; the walk touches only objects and
 * arrays, and is about three times faster on journal records (docs/PERFORMANCE.md).
 */
export function decode<T>(text: string): T {
  return reviveTagged(JSON.parse(text)) as T;
}

/** Turn the tagged bigints ({"$n": "123"}) of a JSON.parse result into bigints, in place where it can. */
export function reviveTagged(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object') value[i] = reviveTagged(item);
    }
    return value;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  // Children first, as a reviver works: {"$n": {"$n": "0"}} is 0n, as it always was.
  for (const key of keys) {
    const item = object[key];
    if (item === null || typeof item !== 'object') continue;
    const revived = reviveTagged(item);
    if (revived === item) continue;
    // A "__proto__" key is an own property after JSON.parse: assigning it would set the prototype.
    if (key === '__proto__') Object.defineProperty(object, key, { value: revived, writable: true, enumerable: true, configurable: true });
    else object[key] = revived;
  }
  return keys.length === 1 && keys[0] === '$n' ? BigInt(object.$n as string) : object;
}

export function sha256(text: string): string {
  // crypto.hash (Node 20.12+): one call, no Hash object; about a fifth cheaper per record than createHash.
  return hash('sha256', text, 'hex');
}

const byKey = <V>(map: ReadonlyMap<string, V>): [string, V][] => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

interface AccountSnapshot {
  id: string;
  parentId: string | null;
  mode: AccountState['mode'];
  balances: [string, bigint][];
  positions: [string, PositionState][];
  orders: [string, OrderState][];
  leverage: [string, number][];
}

export interface StateSnapshot {
  params: { version: number; document: unknown; pending: { version: number; effectiveMs: number; document: unknown }[] } | null;
  market: {
    prices: [string, bigint][];
    marks: [string, bigint][];
    laggedPrices: [string, bigint][];
    statuses: [string, string][];
    asOfMs?: [string, number][];
    fundingSettledToMs?: [string, number][];
  };
  accounts: AccountSnapshot[];
  ledgers: Record<'insuranceFund' | 'feePool' | 'rounding' | 'deposits' | 'withdrawals', [string, bigint][]>;
  openInterest: [string, bigint][];
  settled: [string, bigint][];
  /** Liquidation bookkeeping (issue 6); absent in snapshots written before it existed. */
  liquidation?: {
    statuses: [string, string][];
    fundDrawdown: [string, bigint][];
    orders: [string, LiquidationOrderState][];
    /** Running Dutch auctions (mode d); absent when none runs, so older state hashes are unchanged. */
    auctions?: [string, LiquidationAuctionState][];
  };
}

/** The canonical, JSON-able form of the state: every map sorted, fixed key order. */
export function snapshotOf(state: EngineState): StateSnapshot {
  const { ledgers, market } = state;
  return {
    params:
      state.params === undefined
        ? null
        : { version: state.params.version, document: state.params.document, pending: state.params.pending.map((p) => ({ ...p })) },
    market: {
      prices: byKey(market.prices),
      marks: byKey(market.marks),
      laggedPrices: byKey(market.laggedPrices),
      statuses: byKey(market.statuses),
      asOfMs: byKey(market.asOfMs),
      fundingSettledToMs: byKey(market.fundingSettledToMs),
    },
    accounts: byKey(state.accounts).map(([, a]) => ({
      id: a.id,
      parentId: a.parentId ?? null,
      mode: a.mode,
      balances: byKey(a.balances),
      positions: byKey(a.positions).map(([k, p]) => [
        k,
        { instrument: p.instrument, size: p.size, entryValue: p.entryValue, ...(p.isolatedMargin === undefined ? {} : { isolatedMargin: p.isolatedMargin }) },
      ]),
      orders: byKey(a.orders),
      leverage: byKey(a.leverage),
    })),
    ledgers: {
      insuranceFund: byKey(ledgers.insuranceFund),
      feePool: byKey(ledgers.feePool),
      rounding: byKey(ledgers.rounding),
      deposits: byKey(ledgers.deposits),
      withdrawals: byKey(ledgers.withdrawals),
    },
    openInterest: byKey(state.openInterest),
    settled: byKey(state.settled),
    liquidation: {
      statuses: byKey(state.liquidation.statuses),
      fundDrawdown: byKey(state.liquidation.fundDrawdown),
      orders: byKey(state.liquidation.orders),
      ...(state.liquidation.auctions.size === 0 ? {} : { auctions: byKey(state.liquidation.auctions) }),
    },
  };
}

export function stateFromSnapshot(s: StateSnapshot): EngineState {
  const map = <V>(entries: [string, V][]) => new Map(entries) as Map<string, never>;
  return {
    params:
      s.params === null
        ? undefined
        : { ...s.params, risk: loadVenueParams(s.params.document), liquidation: loadLiquidationParams(s.params.document) },
    market: {
      prices: map(s.market.prices),
      marks: map(s.market.marks),
      laggedPrices: map(s.market.laggedPrices),
      statuses: map(s.market.statuses),
      asOfMs: new Map(s.market.asOfMs ?? []),
      fundingSettledToMs: new Map(s.market.fundingSettledToMs ?? []),
    },
    accounts: new Map(
      s.accounts.map((a) => [
        a.id,
        {
          id: a.id,
          ...(a.parentId === null ? {} : { parentId: a.parentId }),
          mode: a.mode,
          balances: map(a.balances),
          positions: new Map(a.positions.map(([k, p]) => [k, { ...p }])),
          orders: new Map(a.orders),
          leverage: new Map(a.leverage),
        } satisfies AccountState,
      ]),
    ),
    ledgers: {
      insuranceFund: map(s.ledgers.insuranceFund),
      feePool: map(s.ledgers.feePool),
      rounding: map(s.ledgers.rounding),
      deposits: map(s.ledgers.deposits),
      withdrawals: map(s.ledgers.withdrawals),
    },
    openInterest: map(s.openInterest),
    settled: map(s.settled),
    liquidation: {
      statuses: map(s.liquidation?.statuses ?? []),
      fundDrawdown: map(s.liquidation?.fundDrawdown ?? []),
      orders: new Map(s.liquidation?.orders ?? []),
      auctions: new Map(s.liquidation?.auctions ?? []),
    },
  };
}

export function stateHashOf(state: EngineState): string {
  return sha256(encode(snapshotOf(state)));
}
