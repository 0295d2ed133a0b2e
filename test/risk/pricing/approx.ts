import assert from 'node:assert/strict';

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
  return Math.sign(x) * Math.round(Math.abs(x) * scale) / scale;
}
