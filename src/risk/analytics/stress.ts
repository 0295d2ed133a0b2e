/**
 * Stress helpers: reverse stress (the smallest move that breaks a loss capacity) and the
 * aggregation of scenario PnL from accounts to the venue. Historical paths for scenarios are in
 * METHODS.md section 6 (12 Mar 2020: ETH -43% in a day; 10 Oct 2025: BTC -13%, alts -30% to -70%).
 */
import { InputError } from '../errors.js';
import { requireFiniteNumber, requireIntegerIn, requirePositiveNumber } from './checks.js';
import { exactSum } from './sum.js';

export interface ReverseStressInput {
  /** The loss (positive) of the book for a move of the stressed factor, e.g. -0.2 for a 20% fall. */
  readonly lossOf: (move: number) => number;
  /** The loss the venue can absorb (insurance fund, margin held, ...). */
  readonly capacity: number;
  /** The search runs from `from` (usually 0, no move) towards `to` (e.g. -0.9). */
  readonly from: number;
  readonly to: number;
  /** Points of the coarse scan that finds the first crossing before bisection; 64 by default. */
  readonly gridPoints?: number;
  /** Width of the final bracket on the move; 1e-9 x |to - from| by default. */
  readonly tolerance?: number;
}

export type ReverseStressResult =
  /** The book already loses more than the capacity without a move. */
  | { readonly kind: 'exceeded_without_move'; readonly loss: number }
  /** `move` is the smallest move found (within `tolerance`) whose loss exceeds the capacity. */
  | { readonly kind: 'found'; readonly move: number; readonly loss: number; readonly lastSafeMove: number }
  /** No move in the range exceeds the capacity; `worstLoss` is the largest loss seen. */
  | { readonly kind: 'not_reached'; readonly worstLoss: number; readonly worstMove: number };

const BISECTION_STEPS_MAX = 200;

function lossAt(input: ReverseStressInput, move: number): number {
  const loss = input.lossOf(move);
  if (!Number.isFinite(loss)) throw new InputError('stress_loss_not_finite', `the loss function returned ${loss} at move ${move}`, 'lossOf');
  return loss;
}

/**
 * Reverse stress test by bisection: scan the range on a grid for the first point whose loss
 * exceeds the capacity, then bisect between it and the point before. For a loss that grows with
 * the size of the move the answer is the smallest breaking move; otherwise it is the first
 * crossing the grid can see. Worked: a long of 10 BTC at 60,000 with 90,000 of capacity breaks at
 * a move of -15% (loss 600,000 x |move|).
 */
export function reverseStress(input: ReverseStressInput): ReverseStressResult {
  requireFiniteNumber('capacity', input.capacity);
  requireFiniteNumber('from', input.from);
  requireFiniteNumber('to', input.to);
  if (input.from === input.to) throw new InputError('stress_range_empty', 'from and to must differ', 'to');
  const gridPoints = input.gridPoints ?? 64;
  requireIntegerIn('gridPoints', gridPoints, 1, 1_000_000, 'stress_grid_invalid');
  const span = input.to - input.from;
  const tolerance = input.tolerance ?? 1e-9 * Math.abs(span);
  requirePositiveNumber('tolerance', tolerance, 'stress_tolerance_invalid');
  const at = (t: number): number => input.from + t * span;
  const startLoss = lossAt(input, input.from);
  if (startLoss > input.capacity) return { kind: 'exceeded_without_move', loss: startLoss };
  let worstLoss = startLoss;
  let worstMove = input.from;
  let safe = 0;
  for (let k = 1; k <= gridPoints; k++) {
    const t = k / gridPoints;
    const loss = lossAt(input, at(t));
    if (loss > worstLoss) {
      worstLoss = loss;
      worstMove = at(t);
    }
    if (loss > input.capacity) return bisect(input, at, safe, t, loss, tolerance / Math.abs(span));
    safe = t;
  }
  return { kind: 'not_reached', worstLoss, worstMove };
}

function bisect(input: ReverseStressInput, at: (t: number) => number, safe: number, breaking: number, breakingLoss: number, toleranceT: number): ReverseStressResult {
  let lo = safe;
  let hi = breaking;
  let hiLoss = breakingLoss;
  for (let i = 0; i < BISECTION_STEPS_MAX && hi - lo > toleranceT; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    const loss = lossAt(input, at(mid));
    if (loss > input.capacity) {
      hi = mid;
      hiLoss = loss;
    } else {
      lo = mid;
    }
  }
  return { kind: 'found', move: at(hi), loss: hiLoss, lastSafeMove: at(lo) };
}

/** One account's PnL in each scenario (same order as the scenario names) and its equity now. */
export interface AccountScenarioPnl {
  readonly accountId: string;
  readonly pnl: ArrayLike<number>;
  /** Equity before the scenario, quote units: a loss beyond it is the account's shortfall. */
  readonly equity: number;
}

export interface ScenarioAggregate {
  readonly scenario: string;
  /** Sum of the account losses max(0, -PnL), exact (one rounding) and independent of order. */
  readonly venueLoss: number;
  /** Sum of the account shortfalls max(0, -(equity + PnL)): what the insurance fund must cover. */
  readonly venueShortfall: number;
  /** Net PnL of all accounts, exact. */
  readonly venuePnl: number;
  readonly accountLosses: Float64Array;
  readonly accountShortfalls: Float64Array;
  readonly accountsInShortfall: number;
}

export interface ScenarioAggregation {
  readonly scenarios: readonly ScenarioAggregate[];
  /** Index of the scenario with the largest venue loss (the first on ties). */
  readonly worstLossIndex: number;
  /** Index of the scenario with the largest venue shortfall (the first on ties). */
  readonly worstShortfallIndex: number;
}

export const STRESS_SCENARIOS_MAX = 100_000;
export const STRESS_ACCOUNTS_MAX = 10_000_000;

/**
 * Aggregates scenario PnL from accounts to the venue. Venue totals are exact sums of the account
 * figures (`exactSum`): the venue-wide loss equals the sum of the account losses whatever the
 * accounts' order or grouping, so totals per shard add up to the venue total.
 */
export function aggregateScenarios(input: { readonly scenarios: readonly string[]; readonly accounts: readonly AccountScenarioPnl[] }): ScenarioAggregation {
  const s = input.scenarios.length;
  requireIntegerIn('scenarios.length', s, 1, STRESS_SCENARIOS_MAX, 'scenarios_count_invalid');
  requireIntegerIn('accounts.length', input.accounts.length, 0, STRESS_ACCOUNTS_MAX, 'accounts_count_invalid');
  input.accounts.forEach((a, i) => {
    if (a.pnl.length !== s) throw new InputError('scenario_pnl_length_mismatch', `${a.pnl.length} PnL values for ${s} scenarios`, `accounts[${i}].pnl`);
    requireFiniteNumber(`accounts[${i}].equity`, a.equity);
    for (let j = 0; j < s; j++) requireFiniteNumber(`accounts[${i}].pnl[${j}]`, a.pnl[j] as number);
  });
  const scenarios = input.scenarios.map((scenario, j): ScenarioAggregate => {
    const n = input.accounts.length;
    const accountLosses = new Float64Array(n);
    const accountShortfalls = new Float64Array(n);
    const pnls = new Float64Array(n);
    let accountsInShortfall = 0;
    input.accounts.forEach((a, i) => {
      const pnl = a.pnl[j] as number;
      pnls[i] = pnl;
      accountLosses[i] = Math.max(0, -pnl);
      const shortfall = Math.max(0, -(a.equity + pnl));
      accountShortfalls[i] = shortfall;
      if (shortfall > 0) accountsInShortfall++;
    });
    return {
      scenario,
      venueLoss: exactSum(accountLosses),
      venueShortfall: exactSum(accountShortfalls),
      venuePnl: exactSum(pnls),
      accountLosses,
      accountShortfalls,
      accountsInShortfall,
    };
  });
  const argMax = (key: (a: ScenarioAggregate) => number): number =>
    scenarios.reduce((best, a, i) => (key(a) > key(scenarios[best] as ScenarioAggregate) ? i : best), 0);
  return { scenarios, worstLossIndex: argMax((a) => a.venueLoss), worstShortfallIndex: argMax((a) => a.venueShortfall) };
}
