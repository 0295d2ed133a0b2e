/**
 * The store conformance suite and the engine durability suite against PostgreSQL: the very same
 * suites as sqlite.test.ts, on a throwaway cluster (test/support/postgres.ts), one schema per
 * location, reopened through a new connection pool. Then what only PostgreSQL has: schemas,
 * int8 as strings, pooled connections that die, a server that refuses or loses a write.
 *
 * PostgreSQL missing: these tests fail with a message saying to run `.ci/run`;
 * SOLVENT_SKIP_POSTGRES=1 skips them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ManualClock } from '../../src/engine/clock.js';
import { createEngine } from '../../src/engine/shell.js';
import { StoreWriteError } from '../../src/store/port.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { parseAmount } from '../../src/risk/units/quantities.js';
import { cmd, VENUE } from '../engine/fixtures.js';
import { postgresSkipReason, startPostgres, type PostgresCluster } from '../support/postgres.js';
import { engineConformance, record, storeConformance, type StoreAdapter } from './conformance.js';
import { START_MS } from './scenario.js';

const skip = postgresSkipReason();
let cluster: PostgresCluster | undefined;
let startError: unknown;
let schemas = 0;

function url(): string {
  if (cluster === undefined) {
    const why = startError instanceof Error ? startError.message.split('\n')[0] : 'not started';
    throw new Error(`the PostgreSQL test cluster did not start: ${why ?? ''}`);
  }
  return cluster.url;
}

/** A short-lived admin connection for setting up and tampering, bypassing the store. */
async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const newSchema = () => `t_${process.pid}_${++schemas}`;

async function rewrite(schema: string, table: 'journal' | 'snapshots', seq: number, change: (body: string) => string): Promise<void> {
  await admin(async (client) => {
    const { rows } = await client.query<{ body: string }>(`SELECT body FROM "${schema}".${table} WHERE seq = $1`, [seq]);
    const row = rows[0];
    if (row === undefined) throw new Error(`no ${table} row ${seq}`);
    await client.query(`UPDATE "${schema}".${table} SET body = $2 WHERE seq = $1`, [seq, change(row.body)]);
  });
}

const postgresAdapter: StoreAdapter = {
  name: 'PostgreSQL',
  enforcesNotNull: true,
  knownGaps: {},
  location: async () => {
    const schema = newSchema();
    return {
      open: () => PostgresStore.connect({ connectionString: url(), schema }),
      rewriteJournalBody: (seq, change) => rewrite(schema, 'journal', seq, change),
      rewriteSnapshotBody: (seq, change) => rewrite(schema, 'snapshots', seq, change),
      snapshotSeqs: () => admin(async (client) => (await client.query<{ seq: string }>(`SELECT seq FROM "${schema}".snapshots ORDER BY seq`)).rows.map((r) => Number(r.seq))),
      dispose: () => admin(async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))),
    };
  },
};

describe('PostgreSQL store', { skip }, () => {
  // A start failure fails every test below with its reason (a failing hook would only cancel them).
  before(async () => {
    try {
      cluster = await startPostgres();
    } catch (error) {
      startError = error;
    }
  });
  after(async () => {
    await cluster?.stop();
  });

  it('the throwaway PostgreSQL cluster starts', () => {
    if (startError !== undefined) throw startError;
    assert.ok(cluster !== undefined);
  });

  storeConformance(postgresAdapter);
  engineConformance(postgresAdapter);

  describe('PostgreSQL specifics', () => {
    it('connect creates the schema and tables once, even when several processes start together', async () => {
      const schema = newSchema();
      const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.connect({ connectionString: url(), schema })));
      await (stores[0] as PostgresStore).append([record(1)]);
      for (const store of stores) assert.equal(await store.lastSeq(), 1);
      await Promise.all(stores.map((s) => s.close()));
      const tables = await admin(async (c) => (await c.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])).rows);
      assert.deepEqual(tables.map((t) => t.table_name), ['journal', 'snapshots']);
    });

    it('schemas isolate journals from one another', async () => {
      const [a, b] = [newSchema(), newSchema()];
      const storeA = await PostgresStore.connect({ connectionString: url(), schema: a });
      const storeB = await PostgresStore.connect({ connectionString: url(), schema: b });
      await storeA.append([record(1), record(2)]);
      assert.equal(await storeA.lastSeq(), 2);
      assert.equal(await storeB.lastSeq(), 0);
      await storeB.append([record(1, { body: 'b' })]);
      assert.equal((await storeA.read(1, 1))[0]?.body, record(1).body);
      await Promise.all([storeA.close(), storeB.close()]);
    });

    it('refuses a session whose synchronous_commit is off, unless told to accept it', async () => {
      const asyncUrl = `${url()}?options=${encodeURIComponent('-c synchronous_commit=off')}`;
      await assert.rejects(PostgresStore.connect({ connectionString: asyncUrl, schema: newSchema() }), /synchronous_commit is off/);
      const store = await PostgresStore.connect({ connectionString: asyncUrl, schema: newSchema(), allowAsynchronousCommit: true });
      await store.append([record(1)]);
      await store.close();
    });

    it('refuses a schema name that is not a plain identifier', async () => {
      for (const schema of ['public; DROP TABLE x', 'Upper', '"quoted"', '', '1abc', 'a'.repeat(64)]) {
        await assert.rejects(PostgresStore.connect({ connectionString: url(), schema }), TypeError, schema);
      }
    });

    it('int8 columns come back as numbers up to 2^53 - 1, and a larger stored value is refused loudly', async () => {
      const schema = newSchema();
      const store = await PostgresStore.connect({ connectionString: url(), schema });
      const big = Number.MAX_SAFE_INTEGER;
      await store.append([record(big - 1, { timestampMs: big }), record(big, { timestampMs: -1 })]);
      const back = await store.read(big - 1, 5);
      assert.deepEqual(back, [record(big - 1, { timestampMs: big }), record(big, { timestampMs: -1 })]);
      assert.equal(await store.lastSeq(), big);
      await store.writeSnapshot({ seq: big, lastHash: 'h', stateHash: 's', body: '{}' });
      assert.equal((await store.latestSnapshot())?.seq, big);
      // A row written by someone else beyond 2^53: no silent rounding to a neighbouring seq.
      await admin((c) => c.query(`INSERT INTO "${schema}".journal VALUES (9007199254740993, 'x', 0, 'b', 'p', 'h')`));
      await assert.rejects(store.lastSeq(), /journal\.seq = 9007199254740993 is not a safe integer/);
      await assert.rejects(store.read(big, 5), /not a safe integer/);
      // Nor does an unsafe number go in.
      await assert.rejects(store.append([record(2 ** 53 + 2)]), StoreWriteError);
      await store.close();
    });

    it('a write the server refuses is a StoreWriteError and leaves nothing of the batch', async () => {
      const schema = newSchema();
      const store = await PostgresStore.connect({ connectionString: url(), schema });
      await store.append([record(1)]);
      await admin((c) =>
        c.query(`
          CREATE FUNCTION "${schema}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'could not extend file: No space left on device (simulated)'; END $$;
          CREATE TRIGGER refuse BEFORE INSERT ON "${schema}".journal FOR EACH ROW WHEN (NEW.seq = 4) EXECUTE FUNCTION "${schema}".refuse();
        `),
      );
      await assert.rejects(store.append([record(2), record(3), record(4)]), (error: unknown) => {
        assert.ok(error instanceof StoreWriteError);
        assert.match(error.message, /No space left on device \(simulated\)/);
        return true;
      });
      assert.equal(await store.lastSeq(), 1);
      await store.append([record(2), record(3)]);
      assert.equal(await store.lastSeq(), 3);
      await store.close();
    });

    it('a connection lost in the middle of an append is a StoreWriteError, leaves nothing, and the pool recovers', async () => {
      const schema = newSchema();
      const connectionErrors: Error[] = [];
      const store = await PostgresStore.connect({ connectionString: url(), schema, onConnectionError: (e) => connectionErrors.push(e) });
      await store.append([record(1)]);
      await admin((c) =>
        c.query(`
          CREATE FUNCTION "${schema}".slow() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$;
          CREATE TRIGGER slow BEFORE INSERT ON "${schema}".journal FOR EACH ROW WHEN (NEW.seq = 3) EXECUTE FUNCTION "${schema}".slow();
        `),
      );
      const appending = assert.rejects(store.append([record(2), record(3)]), StoreWriteError);
      // Kill the backend while it sleeps inside the INSERT.
      await admin(async (c) => {
        for (let i = 0; i < 100; i++) {
          const { rows } = await c.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE application_name = 'solvent' AND wait_event = 'PgSleep'`,
          );
          if (rows.length > 0) {
            for (const { pid } of rows) await c.query('SELECT pg_terminate_backend($1)', [pid]);
            return;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error('the append never reached the trigger');
      });
      await appending;
      await admin((c) => c.query(`DROP TRIGGER slow ON "${schema}".journal`));
      // Idle pooled connections killed too: the pool reports them and reconnects on the next query.
      await Promise.all([store.lastSeq(), store.lastSeq(), store.read(1, 1)]);
      await admin((c) => c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'solvent' AND pid <> pg_backend_pid()`));
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(connectionErrors.length > 0, 'the idle connection error reached onConnectionError, not an unhandled error');
      assert.equal(await store.lastSeq(), 1);
      await store.append([record(2), record(3)]);
      assert.deepEqual(await store.read(1, 10), [record(1), record(2), record(3)]);
      await store.close();
    });

    it('the engine fails closed on a refused write (R6) and resumes once the server accepts writes again', async () => {
      const schema = newSchema();
      const alarms: string[] = [];
      const clock = new ManualClock(START_MS);
      const store = await PostgresStore.connect({ connectionString: url(), schema });
      const engine = await createEngine({ store, clock, params: VENUE, invariants: 'event', onAlarm: (a) => alarms.push(a.code) });
      for (const c of [cmd.create('alice'), cmd.deposit('alice', 'USDT', '1000')]) assert.ok((await engine.submit(c)).ok);
      const hash = engine.stateHash();
      await admin((c) =>
        c.query(`
          CREATE FUNCTION "${schema}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$;
          CREATE TRIGGER refuse BEFORE INSERT ON "${schema}".journal FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse();
        `),
      );
      const refused = await Promise.all([engine.submit(cmd.deposit('alice', 'USDT', '5')), engine.submit(cmd.withdraw('alice', 'USDT', '10'))]);
      for (const r of refused) assert.equal(r.ok ? 'ok' : r.code, 'journal_write_failed');
      assert.deepEqual(alarms, ['journal_write_failed']);
      assert.equal(engine.stateHash(), hash, 'nothing unjournaled survives');
      await admin((c) => c.query(`DROP TRIGGER refuse ON "${schema}".journal`));
      const deposit = await engine.submit({ ...cmd.deposit('alice', 'USDT', '5'), id: 'retry-1' });
      assert.ok(deposit.ok);
      assert.equal(engine.state.accounts.get('alice')?.balances.get('USDT'), parseAmount('1005'));
      const finalHash = engine.stateHash();
      await engine.close();
      const again = await createEngine({ store: await PostgresStore.connect({ connectionString: url(), schema }), clock });
      assert.equal(again.stateHash(), finalHash);
      await again.close();
    });
  });
});
