/**
 * R6 Disk full / write error (RELIABILITY.md): with MemoryStore.failNextAppends, the batch being
 * committed answers `journal_write_failed` for every command in it, the state hash is the one
 * before the batch, the journal is unchanged, the `onAlarm` callback fires, nothing is
 * acknowledged without durability, and once writes succeed again the engine resumes: retried
 * batches give exactly what a store that never failed gives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createEngine, type Command, type CommandResult } from '../../../src/engine/index.js';
import { bodyOf } from '../../../src/engine/journal.js';
import { fcOptions, show, startEngine, submit, submitAll } from './harness.js';
import { opsArbitrary, runOps, setupCommands, type Op } from './ops.js';

interface Timed {
  readonly command: Command;
  readonly nowMs: number;
}

async function inputsOf(ops: readonly Op[]): Promise<Timed[]> {
  const source = await startEngine();
  const inputs: Timed[] = [];
  await runOps(source, ops, 'r6-', { after: ({ command, nowMs }) => inputs.push({ command, nowMs }) });
  await source.engine.close();
  return inputs;
}

const outcome = (r: CommandResult) => (r.ok ? { ok: true, seq: r.seq, duplicate: r.duplicate, events: r.events } : { ok: false, code: r.code });

async function writeFailuresLoseNothing(
  ops: readonly Op[],
  plan: { batches: readonly number[]; failures: readonly number[]; snapshotEvery: number | null },
): Promise<number> {
  const inputs = await inputsOf(ops);
  // The failing engine rebuilds from the journal on a failure: from genesis, or from a snapshot.
  const failing = await startEngine(plan.snapshotEvery === null ? {} : { snapshotEvery: plan.snapshotEvery });
  const healthy = await startEngine();
  const acknowledged = new Map<number, string>();
  let failedBatches = 0;
  let position = 0;
  for (let b = 0; position < inputs.length; b++) {
    const group = inputs.slice(position, position + (plan.batches[b % plan.batches.length] ?? 1));
    position += group.length;
    const latest = Math.max(...group.map((g) => g.nowMs));
    for (const clock of [failing.clock, healthy.clock]) if (latest > clock.nowMs()) clock.set(latest);
    const commands = group.map((g) => g.command);
    const expected = await submitAll(healthy.engine, commands);

    failing.store.failNextAppends = plan.failures[b % plan.failures.length] ?? 0;
    for (let attempt = 0; ; attempt++) {
      assert.ok(attempt <= 3, 'the engine resumes once writes succeed');
      const hashBefore = failing.engine.stateHash();
      const seqBefore = failing.engine.lastSeq();
      const recordsBefore = failing.store.records.length;
      const alarmsBefore = failing.alarms.length;
      const results = await submitAll(failing.engine, commands);
      if (results.some((r) => !r.ok && r.code === 'journal_write_failed')) {
        failedBatches += 1;
        for (const r of results) assert.ok(!r.ok && r.code === 'journal_write_failed', `every command of a failed batch fails: ${show(r)}`);
        assert.equal(failing.engine.stateHash(), hashBefore, 'a failed batch leaves the state as it was');
        assert.equal(failing.engine.lastSeq(), seqBefore);
        assert.equal(failing.store.records.length, recordsBefore, 'nothing of a failed batch reaches the journal');
        assert.deepEqual(
          failing.alarms.slice(alarmsBefore).map((a) => a.code),
          ['journal_write_failed'],
          'the alarm fires once per failed write',
        );
        continue;
      }
      assert.deepEqual(results.map(outcome), expected.map(outcome), `once writes succeed, the batch answers as if no write had failed`);
      results.forEach((r, i) => {
        if (r.ok && !r.duplicate) acknowledged.set(r.seq, (commands[i] as Command).id);
      });
      break;
    }
    assert.equal(failing.engine.stateHash(), healthy.engine.stateHash());
  }
  // No acknowledged command is lost: each is in the journal under its seq, and a restart has it.
  for (const [seq, id] of acknowledged) {
    const record = failing.store.records.find((r) => r.seq === seq);
    assert.equal(record?.commandId, id, `acknowledged ${id} is durable at seq ${seq}`);
    if (record !== undefined) assert.equal((bodyOf(record).command as Command).id, id);
  }
  const restarted = await createEngine({ store: failing.store, clock: failing.clock });
  assert.equal(restarted.stateHash(), healthy.engine.stateHash());
  for (const h of [failing, healthy]) await h.engine.close();
  await restarted.close();
  return failedBatches;
}

describe('R6 write failure', () => {
  it('a failed journal write answers journal_write_failed, changes nothing, alarms, and the engine resumes', async () => {
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(
        opsArbitrary({ isolated: true, maxLength: 50 }),
        fc.record({
          batches: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
          failures: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 }),
          snapshotEvery: fc.option(fc.integer({ min: 1, max: 10 })),
        }),
        async (ops, plan) => {
          failed += await writeFailuresLoseNothing(ops, plan);
        },
      ),
      fcOptions(0xd15c_f011, 40),
    );
    console.log(`R6: ${failed} failed batches`);
    assert.ok(failed > 50);
  });

  it('while the disk refuses writes, a risk-increasing fill is not acknowledged, and it applies once writes succeed', async () => {
    const { engine, store, alarms } = await startEngine();
    for (const c of setupCommands('w-')) assert.ok((await submit(engine, c)).ok);
    const fill: Command = {
      type: 'ApplyFill',
      id: 'w-fill',
      instrument: 'BTCUSDT',
      price: 5_000_000_000_000n as never,
      size: 100_000_000n as never,
      buyer: { accountId: 'acct0' },
      seller: { accountId: 'acct1' },
      aggressor: 'buy',
    };
    const before = engine.stateHash();
    store.failNextAppends = 3;
    for (let i = 0; i < 3; i++) {
      const result = await submit(engine, fill);
      assert.ok(!result.ok && result.code === 'journal_write_failed');
      assert.equal(engine.stateHash(), before);
      assert.equal(engine.state.accounts.get('acct0')?.positions.size, 0, 'no position without a durable fill');
    }
    assert.equal(alarms.filter((a) => a.code === 'journal_write_failed').length, 3);
    const retried = await submit(engine, fill);
    assert.ok(retried.ok && !retried.duplicate, 'after the failures the fill is new, not a duplicate of an unjournaled one');
    assert.equal(engine.state.accounts.get('acct0')?.positions.get('BTCUSDT')?.size, 100_000_000n);
    const again = await submit(engine, fill);
    assert.ok(again.ok && again.duplicate && again.seq === retried.seq);
    await engine.close();
  });
});
