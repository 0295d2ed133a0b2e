import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  EMIR_OFFSET_CAP,
  checkCorrelationMatrix,
  correlationOffset,
  jointScenarioOffset,
  type OffsetCap,
  type OffsetResult,
} from '../../../src/risk/portfolio/index.js';
import { closeTo } from './fixtures.js';

const code = (e: unknown): string | undefined => (e as { code?: string }).code;
const NO_CAP: OffsetCap = { benefitShareMax: 1, undiversifiedShareMax: 1 };

describe('correlation offsets: sqrt(L\' C L)', () => {
  test('L = (300, 400) uncorrelated: 500 diversified against 700, an offset of 200; EMIR grants 80% of it, 160', () => {
    const losses = [
      { underlying: 'BTC', loss: 300 },
      { underlying: 'ETH', loss: 400 },
    ];
    const identity = [
      [1, 0],
      [0, 1],
    ];
    const full = correlationOffset({ losses, correlation: identity, cap: NO_CAP });
    closeTo(full.diversified, 500, 1e-12, 'diversified');
    closeTo(full.offsetGranted, 200, 1e-12, 'offset');
    const emir = correlationOffset({ losses, correlation: identity, cap: EMIR_OFFSET_CAP });
    closeTo(emir.offsetGranted, 160, 1e-12, 'EMIR offset');
    closeTo(emir.requirement, 540, 1e-12, 'requirement');
    assert.equal(emir.capBinding, 'benefitShare');
  });

  test('perfect correlation gives no offset; a cap on the undiversified share binds when it is the smaller grant', () => {
    const losses = [
      { underlying: 'BTC', loss: 300 },
      { underlying: 'ETH', loss: 400 },
    ];
    const ones = [
      [1, 1],
      [1, 1],
    ];
    closeTo(correlationOffset({ losses, correlation: ones, cap: NO_CAP }).offsetGranted, 0, 1e-9, 'offset');
    const hedge = correlationOffset({ losses, correlation: [[1, -1], [-1, 1]], cap: { benefitShareMax: 0.8, undiversifiedShareMax: 0.5 } });
    // sqrt(300^2 + 400^2 - 2 x 300 x 400) = 100: offset 600, EMIR 480, capped at 50% of 700 = 350.
    closeTo(hedge.offsetComputed, 600, 1e-9, 'computed');
    closeTo(hedge.offsetGranted, 350, 1e-9, 'granted');
    assert.equal(hedge.capBinding, 'undiversifiedShare');
  });

  test('matrices that are not correlations are rejected with correlation_matrix_invalid', () => {
    const bad = [
      [[1, 0.5], [0.4, 1]], // not symmetric
      [[0.9, 0], [0, 1]], // diagonal not 1
      [[1, 1.2], [1.2, 1]], // out of range
      [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]], // not positive semidefinite
      [[1, 0], [0, 1], [0, 0]], // not square
    ];
    for (const m of bad) assert.throws(() => checkCorrelationMatrix(m, m[0]?.length ?? 0), (e) => code(e) === 'correlation_matrix_invalid', JSON.stringify(m));
    checkCorrelationMatrix([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 3); // singular but valid
  });

  test('a negative loss or a repeated underlying is rejected', () => {
    assert.throws(() => correlationOffset({ losses: [{ underlying: 'BTC', loss: -1 }], correlation: [[1]], cap: NO_CAP }), (e) => code(e) === 'cross_offset_input_invalid');
    assert.throws(
      () => correlationOffset({ losses: [{ underlying: 'BTC', loss: 1 }, { underlying: 'BTC', loss: 2 }], correlation: [[1, 0], [0, 1]], cap: NO_CAP }),
      (e) => code(e) === 'cross_offset_input_invalid',
    );
  });
});

describe('joint-scenario offsets', () => {
  test('BTC loses 100 when prices fall, ETH (short) 80 when they rise: 100 jointly against 180 apart', () => {
    const r = jointScenarioOffset({
      lossVectors: [
        { underlying: 'BTC', losses: [100, 0, -90] },
        { underlying: 'ETH', losses: [-60, 0, 80] },
      ],
      cap: NO_CAP,
    });
    assert.equal(r.undiversified, 180);
    assert.equal(r.diversified, 40);
    assert.equal(r.offsetGranted, 140);
  });

  test('loss vectors on different scenario lists are rejected', () => {
    assert.throws(
      () => jointScenarioOffset({ lossVectors: [{ underlying: 'A', losses: [1, 2] }, { underlying: 'B', losses: [1] }], cap: NO_CAP }),
      (e) => code(e) === 'cross_offset_input_invalid',
    );
  });
});

const capArb = fc.record({ benefitShareMax: fc.double({ min: 0, max: 1, noNaN: true }), undiversifiedShareMax: fc.double({ min: 0, max: 1, noNaN: true }) });

function assertWithinCaps(r: OffsetResult, cap: OffsetCap): void {
  const slack = 1e-9 * Math.max(r.undiversified, 1);
  assert.ok(r.offsetGranted >= 0, `offset ${r.offsetGranted} < 0`);
  assert.ok(r.offsetGranted <= r.offsetComputed + slack, 'granted more than computed');
  assert.ok(r.offsetGranted <= cap.benefitShareMax * r.offsetComputed + slack, 'benefit share cap exceeded');
  assert.ok(r.offsetGranted <= cap.undiversifiedShareMax * r.undiversified + slack, 'undiversified share cap exceeded');
  assert.ok(r.requirement >= r.diversified - slack && r.requirement <= r.undiversified + slack, 'requirement outside [diversified, undiversified]');
}

describe('offsets never exceed the configured caps', () => {
  test('correlation offsets, random losses and random valid correlation matrices', () => {
    // C = D^-1/2 (A A') D^-1/2 for a random A is a correlation matrix.
    const matrixArb = fc.integer({ min: 1, max: 6 }).chain((n) =>
      fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }).map((a) => {
        const g = a.map((ri) => a.map((rj) => ri.reduce((s, x, k) => s + x * (rj[k] ?? 0), 0) + (ri === rj ? 1e-3 : 0)));
        return g.map((row, i) => row.map((x, j) => (i === j ? 1 : x / Math.sqrt((g[i]?.[i] ?? 1) * (g[j]?.[j] ?? 1)))));
      }),
    );
    fc.assert(
      fc.property(matrixArb, capArb, fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 6, maxLength: 6 }), (c, cap, raw) => {
        const symmetric = c.map((row, i) => row.map((x, j) => (i < j ? x : (c[j]?.[i] ?? x))));
        const losses = symmetric.map((_, i) => ({ underlying: `U${i}`, loss: raw[i] ?? 0 }));
        assertWithinCaps(correlationOffset({ losses, correlation: symmetric, cap }), cap);
      }),
      { seed: 4301, numRuns: 300 },
    );
  });

  test('joint-scenario offsets, random loss vectors', () => {
    fc.assert(
      fc.property(
        capArb,
        fc.integer({ min: 1, max: 20 }).chain((n) => fc.array(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 5 })),
        (cap, vectors) => {
          const lossVectors = vectors.map((losses, i) => ({ underlying: `U${i}`, losses }));
          assertWithinCaps(jointScenarioOffset({ lossVectors, cap }), cap);
        },
      ),
      { seed: 4302, numRuns: 300 },
    );
  });
});
