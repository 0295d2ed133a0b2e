/**
 * Seeded pseudo-random numbers for simulations (STYLE.md habit 8: randomness is an input).
 *
 * Generator: xoshiro128** 1.1 (D. Blackman and S. Vigna, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 47 (2021); reference C code prng.di.unimi.it/xoshiro128starstar.c), 128
 * bits of state, period 2^128 - 1, 32-bit outputs built from Math.imul and unsigned shifts so
 * that every platform gives the same numbers. Known answer (the C reference, as tabulated by
 * github.com/edorfaus/xoshiro-6502 test-rom/testdata.asm): state [0x964D4A0C, 0xD40AB895,
 * 0xAD7FDECB, 0x3006F0F0] gives 0xF1391922, 0x6FE53806, 0xA5BE2840, 0xF510EE70.
 *
 * Seeding: a caller's seed (any integer, taken modulo 2^64) is expanded by splitmix64 (G. Steele,
 * D. Lea, C. Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; Vigna's
 * splitmix64.c), as the xoshiro authors recommend: the first output is the state words 0 (low 32
 * bits) and 1 (high), the second output words 2 and 3. Seed 1234567 makes splitmix64 give
 * 6457827717110365317, 3203168211198807973, ... Nearby seeds give unrelated streams.
 *
 * A `Random` is the one mutable object in risk/: the caller owns it, every draw advances it, and
 * `snapshot()` / `randomFromState()` let a simulation stop and resume bit for bit.
 */
import { InputError } from '../errors.js';
import { normInv } from '../pricing/normal.js';

/** A source of uniform 32-bit words; everything else here is built on `nextUint32`. */
export interface Random {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** The generator's state, to resume the same stream later with `randomFromState`. */
  snapshot(): RandomState;
}

export type RandomState = readonly [number, number, number, number];

const MASK_64 = (1n << 64n) - 1n;

/** splitmix64: one step returns [next state, output]. Constants from Vigna's splitmix64.c. */
export function splitmix64(state: bigint): readonly [bigint, bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK_64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return [next, z ^ (z >> 31n)];
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

class Xoshiro128StarStar implements Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(state: RandomState) {
    this.s0 = state[0] >>> 0;
    this.s1 = state[1] >>> 0;
    this.s2 = state[2] >>> 0;
    this.s3 = state[3] >>> 0;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  snapshot(): RandomState {
    return [this.s0, this.s1, this.s2, this.s3];
  }
}

/**
 * A generator seeded from an integer (a safe integer or a bigint, taken modulo 2^64). The same seed
 * gives the same stream on every run and platform.
 */
export function createRandom(seed: number | bigint): Random {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new InputError('random_seed_invalid', 'must be a safe integer or a bigint', 'seed');
  }
  const state = BigInt.asUintN(64, BigInt(seed));
  const [afterFirst, first] = splitmix64(state);
  const [, second] = splitmix64(afterFirst);
  const low = (x: bigint): number => Number(x & 0xffffffffn);
  const high = (x: bigint): number => Number(x >> 32n);
  return randomFromState([low(first), high(first), low(second), high(second)]);
}

/** Resumes a stream from `snapshot()`. The all-zero state is a fixed point of xoshiro and is refused. */
export function randomFromState(state: RandomState): Random {
  if (state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
    throw new InputError('random_state_invalid', 'must be four unsigned 32-bit integers', 'state');
  }
  if (state.every((w) => w === 0)) throw new InputError('random_state_invalid', 'must not be all zero', 'state');
  return new Xoshiro128StarStar(state);
}

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/** A uniform double in [0, 1) with 53 random bits (two words: 27 high bits and 26 low bits). */
export function uniform(random: Random): number {
  const high = random.nextUint32() >>> 5;
  const low = random.nextUint32() >>> 6;
  return (high * TWO_POW_26 + low) / TWO_POW_53;
}

/** A uniform double in the open interval (0, 1): the midpoint of a 2^-53 cell, never 0 or 1. */
export function uniformOpen(random: Random): number {
  const high = random.nextUint32() >>> 5;
  const low = random.nextUint32() >>> 6;
  return (high * TWO_POW_26 + low + 0.5) / TWO_POW_53;
}

/**
 * A standard normal draw by inversion, z = N^-1(u) with u uniform on (0, 1). Inversion spends one
 * uniform per draw and is monotone in u, so a stream of normals is reproducible draw by draw (no
 * cached second value as in Box-Muller). |z| <= 8.3 because u stays 2^-54 away from 0 and 1.
 */
export function normal(random: Random): number {
  return normInv(uniformOpen(random));
}

/** Fills `out` with independent standard normal draws and returns it. */
export function fillNormal(random: Random, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = normal(random);
  return out;
}

/**
 * A Gamma(shape, 1) draw. Marsaglia and Tsang, "A simple method for generating gamma variables",
 * ACM TOMS 26 (2000) 363-372: for shape >= 1, d = shape - 1/3, c = 1/sqrt(9d), v = (1 + c x)^3 with
 * x normal, accepted by the squeeze u < 1 - 0.0331 x^4 or by ln u < x^2/2 + d (1 - v + ln v);
 * for shape < 1, Gamma(a) = Gamma(a + 1) * u^(1/a) (their section 6).
 */
export function gamma(random: Random, shape: number): number {
  if (!(Number.isFinite(shape) && shape > 0)) throw new InputError('gamma_shape_invalid', 'must be a finite number > 0', 'shape');
  if (shape < 1) return gamma(random, shape + 1) * uniformOpen(random) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(random);
    const base = 1 + c * x;
    if (base <= 0) continue;
    const v = base * base * base;
    const u = uniformOpen(random);
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A chi-square draw with `degreesOfFreedom` (> 0, not necessarily whole): 2 Gamma(nu/2). */
export function chiSquare(random: Random, degreesOfFreedom: number): number {
  return 2 * gamma(random, degreesOfFreedom / 2);
}

function requireTDegrees(degreesOfFreedom: number, min: number): void {
  if (!(Number.isFinite(degreesOfFreedom) && degreesOfFreedom > min)) {
    throw new InputError('degrees_of_freedom_invalid', `must be a finite number > ${min}`, 'degreesOfFreedom');
  }
}

/** A Student-t draw with nu > 0 degrees of freedom: Z / sqrt(chi2_nu / nu), variance nu/(nu - 2). */
export function studentT(random: Random, degreesOfFreedom: number): number {
  requireTDegrees(degreesOfFreedom, 0);
  const z = normal(random);
  return z / Math.sqrt(chiSquare(random, degreesOfFreedom) / degreesOfFreedom);
}

/**
 * A Student-t draw scaled to unit variance, t * sqrt((nu - 2)/nu), for nu > 2: the shock of a
 * GARCH-t model (Bollerslev 1987), so that sigma keeps its meaning as a standard deviation.
 */
export function standardizedStudentT(random: Random, degreesOfFreedom: number): number {
  requireTDegrees(degreesOfFreedom, 2);
  const z = normal(random);
  return z / Math.sqrt(chiSquare(random, degreesOfFreedom) / (degreesOfFreedom - 2));
}
