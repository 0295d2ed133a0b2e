/**
 * The store conformance suite and the engine durability suite against SQLite (the default
 * store): each location is a fresh temporary directory, reopened with a new connection.
 * The very same suites run against PostgreSQL in postgres.test.ts.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite.js';
import { engineConformance, storeConformance, type StoreAdapter } from './conformance.js';

function rewrite(dir: string, table: 'journal' | 'snapshots', seq: number, change: (body: string) => string): void {
  const db = new Database(join(dir, 'journal.sqlite'));
  try {
    const row = db.prepare(`SELECT body FROM ${table} WHERE seq = ?`).get(seq) as { body: string } | undefined;
    if (row === undefined) throw new Error(`no ${table} row ${seq}`);
    db.prepare(`UPDATE ${table} SET body = ? WHERE seq = ?`).run(change(row.body), seq);
  } finally {
    db.close();
  }
}

export const sqliteAdapter: StoreAdapter = {
  name: 'SQLite',
  enforcesNotNull: true,
  knownGaps: {},
  location: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'solvent-store-'));
    return {
      open: async () => new SqliteStore(dir),
      rewriteJournalBody: async (seq, change) => rewrite(dir, 'journal', seq, change),
      rewriteSnapshotBody: async (seq, change) => rewrite(dir, 'snapshots', seq, change),
      snapshotSeqs: async () => {
        const db = new Database(join(dir, 'journal.sqlite'), { readonly: true });
        try {
          return (db.prepare('SELECT seq FROM snapshots ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
        } finally {
          db.close();
        }
      },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

storeConformance(sqliteAdapter);
engineConformance(sqliteAdapter);
