/**
 * R7 Idempotency (RELIABILITY.md): each input delivered 1-3 times and reordered within a small
 * window gives the same state hash as exactly-once delivery of the same inputs in the order of
 * their first deliveries; every later copy of an accepted command answers `duplicate: true` with
 * the first result's seq and events. Copies share batches (group commit) or not, at random.
 *
 * Rejected commands leave no trace, so a later copy of one is decided afresh (a corrected command
 * may reuse its id, commands.ts): the law is stated over commands that exactly-once delivery
 * accepts; a rejected command is dropped from both deliveries, which changes neither.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Command, CommandResult } from '../../../src/engine/index.js';
import { amount } from '../../../src/risk/units/quantities.js';
import { fcOptions, show, startEngine, submit, submitAll } from './harness.js';
import { ACCOUNTS, opsArbitrary, runOps, setupCommands, type Op } from './ops.js';

interface Timed {
  readonly command: Command;
  /** When exactly-once delivery submitted it; a delivery is never earlier. */
  readonly nowMs: number;
}

interface Schedule {
  /** Per command: extra copies (0-2) and how far each copy may slip behind (in positions). */
  readonly copies: readonly { readonly extra: number; readonly slips: readonly number[] }[];
  /** Sizes of the groups submitted together (one batch each). */
  readonly batches: readonly number[];
}

/** Copies of each input, each at its position plus a slip, ordered by that key (stable). */
function deliveriesOf(inputs: readonly Timed[], schedule: Schedule): Timed[] {
  const keyed: { key: number; order: number; input: Timed }[] = [];
  inputs.forEach((input, i) => {
    const plan = schedule.copies[i % schedule.copies.length] ?? { extra: 0, slips: [] };
    for (let copy = 0; copy <= plan.extra; copy++) keyed.push({ key: i + (plan.slips[copy] ?? 0), order: keyed.length, input });
  });
  return keyed.sort((a, b) => a.key - b.key || a.order - b.order).map((k) => k.input);
}

function firstDeliveries(deliveries: readonly Timed[]): Timed[] {
  const seen = new Set<string>();
  return deliveries.filter((d) => !seen.has(d.command.id) && (seen.add(d.command.id), true));
}

async function deliverOnce(inputs: readonly Timed[]): Promise<{ hash: string; results: Map<string, CommandResult> }> {
  const { engine, clock } = await startEngine();
  const results = new Map<string, CommandResult>();
  for (const { command, nowMs } of inputs) {
    if (nowMs > clock.nowMs()) clock.set(nowMs);
    results.set(command.id, await submit(engine, command));
  }
  const hash = engine.stateHash();
  await engine.close();
  return { hash, results };
}

async function duplicatedDeliveryMatchesExactlyOnce(ops: readonly Op[], schedule: Schedule): Promise<number> {
  // The inputs: what a random sequence turns into against a live engine, with their stamps.
  const source = await startEngine();
  const inputs: Timed[] = [];
  await runOps(source, ops, 'r7-', { after: ({ command, nowMs }) => inputs.push({ command, nowMs }) });
  await source.engine.close();

  const deliveries = deliveriesOf(inputs, schedule);
  const once = await deliverOnce(firstDeliveries(deliveries));
  const acceptedOnce = (d: Timed) => once.results.get(d.command.id)?.ok === true;
  const kept = deliveries.filter(acceptedOnce);
  const reference = await deliverOnce(firstDeliveries(kept));
  assert.equal(reference.hash, once.hash, 'dropping rejected commands changes nothing');

  const { engine, clock } = await startEngine();
  const first = new Map<string, CommandResult>();
  let position = 0;
  for (let b = 0; position < kept.length; b++) {
    const group = kept.slice(position, position + (schedule.batches[b % schedule.batches.length] ?? 1));
    position += group.length;
    const latest = Math.max(...group.map((d) => d.nowMs));
    if (latest > clock.nowMs()) clock.set(latest);
    const results = await submitAll(engine, group.map((d) => d.command));
    group.forEach(({ command }, i) => {
      const result = results[i] as CommandResult;
      const earlier = first.get(command.id);
      if (earlier === undefined) {
        const expected = reference.results.get(command.id);
        assert.ok(result.ok && !result.duplicate, `first delivery of ${show(command)} is accepted: ${show(result)}`);
        assert.ok(expected?.ok === true);
        assert.equal(result.seq, expected.seq, `first delivery of ${command.id} takes the seq of exactly-once delivery`);
        first.set(command.id, result);
      } else {
        assert.ok(result.ok && result.duplicate, `copy of ${show(command)} is a duplicate: ${show(result)}`);
        assert.ok(earlier.ok);
        assert.equal(result.seq, earlier.seq, `copy of ${command.id} answers the first seq`);
        assert.deepEqual(result.events, earlier.events, `copy of ${command.id} answers the first events`);
      }
    });
  }
  assert.equal(engine.stateHash(), reference.hash, 'duplicated, reordered delivery ends in the state of exactly-once delivery');
  await engine.close();
  return kept.length - first.size;
}

const scheduleArbitrary: fc.Arbitrary<Schedule> = fc.record({
  copies: fc.array(
    fc.record({ extra: fc.integer({ min: 0, max: 2 }), slips: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }) }),
    { minLength: 1, maxLength: 40 },
  ),
  batches: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 10 }),
});

describe('R7 idempotency', () => {
  it('inputs delivered 1-3 times and reordered in a window end in the state of exactly-once delivery', async () => {
    let duplicates = 0;
    await fc.assert(
      fc.asyncProperty(opsArbitrary({ isolated: false, maxLength: 50 }), scheduleArbitrary, async (ops, schedule) => {
        duplicates += await duplicatedDeliveryMatchesExactlyOnce(ops, schedule);
      }),
      fcOptions(0x1de9, 40),
    );
    console.log(`R7: ${duplicates} duplicate deliveries answered`);
    assert.ok(duplicates > 500);
  });

  it('deposits commute: any reordering of duplicated deposits gives the in-order state hash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ account: fc.integer({ min: 0, max: 5 }), units: fc.bigInt({ min: 1n, max: 10n ** 12n }), copies: fc.integer({ min: 1, max: 3 })}), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (deposits, shuffleSeed) => {
          const commands: Command[] = deposits.map((d, i) => ({ type: 'Deposit', id: `dep${i}`, accountId: ACCOUNTS[d.account] as string, asset: 'USDT', amount: amount(d.units) }));
          const inOrder = await startEngine();
          for (const c of setupCommands('s-')) await submit(inOrder.engine, c);
          for (const c of commands) await submit(inOrder.engine, c);
          const shuffled = await startEngine();
          for (const c of setupCommands('s-')) await submit(shuffled.engine, c);
          const copies = commands.flatMap((c, i) => Array.from({ length: deposits[i]?.copies ?? 1 }, () => c));
          const rng = mulberry32(shuffleSeed);
          for (let i = copies.length - 1; i > 0; i--) {
            const j = Math.floor(rng() * (i + 1));
            [copies[i], copies[j]] = [copies[j] as Command, copies[i] as Command];
          }
          const results = await submitAll(shuffled.engine, copies);
          assert.equal(results.filter((r) => r.ok && r.duplicate).length, copies.length - commands.length);
          assert.equal(shuffled.engine.stateHash(), inOrder.engine.stateHash());
          await inOrder.engine.close();
          await shuffled.engine.close();
        },
      ),
      fcOptions(0xc0a1, 40),
    );
  });
});

/** A tiny seeded generator for the shuffle (the seed comes from fast-check). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
