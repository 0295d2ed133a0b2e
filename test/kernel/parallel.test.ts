/**
 * The full sweep split across worker threads (src/kernel/parallel.ts) leaves the book exactly as a
 * sweep on the main thread does: every account and position record bit for bit, the statuses, the
 * change records in the same order, the accounts sent to the exact reference, the liquidation
 * queue. Random books (every margin model and collateral kind, wide accounts valued by the
 * reference), random marks and prices, whole and partial sweeps. Fixed seeds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { RiskBook, SweepWorkers } from '../../src/kernel/index.js';
import { A_EPOCH, A_STRIDE, P_STRIDE } from '../../src/kernel/layout.js';
import { amount, price, type Price } from '../../src/risk/units/quantities.js';
import { bookCase, SYMBOLS } from './books.js';

let workers: SweepWorkers;
before(async () => {
  workers = await SweepWorkers.start(2);
});
after(async () => {
  await workers.stop();
});

const moved = (p: Price, bp: number): Price => price((p * BigInt(10_000 + bp)) / 10_000n || 1n);

function assertSameBook(split: RiskBook, single: RiskBook): void {
  assert.equal(split.accountCount, single.accountCount);
  for (let k = 0; k < single.accountCount * A_STRIDE; k++) {
    if (k % A_STRIDE === A_EPOCH) continue; // bookkeeping of remargin, not a figure
    assert.ok(Object.is(split.acc[k], single.acc[k]), `account ${Math.floor(k / A_STRIDE)} field ${k % A_STRIDE}: ${split.acc[k]} vs ${single.acc[k]}`);
  }
  const positions = single.positionBlocks.top * P_STRIDE;
  for (let k = 0; k < positions; k++) {
    assert.ok(Object.is(split.pos[k], single.pos[k]), `position record word ${k}`);
    assert.ok(Object.is(split.cold[k], single.cold[k]), `cold record word ${k}`);
  }
  assert.deepEqual([...split.changedAccounts.subarray(0, split.changedCount)], [...single.changedAccounts.subarray(0, single.changedCount)]);
  assert.deepEqual([...split.changedFrom.subarray(0, split.changedCount)], [...single.changedFrom.subarray(0, single.changedCount)]);
  assert.equal(split.exactValuations, single.exactValuations);
  assert.deepEqual(split.queue.ordered(), single.queue.ordered());
  assert.deepEqual([...split.unvalued], [...single.unvalued]);
}

describe('a sweep split across worker threads', () => {
  it('equals a sweep on the main thread bit for bit, whole and in ranges', () => {
    let sweeps = 0;
    let exact = 0;
    fc.assert(
      fc.property(
        bookCase(16),
        fc.array(fc.tuple(fc.constantFrom(...SYMBOLS), fc.integer({ min: -900, max: 900 }), fc.integer({ min: -400, max: 400 })), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.nat(15),
        (c, moves, whale, cut) => {
          const single = RiskBook.fromAccounts(c.params, c.market, c.accounts, { queueCapacity: 8 });
          const split = RiskBook.fromAccounts(c.params, c.market, c.accounts, { queueCapacity: 8 });
          split.useWorkers(workers, 1);
          if (whale) {
            // A balance beyond 2^53 units: a wide account, valued by the reference on the main thread.
            for (const book of [single, split]) book.setBalance(0, 'USDT', amount(2n ** 60n));
          }
          for (const [symbol, bp, btc] of moves) {
            const mark = c.market.marks.get(symbol);
            const btcPrice = c.market.prices.get('BTC');
            for (const book of [single, split]) {
              if (mark !== undefined) book.setMark(symbol, moved(mark, bp));
              if (btcPrice !== undefined) book.setPrice('BTC', moved(btcPrice, btc));
            }
            single.sweep();
            split.sweep();
            assertSameBook(split, single);
            exact += single.exactValuations;
            const from = cut % Math.max(1, single.accountCount);
            single.sweep(from, single.accountCount);
            split.sweep(from, split.accountCount);
            assertSameBook(split, single);
            sweeps += 2;
          }
        },
      ),
      { seed: 8_080_808, numRuns: 60 },
    );
    assert.ok(sweeps > 150, `${sweeps} sweeps compared`);
    assert.ok(exact > 0, 'some accounts went to the exact reference');
  });
});
