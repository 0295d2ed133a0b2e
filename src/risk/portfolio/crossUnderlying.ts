/**
 * Offsets across underlyings, beyond the venues (which margin each underlying on its own, or add
 * them up). Two ways to credit diversification between per-underlying scenario losses, both in
 * one common currency (the caller converts):
 *
 * - correlation: diversified = sqrt(L' C L), L the per-underlying worst losses (>= 0), C a
 *   correlation matrix (symmetric, unit diagonal, positive semidefinite). Worked: L = (300, 400),
 *   correlation 0: sqrt(300^2 + 400^2) = 500, against 700 undiversified: an offset of 200.
 * - joint scenarios: each underlying's weighted scenario losses on one shared list of joint
 *   scenarios (index s is the same market state everywhere); diversified = max(0, max_s sum_u l_u[s]),
 *   undiversified = sum_u max(0, max_s l_u[s]).
 *
 * The offset is then capped twice, and the smaller grant wins:
 *   granted = min(benefitShareMax x (undiversified - diversified), undiversifiedShareMax x undiversified)
 * - benefitShareMax is EMIR's rule: "a CCP may apply a margin reduction ... up to 80% of the difference
 *   between the sum of the margins for each product calculated on an individual basis and the margin
 *   calculated based on a combined estimation of the exposure" (Commission Delegated Regulation (EU)
 *   No 153/2013, Article 27(4); 100% only where the CCP bears no risk from the reduction).
 * - undiversifiedShareMax bounds the offset as a fraction of the undiversified requirement, a cap
 *   a risk team may want on top (1 disables it).
 * Contingencies are not diversified: add them to `requirement` per underlying.
 */
import { InputError } from '../errors.js';
import { PM_SCENARIOS_MAX, PM_UNDERLYINGS_MAX, requireNumber } from './types.js';

export const CORRELATION_INVALID = 'correlation_matrix_invalid';
export const OFFSET_INPUT_INVALID = 'cross_offset_input_invalid';

export interface OffsetCap {
  /** EMIR: 0.8. In [0, 1]. */
  readonly benefitShareMax: number;
  /** In [0, 1]; 1 leaves only the benefit cap. */
  readonly undiversifiedShareMax: number;
}

/** EMIR Article 27(4): 80% of the benefit; no cap on the share of the undiversified requirement. */
export const EMIR_OFFSET_CAP: OffsetCap = { benefitShareMax: 0.8, undiversifiedShareMax: 1 };

export interface OffsetResult {
  readonly underlyings: readonly string[];
  /** Sum of the per-underlying worst losses. */
  readonly undiversified: number;
  readonly diversified: number;
  /** undiversified - diversified, >= 0. */
  readonly offsetComputed: number;
  readonly offsetGranted: number;
  readonly capBinding: 'none' | 'benefitShare' | 'undiversifiedShare';
  /** undiversified - offsetGranted. */
  readonly requirement: number;
}

function check(name: string, value: number, test: (x: number) => boolean, rule: string, code = OFFSET_INPUT_INVALID): void {
  requireNumber(name, value, test, rule, code);
}

function checkCap(cap: OffsetCap): void {
  const share = (x: number): boolean => x >= 0 && x <= 1;
  check('benefitShareMax', cap.benefitShareMax, share, 'in [0, 1]');
  check('undiversifiedShareMax', cap.undiversifiedShareMax, share, 'in [0, 1]');
}

function checkNames(names: readonly string[]): void {
  if (names.length < 1 || names.length > PM_UNDERLYINGS_MAX) throw new InputError(OFFSET_INPUT_INVALID, `needs 1 to ${PM_UNDERLYINGS_MAX} underlyings`);
  if (new Set(names).size !== names.length) throw new InputError(OFFSET_INPUT_INVALID, 'underlyings must be distinct');
}

function capped(underlyings: readonly string[], undiversified: number, diversified: number, cap: OffsetCap): OffsetResult {
  checkCap(cap);
  const offsetComputed = Math.max(undiversified - diversified, 0);
  const byBenefit = cap.benefitShareMax * offsetComputed;
  const byUndiversified = cap.undiversifiedShareMax * undiversified;
  const offsetGranted = Math.min(byBenefit, byUndiversified);
  const capBinding = offsetGranted < offsetComputed ? (byBenefit <= byUndiversified ? 'benefitShare' : 'undiversifiedShare') : 'none';
  return { underlyings, undiversified, diversified, offsetComputed, offsetGranted, capBinding, requirement: undiversified - offsetGranted };
}

/**
 * Checks that C is a correlation matrix: square, symmetric, unit diagonal, entries in [-1, 1] and
 * positive semidefinite (a Cholesky factorisation that tolerates zero pivots, tolerance 1e-10).
 */
export function checkCorrelationMatrix(matrix: readonly (readonly number[])[], n: number): void {
  const tolerance = 1e-10;
  if (matrix.length !== n) throw new InputError(CORRELATION_INVALID, `must be ${n} x ${n}`);
  for (const [i, row] of matrix.entries()) {
    if (row.length !== n) throw new InputError(CORRELATION_INVALID, `must be ${n} x ${n}`);
    for (const [j, c] of row.entries()) {
      check(`correlation [${i}][${j}]`, c, (x) => x >= -1 && x <= 1, 'in [-1, 1]', CORRELATION_INVALID);
      if (i === j && c !== 1) throw new InputError(CORRELATION_INVALID, 'diagonal entries must be 1');
      if (c !== matrix[j]?.[i]) throw new InputError(CORRELATION_INVALID, 'must be symmetric');
    }
  }
  const lower: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j += 1) {
    const rowJ = lower[j] as number[];
    let pivot = (matrix[j]?.[j] ?? 0) - rowJ.slice(0, j).reduce((s, x) => s + x * x, 0);
    if (pivot < -tolerance) throw new InputError(CORRELATION_INVALID, 'must be positive semidefinite');
    pivot = Math.max(pivot, 0);
    rowJ[j] = Math.sqrt(pivot);
    for (let i = j + 1; i < n; i += 1) {
      const rowI = lower[i] as number[];
      let s = matrix[i]?.[j] ?? 0;
      for (let k = 0; k < j; k += 1) s -= (rowI[k] ?? 0) * (rowJ[k] ?? 0);
      if (pivot <= tolerance) {
        if (Math.abs(s) > 1e-7) throw new InputError(CORRELATION_INVALID, 'must be positive semidefinite');
        rowI[j] = 0;
      } else {
        rowI[j] = s / (rowJ[j] ?? 1);
      }
    }
  }
}

/** Diversification by a correlation matrix between per-underlying worst losses. */
export function correlationOffset(input: {
  readonly losses: readonly { readonly underlying: string; readonly loss: number }[];
  /** Rows and columns in the order of `losses`. */
  readonly correlation: readonly (readonly number[])[];
  readonly cap: OffsetCap;
}): OffsetResult {
  const names = input.losses.map((l) => l.underlying);
  checkNames(names);
  const losses = input.losses.map((l) => {
    check(`loss of ${l.underlying}`, l.loss, (x) => x >= 0, '>= 0 (a worst loss)');
    return l.loss;
  });
  checkCorrelationMatrix(input.correlation, losses.length);
  let quadratic = 0;
  for (const [i, li] of losses.entries()) {
    for (const [j, lj] of losses.entries()) quadratic += li * (input.correlation[i]?.[j] ?? 0) * lj;
  }
  const undiversified = losses.reduce((s, x) => s + x, 0);
  // Rounding can leave L'CL a hair below 0 for a singular C, or sqrt(L'CL) a hair above sum L.
  const diversified = Math.min(Math.sqrt(Math.max(quadratic, 0)), undiversified);
  return capped(names, undiversified, diversified, input.cap);
}

/** Diversification by joint scenarios: the worst of the summed losses against the sum of the worsts. */
export function jointScenarioOffset(input: {
  readonly lossVectors: readonly { readonly underlying: string; readonly losses: readonly number[] }[];
  readonly cap: OffsetCap;
}): OffsetResult {
  const names = input.lossVectors.map((v) => v.underlying);
  checkNames(names);
  const n = input.lossVectors[0]?.losses.length ?? 0;
  if (n < 1 || n > PM_SCENARIOS_MAX) throw new InputError(OFFSET_INPUT_INVALID, `loss vectors need 1 to ${PM_SCENARIOS_MAX} scenarios`);
  const summed = new Array<number>(n).fill(0);
  let undiversified = 0;
  for (const vector of input.lossVectors) {
    if (vector.losses.length !== n) throw new InputError(OFFSET_INPUT_INVALID, 'loss vectors must share one list of joint scenarios');
    let worst = 0;
    for (const [s, loss] of vector.losses.entries()) {
      check(`loss of ${vector.underlying} in scenario ${s}`, loss, () => true, 'finite');
      summed[s] = (summed[s] ?? 0) + loss;
      worst = Math.max(worst, loss);
    }
    undiversified += worst;
  }
  const diversified = Math.min(Math.max(0, ...summed), undiversified);
  return capped(names, undiversified, diversified, input.cap);
}
