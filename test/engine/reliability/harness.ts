/**
 * Shared machinery of the reliability tests: an engine on a MemoryStore with a manual clock, a
 * submit that turns an engine crash (a throw inside the shell, which would otherwise surface as an
 * unhandled rejection and wedge the engine) into a failed property, and ledger views of the
 * engine's state in the reference model's terms.
 */
import { createEngine, ManualClock, type Command, type CommandResult, type Engine, type EngineState } from '../../../src/engine/index.js';
import fc from 'fast-check';
import { MemoryStore } from '../../../src/store/memory.js';
import { VENUE } from '../fixtures.js';
import { entries, positionCash, venueOf, type LedgerView, type RefVenue } from '../model/reference.js';

/** Well before the dated future's expiry (2027-03-26T08:00Z). */
export const START_MS = Date.parse('2026-06-01T00:00:00Z');

/**
 * The fixture venue plus a linear perpetual on a fine grid (lot 0.00001 contracts of 0.001 BTC,
 * tick 0.001), whose fill values need rounding: the fixture's own linear instruments always
 * exchange exact values, so only this one exercises half-even rounding of linear fills.
 */
export const TEST_VENUE = {
  ...VENUE,
  instruments: {
    ...VENUE.instruments,
    'BTCUSDT-MICRO': {
      kind: 'perpetual',
      underlying: 'BTC',
      quoteAsset: 'USDT',
      settlement: 'linear',
      contractSize: '0.001',
      tick: '0.001',
      lot: '0.00001',
      margin: { model: 'preset', preset: 'binance-btcusdt' },
      fees: { maker: '0.00013', taker: '0.00037' },
      funding: { interestRate: '0.0001', clamp: '0.0005', cap: '0.003', intervalHours: '8' },
    },
  },
} as const;

export const REF_VENUE: RefVenue = venueOf(TEST_VENUE);

export interface Alarm {
  readonly code: string;
  readonly message: string;
}

export interface Harness {
  readonly engine: Engine;
  readonly store: MemoryStore;
  readonly clock: ManualClock;
  readonly alarms: Alarm[];
}

export async function startEngine(
  options: { store?: MemoryStore; clock?: ManualClock; snapshotEvery?: number; invariants?: 'event' | 'batch' | 'off'; alarms?: Alarm[] } = {},
): Promise<Harness> {
  const store = options.store ?? new MemoryStore();
  const clock = options.clock ?? new ManualClock(START_MS);
  const alarms = options.alarms ?? [];
  const engine = await createEngine({
    store,
    clock,
    params: TEST_VENUE,
    invariants: options.invariants ?? 'event',
    ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
    onAlarm: (alarm) => alarms.push(alarm),
  });
  alarmsOf.set(engine, alarms);
  return { engine, store, clock, alarms };
}

/** The alarms of engines started here, to explain a failed batch. */
const alarmsOf = new WeakMap<Engine, Alarm[]>();

/**
 * Codes that mean the engine itself failed (a throw inside decide or apply, an invariant
 * violation caught by the shell), not that it judged the command: never expected in these laws.
 */
const ENGINE_FAILURES: ReadonlySet<string> = new Set(['engine_batch_failed', 'engine_unavailable']);

/**
 * The engine threw instead of answering (a programmer error: an invariant, a division by zero),
 * whether the throw escaped the shell or the shell caught it and failed the batch.
 */
export class EngineCrash extends Error {
  override readonly name = 'EngineCrash';
}

const crashListeners = new Set<(reason: unknown) => void>();
process.on('unhandledRejection', (reason) => {
  for (const listener of crashListeners) listener(reason);
});

/**
 * Submit and wait for the answer; reject with EngineCrash if the engine throws (the shell's flush
 * rejects unhandled) or does not answer within `timeoutMs`.
 */
export function submit(engine: Engine, command: Command, timeoutMs = 5_000): Promise<CommandResult> {
  return submitAll(engine, [command], timeoutMs).then((results) => results[0] as CommandResult);
}

/** Submit several commands in the same tick, so that they share one batch (group commit). */
export function submitAll(engine: Engine, commands: readonly Command[], timeoutMs = 5_000): Promise<CommandResult[]> {
  return new Promise((resolve, reject) => {
    const onCrash = (reason: unknown) => {
      cleanup();
      reject(new EngineCrash(`engine crashed on ${describeCommands(commands)}: ${reason instanceof Error ? reason.message : String(reason)}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new EngineCrash(`engine did not answer ${describeCommands(commands)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      crashListeners.delete(onCrash);
    };
    crashListeners.add(onCrash);
    Promise.all(commands.map((c) => engine.submit(c))).then(
      (results) => {
        cleanup();
        const failed = results.find((r) => !r.ok && ENGINE_FAILURES.has(r.code));
        if (failed !== undefined && !failed.ok) {
          const alarms = (alarmsOf.get(engine) ?? []).map((a) => `${a.code}: ${a.message}`).join('; ');
          reject(new EngineCrash(`engine failed the batch of ${describeCommands(commands)} with ${failed.code} (alarms: ${alarms})`));
          return;
        }
        resolve(results);
      },
      (error: unknown) => {
        cleanup();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export function describeCommands(commands: readonly Command[]): string {
  return commands.map((c) => JSON.stringify(c, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).join(', ');
}

export function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** The engine's ledger in the reference model's terms (LedgerView). */
export function engineView(state: EngineState): LedgerView {
  const balances: string[] = [];
  const positions: string[] = [];
  const orders: string[] = [];
  for (const a of state.accounts.values()) {
    for (const [asset, v] of a.balances) if (v !== 0n) balances.push(`${a.id} ${asset} ${v}`);
    for (const [symbol, p] of a.positions) positions.push(`${a.id} ${symbol} size=${p.size} entryValue=${p.entryValue}`);
    for (const [id, o] of a.orders) orders.push(`${a.id} ${id} ${o.instrument} ${o.side} ${o.size}${o.reduceOnly ? ' reduceOnly' : ''}`);
  }
  return {
    balances: balances.sort(),
    positions: positions.sort(),
    orders: orders.sort(),
    feePool: entries(state.ledgers.feePool),
    rounding: entries(state.ledgers.rounding),
    deposits: entries(state.ledgers.deposits),
    withdrawals: entries(state.ledgers.withdrawals),
    openInterest: entries(state.openInterest),
  };
}

/**
 * Cash per asset held inside the venue, summed independently of the engine's invariant code:
 * balances, position cash, isolated margins, insurance fund, fee pool, rounding.
 */
export function cashHeld(state: EngineState): Map<string, bigint> {
  const held = new Map<string, bigint>();
  const add = (asset: string, v: bigint) => held.set(asset, (held.get(asset) ?? 0n) + v);
  for (const a of state.accounts.values()) {
    for (const [asset, v] of a.balances) add(asset, v);
    for (const [symbol, p] of a.positions) {
      const i = REF_VENUE.instruments.get(symbol);
      if (i === undefined) throw new Error(`no instrument ${symbol}`);
      add(i.asset, positionCash(i, p.entryValue) + (p.isolatedMargin ?? 0n));
    }
  }
  for (const ledger of [state.ledgers.insuranceFund, state.ledgers.feePool, state.ledgers.rounding]) for (const [asset, v] of ledger) add(asset, v);
  return held;
}

/** Conservation and open interest, from first principles: every violation as a sentence. */
export function conservationViolations(state: EngineState): string[] {
  const violations: string[] = [];
  const held = cashHeld(state);
  const assets = new Set([...held.keys(), ...state.ledgers.deposits.keys(), ...state.ledgers.withdrawals.keys()]);
  for (const asset of assets) {
    const expected = (state.ledgers.deposits.get(asset) ?? 0n) - (state.ledgers.withdrawals.get(asset) ?? 0n);
    if ((held.get(asset) ?? 0n) !== expected) violations.push(`conservation of ${asset}: held ${held.get(asset) ?? 0n}, deposits - withdrawals ${expected}`);
  }
  const longs = new Map<string, bigint>();
  const shorts = new Map<string, bigint>();
  for (const a of state.accounts.values()) {
    for (const [symbol, p] of a.positions) {
      if (p.size > 0n) longs.set(symbol, (longs.get(symbol) ?? 0n) + p.size);
      if (p.size < 0n) shorts.set(symbol, (shorts.get(symbol) ?? 0n) - p.size);
    }
  }
  for (const symbol of new Set([...longs.keys(), ...shorts.keys(), ...state.openInterest.keys()])) {
    const long = longs.get(symbol) ?? 0n;
    if (long !== (shorts.get(symbol) ?? 0n)) violations.push(`open interest of ${symbol}: long ${long} != short ${shorts.get(symbol) ?? 0n}`);
    if (long !== (state.openInterest.get(symbol) ?? 0n)) violations.push(`open interest of ${symbol}: tracked ${state.openInterest.get(symbol) ?? 0n} != long ${long}`);
  }
  for (const [asset, v] of state.ledgers.rounding) if (v < 0n) violations.push(`rounding account of ${asset} below zero: ${v}`);
  return violations;
}

/** A copy of a store's journal (and, optionally, its snapshots): a second disk with the same bytes. */
export function copyStore(store: MemoryStore, options: { records?: number; snapshots?: boolean } = {}): MemoryStore {
  const copy = new MemoryStore();
  copy.records.push(...store.records.slice(0, options.records ?? store.records.length).map((r) => ({ ...r })));
  if (options.snapshots === true) copy.snapshots.push(...store.snapshots.map((s) => ({ ...s })));
  return copy;
}

/**
 * fast-check settings of every law here: a fixed seed (a failure reproduces from it), the
 * assertion's own message in the report, and shrinking bounded in time so that a property that
 * fails (an engine bug, reported) still ends well within the suite's budget.
 */
export function fcOptions(seed: number, numRuns: number): { seed: number; numRuns: number; includeErrorInReport: true; plugins: ReturnType<typeof fc.interruptAfterTimeLimit>[] } {
  return { seed, numRuns, includeErrorInReport: true, plugins: [fc.interruptAfterTimeLimit(20_000, { failOnInterrupt: true })] };
}
