/**
 * The liquidation queue: bounded, worst first (bankrupt before liquidatable, then the lower margin
 * ratio, then the lower account index), keeps the worst accounts when more qualify than it holds,
 * and gets back the ones it left out once the planner makes room.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LiquidationQueue, STATUS_BANKRUPT, STATUS_HEALTHY, STATUS_LIQUIDATABLE } from '../../src/kernel/index.js';

interface Update {
  readonly account: number;
  readonly status: number;
  readonly ratio: number;
}

const update: fc.Arbitrary<Update> = fc.record({
  account: fc.nat(199),
  status: fc.constantFrom(STATUS_HEALTHY, STATUS_LIQUIDATABLE, STATUS_LIQUIDATABLE, STATUS_BANKRUPT),
  ratio: fc.oneof(fc.double({ min: -2, max: 1, noNaN: true }), fc.constant(Number.NaN), fc.constantFrom(0.5, 0.9)),
});

/** The model: the latest status and ratio of every account, sorted worst first. */
function worstFirst(latest: Map<number, Update>): number[] {
  const key = (u: Update): [number, number] => [-u.status, Number.isNaN(u.ratio) ? -Infinity : u.ratio];
  return [...latest.values()]
    .filter((u) => u.status === STATUS_LIQUIDATABLE || u.status === STATUS_BANKRUPT)
    .sort((x, y) => key(x)[0] - key(y)[0] || (key(x)[1] < key(y)[1] ? -1 : key(x)[1] > key(y)[1] ? 1 : 0) || x.account - y.account)
    .map((u) => u.account);
}

describe('liquidation queue', () => {
  it('holds the worst `capacity` qualifying accounts, worst first, and pops them in that order', () => {
    fc.assert(
      fc.property(fc.array(update, { maxLength: 400 }), fc.integer({ min: 1, max: 40 }), (updates, capacity) => {
        const queue = new LiquidationQueue(capacity, 200);
        const latest = new Map<number, Update>();
        for (const u of updates) {
          queue.update(u.account, u.status, u.ratio);
          latest.set(u.account, u);
        }
        const expected = worstFirst(latest);
        assert.ok(queue.size <= capacity);
        // Without overflow the queue holds every qualifying account; with it, the worst that fit
        // when they arrived (a newcomer displaces the least bad member only).
        if (!queue.overflowed) assert.deepEqual(queue.ordered(), expected);
        else {
          const held = queue.ordered();
          for (let k = 1; k < held.length; k++) assert.ok(expected.indexOf(held[k - 1] as number) < expected.indexOf(held[k] as number));
        }
        const popped: number[] = [];
        const ordered = queue.ordered();
        for (let a = queue.pop(); a >= 0; a = queue.pop()) popped.push(a);
        assert.deepEqual(popped, ordered);
      }),
      { seed: 13, numRuns: 400 },
    );
  });

  it('gets back the accounts it left out: refill rescans the statuses', () => {
    const queue = new LiquidationQueue(4, 20);
    const status = new Uint8Array(20);
    const ratio = new Float64Array(20);
    for (let a = 0; a < 20; a++) {
      status[a] = STATUS_LIQUIDATABLE;
      ratio[a] = 1 - a / 100; // account 19 is the worst
      queue.update(a, STATUS_LIQUIDATABLE, ratio[a] as number);
    }
    assert.equal(queue.size, 4);
    assert.ok(queue.overflowed);
    assert.deepEqual(queue.ordered(), [19, 18, 17, 16]);
    const first: number[] = [];
    for (let k = 0; k < 4; k++) first.push(queue.pop());
    queue.refill(20, (a) => status[a] as number, (a) => ratio[a] as number);
    assert.deepEqual(queue.ordered(), [19, 18, 17, 16]); // nobody was liquidated: still the worst
    for (const a of first) status[a] = STATUS_HEALTHY;
    for (let k = 0; k < 4; k++) queue.pop();
    queue.refill(20, (a) => status[a] as number, (a) => ratio[a] as number);
    assert.deepEqual(queue.ordered(), [15, 14, 13, 12]);
  });
});
