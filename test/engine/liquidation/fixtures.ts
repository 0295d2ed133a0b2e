/**
 * Venues and helpers of the liquidation tests, built through the production loaders: a Drift-like
 * SOL perpetual (IMR 10%, MMR 5%), a dYdX-like BTC perpetual (IMF 20%, MMF 10%), USDC collateral at
 * full weight, and the liquidation section of METHODS.md §4 (buffer 2%, fees 1% + 1%).
 */
import assert from 'node:assert/strict';
import { createEngine, ManualClock, type Command, type CommandResult, type Engine, type EngineEvent } from '../../../src/engine/index.js';
import { INSURANCE_FUND_ACCOUNT_ID } from '../../../src/risk/liquidation/params.js';
import { formatAmount, parseAmount, parsePrice, parseSize, type Amount } from '../../../src/risk/units/quantities.js';
import { MemoryStore } from '../../../src/store/memory.js';

export const FUND = INSURANCE_FUND_ACCOUNT_ID;
export const START_MS = Date.parse('2026-06-01T00:00:00Z');

const flatLinear = (initialRate: string, maintenanceRate: string) => ({ model: 'linearInSize', initialRate, maintenanceRate, initialRatePerUnit: '0', maintenanceRatePerUnit: '0' });

export function venue(liquidation: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    valuationAsset: 'USD',
    assets: {
      USDC: { kind: 'collateral', initial: { kind: 'flat', weight: '1' }, maintenance: { kind: 'flat', weight: '1' } },
      BTC: { kind: 'collateral', initial: { kind: 'flat', weight: '0.9' }, maintenance: { kind: 'flat', weight: '0.95' } },
    },
    instruments: {
      'SOL-PERP': { kind: 'perpetual', underlying: 'SOL', quoteAsset: 'USDC', settlement: 'linear', contractSize: '1', tick: '0.01', lot: '0.01', margin: flatLinear('0.1', '0.05') },
      'BTC-PERP': { kind: 'perpetual', underlying: 'BTC', quoteAsset: 'USDC', settlement: 'linear', contractSize: '1', tick: '0.5', lot: '0.001', margin: flatLinear('0.2', '0.1') },
      'ETH-PERP': { kind: 'perpetual', underlying: 'ETH', quoteAsset: 'USDC', settlement: 'linear', contractSize: '1', tick: '0.01', lot: '0.01', margin: flatLinear('0.1', '0.05') },
    },
    liquidation: { buffer: '0.02', liquidatorFee: '0.01', insuranceFee: '0.01', stepLimits: { fractionMax: '1', notionalMinPerStep: '0', notionalMaxPerAccountStep: '1000000000', remainderMin: '0' }, ...liquidation },
  };
}

export interface Bench {
  readonly engine: Engine;
  readonly store: MemoryStore;
  readonly clock: ManualClock;
  /** Every event the engine journaled, in order (liquidation records included). */
  events(): EngineEvent[];
  run(...commands: Command[]): Promise<CommandResult[]>;
  ok(...commands: Command[]): Promise<void>;
}

export async function bench(params: unknown = venue(), store = new MemoryStore(), options: { snapshotEvery?: number } = {}): Promise<Bench> {
  const clock = new ManualClock(START_MS);
  const engine = await createEngine({ store, clock, params, invariants: 'event', ...options });
  const run = async (...commands: Command[]) => {
    const results: CommandResult[] = [];
    for (const c of commands) results.push(await engine.submit(c));
    return results;
  };
  return {
    engine,
    store,
    clock,
    events: () => store.records.flatMap((r) => (JSON.parse(r.body, (_k, v: unknown) => (v !== null && typeof v === 'object' && '$n' in (v as object) ? BigInt((v as { $n: string }).$n) : v)) as { events: EngineEvent[] }).events),
    run,
    ok: async (...commands: Command[]) => {
      for (const [i, r] of (await run(...commands)).entries()) assert.ok(r.ok, r.ok ? '' : `${commands[i]?.type} ${commands[i]?.id}: ${r.code}: ${r.message}`);
      const report = engine.invariants();
      assert.ok(report.ok, report.violations.join('; '));
    },
  };
}

let n = 0;
const id = () => `t${++n}`;

export const c = {
  create: (accountId: string): Command => ({ type: 'CreateAccount', id: id(), accountId, mode: 'cross' }),
  deposit: (accountId: string, asset: string, value: string): Command => ({ type: 'Deposit', id: id(), accountId, asset, amount: parseAmount(value) }),
  marks: (marks: Record<string, string>, prices: Record<string, string> = { USDC: '1' }): Command => ({
    type: 'UpdatePrices',
    id: id(),
    prices: Object.fromEntries(Object.entries(prices).map(([k, v]) => [k, parsePrice(v)])),
    marks: Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, parsePrice(v)])),
  }),
  statuses: (statuses: Record<string, 'ok' | 'degraded' | 'stale' | 'halted'>): Command => ({ type: 'UpdatePrices', id: id(), statuses }),
  fill: (instrument: string, buyer: string, seller: string, size: string, price: string, orders: { buyer?: string; seller?: string } = {}): Command => ({
    type: 'ApplyFill',
    id: id(),
    instrument,
    price: parsePrice(price),
    size: parseSize(size),
    buyer: { accountId: buyer, ...(orders.buyer === undefined ? {} : { orderId: orders.buyer }) },
    seller: { accountId: seller, ...(orders.seller === undefined ? {} : { orderId: orders.seller }) },
    aggressor: 'buy',
  }),
  order: (accountId: string, orderId: string, instrument: string, side: 'buy' | 'sell', size: string, price: string): Command => ({
    type: 'PlaceOrder',
    id: id(),
    accountId,
    orderId,
    instrument,
    side,
    size: parseSize(size),
    price: parsePrice(price),
  }),
  liquidate: (accountId: string): Command => ({ type: 'Liquidate', id: id(), accountId }),
  pass: (symbols?: string[]): Command => ({ type: 'LiquidationPass', id: id(), ...(symbols === undefined ? {} : { symbols }) }),
};

export const usd = (value: string): Amount => parseAmount(value);
export const show = (value: bigint): string => formatAmount(value as Amount);

export function balance(engine: Engine, accountId: string, asset = 'USDC'): bigint {
  return engine.state.accounts.get(accountId)?.balances.get(asset) ?? 0n;
}

export function position(engine: Engine, accountId: string, instrument: string): bigint {
  return engine.state.accounts.get(accountId)?.positions.get(instrument)?.size ?? 0n;
}

export function equity(engine: Engine, accountId: string): bigint {
  const f = engine.accountFigures(accountId);
  assert.ok(f !== undefined, `no figures for ${accountId}`);
  return f.equity;
}

export function ofType<T extends EngineEvent['type']>(events: readonly EngineEvent[], type: T): Extract<EngineEvent, { type: T }>[] {
  return events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
}
