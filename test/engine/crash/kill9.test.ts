/**
 * R4 kill -9 under load. A child process (worker.ts) feeds the deterministic stream (stream.ts)
 * into an engine on a SQLite journal, thousands of commands per second with many in flight, and
 * is SIGKILLed after a seeded random 50-400 ms, many times on the same directory: half the rounds
 * kill at that moment, a quarter at the next journal append after it (mid-commit), a quarter at the
 * next snapshot write (mid-snapshot). After each kill the parent checks:
 *  - the journal is the stream's prefix: user commands k0..kM in order, each exactly once, each
 *    record's command equal to the regenerated `commandAt(i)`, the hash chain intact;
 *  - every command the worker acknowledged, in this round or an earlier one, is in it;
 *  - the records verified in earlier rounds are unchanged (byte for byte);
 *  - an engine recovered from the directory (snapshot + tail) has the state hash of a replay of
 *    the journal from its first record (with the ledger invariants checked after every event),
 *    and its invariants hold;
 *  - the latest snapshot holds the replay's state at its seq and the journal's command ids up to
 *    it (the idempotency window); its own checksum is the engine's recovery to check, below.
 * At the end the whole journal is replayed from scratch twice more (R3) in a MemoryStore.
 *
 * Environment: CRASH_SEED (default 4), CRASH_ROUNDS (default 20), CRASH_BUDGET_MS (default
 * 35000: no round starts after it), CRASH_KEEP=1 keeps the directory.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { apply } from '../../../src/engine/apply.js';
import { encode, stateHashOf } from '../../../src/engine/codec.js';
import { assertInvariants, checkRiskInvariants } from '../../../src/engine/invariants.js';
import { bodyOf, GENESIS_HASH, problemOf } from '../../../src/engine/journal.js';
import { recover } from '../../../src/engine/recovery.js';
import { decodeSnapshot } from '../../../src/engine/snapshotBody.js';
import { createEngine, systemClock } from '../../../src/engine/index.js';
import { emptyState, type EngineState } from '../../../src/engine/state.js';
import { MemoryStore } from '../../../src/store/memory.js';
import type { JournalRecord, Store } from '../../../src/store/port.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { commandAt, indexOf } from './stream.js';

const SEED = Number(process.env['CRASH_SEED'] ?? 4);
const ROUNDS = Number(process.env['CRASH_ROUNDS'] ?? 20);
const BUDGET_MS = Number(process.env['CRASH_BUDGET_MS'] ?? 35_000);
const ROUNDS_MIN = Math.min(ROUNDS, 10);
const KILL_AFTER_MS: readonly [number, number] = [50, 400];
/** A worker that never says ready is stuck: fail rather than hang. */
const READY_TIMEOUT_MS = 15_000;
const PROCESSED_MAX = 10_000_000;
/** The worker's idempotency window (it reads the same variable): the ids a snapshot keeps. */
const WORKER_PROCESSED_MAX = Number(process.env['CRASH_PROCESSED_MAX'] ?? 1_000_000);

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Where the kill landed, from the last phase marker the worker wrote before it died. */
type Phase = 'mid-commit' | 'mid-snapshot' | 'mid-batch';
/** What a round aims at: any moment, or the next journal append or snapshot after the delay. */
type Aim = 'any' | 'commit' | 'snapshot';
const MARKER: Record<Exclude<Aim, 'any'>, string> = { commit: '\nA+\n', snapshot: '\nS+\n' };
/** An aimed kill waits this long at most for its marker, then kills anyway. */
const AIM_WAIT_MS = 2_000;

interface Round {
  readonly acked: number[];
  readonly resumeFrom: number;
  readonly phase: Phase;
  readonly loadMs: number;
  /** From spawn to the ready line: Node and tsx start-up plus recovery. */
  readonly startMs: number;
}

/**
 * Spawn the worker and SIGKILL it `killAfterMs` after it reports ready (aimed rounds: at the next
 * append or snapshot marker after that), and collect its lines.
 */
function runWorker(dir: string, retryFrom: number, killAfterMs: number, aim: Aim): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, dir, String(retryFrom)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const spawnedAt = performance.now();
    let text = '';
    let stderr = '';
    let readyAt: number | undefined;
    let killedAt: number | undefined;
    let resumeFrom = -1;
    let armedAt: number | undefined;
    const kill = () => {
      if (killedAt !== undefined) return;
      killedAt = performance.now();
      child.kill('SIGKILL');
    };
    const readyTimer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker not ready after ${READY_TIMEOUT_MS} ms: ${stderr}`));
    }, READY_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      if (readyAt === undefined) {
        const match = /^ready (\d+) (\d+)$/m.exec(text);
        if (match !== null) {
          readyAt = performance.now();
          resumeFrom = Number(match[1]);
          clearTimeout(readyTimer);
          setTimeout(() => {
            if (aim === 'any') return kill();
            armedAt = text.length;
            setTimeout(kill, AIM_WAIT_MS);
          }, killAfterMs);
        }
      }
      if (aim !== 'any' && armedAt !== undefined && text.indexOf(MARKER[aim], Math.max(0, armedAt - 1)) >= 0) kill();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(readyTimer);
      if (signal !== 'SIGKILL' || killedAt === undefined) {
        reject(new Error(`worker ended by itself (code ${code}, signal ${signal}): ${stderr}`));
        return;
      }
      // Only whole lines count: a write cut by the kill must not turn "ack 123" into "ack 12".
      const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
      const acked: number[] = [];
      let phase: Phase = 'mid-batch';
      for (const line of lines) {
        if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
        else if (line === 'A+') phase = 'mid-commit';
        else if (line === 'S+') phase = 'mid-snapshot';
        else if (line === 'A-' || line === 'S-') phase = 'mid-batch';
      }
      resolve({ acked, resumeFrom, phase, loadMs: killedAt - (readyAt ?? killedAt), startMs: (readyAt ?? killedAt) - spawnedAt });
    });
  });
}

async function readAll(store: Store): Promise<JournalRecord[]> {
  const all: JournalRecord[] = [];
  for (;;) {
    const page = await store.read(all.length + 1, 10_000);
    all.push(...page);
    if (page.length < 10_000) return all;
  }
}

/** The parent's own replay of the journal, from its first record, advanced round by round. */
class Replay {
  readonly state: EngineState = emptyState();
  readonly records: JournalRecord[] = [];
  lastHash = GENESIS_HASH;
  /** The highest stream index journaled, -1 before k0. */
  highest = -1;
  snapshotHashes = new Map<number, string>();

  /** The accepted command ids with their seq, oldest first, as a snapshot at `seq` must hold them. */
  processedUpTo(seq: number): [string, number][] {
    const all = this.records.filter((r) => r.seq <= seq && !r.commandId.startsWith('engine:')).map((r): [string, number] => [r.commandId, r.seq]);
    return all.slice(Math.max(0, all.length - WORKER_PROCESSED_MAX));
  }

  /** Check `all` extends what was verified, then apply the new records. */
  advance(all: readonly JournalRecord[], snapshotSeq: number | undefined): void {
    assert.ok(all.length >= this.records.length, `the journal shrank from ${this.records.length} to ${all.length} records`);
    this.records.forEach((old, k) => {
      const now = all[k] as JournalRecord;
      const same =
        now.seq === old.seq && now.commandId === old.commandId && now.timestampMs === old.timestampMs && now.prevHash === old.prevHash && now.hash === old.hash && now.body === old.body;
      assert.ok(same, `record ${old.seq} changed after it was verified`);
    });
    for (const record of all.slice(this.records.length)) {
      const prevSeq = this.records.length;
      const problem = problemOf(record, prevSeq, this.lastHash);
      assert.equal(problem, undefined, `record ${record.seq}: ${problem}`);
      const body = bodyOf(record);
      const i = indexOf(record.commandId);
      if (i === undefined) {
        assert.ok(record.commandId.startsWith('engine:'), `record ${record.seq} has a foreign command id ${record.commandId}`);
      } else {
        assert.equal(i, this.highest + 1, `record ${record.seq} holds k${i} after k${this.highest}: a gap or a duplicate`);
        assert.equal(encode(body.command), encode(commandAt(i)), `record ${record.seq}: the command under k${i} is not the stream's`);
        this.highest = i;
      }
      for (const event of body.events) {
        apply(this.state, event);
        assertInvariants(this.state);
      }
      this.records.push(record);
      this.lastHash = record.hash;
      if (record.seq === snapshotSeq) this.snapshotHashes.set(record.seq, stateHashOf(this.state));
    }
  }
}

describe('R4 kill -9 under load', () => {
  it('recovers every acknowledged command exactly once, to the state of a replay, after each SIGKILL', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'solvent-kill9-'));
    const random = mulberry32(SEED);
    const replay = new Replay();
    const acked = new Set<number>();
    const phases = new Map<Phase, number>();
    const aims = new Map<Aim, number>();
    let kills = 0;
    let ackedLines = 0;
    let retried = 0;
    let maxAcked = -1;
    let loadMs = 0;
    let startMs = 0;
    let verifyMs = 0;
    let snapshotsChecked = 0;
    const started = performance.now();
    try {
      while (kills < ROUNDS && (performance.now() - started < BUDGET_MS || kills < ROUNDS_MIN)) {
        const killAfter = Math.round(KILL_AFTER_MS[0] + random() * (KILL_AFTER_MS[1] - KILL_AFTER_MS[0]));
        const aimDraw = random();
        const aim: Aim = aimDraw < 0.5 ? 'any' : aimDraw < 0.75 ? 'commit' : 'snapshot';
        // The worker retries everything it holds no acknowledgement for, from the first such index.
        const retryFrom = maxAcked + 1;
        const round = await runWorker(dir, retryFrom, killAfter, aim);
        retried += round.acked.filter((i) => i < round.resumeFrom).length;
        aims.set(aim, (aims.get(aim) ?? 0) + 1);
        kills += 1;
        loadMs += round.loadMs;
        startMs += round.startMs;
        const verifyStarted = performance.now();
        ackedLines += round.acked.length;
        phases.set(round.phase, (phases.get(round.phase) ?? 0) + 1);
        assert.equal(round.resumeFrom, replay.highest + 1, `round ${kills}: the worker resumed at k${round.resumeFrom}, the journal ends at k${replay.highest}`);
        for (const i of round.acked) {
          acked.add(i);
          if (i > maxAcked) maxAcked = i;
        }

        // The journal, as the file holds it, against the parent's replay.
        const reader = new SqliteStore(dir);
        const snapshot = await reader.latestSnapshot();
        const all = await readAll(reader);
        await reader.close();
        replay.advance(all, snapshot?.seq);
        for (const i of round.acked) assert.ok(i <= replay.highest, `round ${kills}: k${i} was acknowledged but is not in the journal (it ends at k${replay.highest})`);
        if (snapshot !== undefined) {
          const expected = replay.snapshotHashes.get(snapshot.seq);
          assert.ok(expected !== undefined, `round ${kills}: snapshot at seq ${snapshot.seq} is not at a verified record`);
          const body = decodeSnapshot(snapshot.body);
          assert.equal(stateHashOf(body.state), expected, `round ${kills}: the snapshot at seq ${snapshot.seq} differs from the replay`);
          assert.deepEqual([...body.processed], replay.processedUpTo(snapshot.seq), `round ${kills}: the snapshot's processed ids differ from the journal's`);
          assert.equal(snapshot.lastHash, (replay.records[snapshot.seq - 1] as JournalRecord).hash);
          snapshotsChecked += 1;
        }

        // Start-up recovery (snapshot + tail) must land on the replay's state.
        const alarms: string[] = [];
        const engine = await createEngine({ store: new SqliteStore(dir), clock: systemClock, onAlarm: (a) => alarms.push(`${a.code}: ${a.message}`) });
        try {
          assert.deepEqual(alarms, [], `round ${kills}: recovery raised alarms`);
          assert.equal(engine.lastSeq(), replay.records.length, `round ${kills}: recovered lastSeq`);
          assert.equal(engine.stateHash(), stateHashOf(replay.state), `round ${kills}: recovered state hash != replay from the first record`);
          assert.deepEqual(engine.invariants().violations, [], `round ${kills}: invariants after recovery`);
        } finally {
          await engine.close();
        }
        verifyMs += performance.now() - verifyStarted;
      }
      for (const i of acked) assert.ok(i <= replay.highest, `k${i} acknowledged, missing at the end`);

      // R3: two more replays from scratch, through the engine's own recovery path.
      const memory = new MemoryStore();
      await memory.append(replay.records);
      const first = await recover(memory, { processedMax: PROCESSED_MAX, checkEvery: true });
      const second = await recover(memory, { processedMax: PROCESSED_MAX });
      assert.equal(first.replayed, replay.records.length);
      assert.equal(stateHashOf(first.state), stateHashOf(replay.state));
      assert.equal(stateHashOf(second.state), stateHashOf(replay.state));
      assert.deepEqual(checkRiskInvariants(first.state).violations, []);

      const seconds = (performance.now() - started) / 1000;
      const summary = {
        seed: SEED,
        kills,
        aimedAt: Object.fromEntries(aims),
        killedWhere: Object.fromEntries(phases),
        acknowledgedLines: ackedLines,
        acknowledgedDistinct: acked.size,
        retriedAndAnsweredDuplicate: retried,
        journalRecords: replay.records.length,
        streamCommands: replay.highest + 1,
        snapshotsChecked,
        loadSeconds: Number((loadMs / 1000).toFixed(2)),
        workerStartSeconds: Number((startMs / 1000).toFixed(2)),
        verifySeconds: Number((verifyMs / 1000).toFixed(2)),
        acknowledgedPerLoadSecond: Math.round(ackedLines / (loadMs / 1000)),
        seconds: Number(seconds.toFixed(1)),
      };
      console.log(`# R4 ${JSON.stringify(summary)}`);
      assert.ok(kills >= ROUNDS_MIN, `only ${kills} kills within the budget`);
      assert.ok(acked.size > 0, 'no command was acknowledged: the load did not run');
    } finally {
      if (process.env['CRASH_KEEP'] === '1') console.log(`# kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  });
});
