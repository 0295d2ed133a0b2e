/**
 * The seeded generator: known answers from the reference implementations, determinism per seed,
 * and the distributions built on it (normal, gamma, Student-t) against their moments and quantiles.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  chiSquare,
  createRandom,
  fillNormal,
  gamma,
  normal,
  randomFromState,
  splitmix64,
  standardizedStudentT,
  studentTQuantile,
  uniform,
  uniformOpen,
} from '../../../src/risk/analytics/index.js';
import { normInv } from '../../../src/risk/pricing/normal.js';
import { assertClose, assertRejects } from './support.js';

fc.configureGlobal({ includeErrorInReport: true });

function sampleMoments(draw: () => number, n: number): { mean: number; variance: number; sorted: Float64Array } {
  const xs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    xs[i] = draw();
    sum += xs[i] as number;
  }
  const mean = sum / n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  return { mean, variance: ss / (n - 1), sorted: xs.sort() };
}

describe('generator: known answers', () => {
  // Vigna's splitmix64.c, seed 1234567: the first five outputs (a widely used test vector).
  test('splitmix64 reproduces the reference stream for seed 1234567', () => {
    let state = 1234567n;
    const outputs: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      const [next, out] = splitmix64(state);
      state = next;
      outputs.push(out);
    }
    assert.deepEqual(outputs, [6457827717110365317n, 3203168211198807973n, 9817491932198370423n, 4593380528125082431n, 16408922859458223821n]);
  });

  // The C reference xoshiro128starstar.c, as tabulated by github.com/edorfaus/xoshiro-6502
  // (test-rom/testdata.asm): outputs and the state after each of the four steps.
  test('xoshiro128** reproduces the reference outputs and states', () => {
    const random = randomFromState([0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0]);
    const expected = [
      [0xf1391922, [0x72410269, 0xef382c52, 0x2e43bec7, 0x62432f20]],
      [0x6fe53806, [0xff3a011b, 0xb33a90fc, 0x2c5a18ae, 0xd81b946b]],
      [0xa5be2840, [0x941b058c, 0x605a8949, 0xa641e1b5, 0x0824bb59]],
      [0xf510ee70, [0xfc65379c, 0x52006d70, 0x87487639, 0xf1908343]],
    ] as const;
    for (const [output, state] of expected) {
      assert.equal(random.nextUint32(), output);
      assert.deepEqual(random.snapshot(), state);
    }
  });

  // Hand check of the algorithm: state [1, 2, 3, 4] gives rotl(2 * 5, 7) * 9 = 11520, then 0.
  test('xoshiro128** from state [1, 2, 3, 4] starts 11520, 0', () => {
    const random = randomFromState([1, 2, 3, 4]);
    assert.equal(random.nextUint32(), 11520);
    assert.equal(random.nextUint32(), 0);
  });

  test('a seed maps to the state built from its first two splitmix64 outputs', () => {
    const [s1, first] = splitmix64(1234567n);
    const [, second] = splitmix64(s1);
    const words = [first & 0xffffffffn, first >> 32n, second & 0xffffffffn, second >> 32n].map(Number);
    assert.deepEqual(createRandom(1234567).snapshot(), words);
    assert.deepEqual(createRandom(1234567n).snapshot(), words);
  });
});

describe('generator: determinism', () => {
  test('the same seed gives the same stream, draw for draw', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (seed) => {
        const a = createRandom(seed);
        const b = createRandom(seed);
        for (let i = 0; i < 50; i++) assert.equal(a.nextUint32(), b.nextUint32());
        assert.equal(normal(a), normal(b));
        assert.equal(standardizedStudentT(a, 4.5), standardizedStudentT(b, 4.5));
      }),
      { seed: 1101, numRuns: 200 },
    );
  });

  test('neighbouring seeds give unrelated streams', () => {
    const a = createRandom(1);
    const b = createRandom(2);
    let equal = 0;
    for (let i = 0; i < 1000; i++) if (a.nextUint32() === b.nextUint32()) equal++;
    assert.ok(equal <= 1, `${equal} equal words`);
  });

  test('a snapshot resumes the stream exactly where it stopped', () => {
    const a = createRandom(99);
    for (let i = 0; i < 17; i++) a.nextUint32();
    const b = randomFromState(a.snapshot());
    for (let i = 0; i < 100; i++) assert.equal(a.nextUint32(), b.nextUint32());
  });

  test('negative seeds are taken modulo 2^64 and bad seeds and states are rejected', () => {
    assert.deepEqual(createRandom(-1).snapshot(), createRandom((1n << 64n) - 1n).snapshot());
    assertRejects(() => createRandom(0.5), 'random_seed_invalid');
    assertRejects(() => createRandom(2 ** 60), 'random_seed_invalid');
    assertRejects(() => randomFromState([0, 0, 0, 0]), 'random_state_invalid');
    assertRejects(() => randomFromState([1, 2, 3, 2 ** 32]), 'random_state_invalid');
  });
});

describe('distributions built on the generator', () => {
  test('uniforms stay in [0, 1) and (0, 1) with mean 1/2 and variance 1/12', () => {
    const random = createRandom(5);
    const m = sampleMoments(() => uniform(random), 100_000);
    assertClose(m.mean, 0.5, 0.004, 'mean');
    assertClose(m.variance, 1 / 12, 0.001, 'variance');
    assert.ok((m.sorted[0] as number) >= 0 && (m.sorted[m.sorted.length - 1] as number) < 1);
    const open = createRandom(6);
    for (let i = 0; i < 10_000; i++) {
      const u = uniformOpen(open);
      assert.ok(u > 0 && u < 1);
    }
  });

  // Sampling error of n = 100,000 draws: s.e. of the mean 0.0032, of the variance 0.0045, of the
  // 99% quantile about 0.012; tolerances are 4 standard errors.
  test('normal draws have mean 0, variance 1 and the normal 1% and 99% quantiles', () => {
    const random = createRandom(7);
    const xs = fillNormal(random, new Float64Array(100_000));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
    const sorted = Float64Array.from(xs).sort();
    assertClose(mean, 0, 0.013, 'mean');
    assertClose(variance, 1, 0.018, 'variance');
    assertClose(sorted[98_999] as number, normInv(0.99), 0.05, '99% quantile');
    assertClose(sorted[999] as number, normInv(0.01), 0.05, '1% quantile');
  });

  test('gamma draws have mean = shape and variance = shape, for shapes below and above 1', () => {
    for (const shape of [0.3, 1, 2.5, 10]) {
      const random = createRandom(11);
      const m = sampleMoments(() => gamma(random, shape), 50_000);
      assertClose(m.mean, shape, 4 * Math.sqrt(shape / 50_000), `mean at shape ${shape}`);
      assertClose(m.variance, shape, 0.05 * shape + 0.02, `variance at shape ${shape}`);
    }
    assertRejects(() => gamma(createRandom(1), 0), 'gamma_shape_invalid');
  });

  test('chi-square draws with nu degrees of freedom have mean nu', () => {
    const random = createRandom(12);
    const m = sampleMoments(() => chiSquare(random, 6), 50_000);
    assertClose(m.mean, 6, 4 * Math.sqrt(12 / 50_000), 'mean');
  });

  test('unit-variance t draws have variance 1 and the scaled t quantile at 99%', () => {
    const nu = 8;
    const random = createRandom(13);
    const m = sampleMoments(() => standardizedStudentT(random, nu), 200_000);
    assertClose(m.variance, 1, 0.02, 'variance');
    const q99 = studentTQuantile(0.99, nu) * Math.sqrt((nu - 2) / nu);
    assertClose(m.sorted[197_999] as number, q99, 0.04, '99% quantile');
    assertRejects(() => standardizedStudentT(random, 2), 'degrees_of_freedom_invalid');
  });
});
