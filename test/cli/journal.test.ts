/** `solvent verify DIR` and `solvent replay DIR` on a real SQLite data directory. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createEngine, ManualClock } from '../../src/engine/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { cmd, VENUE } from '../engine/fixtures.js';
import { runCli } from './support.js';

describe('solvent verify and replay', () => {
  let dir = '';
  let hash = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'solvent-journal-'));
    const engine = await createEngine({ store: new SqliteStore(dir), clock: new ManualClock(1_700_000_000_000), params: VENUE, snapshotEvery: 5 });
    const commands = [
      cmd.create('alice'),
      cmd.create('bob'),
      cmd.deposit('alice', 'USDT', '10000'),
      cmd.deposit('bob', 'USDT', '10000'),
      cmd.prices({ BTC: '50000', USDT: '1' }, { BTCUSDT: '50000' }),
      cmd.fill('BTCUSDT', 'alice', 'bob', '0.1', '50000'),
      cmd.funding('BTCUSDT', '0.0001'),
    ];
    for (const c of commands) assert.ok((await engine.submit(c)).ok);
    hash = engine.stateHash();
    await engine.close();
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('verify reports an intact chain and exits 0', async () => {
    const r = await runCli(['verify', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^journal intact: 8 records, last seq 8/);
  });

  test('replay rebuilds the state from genesis with the engine hash, invariants ok, and agrees with the snapshot', async () => {
    const r = await runCli(['replay', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { stateHash: string; invariants: { ok: boolean }; snapshotRecoveryMatches: boolean; snapshotSeq: number };
    assert.equal(report.stateHash, hash);
    assert.equal(report.invariants.ok, true);
    assert.equal(report.snapshotRecoveryMatches, true);
    assert.ok(report.snapshotSeq >= 5);
  });

  test('verify finds a flipped byte, names the record, and exits 3', async () => {
    const db = new Database(join(dir, 'journal.sqlite'));
    db.prepare("UPDATE journal SET body = replace(body, 'alice', 'alicf') WHERE seq = 4").run();
    db.close();
    const r = await runCli(['verify', dir]);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /journal broken at record 4: hash_mismatch \(3 records before it are intact\)/);
  });

  test('a directory without a journal is bad input (exit 2)', async () => {
    const r = await runCli(['verify', join(dir, 'nowhere')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /holds no journal/);
  });
});
