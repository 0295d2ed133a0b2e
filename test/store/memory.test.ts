/**
 * The store conformance suite and the engine durability suite against the in-memory store (the
 * baseline the durable stores are compared with). Same suites: sqlite.test.ts, postgres.test.ts.
 */
import { MemoryStore } from '../../src/store/memory.js';
import type { JournalRecord, SnapshotRecord } from '../../src/store/port.js';
import { engineConformance, storeConformance, type StoreAdapter } from './conformance.js';

function rewrite<T extends { seq: number; body: string }>(rows: T[], seq: number, change: (body: string) => string, what: string): void {
  const at = rows.findIndex((r) => r.seq === seq);
  if (at < 0) throw new Error(`no ${what} ${seq}`);
  const row = rows[at] as T;
  rows[at] = { ...row, body: change(row.body) };
}

export const memoryAdapter: StoreAdapter = {
  name: 'memory',
  enforcesNotNull: false,
  knownGaps: {},
  location: async () => {
    const store = new MemoryStore();
    return {
      open: async () => store,
      rewriteJournalBody: async (seq, change) => rewrite(store.records as JournalRecord[], seq, change, 'record'),
      rewriteSnapshotBody: async (seq, change) => rewrite(store.snapshots as SnapshotRecord[], seq, change, 'snapshot'),
      snapshotSeqs: async () => store.snapshots.map((s) => s.seq),
      dispose: async () => undefined,
    };
  },
};

storeConformance(memoryAdapter);
engineConformance(memoryAdapter);
