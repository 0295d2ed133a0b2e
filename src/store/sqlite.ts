/**
 * The default store: SQLite through better-sqlite3, in WAL mode with synchronous=FULL, so a
 * committed transaction survives power loss; each `append` is one transaction (group commit).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isWellFormedText, SNAPSHOTS_KEPT, StoreWriteError, type JournalRecord, type SnapshotRecord, type Store } from './port.js';

interface Row {
  seq: number;
  command_id: string;
  timestamp_ms: number;
  body: string;
  prev_hash: string;
  hash: string;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly appendAll: (records: readonly JournalRecord[]) => void;

  /** `dir` is the data directory; the journal is `dir/journal.sqlite`. ':memory:' for tests. */
  constructor(dir: string) {
    if (dir !== ':memory:') mkdirSync(dir, { recursive: true });
    this.db = new Database(dir === ':memory:' ? ':memory:' : join(dir, 'journal.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS journal (
        seq INTEGER PRIMARY KEY,
        command_id TEXT NOT NULL,
        timestamp_ms INTEGER NOT NULL,
        body TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS snapshots (
        seq INTEGER PRIMARY KEY,
        last_hash TEXT NOT NULL,
        state_hash TEXT NOT NULL,
        body TEXT NOT NULL
      );
    `);
    this.insert = this.db.prepare(
      'INSERT INTO journal (seq, command_id, timestamp_ms, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.appendAll = this.db.transaction((records: readonly JournalRecord[]) => {
      for (const r of records) this.insert.run(r.seq, r.commandId, r.timestampMs, r.body, r.prevHash, r.hash);
    });
  }

  async append(records: readonly JournalRecord[]): Promise<void> {
    // SQLite would store a lone surrogate as U+FFFD, and the record would then fail its hash.
    for (const r of records) {
      if (!isWellFormedText(r.commandId) || !isWellFormedText(r.body)) throw new StoreWriteError(`record ${r.seq}: text that is not well-formed Unicode`);
    }
    try {
      this.appendAll(records);
    } catch (error) {
      throw new StoreWriteError(error instanceof Error ? error.message : String(error));
    }
  }

  async read(fromSeq: number, limit: number): Promise<JournalRecord[]> {
    const rows = this.db
      .prepare('SELECT seq, command_id, timestamp_ms, body, prev_hash, hash FROM journal WHERE seq >= ? ORDER BY seq LIMIT ?')
      .all(fromSeq, limit) as Row[];
    return rows.map((r) => ({ seq: r.seq, commandId: r.command_id, timestampMs: r.timestamp_ms, body: r.body, prevHash: r.prev_hash, hash: r.hash }));
  }

  async lastSeq(): Promise<number> {
    const row = this.db.prepare('SELECT MAX(seq) AS seq FROM journal').get() as { seq: number | null };
    return row.seq ?? 0;
  }

  async truncate(fromSeq: number): Promise<void> {
    try {
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM journal WHERE seq >= ?').run(fromSeq);
        this.db.prepare('DELETE FROM snapshots WHERE seq >= ?').run(fromSeq);
      })();
    } catch (error) {
      throw new StoreWriteError(error instanceof Error ? error.message : String(error));
    }
  }

  async writeSnapshot(s: SnapshotRecord): Promise<void> {
    try {
      this.db.transaction(() => {
        this.db.prepare('INSERT OR REPLACE INTO snapshots (seq, last_hash, state_hash, body) VALUES (?, ?, ?, ?)').run(s.seq, s.lastHash, s.stateHash, s.body);
        // Keep the newest SNAPSHOTS_KEPT: recovery needs only the latest; the one before is a spare.
        this.db.prepare('DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?)').run(SNAPSHOTS_KEPT);
      })();
    } catch (error) {
      throw new StoreWriteError(error instanceof Error ? error.message : String(error));
    }
  }

  async latestSnapshot(): Promise<SnapshotRecord | undefined> {
    const row = this.db.prepare('SELECT seq, last_hash, state_hash, body FROM snapshots ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; last_hash: string; state_hash: string; body: string }
      | undefined;
    return row === undefined ? undefined : { seq: row.seq, lastHash: row.last_hash, stateHash: row.state_hash, body: row.body };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
