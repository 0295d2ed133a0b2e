/**
 * Start-up and crash recovery are one path (crash-only design): load the latest snapshot, check
 * its state hash, replay the journal's tail, verifying every record's hash chain. A corrupt record
 * is never applied: a bad tail (a torn last write) ends the replay there; a bad record followed by
 * good ones means the journal was damaged, and recovery refuses to start.
 */
import type { JournalRecord, Store } from '../store/port.js';
import { apply } from './apply.js';
import { sha256 } from './codec.js';
import { assertInvariants } from './invariants.js';
import { checkRecord, GENESIS_HASH, type RecordProblem } from './journal.js';
import { decodeSnapshot, type SnapshotBodyV1 } from './snapshotBody.js';
import { emptyState, type EngineState } from './state.js';

export const REPLAY_PAGE = 10_000;

/** The snapshot layout written before issue 8 (still read: engine/snapshotBody). */
export type SnapshotBody = SnapshotBodyV1;

/** A snapshot's checksum covers where it stands in the chain as well as its body. */
export function snapshotHashOf(seq: number, lastHash: string, body: string): string {
  return sha256(`${seq}\n${lastHash}\n${body}`);
}

export interface Recovered {
  readonly state: EngineState;
  /** Accepted command ids and their seq, oldest first (bounded by the engine's window). */
  readonly processed: Map<string, number>;
  readonly lastSeq: number;
  readonly lastHash: string;
  readonly lastTimestampMs: number;
  readonly replayed: number;
  /** Set when the replay stopped before a bad tail record. */
  readonly stoppedAt?: { readonly seq: number; readonly problem: RecordProblem };
}

export class JournalCorruptError extends Error {
  override readonly name = 'JournalCorruptError';
  readonly code = 'journal_corrupt';
}

export async function recover(store: Store, options: { processedMax: number; checkEvery?: boolean }): Promise<Recovered> {
  const snapshot = await store.latestSnapshot();
  let state = emptyState();
  let processed = new Map<string, number>();
  let lastSeq = 0;
  let lastHash = GENESIS_HASH;
  let lastTimestampMs = 0;
  if (snapshot !== undefined) {
    if (snapshotHashOf(snapshot.seq, snapshot.lastHash, snapshot.body) !== snapshot.stateHash) {
      throw new JournalCorruptError(`snapshot at seq ${snapshot.seq} fails its hash`);
    }
    // The snapshot must stand on the journal: the record it ends with is there, with its hash.
    const [covered] = await store.read(snapshot.seq, 1);
    if (covered === undefined || covered.seq !== snapshot.seq) {
      throw new JournalCorruptError(`the journal ends before the snapshot at seq ${snapshot.seq}: acknowledged records are missing`);
    }
    if (covered.hash !== snapshot.lastHash) throw new JournalCorruptError(`the snapshot and the journal disagree at seq ${snapshot.seq}`);
    const body = decodeSnapshot(snapshot.body);
    state = body.state;
    processed = body.processed;
    lastSeq = snapshot.seq;
    lastHash = snapshot.lastHash;
    lastTimestampMs = body.lastTimestampMs;
  }
  let replayed = 0;
  for (;;) {
    const page = await store.read(lastSeq + 1, REPLAY_PAGE);
    for (let i = 0; i < page.length; i++) {
      const record = page[i] as JournalRecord;
      const checked = checkRecord(record, lastSeq, lastHash);
      if (!checked.ok) {
        const problem = checked.problem;
        const more = i + 1 < page.length || (await store.read(record.seq + 1, 1)).length > 0;
        if (more) throw new JournalCorruptError(`record ${record.seq}: ${problem}, and records follow it`);
        return { state, processed, lastSeq, lastHash, lastTimestampMs, replayed, stoppedAt: { seq: record.seq, problem } };
      }
      for (const event of checked.body.events) {
        apply(state, event);
        if (options.checkEvery === true) assertInvariants(state);
      }
      if (!record.commandId.startsWith('engine:')) remember(processed, record.commandId, record.seq, options.processedMax);
      lastTimestampMs = record.timestampMs;
      lastSeq = record.seq;
      lastHash = record.hash;
      replayed += 1;
    }
    if (page.length < REPLAY_PAGE) break;
  }
  return { state, processed, lastSeq, lastHash, lastTimestampMs, replayed };
}

/**
 * Where each window's oldest entry is: a live iterator over its keys. A fresh `keys().next()`
 * walks over every deleted entry still in the hash table before it finds a live one, so with a
 * full window (delete one, add one per command) each call cost O(window) until the next rehash:
 * at the default window of 1,000,000 ids, 100,000 commands took 22 s here instead of 0.1 s. A
 * kept iterator resumes where it stopped (V8 keeps map iterators valid across deletes and
 * rehashes, and they see entries added later).
 */
const oldestOf = new WeakMap<Map<string, number>, Iterator<string>>();

/** Record an accepted command id, forgetting the oldest beyond the window (R7's window). */
export function remember(processed: Map<string, number>, commandId: string, seq: number, max: number): void {
  processed.set(commandId, seq);
  while (processed.size > Math.max(max, 0)) {
    let cursor = oldestOf.get(processed);
    if (cursor === undefined) {
      cursor = processed.keys();
      oldestOf.set(processed, cursor);
    }
    const oldest = cursor.next();
    // A finished iterator sees nothing added later: start a new one (the map emptied and refilled).
    if (oldest.done === true) oldestOf.delete(processed);
    else processed.delete(oldest.value);
  }
}
