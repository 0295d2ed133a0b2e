/**
 * An in-memory store for tests and simulations, with fault injection: make the next appends fail
 * (a full disk, R6) or corrupt stored records (R5).
 */
import { SNAPSHOTS_KEPT, StoreWriteError, type JournalRecord, type SnapshotRecord, type Store } from './port.js';

export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly records: JournalRecord[] = [];
  readonly snapshots: SnapshotRecord[] = [];
  /** Appends still to fail (R6 fault injection). */
  failNextAppends = 0;

  async append(records: readonly JournalRecord[]): Promise<void> {
    if (this.failNextAppends > 0) {
      this.failNextAppends -= 1;
      throw new StoreWriteError('injected write failure');
    }
    const last = this.records[this.records.length - 1]?.seq ?? 0;
    records.forEach((r, i) => {
      if (r.seq !== last + i + 1) throw new StoreWriteError(`out-of-order append: seq ${r.seq} after ${last + i}`);
    });
    this.records.push(...records.map((r) => ({ ...r })));
  }

  async read(fromSeq: number, limit: number): Promise<JournalRecord[]> {
    return this.records.filter((r) => r.seq >= fromSeq).slice(0, limit);
  }

  async lastSeq(): Promise<number> {
    return this.records[this.records.length - 1]?.seq ?? 0;
  }

  async truncate(fromSeq: number): Promise<void> {
    const keep = this.records.findIndex((r) => r.seq >= fromSeq);
    if (keep >= 0) this.records.splice(keep);
    const snapshots = this.snapshots.filter((s) => s.seq < fromSeq);
    this.snapshots.splice(0, this.snapshots.length, ...snapshots);
  }

  async writeSnapshot(snapshot: SnapshotRecord): Promise<void> {
    // As the durable stores: one snapshot per seq, in seq order, the newest SNAPSHOTS_KEPT only.
    const kept = this.snapshots.filter((s) => s.seq !== snapshot.seq);
    kept.push(snapshot);
    kept.sort((a, b) => a.seq - b.seq);
    this.snapshots.splice(0, this.snapshots.length, ...kept.slice(-SNAPSHOTS_KEPT));
  }

  async latestSnapshot(): Promise<SnapshotRecord | undefined> {
    return this.snapshots[this.snapshots.length - 1];
  }

  async close(): Promise<void> {}
}
