/**
 * R4 crash worker: `node --import tsx test/engine/crash/worker.ts <dir> [retryFrom]`. Opens the SQLite journal
 * in <dir>, recovers, and submits the deterministic stream (stream.ts) as fast as it can with many
 * commands in flight, until it is killed (kill9.test.ts sends SIGKILL).
 *
 * stdout, one line each, written synchronously (stdout is a pipe: synchronous on Linux):
 *   ready <resumeFrom> <lastSeq>   recovered; submission starts at stream index resumeFrom
 *   ack <i>                        command k<i> was acknowledged: its promise resolved ok
 *   A+ / A-                        a journal append (group commit) starts / has returned
 *   S+ / S-                        a snapshot write starts / has returned
 * An ack line is written only after the command's promise resolved ok, which the engine does only
 * after the batch's transaction committed. The phase markers tell the parent where the kill landed.
 *
 * On restart the worker resumes after the highest stream index in the journal. Like a client that
 * retries whatever it has no acknowledgement for, it first resubmits the commands from `retryFrom`
 * (the parent's first unacknowledged index; without it, the OVERLAP commands before the resume
 * point): each must come back ok and `duplicate` (R7 across a restart); anything else is a bug,
 * reported on stderr with exit code 3.
 * CRASH_IN_FLIGHT, CRASH_BATCH_MAX, CRASH_SNAPSHOT_EVERY, CRASH_PROCESSED_MAX and CRASH_FAULT tune
 * it (see below).
 */
import { createEngine, systemClock } from '../../../src/engine/index.js';
import type { CommandResult } from '../../../src/engine/shell.js';
import type { JournalRecord, SnapshotRecord, Store } from '../../../src/store/port.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { VENUE } from '../fixtures.js';
import { commandAt, indexOf } from './stream.js';

const IN_FLIGHT = Number(process.env['CRASH_IN_FLIGHT'] ?? 2_000);
const BATCH_MAX = Number(process.env['CRASH_BATCH_MAX'] ?? 500);
const SNAPSHOT_EVERY = Number(process.env['CRASH_SNAPSHOT_EVERY'] ?? 500);
/** The engine's idempotency window; only a fault-injection run makes it smaller than the stream. */
const PROCESSED_MAX = Number(process.env['CRASH_PROCESSED_MAX'] ?? 1_000_000);
const OVERLAP = 64;
/**
 * Fault injection, to show the parent catches a broken acknowledgement: 'ack-early' acknowledges
 * a command when it is submitted, before its batch is durable. Unset in the real test.
 */
const FAULT = process.env['CRASH_FAULT'];
/** A worker nobody kills stops by itself (a bound on every load loop: STACK.md). */
const LIFETIME_MS = 30_000;
const STREAM_MAX = 5_000_000;

let pending = '';
function out(line: string, now = false): void {
  pending += `${line}\n`;
  if (now) flush();
}
function flush(): void {
  if (pending.length === 0) return;
  const text = pending;
  pending = '';
  process.stdout.write(text);
}
function fail(message: string): never {
  flush();
  process.stderr.write(`BUG ${message}\n`);
  process.exit(3);
}

/** The store, with phase markers written before and after each durable step. */
class PhaseStore implements Store {
  readonly kind: string;
  constructor(private readonly inner: Store) {
    this.kind = inner.kind;
  }
  async append(records: readonly JournalRecord[]): Promise<void> {
    out('A+', true);
    await this.inner.append(records);
    out('A-', true);
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
  async writeSnapshot(snapshot: SnapshotRecord): Promise<void> {
    out('S+', true);
    await this.inner.writeSnapshot(snapshot);
    out('S-', true);
  }
  latestSnapshot(): Promise<SnapshotRecord | undefined> {
    return this.inner.latestSnapshot();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The highest stream index in the journal, or -1: walk back from the last record. */
async function highestJournaled(store: Store, lastSeq: number): Promise<number> {
  for (let seq = lastSeq; seq >= 1; seq--) {
    const [record] = await store.read(seq, 1);
    const i = record === undefined ? undefined : indexOf(record.commandId);
    if (i !== undefined) return i;
  }
  return -1;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: worker.ts <dir>');
  process.stdout.on('error', () => process.exit(0)); // the parent is gone
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  setTimeout(() => process.exit(0), LIFETIME_MS).unref();

  const store = new PhaseStore(new SqliteStore(dir));
  const engine = await createEngine({
    store,
    clock: systemClock,
    params: VENUE,
    batchMax: BATCH_MAX,
    snapshotEvery: SNAPSHOT_EVERY,
    processedMax: PROCESSED_MAX,
    invariants: 'batch',
    onAlarm: (alarm) => fail(`alarm ${alarm.code}: ${alarm.message}`),
  });
  const highest = await highestJournaled(store, engine.lastSeq());
  const resumeFrom = highest + 1;
  const retryArg = process.argv[3];
  let next = retryArg === undefined ? Math.max(0, resumeFrom - OVERLAP) : Math.min(Number(retryArg), resumeFrom);
  out(`ready ${resumeFrom} ${engine.lastSeq()}`, true);

  // Submission runs from setImmediate, never from a promise callback: a pure microtask loop would
  // starve timers and I/O, which a real server does not do.
  let inFlight = 0;
  let scheduled = false;
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flush();
      pump();
    });
  };
  const settle = (i: number, result: CommandResult): void => {
    inFlight -= 1;
    if (!result.ok) fail(`k${i} rejected: ${result.code}: ${result.message}`);
    if (i < resumeFrom && !result.duplicate) fail(`k${i} was journaled before the restart but was accepted again`);
    if (i >= resumeFrom && result.duplicate) fail(`k${i} is new but came back as a duplicate`);
    if (FAULT !== 'ack-early') out(`ack ${i}`);
    schedule();
  };
  const pump = (): void => {
    while (inFlight < IN_FLIGHT && next < STREAM_MAX) {
      const i = next++;
      inFlight += 1;
      if (FAULT === 'ack-early') out(`ack ${i}`);
      engine.submit(commandAt(i)).then(
        (result) => settle(i, result),
        (error: unknown) => fail(`k${i} submit threw: ${String(error)}`),
      );
    }
  };
  pump();
}

process.on('unhandledRejection', (error) => fail(`unhandled rejection: ${error instanceof Error ? error.stack : String(error)}`));
main().catch((error: unknown) => fail(`worker failed: ${error instanceof Error ? error.stack : String(error)}`));
