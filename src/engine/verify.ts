/**
 * Offline checks of a journal, shared by `solvent verify` and `solvent replay` (and later the
 * server's admin routes): the hash chain record by record, and a replay from genesis compared with
 * the snapshot-based recovery that start-up uses.
 */
import type { JournalRecord, Store } from '../store/port.js';
import { checkLedgerInvariants, type InvariantReport } from './invariants.js';
import { GENESIS_HASH, problemOf, type RecordProblem } from './journal.js';
import { recover, REPLAY_PAGE } from './recovery.js';
import { stateHashOf } from './codec.js';

export interface ChainReport {
  readonly records: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  /** The first record that fails, if any; nothing after it is trusted. */
  readonly firstProblem?: { readonly seq: number; readonly problem: RecordProblem };
}

export async function verifyChain(store: Store): Promise<ChainReport> {
  let lastSeq = 0;
  let lastHash = GENESIS_HASH;
  let records = 0;
  for (;;) {
    const page = await store.read(lastSeq + 1, REPLAY_PAGE);
    for (const record of page as JournalRecord[]) {
      const problem = problemOf(record, lastSeq, lastHash);
      if (problem !== undefined) return { records, lastSeq, lastHash, firstProblem: { seq: record.seq, problem } };
      lastSeq = record.seq;
      lastHash = record.hash;
      records += 1;
    }
    if (page.length < REPLAY_PAGE) return { records, lastSeq, lastHash };
  }
}

export interface ReplayReport {
  readonly lastSeq: number;
  readonly replayedRecords: number;
  readonly stateHash: string;
  readonly accounts: number;
  readonly invariants: InvariantReport;
  /** The state hash of start-up recovery (latest snapshot + tail), when a snapshot exists. */
  readonly snapshotRecoveryHash?: string;
  readonly snapshotSeq?: number;
}

/** Replay the whole journal from genesis (ignoring snapshots) and compare with start-up recovery. */
export async function replayJournal(store: Store): Promise<ReplayReport> {
  const withoutSnapshots: Store = { ...bind(store), latestSnapshot: async () => undefined };
  const full = await recover(withoutSnapshots, { processedMax: 1 });
  const stateHash = stateHashOf(full.state);
  const snapshot = await store.latestSnapshot();
  const base = {
    lastSeq: full.lastSeq,
    replayedRecords: full.replayed,
    stateHash,
    accounts: full.state.accounts.size,
    invariants: checkLedgerInvariants(full.state),
  };
  if (snapshot === undefined) return base;
  const fromSnapshot = await recover(store, { processedMax: 1 });
  return { ...base, snapshotRecoveryHash: stateHashOf(fromSnapshot.state), snapshotSeq: snapshot.seq };
}

function bind(store: Store): Store {
  return {
    kind: store.kind,
    append: store.append.bind(store),
    read: store.read.bind(store),
    lastSeq: store.lastSeq.bind(store),
    truncate: store.truncate.bind(store),
    writeSnapshot: store.writeSnapshot.bind(store),
    latestSnapshot: store.latestSnapshot.bind(store),
    close: store.close.bind(store),
  };
}
