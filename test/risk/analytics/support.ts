import assert from 'node:assert/strict';
import { InputError } from '../../../src/risk/errors.js';

/** Asserts |actual - expected| <= tolerance, with both numbers in the message. */
export function assertClose(actual: number, expected: number, tolerance: number, what = 'value'): void {
  assert.ok(
    Number.isFinite(actual) && Math.abs(actual - expected) <= tolerance,
    `${what}: expected ${expected} +/- ${tolerance}, got ${actual} (off by ${Math.abs(actual - expected)})`,
  );
}

/** Rounds half away from zero to `decimals` places, as published tables do. */
export function roundTo(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return (Math.sign(x) * Math.round(Math.abs(x) * scale)) / scale;
}

/** Asserts that `fn` throws an InputError with the given stable code. */
export function assertRejects(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof InputError && e.code === code, `expected an InputError with code ${code}`);
}
