/**
 * How the insurance fund sells what it took over (docs/methodology/cascade-simulator.md, "The
 * fund's unwind"). Takeovers happen at mark or at the bankruptcy price; what the fund then gets for
 * the inventory depends on how fast it sells into a book that the crash has thinned:
 *
 * - `immediate`: everything taken over in a step is sold into the book at the end of that step
 *   (the fund bears the whole execution cost at once, and its impact moves the next marks);
 * - `paced`: at most `depthShareMax` x the step's 1% depth (D x the path's depth factor) of notional
 *   per instrument per step; the rest stays on the fund's books, marked to market, until later
 *   steps. With the square-root law a step's sale then moves the price by at most
 *   1% x sqrt(depthShareMax) (0.5% for a quarter of the depth) instead of up to `impactMax`.
 *
 * The trade-off is execution cost against inventory risk: a paced fund sells into a falling
 * market later.
 */
import { InputError } from '../risk/errors.js';
import { impactOf, type DepthParams } from './depth.js';

export type FundUnwindPolicy =
  | { readonly kind: 'immediate' }
  | {
      readonly kind: 'paced';
      /** Notional sold per instrument per step at most, as a share of the step's 1% depth; > 0. */
      readonly depthShareMax: number;
    };

/**
 * The default, chosen with the figures of docs/methodology/cascade-simulator.md section 6: on every
 * stress path the simulator ships, a fund that holds its longs while the market keeps falling loses
 * far more on the inventory than it saves in execution cost (oct-2025, 2,000 accounts, seed 1: the
 * fund loses 208,181 immediate against 795,304 to 2,564,874 paced). Paced cuts bad debt and ADL; it
 * is there to be studied, not the default.
 */
export const FUND_UNWIND_DEFAULT: FundUnwindPolicy = { kind: 'immediate' };

/** The share of the step's 1% depth a paced unwind sells when none is given. */
export const PACED_DEPTH_SHARE_DEFAULT = 0.25;

export const UNWIND_POLICY_INVALID = 'simulation_unwind_invalid';

export function checkUnwindPolicy(policy: FundUnwindPolicy): void {
  if (policy.kind === 'immediate') return;
  if (policy.kind !== 'paced') throw new InputError(UNWIND_POLICY_INVALID, 'the fund unwind is immediate or paced', 'fundUnwind');
  const share = policy.depthShareMax;
  if (typeof share !== 'number' || !Number.isFinite(share) || !(share > 0) || share > 100) {
    throw new InputError(UNWIND_POLICY_INVALID, 'a paced unwind sells a share of the depth in (0, 100] per step', 'fundUnwind.depthShareMax');
  }
}

/**
 * Lots of the fund's inventory in one instrument to sell (or buy back) this step. `lotNotional` is
 * the notional of one lot at the step's mark, `depthNotional` the step's 1% depth (after the cut).
 * Paced: the cap rounds down to whole lots (never above the share), so a lot larger than the cap
 * waits for a deeper book.
 */
export function unwindLots(policy: FundUnwindPolicy, input: { readonly heldLots: bigint; readonly lotNotional: number; readonly depthNotional: number }): bigint {
  const { heldLots, lotNotional, depthNotional } = input;
  if (heldLots <= 0n) return 0n;
  if (policy.kind === 'immediate') return heldLots;
  if (!(lotNotional > 0) || !(depthNotional > 0)) return 0n;
  const capLots = Math.floor((policy.depthShareMax * depthNotional) / lotNotional);
  // Beyond 2^53 lots the cap is above any inventory the simulator can hold.
  const cap = Number.isSafeInteger(capLots) ? BigInt(capLots) : heldLots;
  return cap < heldLots ? cap : heldLots;
}

/**
 * What selling an inventory of `volumeNotional` into a book of `depthNotional` per 1% at once
 * would cost against mark (the average fill's distance x volume): the end-of-run estimate of what
 * the fund would lose turning its remaining inventory into cash.
 */
export function exitCostOf(depth: DepthParams, volumeNotional: number, depthNotional: number): number {
  return impactOf(depth, volumeNotional, depthNotional).averageFraction * volumeNotional;
}
