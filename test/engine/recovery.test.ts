/**
 * The idempotency window (R7) as recovery and the shell keep it: `remember` holds the newest `max`
 * accepted ids, oldest first, whatever the interleaving (issue 8 made its eviction O(1)).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { remember } from '../../src/engine/recovery.js';

describe('the idempotency window', () => {
  it('remember keeps the newest max ids in acceptance order, across many evictions and refills', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.array(fc.oneof(fc.constant<'clear'>('clear'), fc.nat({ max: 40 })), { maxLength: 300 }), (max, steps) => {
        const processed = new Map<string, number>();
        let reference: [string, number][] = [];
        let seq = 0;
        for (const step of steps) {
          if (step === 'clear') {
            processed.clear();
            reference = [];
            continue;
          }
          const id = `c${step}-${seq}`;
          seq += 1;
          remember(processed, id, seq, max);
          reference.push([id, seq]);
          reference = reference.slice(Math.max(0, reference.length - max));
          assert.deepEqual([...processed], reference);
        }
      }),
      { seed: 8, numRuns: 300 },
    );
  });
});
