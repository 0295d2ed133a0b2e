/**
 * Journal benchmark (DESIGN.md D3, issue 8): how fast the engine takes commands durably, and how
 * fast it starts again, side by side with a naive baseline.
 *
 * Throughput (commands and events acknowledged per second, steady mix of fills, price updates and
 * deposits over ACCOUNTS accounts, all commands in flight):
 *   - engine + SqliteStore (WAL, synchronous=FULL) with batchMax 1, 100, 1000 (group commit);
 *   - engine + MemoryStore (no I/O): the CPU ceiling of decide/apply/encode/hash;
 *   - SqliteStore.append alone with ready-made records (batches of 1, 100, 1000): the I/O ceiling;
 *   - naive baseline: the same decide/apply, then JSON (bigints as "123n" strings, no checksum, no
 *     hash chain) and one autocommit INSERT per command, rollback journal, synchronous=FULL.
 * Recovery (time from opening the directory to a ready engine, page cache warm):
 *   - full replay of every record (snapshots hidden from the engine);
 *   - latest snapshot + tail;
 *   - naive baseline: read every row, parse, apply the events (no checksum to verify);
 *   - snapshot-only recovery of states with many accounts (100k and 1M in the full run), with the
 *     snapshot's size and what taking it stalls (encoding, then hashing and writing).
 * The issue-8 goals: >= 200k durable events/s; recovery of 1M accounts <= 10 s.
 *
 * `tsx bench/journal.ts [--quick] [--json]`, or through bench/index.ts. Results go to stdout
 * (Markdown tables, or JSON with --json); progress goes to stderr.
 */
import Database from 'better-sqlite3';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { apply } from '../src/engine/apply.js';
import { systemClock } from '../src/engine/clock.js';
import { stateHashOf } from '../src/engine/codec.js';
import type { Command } from '../src/engine/commands.js';
import { decide } from '../src/engine/decide/index.js';
import type { EngineEvent } from '../src/engine/events.js';
import { bodyOf } from '../src/engine/journal.js';
import { createEngine, type Engine } from '../src/engine/shell.js';
import { emptyState, type EngineState } from '../src/engine/state.js';
import { MemoryStore } from '../src/store/memory.js';
import type { JournalRecord, SnapshotRecord, Store } from '../src/store/port.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { Deadline, fmt, log, machine, median, repeat, stopwatch, tempDir, type Machine } from './lib.js';
import { VENUE, workload, type Workload } from './workload.js';

const NAIVE = 'naive: autocommit INSERT per command';
const NAIVE_WAL = 'naive, in WAL mode';

/** Accounts in the throughput and replay workloads. */
const ACCOUNTS = 1_000;
const NEVER = Number.MAX_SAFE_INTEGER;

interface Sizes {
  readonly runs: number;
  /** Commands timed per run for the batched configurations. */
  readonly commands: number;
  /** Commands per run when every command costs an fsync (batchMax 1, naive); also a time cap. */
  readonly perCommandSync: number;
  readonly perCommandSyncSeconds: number;
  /** Records in the replay journal. */
  readonly replayRecords: number;
  /** Accounts in the snapshot-recovery states, one measure each. */
  readonly snapshotAccounts: readonly number[];
  readonly budgetSeconds: number;
}

export const QUICK: Sizes = {
  runs: 3,
  commands: 20_000,
  perCommandSync: 2_000,
  perCommandSyncSeconds: 1,
  replayRecords: 20_000,
  snapshotAccounts: [10_000],
  budgetSeconds: 30,
};

export const FULL: Sizes = {
  runs: 5,
  commands: 100_000,
  perCommandSync: 10_000,
  perCommandSyncSeconds: 5,
  replayRecords: 200_000,
  snapshotAccounts: [100_000, 1_000_000],
  budgetSeconds: 600,
};

export interface Throughput {
  readonly name: string;
  readonly batch: number | null;
  readonly runs: number;
  /** Commands timed in the median run. */
  readonly commands: number;
  readonly commandsPerSecond: number;
  readonly eventsPerSecond: number;
  /** Commands per second of this process's CPU time: steadier than wall time on a busy machine. */
  readonly commandsPerCpuSecond: number;
  readonly note: string;
}

export interface Recovery {
  readonly name: string;
  readonly runs: number;
  readonly records: number;
  readonly accounts: number;
  /** Records replayed after the snapshot (the whole journal when there is none). */
  readonly replayed: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly recordsPerSecond: number;
  readonly note: string;
}

export interface JournalBenchResult {
  readonly bench: 'journal';
  readonly date: string;
  readonly mode: 'quick' | 'full';
  readonly machine: Machine;
  readonly sqlite: { readonly version: string; readonly synchronous: 'FULL' };
  /**
   * Median latency of write(512 B) + fsync on the temp dir's disk, before and after the bench: what
   * one durable commit costs at least. When the two differ, the disk was busy with other work.
   */
  readonly fsyncMicroseconds: { readonly before: number; readonly after: number };
  readonly throughput: readonly Throughput[];
  readonly recovery: readonly Recovery[];
  readonly ratios: Readonly<Record<string, number>>;
  /** Per snapshot-recovery measure: what taking the snapshot cost, and its size. */
  readonly snapshots: readonly SnapshotCost[];
  readonly seconds: number;
}

interface Run {
  readonly commands: number;
  readonly events: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

const rate = (n: number, seconds: number) => n / seconds;

function summarise(name: string, batch: number | null, runs: readonly Run[], note: string): Throughput {
  const cps = runs.map((r) => rate(r.commands, r.seconds));
  const eps = runs.map((r) => rate(r.events, r.seconds));
  const cpu = runs.map((r) => rate(r.commands, r.cpuSeconds));
  return {
    name,
    batch,
    runs: runs.length,
    commands: median(runs.map((r) => r.commands)),
    commandsPerSecond: median(cps),
    eventsPerSecond: median(eps),
    commandsPerCpuSecond: median(cpu),
    note,
  };
}

/** Submit commands [from, to) with `window` in flight at most; stop early past `capSeconds`. */
async function drive(engine: Engine, load: Workload, from: number, to: number, window: number, capSeconds = Infinity, commandAt = (i: number) => load.commandAt(i)): Promise<Run> {
  const elapsed = stopwatch();
  let commands = 0;
  let events = 0;
  for (let i = from; i < to; i += window) {
    const chunk: Promise<Awaited<ReturnType<Engine['submit']>>>[] = [];
    for (let k = i; k < Math.min(to, i + window); k++) chunk.push(engine.submit(commandAt(k)));
    for (const result of await Promise.all(chunk)) {
      if (!result.ok) throw new Error(`bench command rejected: ${result.code}: ${result.message}`);
      commands += 1;
      events += result.events.length;
    }
    if (elapsed().wall > capSeconds) break;
  }
  const { wall, cpu } = elapsed();
  return { commands, events, seconds: wall, cpuSeconds: cpu };
}

async function engineRun(kind: 'sqlite' | 'memory', batchMax: number, commands: number, capSeconds = Infinity): Promise<Run> {
  const dir = tempDir('engine');
  const load = workload(ACCOUNTS);
  const store: Store = kind === 'sqlite' ? new SqliteStore(dir.path) : new MemoryStore();
  try {
    // Set up with full batches, then reopen the same store with the batchMax under test.
    const setup = await createEngine({ store, clock: systemClock, params: VENUE, batchMax: 1_000, snapshotEvery: NEVER });
    await drive(setup, load, 0, load.setup, 10_000);
    const engine = kind === 'sqlite' ? await reopen(setup, dir.path, batchMax) : setup;
    // Enough in flight that every batch is full; batchMax 1 gets the same window (its queue is deep).
    const run = await drive(engine, load, load.setup, load.setup + commands, Math.max(1_000, 4 * batchMax), capSeconds);
    await engine.close();
    return run;
  } finally {
    dir.done();
  }
}

async function reopen(engine: Engine, dir: string, batchMax: number): Promise<Engine> {
  await engine.close();
  return createEngine({ store: new SqliteStore(dir), clock: systemClock, batchMax, snapshotEvery: NEVER });
}

/** Records of the workload, chained, made outside the timing (for the store-only measure). */
async function recordsOf(count: number): Promise<JournalRecord[]> {
  const store = new MemoryStore();
  const engine = await createEngine({ store, clock: systemClock, params: VENUE, batchMax: 1_000, snapshotEvery: NEVER });
  const load = workload(ACCOUNTS);
  await drive(engine, load, 0, load.setup + count, 10_000);
  await engine.close();
  return store.records.slice(store.records.length - count);
}

async function storeRun(records: readonly JournalRecord[], batch: number, capSeconds = Infinity): Promise<Run> {
  const dir = tempDir('store');
  try {
    const store = new SqliteStore(dir.path);
    // Renumber into a fresh chain-free sequence: the store stores verbatim and checks nothing.
    const rows = records.map((r, k) => ({ ...r, seq: k + 1 }));
    const elapsed = stopwatch();
    let written = 0;
    let events = 0;
    for (let i = 0; i < rows.length; i += batch) {
      const slice = rows.slice(i, i + batch);
      await store.append(slice);
      written += slice.length;
      if (elapsed().wall > capSeconds) break;
    }
    const { wall, cpu } = elapsed();
    for (const r of rows.slice(0, written)) events += bodyOf(r).events.length;
    await store.close();
    return { commands: written, events, seconds: wall, cpuSeconds: cpu };
  } finally {
    dir.done();
  }
}

/** Median microseconds of a 512-byte append followed by fsync, in a temp dir. */
function fsyncProbe(count: number): number {
  const dir = tempDir('fsync');
  try {
    const fd = openSync(join(dir.path, 'probe'), 'a');
    const block = Buffer.alloc(512, 7);
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      writeSync(fd, block);
      fsyncSync(fd);
      times.push((performance.now() - t) * 1_000);
    }
    closeSync(fd);
    return median(times);
  } finally {
    dir.done();
  }
}

/** The naive encoding: plain JSON, bigints as "123n" strings, read back by a reviver. */
const naiveEncode = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
const naiveDecode = <T>(text: string): T =>
  JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v)) as T;

class Naive {
  readonly db: Database.Database;
  readonly state: EngineState = emptyState();
  private readonly insert: Database.Statement;
  private seq = 0;

  constructor(dir: string, journalMode: 'DELETE' | 'WAL' = 'DELETE') {
    this.db = new Database(join(dir, 'naive.sqlite'));
    this.db.pragma(`journal_mode = ${journalMode}`);
    this.db.pragma('synchronous = FULL');
    this.db.exec('CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, command_id TEXT NOT NULL, body TEXT NOT NULL)');
    this.insert = this.db.prepare('INSERT INTO journal (seq, command_id, body) VALUES (?, ?, ?)');
    const genesis: EngineEvent = { type: 'EngineInitialised', document: VENUE };
    apply(this.state, genesis);
    this.insert.run(++this.seq, 'genesis', naiveEncode({ command: { type: 'Genesis' }, events: [genesis] }));
  }

  /** Decide, apply, journal one command in its own autocommit transaction. */
  submit(command: Command): number {
    const decision = decide(this.state, command, { seq: this.seq + 1, timestampMs: Date.now() });
    if (!decision.ok) throw new Error(`naive: ${decision.code}`);
    for (const event of decision.events) apply(this.state, event);
    this.insert.run(++this.seq, command.id, naiveEncode({ command, events: decision.events }));
    return decision.events.length;
  }

  /** Many commands in one transaction: only to build a journal for the recovery measure. */
  submitAll(commands: Iterable<Command>): void {
    this.db.transaction(() => {
      for (const c of commands) this.submit(c);
    })();
  }

  static recover(dir: string): { state: EngineState; records: number } {
    const db = new Database(join(dir, 'naive.sqlite'), { readonly: true });
    const state = emptyState();
    let records = 0;
    for (const row of db.prepare('SELECT body FROM journal ORDER BY seq').iterate() as IterableIterator<{ body: string }>) {
      for (const event of naiveDecode<{ events: EngineEvent[] }>(row.body).events) apply(state, event);
      records += 1;
    }
    db.close();
    return { state, records };
  }
}

function* range(load: Workload, from: number, to: number): Generator<Command> {
  for (let i = from; i < to; i++) yield load.commandAt(i);
}

async function naiveRun(commands: number, capSeconds: number, journalMode: 'DELETE' | 'WAL'): Promise<Run> {
  const dir = tempDir('naive');
  try {
    const load = workload(ACCOUNTS);
    const naive = new Naive(dir.path, journalMode);
    naive.submitAll(range(load, 0, load.setup));
    const elapsed = stopwatch();
    let done = 0;
    let events = 0;
    for (let i = load.setup; i < load.setup + commands; i++) {
      events += naive.submit(load.commandAt(i));
      done += 1;
      if ((done & 63) === 0 && elapsed().wall > capSeconds) break;
    }
    const { wall, cpu } = elapsed();
    naive.db.close();
    return { commands: done, events, seconds: wall, cpuSeconds: cpu };
  } finally {
    dir.done();
  }
}

/** A store that hands every call to another: the base of the wrappers below. */
class ForwardingStore implements Store {
  readonly kind: string = 'forwarding';
  constructor(protected readonly inner: Store) {}
  append(records: readonly JournalRecord[]): Promise<void> {
    return this.inner.append(records);
  }
  read(fromSeq: number, limit: number): Promise<JournalRecord[]> {
    return this.inner.read(fromSeq, limit);
  }
  lastSeq(): Promise<number> {
    return this.inner.lastSeq();
  }
  truncate(fromSeq: number): Promise<void> {
    return this.inner.truncate(fromSeq);
  }
  writeSnapshot(s: SnapshotRecord): Promise<void> {
    return this.inner.writeSnapshot(s);
  }
  latestSnapshot(): Promise<SnapshotRecord | undefined> {
    return this.inner.latestSnapshot();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The store with its snapshots hidden: recovery replays the whole journal. */
class NoSnapshots extends ForwardingStore {
  override readonly kind = 'sqlite-no-snapshots';
  override async writeSnapshot(_s: SnapshotRecord): Promise<void> {}
  override async latestSnapshot(): Promise<SnapshotRecord | undefined> {
    return undefined;
  }
}

/**
 * A store that drops appended records until `keep` is set, and notes when a snapshot reaches it.
 * Building a million-account state would otherwise leave a journal of several GiB that snapshot
 * recovery never reads: it reads the snapshot, the record the snapshot stands on, then the tail.
 */
class DropUntilKept extends ForwardingStore {
  override readonly kind = 'sqlite-drop-until-kept';
  keep = false;
  /** performance.now() when writeSnapshot was called, and when it resolved. */
  snapshotCalledMs = Number.NaN;
  snapshotWrittenMs = Number.NaN;
  override async append(records: readonly JournalRecord[]): Promise<void> {
    if (this.keep) await this.inner.append(records);
  }
  override async writeSnapshot(s: SnapshotRecord): Promise<void> {
    this.snapshotCalledMs = performance.now();
    await this.inner.writeSnapshot(s);
    this.snapshotWrittenMs = performance.now();
  }
}

export interface SnapshotCost {
  readonly accounts: number;
  readonly withPositions: number;
  readonly bytes: number;
  /** From snapshot() to the store's writeSnapshot: encoding the state (and hashing the text). */
  readonly encodeSeconds: number;
  /** The store's writeSnapshot (SQLite: one transaction with synchronous=FULL). */
  readonly writeSeconds: number;
  readonly recoverySeconds: number;
  readonly recoveryCpuSeconds: number;
  /** V8 heap in use right after recovery (garbage included). */
  readonly heapMiB: number;
}

/**
 * A state of `accounts` accounts (one fill per account on average, so most hold positions), its
 * snapshot taken by the shell, then start-up from it, timed.
 */
async function manyAccounts(accounts: number, runs: number, deadline: Deadline): Promise<{ recovery: Recovery; cost: SnapshotCost }> {
  const dir = tempDir('accounts');
  try {
    const load = workload(accounts);
    const store = new DropUntilKept(new SqliteStore(dir.path));
    const commands = load.setup + accounts;
    log(`journal: building a state with ${accounts} accounts (${commands} commands)`);
    const engine = await createEngine({ store, clock: systemClock, params: VENUE, batchMax: 10_000, snapshotEvery: NEVER });
    // The setup (accounts, deposits, one price update), then fills only: at a million accounts
    // every price update re-margins each account holding the instrument.
    await drive(engine, load, 0, load.setup, 10_000);
    await drive(engine, load, load.setup, commands - 1, 10_000, Infinity, load.fillAt);
    store.keep = true;
    await drive(engine, load, commands - 1, commands, 1, Infinity, load.fillAt);
    let withPositions = 0;
    for (const a of engine.state.accounts.values()) if (a.positions.size > 0) withPositions += 1;
    const started = performance.now();
    await takeSnapshot(engine);
    await engine.close();
    const reader = new SqliteStore(dir.path);
    const bytes = Buffer.byteLength((await reader.latestSnapshot())?.body ?? '');
    const lastSeq = await reader.lastSeq();
    await reader.close();
    log(`journal: recovery from a snapshot of ${accounts} accounts (${(bytes / 2 ** 20).toFixed(0)} MiB)`);
    const starts = await repeat(accounts >= 1_000_000 ? Math.min(runs, 3) : runs, deadline, () => timeStart(new SqliteStore(dir.path), { hash: false }));
    const seconds = median(starts.map((r) => r.seconds));
    const cpuSeconds = median(starts.map((r) => r.cpuSeconds));
    return {
      recovery: {
        name: `engine: snapshot of ${accounts.toLocaleString('en-US')} accounts`,
        runs: starts.length,
        records: lastSeq,
        accounts,
        replayed: 0,
        seconds,
        cpuSeconds,
        recordsPerSecond: lastSeq / seconds,
        note: `snapshot ${(bytes / 2 ** 20).toFixed(1)} MiB; journal prefix not kept (never read)`,
      },
      cost: {
        accounts,
        withPositions,
        bytes,
        encodeSeconds: (store.snapshotCalledMs - started) / 1000,
        writeSeconds: (store.snapshotWrittenMs - store.snapshotCalledMs) / 1000,
        recoverySeconds: seconds,
        recoveryCpuSeconds: cpuSeconds,
        heapMiB: median(starts.map((r) => r.heapMiB)),
      },
    };
  } finally {
    dir.done();
  }
}

/** Build an engine journal of `commands` workload commands, with one snapshot `tail` records from its end. */
async function buildJournal(dir: string, load: Workload, commands: number, tail: number): Promise<void> {
  const engine = await createEngine({ store: new SqliteStore(dir), clock: systemClock, params: VENUE, batchMax: 1_000, snapshotEvery: NEVER });
  await drive(engine, load, 0, commands - tail, 10_000);
  await takeSnapshot(engine);
  await drive(engine, load, commands - tail, commands, 10_000);
  await engine.close();
}

/** The shell's own snapshot (EngineShell.snapshot, not on the Engine interface). */
async function takeSnapshot(engine: Engine): Promise<number> {
  const shell = engine as Engine & { snapshot?: () => Promise<void> };
  if (typeof shell.snapshot !== 'function') throw new Error('the engine shell has no snapshot() to call');
  const started = performance.now();
  await shell.snapshot();
  return (performance.now() - started) / 1000;
}

interface Start {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly hash: string;
  readonly lastSeq: number;
  readonly heapMiB: number;
}

/** Time start-up on `store`; the state hash (not timed) unless told not to: at 1M accounts it takes longer than recovery. */
async function timeStart(store: Store, options: { hash: boolean } = { hash: true }): Promise<Start> {
  const elapsed = stopwatch();
  const engine = await createEngine({ store, clock: systemClock });
  const { wall, cpu } = elapsed();
  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  const result = { seconds: wall, cpuSeconds: cpu, hash: options.hash ? engine.stateHash() : '', lastSeq: engine.lastSeq(), heapMiB };
  await engine.close();
  return result;
}

export async function runJournalBench(options: { quick: boolean }): Promise<JournalBenchResult> {
  const sizes = options.quick ? QUICK : FULL;
  const deadline = new Deadline(sizes.budgetSeconds);
  const started = performance.now();
  const throughput: Throughput[] = [];
  const recovery: Recovery[] = [];

  const fsyncBefore = fsyncProbe(options.quick ? 200 : 1_000);
  log(`journal: write + fsync median ${fsyncBefore.toFixed(0)} µs`);
  const probe = new Database(':memory:');
  const sqliteVersion = (probe.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  probe.close();

  // --- throughput ---------------------------------------------------------------------------
  const sync = sizes.perCommandSync;
  const cap = sizes.perCommandSyncSeconds;
  log(`journal: engine + sqlite, batchMax 1 (${sync} commands or ${cap} s per run)`);
  throughput.push(summarise('engine + SqliteStore', 1, await repeat(sizes.runs, deadline, () => engineRun('sqlite', 1, sync, cap)), 'one fsync per command'));
  for (const batch of [100, 1_000]) {
    log(`journal: engine + sqlite, batchMax ${batch} (${sizes.commands} commands per run)`);
    throughput.push(summarise('engine + SqliteStore', batch, await repeat(sizes.runs, deadline, () => engineRun('sqlite', batch, sizes.commands)), 'group commit'));
  }
  log(`journal: engine + memory store, batchMax 1000`);
  throughput.push(summarise('engine + MemoryStore', 1_000, await repeat(sizes.runs, deadline, () => engineRun('memory', 1_000, sizes.commands)), 'no I/O: CPU ceiling'));
  log('journal: store only (prebuilt records)');
  const records = await recordsOf(sizes.commands);
  throughput.push(summarise('SqliteStore.append only', 1, await repeat(sizes.runs, deadline, () => storeRun(records.slice(0, sync), 1, cap)), 'I/O ceiling, records made in advance'));
  for (const batch of [100, 1_000]) {
    throughput.push(summarise('SqliteStore.append only', batch, await repeat(sizes.runs, deadline, () => storeRun(records, batch)), 'I/O ceiling, records made in advance'));
  }
  log(`journal: naive baseline (${sync} commands or ${cap} s per run)`);
  const naiveNote = 'same decide/apply, JSON, no checksum, synchronous=FULL';
  throughput.push(summarise(NAIVE, 1, await repeat(sizes.runs, deadline, () => naiveRun(sync, cap, 'DELETE')), `${naiveNote}, rollback journal (SQLite's default)`));
  throughput.push(summarise(NAIVE_WAL, 1, await repeat(sizes.runs, deadline, () => naiveRun(sync, cap, 'WAL')), `${naiveNote}, WAL`));

  // --- recovery -----------------------------------------------------------------------------
  const replayDir = tempDir('replay');
  const naiveDir = tempDir('naive-replay');
  const snapshots: SnapshotCost[] = [];
  try {
    const load = workload(ACCOUNTS);
    const total = sizes.replayRecords;
    const tail = Math.round(total / 10);
    log(`journal: building a ${total}-record journal`);
    await buildJournal(replayDir.path, load, total, tail);
    const naive = new Naive(naiveDir.path);
    naive.submitAll(range(load, 0, total));
    naive.db.close();

    log('journal: recovery, full replay');
    const full = await repeat(sizes.runs, deadline, () => timeStart(new NoSnapshots(new SqliteStore(replayDir.path))));
    const withSnapshot = await repeat(sizes.runs, deadline, () => timeStart(new SqliteStore(replayDir.path)));
    log('journal: recovery, naive');
    const naiveRuns = await repeat(sizes.runs, deadline, async (): Promise<Start> => {
      const elapsed = stopwatch();
      const r = Naive.recover(naiveDir.path);
      const { wall, cpu } = elapsed();
      return { seconds: wall, cpuSeconds: cpu, hash: stateHashOf(r.state), lastSeq: r.records, heapMiB: process.memoryUsage().heapUsed / 2 ** 20 };
    });
    const journalRecords = full[0]?.lastSeq ?? 0;
    for (const r of [...full, ...withSnapshot]) if (r.hash !== full[0]?.hash) throw new Error('recovery: the state hashes differ between runs');
    if (naiveRuns[0]?.hash !== full[0]?.hash) throw new Error('recovery: the naive replay does not reach the engine state');
    const secs = (runs: readonly Start[]) => median(runs.map((r) => r.seconds));
    const cpu = (runs: readonly Start[]) => median(runs.map((r) => r.cpuSeconds));
    recovery.push({ name: 'engine: full replay', runs: full.length, records: journalRecords, accounts: ACCOUNTS, replayed: journalRecords, seconds: secs(full), cpuSeconds: cpu(full), recordsPerSecond: journalRecords / secs(full), note: 'checksum + hash chain verified' });
    recovery.push({ name: 'engine: snapshot + tail', runs: withSnapshot.length, records: journalRecords, accounts: ACCOUNTS, replayed: tail, seconds: secs(withSnapshot), cpuSeconds: cpu(withSnapshot), recordsPerSecond: journalRecords / secs(withSnapshot), note: `snapshot checksum verified, ${tail} records replayed` });
    recovery.push({ name: 'naive: read + parse + apply all', runs: naiveRuns.length, records: naiveRuns[0]?.lastSeq ?? 0, accounts: ACCOUNTS, replayed: naiveRuns[0]?.lastSeq ?? 0, seconds: secs(naiveRuns), cpuSeconds: cpu(naiveRuns), recordsPerSecond: (naiveRuns[0]?.lastSeq ?? 0) / secs(naiveRuns), note: 'nothing verified' });

    // States with many accounts, recovered from their snapshot alone (the issue-8 target is 1M).
    for (const accounts of sizes.snapshotAccounts) {
      const measured = await manyAccounts(accounts, sizes.runs, deadline);
      recovery.push(measured.recovery);
      snapshots.push(measured.cost);
    }
  } finally {
    replayDir.done();
    naiveDir.done();
  }

  const fsyncAfter = fsyncProbe(options.quick ? 200 : 1_000);
  log(`journal: write + fsync median ${fsyncAfter.toFixed(0)} µs (after)`);
  const cps = (name: string, batch: number) => throughput.find((t) => t.name === name && t.batch === batch)?.commandsPerSecond ?? Number.NaN;
  const naiveCps = cps(NAIVE, 1);
  const ratios = {
    'engine batchMax 1000 / naive': cps('engine + SqliteStore', 1_000) / naiveCps,
    'engine batchMax 100 / naive': cps('engine + SqliteStore', 100) / naiveCps,
    'engine batchMax 1 / naive': cps('engine + SqliteStore', 1) / naiveCps,
    'engine batchMax 1000 / naive WAL': cps('engine + SqliteStore', 1_000) / cps(NAIVE_WAL, 1),
    'engine batchMax 1000 / engine batchMax 1': cps('engine + SqliteStore', 1_000) / cps('engine + SqliteStore', 1),
    'naive replay / engine full replay (time)': (recovery[2]?.seconds ?? Number.NaN) / (recovery[0]?.seconds ?? Number.NaN),
  };
  return {
    bench: 'journal',
    date: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    machine: machine(),
    sqlite: { version: sqliteVersion, synchronous: 'FULL' },
    fsyncMicroseconds: { before: fsyncBefore, after: fsyncAfter },
    throughput,
    recovery,
    ratios,
    snapshots,
    seconds: (performance.now() - started) / 1000,
  };
}

export function journalMarkdown(r: JournalBenchResult): string {
  const lines: string[] = [];
  const m = r.machine;
  lines.push(
    `Journal bench, ${r.mode} mode, ${r.date.slice(0, 10)}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ` +
      `SQLite ${r.sqlite.version} (synchronous=FULL), write + fsync median ${r.fsyncMicroseconds.before.toFixed(0)} µs before, ` +
      `${r.fsyncMicroseconds.after.toFixed(0)} µs after, ` +
      `load average ${m.loadAverage} at start; ${r.seconds.toFixed(0)} s.`,
  );
  lines.push('');
  lines.push('| configuration | batch | runs | commands/run | commands/s | events/s | commands/CPU-s | note |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const t of r.throughput) {
    const cells = [t.name, t.batch ?? '', t.runs, fmt(t.commands), fmt(t.commandsPerSecond), fmt(t.eventsPerSecond), fmt(t.commandsPerCpuSecond), t.note];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push('| recovery | runs | records | accounts | replayed | seconds | CPU seconds | records/s | note |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const x of r.recovery) {
    const cells = [x.name, x.runs, fmt(x.records), fmt(x.accounts), fmt(x.replayed), x.seconds.toFixed(3), x.cpuSeconds.toFixed(3), fmt(x.recordsPerSecond), x.note];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push('| ratio | value |');
  lines.push('|---|---:|');
  for (const [k, v] of Object.entries(r.ratios)) lines.push(`| ${k} | ${fmt(v)} |`);
  lines.push('');
  lines.push('| snapshot of | accounts with positions | MiB | encode + hash s | write s | recovery s | recovery CPU s | heap after recovery MiB |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of r.snapshots) {
    const cells = [fmt(c.accounts), fmt(c.withPositions), (c.bytes / 2 ** 20).toFixed(1), c.encodeSeconds.toFixed(2), c.writeSeconds.toFixed(2), c.recoverySeconds.toFixed(2), c.recoveryCpuSeconds.toFixed(2), fmt(c.heapMiB)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const json = process.argv.includes('--json');
  const result = await runJournalBench({ quick });
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${journalMarkdown(result)}\n`);
}
