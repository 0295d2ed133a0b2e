/**
 * R5 Torn or corrupted journal (RELIABILITY.md): a character flipped in a record's body or hash
 * (or any other field the hash covers), or a torn last record, is detected on restart every time:
 * a bad last record is discarded with the alarm `journal_tail_discarded` and the state is the
 * replay of the records before it; a bad record with good ones after it makes createEngine refuse
 * with code 'journal_corrupt'. A corrupt record is never applied. Snapshots are held to the same
 * standard: a damaged snapshot is refused with 'journal_corrupt' or ignored, never trusted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createEngine, ManualClock } from '../../../src/engine/index.js';
import type { JournalRecord } from '../../../src/store/port.js';
import type { MemoryStore } from '../../../src/store/memory.js';
import { copyStore, fcOptions, START_MS, startEngine, submit, type Alarm } from './harness.js';
import { opsArbitrary, runOps, type Op } from './ops.js';

interface Journal {
  readonly store: MemoryStore;
  /** The live engine's state hash after each seq. */
  readonly hashAtSeq: ReadonlyMap<number, string>;
  readonly lastSeq: number;
}

async function journalOf(ops: readonly Op[], snapshotEvery?: number): Promise<Journal> {
  const harness = await startEngine(snapshotEvery === undefined ? {} : { snapshotEvery });
  const hashAtSeq = new Map<number, string>([[harness.engine.lastSeq(), harness.engine.stateHash()]]);
  await runOps(harness, ops, 'r5-', { after: () => hashAtSeq.set(harness.engine.lastSeq(), harness.engine.stateHash()) });
  const lastSeq = harness.engine.lastSeq();
  await harness.engine.close();
  return { store: harness.store, hashAtSeq, lastSeq };
}

type Field = 'body' | 'hash' | 'prevHash' | 'commandId';

function flip(text: string, at: number, replacement: string): string {
  if (text.length === 0) return replacement;
  const i = at % text.length;
  const char = text[i] === replacement ? (replacement === 'x' ? 'y' : 'x') : replacement;
  return text.slice(0, i) + char + text.slice(i + 1);
}

function corrupt(store: MemoryStore, index: number, change: (r: JournalRecord) => JournalRecord): void {
  const record = store.records[index];
  assert.ok(record !== undefined);
  store.records[index] = change(record);
}

async function restart(store: MemoryStore): Promise<{ ok: true; engine: Awaited<ReturnType<typeof createEngine>>; alarms: Alarm[] } | { ok: false; error: unknown }> {
  const alarms: Alarm[] = [];
  try {
    const engine = await createEngine({ store, clock: new ManualClock(START_MS), onAlarm: (a) => alarms.push(a) });
    return { ok: true, engine, alarms };
  } catch (error) {
    return { ok: false, error };
  }
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown }).code;

async function expectTailDiscarded(journal: Journal, store: MemoryStore, label: string): Promise<void> {
  const outcome = await restart(store);
  assert.ok(outcome.ok, `${label}: a bad last record is discarded, not fatal (${outcome.ok ? '' : String(outcome.error)})`);
  assert.deepEqual(outcome.alarms.map((a) => a.code), ['journal_tail_discarded'], label);
  assert.equal(outcome.engine.lastSeq(), journal.lastSeq - 1, `${label}: replay stops before the bad record`);
  assert.equal(outcome.engine.stateHash(), journal.hashAtSeq.get(journal.lastSeq - 1), `${label}: the bad record is not applied`);
  await outcome.engine.close();
}

async function expectRefused(store: MemoryStore, label: string): Promise<void> {
  const outcome = await restart(store);
  assert.ok(!outcome.ok, `${label}: a bad record followed by good ones refuses to start`);
  assert.equal(codeOf(outcome.error), 'journal_corrupt', `${label}: ${String(outcome.error)}`);
}

describe('R5 corruption', () => {
  it('a flipped character in any record is detected: the last is discarded, any other refuses the start', async () => {
    const cache = new Map<string, Journal>();
    await fc.assert(
      fc.asyncProperty(
        opsArbitrary({ isolated: true, maxLength: 25 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.constantFrom<Field>('body', 'body', 'hash', 'hash', 'prevHash', 'commandId'),
        fc.nat(),
        fc.constantFrom('0', '7', 'a', 'f', '"', '{', '}', ' ', 'n', '$', '\u00e9'),
        async (ops, where, field, at, replacement) => {
          const key = JSON.stringify(ops, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
          const journal = cache.get(key) ?? (await journalOf(ops));
          cache.set(key, journal);
          const store = copyStore(journal.store);
          const index = Math.floor(where * store.records.length);
          corrupt(store, index, (r) => ({ ...r, [field]: flip(r[field], at, replacement) }));
          const label = `${field} of record ${index + 1}/${store.records.length} flipped at ${at}`;
          if (index === store.records.length - 1) await expectTailDiscarded(journal, store, label);
          else await expectRefused(store, label);
        },
      ),
      fcOptions(0xbad_c0de, 150),
    );
  });

  it('a torn last record (its body or hash cut short) is discarded and the rest replays', async () => {
    const journal = await journalOf([]);
    for (const field of ['body', 'hash'] as const) {
      for (const keep of [0, 1, 17, -1]) {
        const store = copyStore(journal.store);
        corrupt(store, store.records.length - 1, (r) => ({ ...r, [field]: r[field].slice(0, keep < 0 ? r[field].length + keep : keep) }));
        await expectTailDiscarded(journal, store, `${field} cut to ${keep}`);
      }
    }
  });

  it('a record cut short in the middle of the journal refuses the start', async () => {
    const journal = await journalOf([]);
    const store = copyStore(journal.store);
    corrupt(store, 5, (r) => ({ ...r, body: r.body.slice(0, r.body.length >> 1) }));
    await expectRefused(store, 'record 6 of the journal cut in half');
  });

  it('after a torn tail is discarded, the engine journals new commands', async () => {
    const journal = await journalOf([]);
    const store = copyStore(journal.store);
    corrupt(store, store.records.length - 1, (r) => ({ ...r, body: r.body.slice(0, -3) }));
    const outcome = await restart(store);
    assert.ok(outcome.ok);
    const result = await submit(outcome.engine, { type: 'Deposit', id: 'after-tail', accountId: 'acct0', asset: 'USDT', amount: 1n as never });
    assert.ok(result.ok, `a deposit after recovery is journaled: ${result.ok ? '' : `${result.code} ${result.message}`}`);
    const again = await restart(store);
    assert.ok(again.ok);
    assert.equal(again.engine.stateHash(), outcome.engine.stateHash(), 'and survives the next restart');
    await outcome.engine.close();
  });

  // 20 records; snapshots every 6 leave a tail of two records after the latest, every 19 a tail of one.
  for (const field of ['body', 'stateHash', 'lastHash'] as const) {
    it(`a snapshot with a damaged ${field} is refused with journal_corrupt or ignored for the journal, never trusted`, async () => {
      const journals = [await journalOf([], 6), await journalOf([], 19)];
      for (const journal of journals) assert.ok((journal.store.snapshots.at(-1)?.seq ?? journal.lastSeq) < journal.lastSeq);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(0, 1), fc.nat(), fc.constantFrom('0', '1', 'a', '"', '}'), async (which, at, replacement) => {
          const journal = journals[which] as Journal;
          const store = copyStore(journal.store, { snapshots: true });
          const index = store.snapshots.length - 1;
          const snapshot = store.snapshots[index];
          assert.ok(snapshot !== undefined);
          store.snapshots[index] = { ...snapshot, [field]: flip(snapshot[field], at, replacement) };
          const outcome = await restart(store);
          if (!outcome.ok) {
            assert.equal(codeOf(outcome.error), 'journal_corrupt', `${field} flipped at ${at}: refused with ${String(outcome.error)}`);
            return;
          }
          assert.equal(outcome.engine.lastSeq(), journal.lastSeq, `${field} flipped at ${at}: no journaled (acknowledged) record is discarded, yet ${JSON.stringify(outcome.alarms)}`);
          assert.deepEqual(outcome.alarms, [], `${field} flipped at ${at}: the journal is intact, yet ${JSON.stringify(outcome.alarms)}`);
          assert.equal(outcome.engine.stateHash(), journal.hashAtSeq.get(journal.lastSeq), `${field} flipped at ${at}: the state is the journal's`);
          // What the engine journals next still chains onto the journal: it replays without the snapshot.
          const next = await submit(outcome.engine, { type: 'Deposit', id: 'after-snapshot', accountId: 'acct0', asset: 'USDT', amount: 1n as never });
          assert.ok(next.ok, `${field} flipped at ${at}: the engine journals after starting (${next.ok ? '' : next.code})`);
          const fromJournal = await restart(copyStore(store));
          assert.ok(fromJournal.ok, `${field} flipped at ${at}: the journal alone still replays (${fromJournal.ok ? '' : String(fromJournal.error)})`);
          assert.equal(fromJournal.engine.stateHash(), outcome.engine.stateHash());
          await outcome.engine.close();
        }),
        fcOptions(0x5a9_5407, 60),
      );
    });
  }
});
