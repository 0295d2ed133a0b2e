/**
 * The journal and snapshot encodings (issue 8): the reviver-free reader decodes exactly what the
 * reviver did, records are written byte for byte as before, and journals and snapshots written in
 * the layouts before issue 8 still recover.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decode, encode, snapshotOf, stateHashOf } from '../../src/engine/codec.js';
import { createEngine, ManualClock, type Command } from '../../src/engine/index.js';
import { GENESIS_HASH, hashOf, makeRecord, type RecordBody } from '../../src/engine/journal.js';
import { recover, snapshotHashOf, type SnapshotBody } from '../../src/engine/recovery.js';
import { decodeSnapshot, encodeSnapshot } from '../../src/engine/snapshotBody.js';
import { emptyState } from '../../src/engine/state.js';
import { parseAmount, parseSize } from '../../src/risk/units/quantities.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { JournalRecord } from '../../src/store/port.js';
import { fcOptions, startEngine } from './reliability/harness.js';
import { opsArbitrary, runOps } from './reliability/ops.js';

/** The encoder before issue 8 (and still): JSON.stringify with a replacer that tags bigints. */
const encodeWithReplacer = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? { $n: v.toString() } : v));

/** The decoder before issue 8: JSON.parse with a reviver. */
const decodeWithReviver = (text: string): unknown =>
  JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$n') return BigInt((v as { $n: string }).$n);
    }
    return v;
  });

/** Awkward text: quotes, controls, lone surrogates, "$n", "__proto__". */
const tricky = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('$n', '"', '\\', '\n', '\u2028', '\ud800', '\udc00x', 'é漢🚀', '__proto__'));

/** JSON-like values with bigints, whose object keys are drawn from `key`. */
const jsonishWith = (key: fc.Arbitrary<string>) =>
  fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.bigInt(),
      tricky,
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value')),
      fc.dictionary(key, tie('value')),
    ),
  })).value;
const jsonish = jsonishWith(tricky);
/** Domain values: no object has a "$n" key (the tag), so decode(encode(x)) is x. */
const domainish = jsonishWith(tricky.filter((k) => k !== '$n'));

function outcomeOf(read: () => unknown): { value: unknown } | { threw: string } {
  try {
    return { value: read() };
  } catch (error) {
    return { threw: error instanceof Error ? error.name : String(error) };
  }
}

describe('journal encoding (issue 8)', () => {
  it('decode reads what encode wrote, as the reviver-based decoder did', () => {
    fc.assert(
      fc.property(jsonish, (value) => {
        const text = encode(value);
        // Equal values, or both refuse ({"$n": null} is no bigint).
        assert.deepEqual(outcomeOf(() => decode(text)), outcomeOf(() => decodeWithReviver(text)));
      }),
      fcOptions(8, 2_000),
    );
    fc.assert(
      fc.property(domainish, (value) => {
        assert.equal(encode(decode(encode(value))), encode(value));
      }),
      fcOptions(9, 2_000),
    );
  });

  it('decode never lets a "__proto__" key set a prototype', () => {
    const value = decode<Record<string, unknown>>('{"__proto__":{"$n":"5"},"a":{"__proto__":{"polluted":true}}}');
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, 5n);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(value.a), Object.prototype);
  });

  it('a journal written by the encoder before issue 8 recovers, record hashes unchanged', async () => {
    // Run a workload, then rebuild its journal with the old encoder (JSON.stringify + replacer).
    const harness = await startEngine();
    await runOps(harness, fc.sample(opsArbitrary({ maxLength: 60, isolated: true }), { numRuns: 1, seed: 8 })[0] ?? [], 'old-', { options: { isolated: true } });
    const live = harness.engine.stateHash();
    await harness.engine.close();
    const old = new MemoryStore();
    let prevHash = GENESIS_HASH;
    for (const r of harness.store.records) {
      const body = decodeWithReviver(r.body) as RecordBody;
      const unsigned = { seq: r.seq, commandId: r.commandId, timestampMs: r.timestampMs, body: encodeWithReplacer(body), prevHash };
      const record: JournalRecord = { ...unsigned, hash: hashOf(unsigned) };
      assert.deepEqual(makeRecord({ ...unsigned, body }), record, `record ${r.seq}: the new writer's record differs from the old one`);
      prevHash = record.hash;
      await old.append([record]);
    }
    const recovered = await createEngine({ store: old, clock: new ManualClock(0), invariants: 'event' });
    assert.equal(recovered.stateHash(), live);
    await recovered.close();
  });
});

describe('snapshot layouts (issue 8)', () => {
  it('layout 2 decodes to the state, window and timestamp it encoded, after any sequence of commands', async () => {
    await fc.assert(
      fc.asyncProperty(opsArbitrary({ maxLength: 40, isolated: true }), async (ops) => {
        const harness = await startEngine();
        await runOps(harness, ops, 'snap-', { options: { isolated: true } });
        const { state } = harness.engine;
        const processed = new Map([['x', 3], ['y\u2028"', 9]]);
        const decoded = decodeSnapshot(encodeSnapshot({ state, processed, lastTimestampMs: 1234 }));
        assert.equal(stateHashOf(decoded.state), stateHashOf(state));
        assert.deepEqual([...decoded.state.accounts.keys()], [...state.accounts.keys()], 'accounts keep their order');
        assert.deepEqual(decoded.state.accounts, state.accounts);
        assert.deepEqual([...decoded.processed], [...processed]);
        assert.equal(decoded.lastTimestampMs, 1234);
        await harness.engine.close();
      }),
      fcOptions(8, 40),
    );
  });

  it('a snapshot written in layout 1 (before issue 8) still recovers, with its idempotency window', async () => {
    const harness = await startEngine();
    await runOps(harness, fc.sample(opsArbitrary({ maxLength: 40, isolated: true }), { numRuns: 1, seed: 3 })[0] ?? [], 'v1-', { options: { isolated: true } });
    const { engine, store } = harness;
    const seq = engine.lastSeq();
    const lastHash = (store.records.at(-1) as JournalRecord).hash;
    const accepted = store.records.filter((r) => !r.commandId.startsWith('engine:')).map((r): [string, number] => [r.commandId, r.seq]);
    // The body exactly as EngineShell.snapshot wrote it before issue 8.
    const body = encodeWithReplacer({ state: snapshotOf(engine.state), processed: accepted, lastTimestampMs: 77 } satisfies SnapshotBody);
    assert.ok(body.startsWith('{"state":'));
    await store.writeSnapshot({ seq, lastHash, stateHash: snapshotHashOf(seq, lastHash, body), body });
    const live = engine.stateHash();
    await engine.close();
    // Recovery takes the state from the snapshot (nothing replayed), and lands on the live state.
    const fromSnapshot = await recover(store, { processedMax: 1_000_000 });
    assert.equal(fromSnapshot.replayed, 0);
    assert.equal(stateHashOf(fromSnapshot.state), live);
    assert.equal(fromSnapshot.lastTimestampMs, 77);
    const recovered = await createEngine({ store, clock: new ManualClock(0) });
    assert.equal(recovered.stateHash(), live);
    const first = accepted[0];
    assert.ok(first !== undefined);
    const original = store.records.find((r) => r.seq === first[1]);
    assert.ok(original !== undefined);
    const again = await recovered.submit((decode<RecordBody>(original.body).command as Command));
    assert.ok(again.ok && again.duplicate && again.seq === first[1], 'the window came back from the layout-1 snapshot');
    await recovered.close();
  });

  it('layout 2 holds every account across its chunks (more accounts than one chunk of lines)', () => {
    const state = emptyState();
    for (let i = 0; i < 9_000; i++) {
      const id = `acct-${i}`;
      state.accounts.set(id, {
        id,
        ...(i % 7 === 0 ? { parentId: 'acct-0' } : {}),
        mode: i % 3 === 0 ? 'isolated' : 'cross',
        balances: new Map([['USDT', parseAmount(String(i))]]),
        positions: new Map(i % 2 === 0 ? [['BTCUSDT', { instrument: 'BTCUSDT', size: parseSize('-0.5'), entryValue: parseAmount(String(-i)), ...(i % 3 === 0 ? { isolatedMargin: parseAmount('12.5') } : {}) }]] : []),
        orders: new Map(),
        leverage: new Map(i % 5 === 0 ? [['BTCUSDT', 20]] : []),
      });
    }
    const text = encodeSnapshot({ state, processed: new Map([['z', 1]]), lastTimestampMs: 5 });
    assert.equal(text.split('\n').length, 3 + 9_000);
    const decoded = decodeSnapshot(text);
    assert.deepEqual(decoded.state.accounts, state.accounts);
    assert.equal(stateHashOf(decoded.state), stateHashOf(state));
  });

  it('a snapshot of an unknown layout version is refused, never guessed', () => {
    const text = encodeSnapshot({ state: emptyState(), processed: new Map(), lastTimestampMs: 0 }).replace('"version":2', '"version":9');
    assert.throws(() => decodeSnapshot(text), /layout version 9 is not known/);
  });
});
