/**
 * R3 Deterministic replay (RELIABILITY.md): the state is a function of the journal. After random
 * sequences, replaying the journal (twice), restarting a new engine on the same MemoryStore with
 * and without snapshots, and replaying any prefix of the journal, each give the state hash the
 * live engine had at that point; command ids survive the restart (a redelivered command is a
 * duplicate with its first seq).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createEngine, recover, stateHashOf, type Command } from '../../../src/engine/index.js';
import { copyStore, fcOptions, startEngine, submit } from './harness.js';
import { opsArbitrary, runOps, type Op } from './ops.js';

async function replayReproducesEveryHash(ops: readonly Op[], snapshotEvery: number | undefined, prefixes: readonly number[]): Promise<void> {
  const harness = await startEngine(snapshotEvery === undefined ? {} : { snapshotEvery });
  const { engine, store, clock } = harness;
  const hashAtSeq = new Map<number, string>([[engine.lastSeq(), engine.stateHash()]]);
  const accepted: { command: Command; seq: number }[] = [];
  await runOps(harness, ops, 'r3-', {
    options: { isolated: true },
    after: ({ command, result }) => {
      hashAtSeq.set(engine.lastSeq(), engine.stateHash());
      if (result.ok) accepted.push({ command, seq: result.seq });
    },
  });
  const liveHash = engine.stateHash();
  const lastSeq = engine.lastSeq();
  await engine.close();
  if (snapshotEvery !== undefined && lastSeq > snapshotEvery) assert.ok(store.snapshots.length > 0, 'snapshots were written');

  // Replaying the journal twice gives the same hash, with or without the snapshots.
  for (const withSnapshots of [true, false, true, false]) {
    const replayed = await recover(copyStore(store, { snapshots: withSnapshots }), { processedMax: 1_000_000, checkEvery: true });
    assert.equal(replayed.lastSeq, lastSeq);
    assert.equal(stateHashOf(replayed.state), liveHash, `replay ${withSnapshots ? 'from the snapshot' : 'from genesis'}`);
  }

  // Every prefix of the journal replays to the hash the live engine had at that seq.
  for (const fraction of prefixes) {
    const records = Math.max(1, Math.round(fraction * lastSeq));
    const replayed = await recover(copyStore(store, { records }), { processedMax: 1_000_000 });
    assert.equal(stateHashOf(replayed.state), hashAtSeq.get(records), `prefix of ${records} records`);
  }

  // A restart on the same store (snapshot + tail), and a restart on the journal alone.
  for (const restartStore of [store, copyStore(store)]) {
    const restarted = await createEngine({ store: restartStore, clock, invariants: 'event' });
    assert.equal(restarted.stateHash(), liveHash);
    assert.equal(restarted.lastSeq(), lastSeq);
    // Redelivered after the restart, accepted commands are duplicates with their first seq.
    for (const { command, seq } of accepted.slice(-5)) {
      const again = await submit(restarted, command);
      assert.ok(again.ok && again.duplicate, `redelivered ${command.id} after a restart is a duplicate`);
      assert.equal(again.seq, seq);
    }
    assert.equal(restarted.stateHash(), liveHash, 'duplicates change nothing');
    await restarted.close();
  }
}

describe('R3 deterministic replay', () => {
  it('replaying the journal, twice and across restarts with and without snapshots, gives the same state hash', async () => {
    await fc.assert(
      fc.asyncProperty(
        opsArbitrary({ isolated: true, maxLength: 60 }),
        fc.option(fc.integer({ min: 1, max: 25 }), { freq: 4 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (ops, snapshotEvery, prefixes) => replayReproducesEveryHash(ops, snapshotEvery ?? undefined, prefixes),
      ),
      fcOptions(0x3e91a7, 40),
    );
  });

  it('stamps never go backwards across a restart, even when the clock does', async () => {
    for (const snapshotEvery of [undefined, 1]) {
      const label = snapshotEvery === undefined ? 'journal only' : 'from a snapshot with no tail';
      const harness = await startEngine(snapshotEvery === undefined ? {} : { snapshotEvery });
      await runOps(harness, [], 'r3b-');
      const before = harness.store.records.at(-1)?.timestampMs ?? 0;
      await harness.engine.close();
      harness.clock.set(before - 60_000); // the wall clock steps back a minute (NTP, a VM migration)
      const restarted = await createEngine({ store: harness.store, clock: harness.clock });
      const result = await submit(restarted, { type: 'UpdatePrices', id: 'r3b-after', prices: {} });
      assert.ok(result.ok);
      const after = harness.store.records.at(-1)?.timestampMs ?? 0;
      assert.ok(after >= before, `${label}: the record after the restart is stamped ${after}, before the last one (${before})`);
      await restarted.close();
    }
  });
});
