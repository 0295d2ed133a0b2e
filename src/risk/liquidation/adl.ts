/**
 * Auto-deleveraging (METHODS.md §4): when the insurance fund cannot take a bankrupt position, it is
 * closed against opposite positions at the bankruptcy price.
 *
 * Ranking (Binance, Bybit, Hyperliquid): profitable positions by PnL% x effective leverage, then
 * losing ones by PnL% / effective leverage, highest first, where PnL% = unrealised PnL / |entry
 * value| and effective leverage = |mark value| / (mark value - bankruptcy value). With the rest of
 * the account held, the distance from mark value to bankruptcy value is the account's equity (the
 * price move that takes the equity to zero), so effective leverage = |notional| / equity; an
 * account with no equity left ranks as infinitely leveraged.
 *
 * Two allocations of the size to place:
 * - `queue`: down the ranking, each position closed as far as what is left needs;
 * - `proRata` (risk-aware): over the profitable opposite positions pro-rata to their size, each
 *   closing only its share, then (if they are too few) over the others; no trader is closed whole
 *   while others keep theirs, and the total closed is exactly the size the fund could not take.
 * Both close no more than the size that must be placed, and every allocation is on the lot grid.
 */
import { divFloor } from '../units/rounding.js';

export interface AdlCandidate {
  readonly accountId: string;
  /** |position| in contracts (ledger units), a multiple of the lot. */
  readonly size: bigint;
  /** Unrealised PnL and |entry value| (settlement asset), |notional| and account equity (valuation). */
  readonly pnl: number;
  readonly entryValueAbs: number;
  readonly notional: number;
  readonly equity: number;
}

export function adlScore(c: AdlCandidate): number {
  const pnlShare = c.entryValueAbs > 0 ? c.pnl / c.entryValueAbs : 0;
  const leverage = c.equity > 0 ? c.notional / c.equity : Number.POSITIVE_INFINITY;
  if (pnlShare >= 0) return pnlShare === 0 ? 0 : pnlShare * leverage;
  return leverage === Number.POSITIVE_INFINITY ? -0 : pnlShare / leverage;
}

/** Highest score first; ties on the account id (determinism, STYLE.md habit 9). */
export function rankForAdl(candidates: readonly AdlCandidate[]): AdlCandidate[] {
  return candidates
    .map((c) => ({ c, score: adlScore(c) }))
    .sort((a, b) => b.score - a.score || (a.c.accountId < b.c.accountId ? -1 : a.c.accountId > b.c.accountId ? 1 : 0))
    .map(({ c }) => c);
}

export interface AdlAllocation {
  readonly accountId: string;
  readonly size: bigint;
}

/** Down the ranking, each as far as what is left needs. */
export function allocateQueue(total: bigint, ranked: readonly AdlCandidate[]): AdlAllocation[] {
  const out: AdlAllocation[] = [];
  let left = total;
  for (const c of ranked) {
    if (left <= 0n) break;
    const take = c.size < left ? c.size : left;
    if (take > 0n) out.push({ accountId: c.accountId, size: take });
    left -= take;
  }
  return out;
}

/**
 * Pro-rata to size on the lot grid: the profitable first (all of them share), then the others for
 * what the profitable cannot hold. Largest remainders get the odd lots, ties to the ranking order.
 */
export function allocateProRata(total: bigint, ranked: readonly AdlCandidate[], lot: bigint): AdlAllocation[] {
  const profitable = ranked.filter((c) => c.pnl > 0);
  const others = ranked.filter((c) => !(c.pnl > 0));
  const first = spreadLots(total, profitable, lot);
  const placed = first.reduce((t, a) => t + a.size, 0n);
  const second = spreadLots(total - placed, others, lot);
  const merged = new Map<string, bigint>();
  for (const a of [...first, ...second]) merged.set(a.accountId, (merged.get(a.accountId) ?? 0n) + a.size);
  return ranked.filter((c) => (merged.get(c.accountId) ?? 0n) > 0n).map((c) => ({ accountId: c.accountId, size: merged.get(c.accountId) ?? 0n }));
}

function spreadLots(total: bigint, group: readonly AdlCandidate[], lot: bigint): AdlAllocation[] {
  const held = group.reduce((t, c) => t + c.size, 0n);
  if (total <= 0n || held === 0n) return [];
  if (held <= total) return group.map((c) => ({ accountId: c.accountId, size: c.size }));
  const lots = total / lot; // total is on the lot grid: exact
  const heldLots = held / lot;
  const base = group.map((c) => divFloor(lots * (c.size / lot), heldLots));
  let left = lots - base.reduce((a, b) => a + b, 0n);
  const byRemainder = group
    .map((c, i) => ({ i, remainder: (lots * (c.size / lot)) % heldLots }))
    .sort((a, b) => (a.remainder > b.remainder ? -1 : a.remainder < b.remainder ? 1 : a.i - b.i));
  for (const { i } of byRemainder) {
    if (left === 0n) break;
    const c = group[i] as AdlCandidate;
    if ((base[i] ?? 0n) * lot < c.size) {
      base[i] = (base[i] ?? 0n) + 1n;
      left -= 1n;
    }
  }
  return group.map((c, i) => ({ accountId: c.accountId, size: (base[i] ?? 0n) * lot })).filter((a) => a.size > 0n);
}

/**
 * Shares of `total` pro-rata to non-negative weights, exact: floors, then the units left to the
 * largest remainders (ties to the lower index). The shares sum to `total` whenever a weight is > 0.
 */
export function splitExact(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum <= 0n) return weights.map(() => 0n);
  const shares = weights.map((w) => divFloor(total * w, sum));
  let left = total - shares.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, remainder: (total * w) % sum, w }))
    .filter((x) => x.w > 0n)
    .sort((a, b) => (a.remainder > b.remainder ? -1 : a.remainder < b.remainder ? 1 : a.i - b.i));
  for (let k = 0; left > 0n; k = (k + 1) % order.length) {
    const entry = order[k];
    if (entry === undefined) break;
    shares[entry.i] = (shares[entry.i] ?? 0n) + 1n;
    left -= 1n;
  }
  return shares;
}
