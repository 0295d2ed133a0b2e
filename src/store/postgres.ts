/**
 * The server store: PostgreSQL through `pg`. Each `append` is one transaction (BEGIN, one
 * multi-row INSERT, COMMIT) with `synchronous_commit` left at its default (on), so `append`
 * resolves only once the server has flushed the commit to its WAL (DESIGN.md D3); `connect`
 * refuses a session where it is off unless told otherwise. The primary key on seq also fences
 * off a second writer: two engines on one schema cannot both append the same seq.
 *
 * The tables live in a schema of their own (configurable, so tests and shards can isolate):
 *   journal(seq bigint primary key, command_id, timestamp_ms bigint, body, prev_hash, hash)
 *   snapshots(seq bigint primary key, last_hash, state_hash, body)
 *
 * Traps handled here:
 * - pg returns int8 as strings: every bigint column is converted to a number and checked to be a
 *   safe integer (seqs and milliseconds fit in 2^53; a value that does not is refused loudly).
 * - A pool emits 'error' when an idle connection dies (server restart, terminated backend); with
 *   no listener Node would crash the process. The store listens, and the next query reconnects.
 * - COMMIT of a transaction that already failed answers "ROLLBACK" without an error: the
 *   command tag is checked, so a silently rolled-back append can never resolve as durable.
 * - A client whose transaction failed is released with the error, so the pool destroys it
 *   instead of handing out a connection in an unknown state.
 */
import pg from 'pg';
import { isWellFormedText, SNAPSHOTS_KEPT, StoreWriteError, type JournalRecord, type SnapshotRecord, type Store } from './port.js';

export interface PostgresStoreOptions {
  /** libpq-style URL, e.g. postgres://user@127.0.0.1:5432/solvent */
  readonly connectionString: string;
  /** The schema holding the tables; created if missing. Lower-case letters, digits, '_'. Default 'solvent'. */
  readonly schema?: string;
  /** Pool size (default 4): the engine writes from one place; reads may overlap a write. */
  readonly poolMax?: number;
  /** Called with errors of idle pooled connections (they are replaced on the next query). */
  readonly onConnectionError?: (error: Error) => void;
  /**
   * Accept a session whose `synchronous_commit` is off (an acknowledged append could then be lost
   * in a server crash). Default false: connect refuses such a server configuration.
   */
  readonly allowAsynchronousCommit?: boolean;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
/** int8 OID in pg_type. */
const INT8_OID = 20;

interface JournalRow {
  seq: string;
  command_id: string;
  timestamp_ms: string;
  body: string;
  prev_hash: string;
  hash: string;
}

interface SnapshotRow {
  seq: string;
  last_hash: string;
  state_hash: string;
  body: string;
}

/** An int8 value from pg (a decimal string) as a number, refusing anything beyond 2^53. */
function safeIntegerOf(value: unknown, column: string): number {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isSafeInteger(n) || (typeof value === 'string' && String(n) !== value)) {
    throw new RangeError(`postgres store: ${column} = ${String(value)} is not a safe integer (|n| < 2^53)`);
  }
  return n;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Refuse what PostgreSQL would not store exactly: a changed byte would break the record's hash and
 * make the journal unreadable on the next start, so a loud write error is the lesser evil. (NUL
 * in text is refused by the server itself.)
 */
function checkRecord(r: JournalRecord): void {
  if (!Number.isSafeInteger(r.seq) || r.seq < 0) throw new StoreWriteError(`seq ${String(r.seq)} is not a safe non-negative integer`);
  if (!Number.isSafeInteger(r.timestampMs)) throw new StoreWriteError(`record ${r.seq}: timestampMs ${String(r.timestampMs)} is not a safe integer`);
  for (const [field, text] of [['commandId', r.commandId], ['body', r.body], ['prevHash', r.prevHash], ['hash', r.hash]] as const) {
    if (typeof text === 'string' && !isWellFormedText(text)) {
      throw new StoreWriteError(`record ${r.seq}: ${field} holds a lone UTF-16 surrogate, which PostgreSQL cannot store exactly`);
    }
  }
}

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  private closed = false;
  private readonly journal: string;
  private readonly snapshots: string;

  private constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
  ) {
    this.journal = `"${schema}".journal`;
    this.snapshots = `"${schema}".snapshots`;
  }

  /** Connect, create the schema and tables if missing, and return the store. */
  static async connect(options: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = options.schema ?? 'solvent';
    if (!SCHEMA_PATTERN.test(schema)) throw new TypeError(`postgres store: schema "${schema}" must match ${SCHEMA_PATTERN}`);
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolMax ?? 4,
      application_name: 'solvent',
      // int8 stays a string here (pg's default) and is checked on conversion: never a silent float.
      types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
    });
    pool.on('error', (error) => options.onConnectionError?.(error));
    const store = new PostgresStore(pool, schema);
    try {
      if (options.allowAsynchronousCommit !== true) await store.checkDurability();
      await store.migrate();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  /** D3: no acknowledgement before the batch is durable; refuse a server set up otherwise. */
  private async checkDurability(): Promise<void> {
    const { rows } = await this.pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
    const setting = rows[0]?.synchronous_commit;
    if (setting === 'off') {
      throw new Error(
        'postgres store: synchronous_commit is off for this session, so a commit could be acknowledged before it is durable; ' +
          'turn it on (the default) or pass allowAsynchronousCommit: true',
      );
    }
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      // Serialise concurrent first starts: CREATE ... IF NOT EXISTS races on the catalogue.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`solvent.store.${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.journal} (
          seq bigint PRIMARY KEY,
          command_id text NOT NULL,
          timestamp_ms bigint NOT NULL,
          body text NOT NULL,
          prev_hash text NOT NULL,
          hash text NOT NULL
        )`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.snapshots} (
          seq bigint PRIMARY KEY,
          last_hash text NOT NULL,
          state_hash text NOT NULL,
          body text NOT NULL
        )`);
    });
  }

  /** One transaction per call; resolves once COMMIT is durable; any failure is a StoreWriteError and leaves nothing. */
  async append(records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.closed) throw new StoreWriteError('postgres store: closed');
    records.forEach(checkRecord);
    await this.inTransaction('append', async (client) => {
      await client.query(
        `INSERT INTO ${this.journal} (seq, command_id, timestamp_ms, body, prev_hash, hash)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])`,
        [
          records.map((r) => r.seq),
          records.map((r) => r.commandId),
          records.map((r) => r.timestampMs),
          records.map((r) => r.body),
          records.map((r) => r.prevHash),
          records.map((r) => r.hash),
        ],
      );
    });
  }

  async read(fromSeq: number, limit: number): Promise<JournalRecord[]> {
    const result = await this.pool.query<JournalRow>(
      `SELECT seq, command_id, timestamp_ms, body, prev_hash, hash FROM ${this.journal} WHERE seq >= $1 ORDER BY seq LIMIT $2`,
      [fromSeq, limit],
    );
    return result.rows.map((r) => ({
      seq: safeIntegerOf(r.seq, 'journal.seq'),
      commandId: r.command_id,
      timestampMs: safeIntegerOf(r.timestamp_ms, 'journal.timestamp_ms'),
      body: r.body,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  async lastSeq(): Promise<number> {
    const result = await this.pool.query<{ seq: string | null }>(`SELECT max(seq) AS seq FROM ${this.journal}`);
    const seq = result.rows[0]?.seq ?? null;
    return seq === null ? 0 : safeIntegerOf(seq, 'journal.seq');
  }

  async truncate(fromSeq: number): Promise<void> {
    if (this.closed) throw new StoreWriteError('postgres store: closed');
    await this.inTransaction('truncate', async (client) => {
      await client.query(`DELETE FROM ${this.journal} WHERE seq >= $1`, [fromSeq]);
      await client.query(`DELETE FROM ${this.snapshots} WHERE seq >= $1`, [fromSeq]);
    });
  }

  async writeSnapshot(s: SnapshotRecord): Promise<void> {
    if (this.closed) throw new StoreWriteError('postgres store: closed');
    if (!Number.isSafeInteger(s.seq) || s.seq < 0) throw new StoreWriteError(`snapshot seq ${String(s.seq)} is not a safe non-negative integer`);
    await this.inTransaction('snapshot', async (client) => {
      await client.query(
        `INSERT INTO ${this.snapshots} (seq, last_hash, state_hash, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (seq) DO UPDATE SET last_hash = EXCLUDED.last_hash, state_hash = EXCLUDED.state_hash, body = EXCLUDED.body`,
        [s.seq, s.lastHash, s.stateHash, s.body],
      );
      // Keep the newest SNAPSHOTS_KEPT: recovery needs only the latest; the one before is a spare.
      await client.query(`DELETE FROM ${this.snapshots} WHERE seq NOT IN (SELECT seq FROM ${this.snapshots} ORDER BY seq DESC LIMIT $1)`, [SNAPSHOTS_KEPT]);
    });
  }

  async latestSnapshot(): Promise<SnapshotRecord | undefined> {
    const result = await this.pool.query<SnapshotRow>(`SELECT seq, last_hash, state_hash, body FROM ${this.snapshots} ORDER BY seq DESC LIMIT 1`);
    const row = result.rows[0];
    return row === undefined
      ? undefined
      : { seq: safeIntegerOf(row.seq, 'snapshots.seq'), lastHash: row.last_hash, stateHash: row.state_hash, body: row.body };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** BEGIN, work, COMMIT on one pooled connection; every failure becomes a StoreWriteError. */
  private async inTransaction(what: string, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    try {
      await this.transaction(work);
    } catch (error) {
      throw new StoreWriteError(`postgres ${what}: ${messageOf(error)}`, { cause: error });
    }
  }

  /** BEGIN, work, COMMIT; ROLLBACK on failure. Resolves only on a COMMIT the server confirmed. */
  private async transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    // A checked-out client has no pool listener: a dropped connection would otherwise emit an
    // unhandled 'error' and crash the process. The failing query rejects on its own.
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken ??= error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      await work(client);
      const commit = await client.query('COMMIT');
      // COMMIT of an aborted transaction reports ROLLBACK, not an error.
      if (commit.command !== 'COMMIT') throw new Error(`COMMIT answered ${String(commit.command)}`);
    } catch (error) {
      // A refused statement (a constraint, a trigger) leaves a healthy connection once rolled
      // back; a connection that cannot even roll back is broken.
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.removeListener('error', onError);
      // Released with an error, the connection is destroyed rather than reused.
      client.release(broken);
    }
  }
}
