import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { adlScore, allocateProRata, allocateQueue, rankForAdl, splitExact, type AdlCandidate } from '../../../src/risk/liquidation/adl.js';

const cand = (accountId: string, size: bigint, pnl: number, entryValueAbs: number, notional: number, equity: number): AdlCandidate => ({ accountId, size, pnl, entryValueAbs, notional, equity });

describe('ADL ranking (METHODS.md §4: PnL% x effective leverage)', () => {
  it('ranks profit times leverage first, then losses by PnL% / leverage', () => {
    const a = cand('a', 10n, 100, 1_000, 1_100, 1_100); // +10% at 1x -> 0.1
    const b = cand('b', 10n, 50, 1_000, 1_050, 210); // +5% at 5x -> 0.25
    const c = cand('c', 10n, -100, 1_000, 900, 90); // -10% / 10x -> -0.01
    const d = cand('d', 10n, -100, 1_000, 900, 900); // -10% / 1x -> -0.1
    assert.ok(Math.abs(adlScore(b) - 0.25) < 1e-12);
    assert.deepEqual(rankForAdl([a, c, d, b]).map((x) => x.accountId), ['b', 'a', 'c', 'd']);
  });

  it('the queue closes down the ranking, the last one partially, no more than asked', () => {
    const ranked = [cand('b', 5n, 1, 1, 1, 1), cand('a', 10n, 1, 1, 1, 1)];
    assert.deepEqual(allocateQueue(8n, ranked), [
      { accountId: 'b', size: 5n },
      { accountId: 'a', size: 3n },
    ]);
  });

  it('pro-rata spreads over the profitable first, each only its share', () => {
    const ranked = [cand('p1', 300n, 5, 10, 10, 10), cand('p2', 100n, 1, 10, 10, 10), cand('l', 1_000n, -1, 10, 10, 10)];
    assert.deepEqual(allocateProRata(200n, ranked, 1n), [
      { accountId: 'p1', size: 150n },
      { accountId: 'p2', size: 50n },
    ]);
    // More than the profitable hold: they close whole, the losers share the rest.
    assert.deepEqual(allocateProRata(600n, ranked, 1n), [
      { accountId: 'p1', size: 300n },
      { accountId: 'p2', size: 100n },
      { accountId: 'l', size: 200n },
    ]);
  });

  it('law: both allocations place exactly min(total, held), on the lot grid, within each position', () => {
    const lot = 1_000n;
    const arb = fc.array(fc.record({ lots: fc.bigInt({ min: 1n, max: 500n }), pnl: fc.integer({ min: -100, max: 100 }) }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(arb, fc.bigInt({ min: 0n, max: 3_000n }), (rows, totalLots) => {
        const ranked = rankForAdl(rows.map((r, i) => cand(`x${i}`, r.lots * lot, r.pnl, 100, 100, 50)));
        const held = ranked.reduce((t, r) => t + r.size, 0n);
        const total = totalLots * lot;
        for (const alloc of [allocateQueue(total, ranked), allocateProRata(total, ranked, lot)]) {
          const placed = alloc.reduce((t, a) => t + a.size, 0n);
          assert.equal(placed, total < held ? total : held);
          for (const a of alloc) {
            assert.equal(a.size % lot, 0n);
            assert.ok(a.size > 0n && a.size <= (ranked.find((r) => r.accountId === a.accountId)?.size ?? 0n));
          }
        }
      }),
      { seed: 71, numRuns: 400 },
    );
  });

  it('law: exact shares sum to the whole', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 10 }), (total, weights) => {
        const shares = splitExact(total, weights);
        if (weights.some((w) => w > 0n)) assert.equal(shares.reduce((a, b) => a + b, 0n), total);
        shares.forEach((s, i) => assert.ok(s >= 0n && (weights[i] === 0n ? s === 0n : true)));
      }),
      { seed: 73, numRuns: 400 },
    );
  });
});
