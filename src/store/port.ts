/**
 * The store port: what the engine needs from durable storage, and nothing about how. Adapters
 * (SQLite, PostgreSQL, in-memory) implement it; the engine never imports a driver (DESIGN.md D3).
 *
 * A record is one accepted command with its events. The engine chains records (each carries the
 * hash of its predecessor and its own hash over its content) before it appends them; an adapter
 * stores them verbatim and must make a whole `append` durable, or none of it, before resolving.
 */
export interface JournalRecord {
  readonly seq: number;
  readonly commandId: string;
  readonly timestampMs: number;
  /** The encoded { command, events } (engine/codec). */
  readonly body: string;
  readonly prevHash: string;
  /** SHA-256 over seq, commandId, timestampMs, body and prevHash: the record's checksum. */
  readonly hash: string;
}

export interface SnapshotRecord {
  /** The seq of the last record the snapshot includes. */
  readonly seq: number;
  readonly lastHash: string;
  /** SHA-256 of `body` (the state and the idempotency window): a damaged snapshot is never loaded. */
  readonly stateHash: string;
  readonly body: string;
}

/**
 * Snapshots an adapter keeps: recovery loads only the latest; the one before it is a spare (each
 * `writeSnapshot` deletes older ones, so a store holds at most this many, whatever its age).
 */
export const SNAPSHOTS_KEPT = 2;

export interface Store {
  readonly kind: string;
  /** Durably append records, all or nothing (one transaction); resolve only once durable. */
  append(records: readonly JournalRecord[]): Promise<void>;
  /** Records with seq >= fromSeq in seq order, at most `limit`. */
  read(fromSeq: number, limit: number): Promise<JournalRecord[]>;
  lastSeq(): Promise<number>;
  /**
   * Delete the records with seq >= fromSeq, and snapshots past them: recovery discards a torn or
   * corrupt tail this way, once it has raised its alarm, so that the journal can grow again.
   */
  truncate(fromSeq: number): Promise<void>;
  /** Store a snapshot, and delete all but the newest SNAPSHOTS_KEPT. */
  writeSnapshot(snapshot: SnapshotRecord): Promise<void>;
  latestSnapshot(): Promise<SnapshotRecord | undefined>;
  close(): Promise<void>;
}

/** Raised by adapters when the storage refuses a write; the engine fails closed on it. */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
  readonly code = 'journal_write_failed';
}

/**
 * Whether text is well-formed UTF-16 (no lone surrogate). UTF-8 cannot carry a lone surrogate:
 * SQLite and PostgreSQL would store U+FFFD instead, the record would fail its hash on the next
 * start, and the journal would be unreadable. The shell refuses such commands; the adapters check
 * again where they write.
 */
export function isWellFormedText(text: string): boolean {
  return !/\p{Surrogate}/u.test(text);
}
