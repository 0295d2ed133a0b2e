/**
 * One store conformance suite, and one engine-on-a-store suite, run unchanged against every
 * adapter (memory.test.ts, sqlite.test.ts, postgres.test.ts). An adapter is described by a
 * `StoreAdapter`: how to make a fresh location, open (and reopen) a store on it, and tamper
 * with its stored rows directly, as a damaged disk would.
 *
 * The suites' names carry the adapter's name, so a run shows the same tests passing against
 * SQLite and against PostgreSQL (the issue's requirement), side by side.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/engine/clock.js';
import { stateHashOf } from '../../src/engine/codec.js';
import { JournalCorruptError, snapshotHashOf } from '../../src/engine/recovery.js';
import { decodeSnapshot } from '../../src/engine/snapshotBody.js';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/shell.js';
import { MemoryStore } from '../../src/store/memory.js';
import { SNAPSHOTS_KEPT, StoreWriteError, type JournalRecord, type SnapshotRecord, type Store } from '../../src/store/port.js';
import { parseAmount } from '../../src/risk/units/quantities.js';
import { VENUE } from '../engine/fixtures.js';
import { run, scenario, START_MS, type RunSummary } from './scenario.js';

/** One place holding one journal: opened, closed, reopened, tampered with. */
export interface StoreLocation {
  /** Open a store on this location (a new connection or handle each time, over the same data). */
  open(): Promise<Store>;
  /** Rewrite a journal record's body in place, bypassing the store (the store is closed). */
  rewriteJournalBody(seq: number, rewrite: (body: string) => string): Promise<void>;
  /** Rewrite a snapshot's body in place, bypassing the store (the store is closed). */
  rewriteSnapshotBody(seq: number, rewrite: (body: string) => string): Promise<void>;
  /** The seqs of the stored snapshots, ascending, read bypassing the store. */
  snapshotSeqs(): Promise<number[]>;
  dispose(): Promise<void>;
}

export interface StoreAdapter {
  /** 'SQLite', 'PostgreSQL', 'memory': appears in every test name. */
  readonly name: string;
  location(): Promise<StoreLocation>;
  /** The backend has NOT NULL columns (the in-memory store keeps whatever it is given). */
  readonly enforcesNotNull: boolean;
  /** Known gaps of this adapter: test title -> reason; such tests run as `todo`. */
  readonly knownGaps?: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// helpers

const HASH_A = 'a'.repeat(64);

export function record(seq: number, over: Partial<JournalRecord> = {}): JournalRecord {
  return {
    seq,
    commandId: `cmd-${seq}`,
    timestampMs: START_MS + seq * 1_000,
    body: JSON.stringify({ command: { type: 'Deposit', n: seq }, events: [] }),
    prevHash: seq === 1 ? '0'.repeat(64) : `p${seq - 1}`.padEnd(64, '0'),
    hash: `p${seq}`.padEnd(64, '0'),
    ...over,
  };
}

const records = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => record(from + i));

function snapshot(seq: number, tag = ''): SnapshotRecord {
  return { seq, lastHash: `p${seq}`.padEnd(64, '0'), stateHash: HASH_A, body: JSON.stringify({ seq, tag }) };
}

/** Run `body` with a fresh location, disposing of it (and of any store left open) afterwards. */
async function withLocation(adapter: StoreAdapter, body: (location: StoreLocation) => Promise<void>): Promise<void> {
  const location = await adapter.location();
  const opened: Store[] = [];
  const open = async () => {
    const store = await location.open();
    opened.push(store);
    return store;
  };
  try {
    await body({ ...location, open });
  } finally {
    for (const store of opened) await store.close().catch(() => undefined);
    await location.dispose();
  }
}

async function assertRefused(append: Promise<void>): Promise<void> {
  await assert.rejects(append, (error: unknown) => {
    assert.ok(error instanceof StoreWriteError, `expected a StoreWriteError, got ${String(error)}`);
    assert.equal(error.code, 'journal_write_failed');
    return true;
  });
}

function itFor(adapter: StoreAdapter, title: string, fn: () => Promise<void>): void {
  const gap = adapter.knownGaps?.[title];
  if (gap !== undefined) it(title, { todo: gap }, fn);
  else it(title, fn);
}

// ---------------------------------------------------------------------------------------------
// the store conformance suite

export function storeConformance(adapter: StoreAdapter): void {
  describe(`Store conformance suite [${adapter.name}]`, () => {
    itFor(adapter, 'a new store is empty', async () => {
      await withLocation(adapter, async (location) => {
        const store = await location.open();
        assert.equal(await store.lastSeq(), 0);
        assert.deepEqual(await store.read(1, 100), []);
        assert.equal(await store.latestSnapshot(), undefined);
      });
    });

    itFor(adapter, 'append then read round-trips every field exactly, with numbers as numbers', async () => {
      await withLocation(adapter, async (location) => {
        const store = await location.open();
        const batch = [
          record(1),
          record(2, { body: JSON.stringify({ text: 'quotes " \' backslash \\ newline \n tab \t unicode éß漢字 🚀 {"$n":"123"}' }) }),
          record(3, { commandId: 'id with spaces, \'quotes\', "double", \\ and ✓', timestampMs: Number.MAX_SAFE_INTEGER }),
          record(4, { body: 'x'.repeat(1_000_000) }),
          record(5, { timestampMs: 0, commandId: 'engine:genesis' }),
        ];
        await store.append(batch);
        const back = await store.read(1, 10);
        assert.deepEqual(back, batch);
        for (const r of back) {
          assert.equal(typeof r.seq, 'number');
          assert.equal(typeof r.timestampMs, 'number');
        }
        assert.equal(await store.lastSeq(), 5);
      });
    });

    itFor(adapter, 'read pages through the journal in seq order, limit by limit', async () => {
      await withLocation(adapter, async (location) => {
        const store = await location.open();
        for (let from = 1; from <= 25; from += 5) await store.append(records(from, from + 4));
        const seqs = async (from: number, limit: number) => (await store.read(from, limit)).map((r) => r.seq);
        assert.deepEqual(await seqs(1, 10), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.deepEqual(await seqs(11, 10), [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
        assert.deepEqual(await seqs(21, 10), [21, 22, 23, 24, 25]);
        assert.deepEqual(await seqs(26, 10), []);
        assert.deepEqual(await seqs(0, 3), [1, 2, 3]);
        assert.deepEqual(await seqs(7, 4), [7, 8, 9, 10]);
        assert.deepEqual(await seqs(25, 1), [25]);
        // Every page, concatenated, is the whole journal.
        const all: JournalRecord[] = [];
        for (let from = 1; ; ) {
          const page = await store.read(from, 7);
          all.push(...page);
          if (page.length < 7) break;
          from = (page[page.length - 1] as JournalRecord).seq + 1;
        }
        assert.deepEqual(all, records(1, 25));
      });
    });

    itFor(adapter, 'lastSeq follows appends, and an empty append changes nothing', async () => {
      await withLocation(adapter, async (location) => {
        const store = await location.open();
        await store.append([]);
        assert.equal(await store.lastSeq(), 0);
        await store.append(records(1, 1));
        assert.equal(await store.lastSeq(), 1);
        await store.append(records(2, 40));
        assert.equal(await store.lastSeq(), 40);
        await store.append([]);
        assert.equal(await store.lastSeq(), 40);
      });
    });

    itFor(adapter, 'a batch with a duplicate seq inside it is refused whole (StoreWriteError), leaving nothing of it', async () => {
      await withLocation(adapter, async (location) => {
        const store = await location.open();
        await store.append(records(1, 3));
        await assertRefused(store.append([record(4), record(5), record(5, { body: 'again' })]));
        assert.equal(await store.lastSeq(), 3);
        assert.deepEqual(await store.read(1, 10), records(1, 3));
      });
    });

    itFor(adapter, 'a batch colliding with a stored seq is refused whole and the stored record is untouched', async () => {
      await withLocation(adapter, async (location) => {
        const store = await location.open();
        await store.append(records(1, 3));
        await assertRefused(store.append([record(3, { body: 'overwrite?' }), record(4)]));
        assert.deepEqual(await store.read(1, 10), records(1, 3));
      });
    });

    if (adapter.enforcesNotNull) {
      itFor(adapter, 'a batch whose last record violates a NOT NULL constraint is refused whole', async () => {
        await withLocation(adapter, async (location) => {
          const store = await location.open();
          await store.append(records(1, 2));
          await assertRefused(store.append([record(3), record(4), record(5, { body: null as unknown as string })]));
          assert.deepEqual(await store.read(1, 10), records(1, 2));
        });
      });
    }

    itFor(adapter, 'the store stays usable after a refused batch', async () => {
      await withLocation(adapter, async (location) => {
        const store = await location.open();
        await store.append(records(1, 2));
        for (let i = 0; i < 3; i++) await assertRefused(store.append([record(3), record(2)]));
        await store.append(records(3, 4));
        assert.deepEqual(await store.read(1, 10), records(1, 4));
      });
    });

    itFor(adapter, 'text it cannot hold exactly (NUL, a lone surrogate) is refused, never altered', async () => {
      await withLocation(adapter, async (location) => {
        const store = await location.open();
        await store.append(records(1, 1));
        let seq = 2;
        for (const commandId of ['nul-\u0000-id', 'lone-\uD800-surrogate']) {
          const candidate = record(seq, { commandId });
          try {
            await store.append([candidate]);
          } catch (error) {
            assert.ok(error instanceof StoreWriteError, `expected a StoreWriteError, got ${String(error)}`);
            assert.equal(await store.lastSeq(), seq - 1, 'a refused record must leave nothing');
            continue;
          }
          // Accepted: then it must read back exactly, or the record's hash would no longer match.
          assert.deepEqual(await store.read(seq, 1), [candidate], `commandId ${JSON.stringify(commandId)} was altered in storage`);
          seq += 1;
        }
      });
    });

    itFor(adapter, 'the latest snapshot is the one with the highest seq; rewriting a seq replaces it', async () => {
      await withLocation(adapter, async (location) => {
        const store = await location.open();
        await store.writeSnapshot(snapshot(5));
        assert.deepEqual(await store.latestSnapshot(), snapshot(5));
        await store.writeSnapshot(snapshot(10));
        await store.writeSnapshot(snapshot(1_000_000));
        assert.deepEqual(await store.latestSnapshot(), snapshot(1_000_000));
        await store.writeSnapshot(snapshot(1_000_000, 'rewritten'));
        assert.deepEqual(await store.latestSnapshot(), snapshot(1_000_000, 'rewritten'));
        assert.equal(typeof (await store.latestSnapshot())?.seq, 'number');
      });
    });

    itFor(adapter, `a store keeps only the newest ${SNAPSHOTS_KEPT} snapshots`, async () => {
      await withLocation(adapter, async (location) => {
        const store = await location.open();
        for (const seq of [5, 10, 20, 1_000_000]) await store.writeSnapshot(snapshot(seq));
        // A rewrite of the newest seq replaces it and deletes nothing more.
        await store.writeSnapshot(snapshot(1_000_000, 'rewritten'));
        await store.close();
        assert.deepEqual(await location.snapshotSeqs(), [20, 1_000_000]);
        const again = await location.open();
        assert.deepEqual(await again.latestSnapshot(), snapshot(1_000_000, 'rewritten'));
        await again.close();
      });
    });

    itFor(adapter, 'records and snapshots survive closing and reopening the store', async () => {
      await withLocation(adapter, async (location) => {
        const first = await location.open();
        await first.append(records(1, 30));
        await first.writeSnapshot(snapshot(20));
        await first.close();
        const second = await location.open();
        assert.equal(await second.lastSeq(), 30);
        assert.deepEqual(await second.read(1, 100), records(1, 30));
        assert.deepEqual(await second.latestSnapshot(), snapshot(20));
        await second.append(records(31, 32));
        await second.close();
        const third = await location.open();
        assert.equal(await third.lastSeq(), 32);
        assert.deepEqual(await third.read(30, 10), records(30, 32));
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// the engine-on-a-store suite

const SEED = 20_260_522;
const COMMANDS = 300;

interface Reference {
  readonly hash: string;
  readonly lastSeq: number;
  readonly lastRecordHash: string;
  readonly summary: RunSummary;
}

let reference: Promise<Reference> | undefined;

/** The same workload on the in-memory store: what every durable store must reproduce. */
function referenceRun(): Promise<Reference> {
  reference ??= (async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(START_MS);
    const engine = await createEngine({ store, clock, params: VENUE, invariants: 'event' });
    const summary = await run(engine, clock, scenario(SEED, COMMANDS));
    const result = { hash: engine.stateHash(), lastSeq: engine.lastSeq(), lastRecordHash: store.records.at(-1)?.hash ?? '', summary };
    await engine.close();
    return result;
  })();
  return reference;
}

/** Every record of a store, copied into a fresh in-memory store without its snapshots. */
async function journalOnly(store: Store): Promise<MemoryStore> {
  const copy = new MemoryStore();
  for (let from = 1; ; ) {
    const page = await store.read(from, 1_000);
    if (page.length > 0) await copy.append(page);
    if (page.length < 1_000) break;
    from = (page[page.length - 1] as JournalRecord).seq + 1;
  }
  return copy;
}

/** Change one digit of a record's body: still valid JSON, a different meaning, the same length. */
function flipDigit(body: string): string {
  const at = body.search(/\d(?=[^\d]*$)/);
  assert.ok(at >= 0, 'the body has a digit to flip');
  return body.slice(0, at) + String((Number(body[at]) + 1) % 10) + body.slice(at + 1);
}

interface Started {
  readonly engine: Engine;
  readonly clock: ManualClock;
  readonly summary: RunSummary;
}

async function startAndRun(location: StoreLocation, options: Partial<EngineOptions> = {}): Promise<Started> {
  const clock = new ManualClock(START_MS);
  const engine = await createEngine({ store: await location.open(), clock, params: VENUE, invariants: 'event', ...options });
  const summary = await run(engine, clock, scenario(SEED, COMMANDS));
  return { engine, clock, summary };
}

async function reopen(location: StoreLocation, clock: ManualClock, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return createEngine({ store: await location.open(), clock, invariants: 'event', ...options });
}

export function engineConformance(adapter: StoreAdapter): void {
  describe(`Engine durability suite [${adapter.name}]`, () => {
    itFor(adapter, `${COMMANDS} seeded commands reopen to the same state hash, with the invariants holding`, async () => {
      await withLocation(adapter, async (location) => {
        const expected = await referenceRun();
        const { engine, clock, summary } = await startAndRun(location);
        // The workload exercises what it claims to.
        for (const type of ['CreateAccount', 'Deposit', 'UpdatePrices', 'ApplyFill', 'SettleFunding', 'Withdraw', 'Transfer', 'SettleExpiry']) {
          assert.ok(summary.acceptedTypes.has(type), `no ${type} was accepted`);
        }
        assert.ok(summary.accepted > COMMANDS * 0.7, `only ${summary.accepted} of ${COMMANDS} commands accepted`);
        assert.ok(summary.duplicates > 0, 'the workload redelivers some commands');
        assert.deepEqual(engine.invariants(), { ok: true, violations: [] });
        // Same journal and state as the in-memory reference: the store changes nothing.
        assert.deepEqual(summary.results, expected.summary.results);
        assert.equal(engine.stateHash(), expected.hash);
        assert.equal(engine.lastSeq(), expected.lastSeq);
        const hash = engine.stateHash();
        const lastSeq = engine.lastSeq();
        await engine.close();

        for (let restart = 1; restart <= 2; restart++) {
          const again = await reopen(location, clock);
          assert.equal(again.stateHash(), hash, `state hash after restart ${restart}`);
          assert.equal(again.lastSeq(), lastSeq);
          assert.equal(again.invariants().ok, true, again.invariants().violations.join('; '));
          const store = await location.open();
          assert.equal((await store.read(lastSeq, 1))[0]?.hash, expected.lastRecordHash, 'the last record matches the reference journal');
          await store.close();
          if (restart === 2) {
            // R7 across a restart: a redelivered command answers its first result and changes nothing.
            const first = scenario(SEED, COMMANDS)[1]?.commands[0];
            assert.ok(first);
            const redelivered = await again.submit(first);
            assert.ok(redelivered.ok && redelivered.duplicate, JSON.stringify(redelivered, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
            assert.equal(again.stateHash(), hash);
          }
          await again.close();
        }
      });
    });

    itFor(adapter, 'a snapshot plus the tail replays to the same state hash as the full journal', async () => {
      await withLocation(adapter, async (location) => {
        const { engine, clock } = await startAndRun(location, { snapshotEvery: 37 });
        // One more command alone, so that the journal has a tail past the latest snapshot.
        clock.advance(1_000);
        const tail = await engine.submit({ type: 'Deposit', id: 'tail-deposit', accountId: 'a01', asset: 'USDT', amount: parseAmount('1') });
        assert.ok(tail.ok);
        const hash = engine.stateHash();
        const lastSeq = engine.lastSeq();
        await engine.close();

        const store = await location.open();
        const snap = await store.latestSnapshot();
        assert.ok(snap !== undefined, 'snapshots were written');
        assert.ok(snap.seq > lastSeq / 2 && snap.seq < lastSeq, `snapshot at ${snap.seq} of ${lastSeq}`);
        const journal = await journalOnly(store);
        await store.close();

        const fromSnapshot = await reopen(location, clock);
        assert.equal(fromSnapshot.stateHash(), hash, 'snapshot + tail');
        assert.equal(fromSnapshot.lastSeq(), lastSeq);
        assert.equal(fromSnapshot.invariants().ok, true);
        await fromSnapshot.close();

        const full = await createEngine({ store: journal, clock, invariants: 'event' });
        assert.equal(full.stateHash(), hash, 'full replay');
        await full.close();

        // The snapshot's state is the full replay of the records it covers, and its hash covers its body.
        const prefix = new MemoryStore();
        await prefix.append(journal.records.slice(0, snap.seq));
        const upToSnapshot = await createEngine({ store: prefix, clock });
        assert.equal(snap.stateHash, snapshotHashOf(snap.seq, snap.lastHash, snap.body));
        assert.equal(upToSnapshot.stateHash(), stateHashOf(decodeSnapshot(snap.body).state));
        assert.equal(upToSnapshot.lastSeq(), snap.seq);
        await upToSnapshot.close();
      });
    });

    itFor(adapter, 'a corrupted last record is never applied: recovery stops before it and raises journal_tail_discarded', async () => {
      await withLocation(adapter, async (location) => {
        const { engine, clock } = await startAndRun(location);
        const before = engine.stateHash();
        const beforeSeq = engine.lastSeq();
        clock.advance(1_000);
        const last = await engine.submit({ type: 'Deposit', id: 'last-deposit', accountId: 'a02', asset: 'USDT', amount: parseAmount('1234') });
        assert.ok(last.ok && last.seq === beforeSeq + 1);
        assert.notEqual(engine.stateHash(), before);
        await engine.close();

        await location.rewriteJournalBody(beforeSeq + 1, flipDigit);
        const alarms: { code: string; message: string }[] = [];
        const again = await reopen(location, clock, { onAlarm: (alarm) => alarms.push(alarm) });
        assert.deepEqual(alarms, [{ code: 'journal_tail_discarded', message: `record ${beforeSeq + 1}: hash_mismatch` }]);
        assert.equal(again.lastSeq(), beforeSeq);
        assert.equal(again.stateHash(), before);
        assert.equal(again.invariants().ok, true);
        await again.close();
      });
    });

    itFor(adapter, 'after discarding a corrupted tail, the engine accepts new commands', async () => {
      await withLocation(adapter, async (location) => {
        const { engine, clock } = await startAndRun(location);
        const lastSeq = engine.lastSeq();
        await engine.close();
        await location.rewriteJournalBody(lastSeq, flipDigit);
        const again = await reopen(location, clock, { onAlarm: () => undefined });
        clock.advance(1_000);
        const next = await again.submit({ type: 'Deposit', id: 'after-discard', accountId: 'a01', asset: 'USDT', amount: parseAmount('1') });
        await again.close();
        assert.ok(next.ok, `the engine refuses every write after a discarded tail: ${next.ok ? '' : next.code}`);
      });
    });

    itFor(adapter, 'a corrupted idempotency entry in a snapshot is detected, never trusted', async () => {
      await withLocation(adapter, async (location) => {
        const { engine, clock } = await startAndRun(location, { snapshotEvery: 37 });
        await engine.close();
        // The first deposit of the workload: accepted, and covered by the latest snapshot.
        const deposit = scenario(SEED, COMMANDS)[1]?.commands[0];
        assert.ok(deposit !== undefined && deposit.type === 'Deposit');
        const store = await location.open();
        const snap = await store.latestSnapshot();
        await store.close();
        // The id is in the snapshot's idempotency window (the only place a command id appears).
        assert.ok(snap !== undefined && snap.body.includes(`"${deposit.id}"`));
        await location.rewriteSnapshotBody(snap.seq, (body) => body.replace(`"${deposit.id}"`, `"${deposit.id}x"`));
        let again: Engine | undefined;
        try {
          again = await reopen(location, clock, { snapshotEvery: 37 });
        } catch (error) {
          assert.ok(error instanceof JournalCorruptError, String(error));
          return;
        }
        // Not detected: the redelivered deposit is then applied a second time.
        const before = again.stateHash();
        const redelivered = await again.submit(deposit);
        const after = again.stateHash();
        await again.close();
        assert.fail(`the corrupted snapshot was trusted; redelivering ${deposit.id} answered duplicate=${String(redelivered.ok && redelivered.duplicate)} and ${before === after ? 'left' : 'changed'} the state`);
      });
    });

    itFor(adapter, 'a corrupted record in the middle of the journal makes createEngine reject with journal_corrupt', async () => {
      await withLocation(adapter, async (location) => {
        const { engine, clock } = await startAndRun(location);
        const middle = Math.floor(engine.lastSeq() / 2);
        await engine.close();
        await location.rewriteJournalBody(middle, flipDigit);
        await assert.rejects(reopen(location, clock), (error: unknown) => {
          assert.ok(error instanceof JournalCorruptError, String(error));
          assert.equal(error.code, 'journal_corrupt');
          assert.match(error.message, new RegExp(`^record ${middle}: hash_mismatch`));
          return true;
        });
      });
    });

    itFor(adapter, 'with snapshots, a corrupted record after the latest snapshot, or a corrupted snapshot, is detected', async () => {
      await withLocation(adapter, async (location) => {
        const { engine, clock } = await startAndRun(location, { snapshotEvery: 37 });
        // Single commands until the journal has at least two records after the latest snapshot.
        const reader = await location.open();
        for (let i = 0; i < 40; i++) {
          const latest = await reader.latestSnapshot();
          if (latest !== undefined && engine.lastSeq() - latest.seq >= 2) break;
          clock.advance(1_000);
          assert.ok((await engine.submit({ type: 'Deposit', id: `pad-${i}`, accountId: 'a01', asset: 'USDT', amount: parseAmount('1') })).ok);
        }
        const snap = await reader.latestSnapshot();
        await reader.close();
        const lastSeq = engine.lastSeq();
        await engine.close();
        assert.ok(snap !== undefined && snap.seq + 2 <= lastSeq, 'the journal has at least two records after the latest snapshot');

        let original = '';
        await location.rewriteJournalBody(snap.seq + 1, (body) => {
          original = body;
          return flipDigit(body);
        });
        await assert.rejects(reopen(location, clock, { snapshotEvery: 37 }), (error: unknown) => {
          assert.ok(error instanceof JournalCorruptError, String(error));
          assert.match(error.message, new RegExp(`^record ${snap.seq + 1}: hash_mismatch, and records follow it`));
          return true;
        });
        await location.rewriteJournalBody(snap.seq + 1, () => original);
        const restored = await reopen(location, clock, { snapshotEvery: 37 });
        assert.equal(restored.lastSeq(), lastSeq, 'the restored record is accepted again');
        await restored.close();

        // A changed balance in the snapshot's state.
        await location.rewriteSnapshotBody(snap.seq, (body) => {
          // An account line's balances: [..., ["USDT","<amount>", ...], ...] (docs/formats.md, Snapshots).
          const at = body.indexOf('["USDT","') + '["USDT","'.length;
          assert.ok(at > 100, 'the snapshot holds a USDT balance');
          return body.slice(0, at) + String((Number(body[at]) + 1) % 10) + body.slice(at + 1);
        });
        await assert.rejects(reopen(location, clock, { snapshotEvery: 37 }), (error: unknown) => {
          assert.ok(error instanceof JournalCorruptError, String(error));
          assert.match(error.message, /snapshot at seq \d+ fails its hash/);
          return true;
        });
      });
    });
  });
}
