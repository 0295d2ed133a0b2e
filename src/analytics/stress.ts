/**
 * Stress tests of accounts and of the venue: named scenarios as joint price shocks (scenarios.ts),
 * each account valued again by the risk core at the shocked prices; venue totals by
 * `aggregateScenarios` (exact sums, so the venue-wide loss is the sum of the account losses);
 * the insurance fund against the default of the N accounts with the largest shortfall (cover 2 by
 * default, after the CCP standard of EMIR article 43 and the CPMI-IOSCO PFMI principle 4); and
 * reverse stress: the smallest uniform move that makes an account, or the venue, insolvent.
 *
 * Liquidation here is at the shocked mark with no slippage: an account that breaches MM but keeps
 * positive equity is liquidated without bad debt. Shortfall (bad debt) = max(0, -equity after).
 */
import { aggregateScenarios, reverseStress, type ReverseStressResult } from '../risk/analytics/index.js';
import type { Status } from '../risk/account/types.js';
import { InputError } from '../risk/errors.js';
import { toNumber } from '../risk/units/quantities.js';
import { accountFactors, equityOf, marginAt, type Book } from './factors.js';
import { defaultPegged, shockOfStep, uniformStep, type StressScenario } from './scenarios.js';

export interface AccountScenarioResult {
  readonly scenario: string;
  /** The step (0-based) with the lowest equity. */
  readonly worstStep: number;
  readonly pnl: number;
  readonly equityAfter: number;
  readonly maintenanceMargin: number;
  readonly collateralMaintenance: number;
  readonly status: Status;
  /** Below MM at any step (status liquidatable or bankrupt there). */
  readonly breachesMaintenance: boolean;
  readonly shortfall: number;
}

export interface AccountStress {
  readonly accountId: string;
  readonly equity: number;
  readonly maintenanceMargin: number;
  readonly status: Status;
  readonly results: readonly AccountScenarioResult[];
}

const BREACH: ReadonlySet<Status> = new Set(['liquidatable', 'bankrupt']);

export function stressAccount(book: Book, scenarios: readonly StressScenario[], pegged: readonly string[] = []): AccountStress {
  accountFactors(book); // refuses positions the shocks cannot revalue (options: instrument_not_linear)
  const pegs = defaultPegged(book, pegged);
  const now = marginAt(book, new Map());
  const equity = equityOf(now);
  const results = scenarios.map((scenario): AccountScenarioResult => {
    let worst: AccountScenarioResult | undefined;
    let breached = false;
    scenario.steps.forEach((s, i) => {
      const m = marginAt(book, shockOfStep(book, s, pegs));
      const equityAfter = equityOf(m);
      breached ||= BREACH.has(m.status);
      if (worst === undefined || equityAfter < worst.equityAfter) {
        worst = {
          scenario: scenario.id,
          worstStep: i,
          pnl: equityAfter - equity,
          equityAfter,
          maintenanceMargin: toNumber(m.maintenanceMargin, 'Amount'),
          collateralMaintenance: toNumber(m.collateralMaintenance, 'Amount'),
          status: m.status,
          breachesMaintenance: false,
          shortfall: Math.max(0, -equityAfter),
        };
      }
    });
    if (worst === undefined) throw new InputError('scenario_steps_missing', 'a scenario needs at least one step', scenario.id);
    return { ...(worst as AccountScenarioResult), breachesMaintenance: breached };
  });
  return { accountId: book.account.id, equity, maintenanceMargin: toNumber(now.maintenanceMargin, 'Amount'), status: now.status, results };
}

export interface CoverTest {
  /** N: the number of defaulting accounts the fund must absorb (2 for cover 2). */
  readonly accounts: number;
  /** The N accounts with the largest shortfall, largest first (ties by id). */
  readonly largest: readonly { readonly accountId: string; readonly shortfall: number }[];
  readonly shortfall: number;
  /** The fund covers the N largest shortfalls; null without a fund. */
  readonly survives: boolean | null;
}

export interface VenueScenarioResult {
  readonly scenario: string;
  readonly venuePnl: number;
  readonly venueLoss: number;
  readonly venueShortfall: number;
  readonly accountsBreachingMaintenance: number;
  readonly accountsInShortfall: number;
  readonly cover: CoverTest;
  /** The fund covers every account's shortfall; null without a fund. */
  readonly fundCoversAll: boolean | null;
}

export interface VenueStress {
  readonly accounts: readonly AccountStress[];
  readonly scenarios: readonly VenueScenarioResult[];
  readonly insuranceFund: number | null;
  readonly worstLossScenario: string;
  readonly worstShortfallScenario: string;
  /** The fund survives the cover-N default in every scenario; null without a fund. */
  readonly survivesAll: boolean | null;
}

export function stressVenue(input: {
  readonly books: readonly Book[];
  readonly scenarios: readonly StressScenario[];
  readonly insuranceFund: number | null;
  readonly coverAccounts: number;
  readonly pegged?: readonly string[];
}): VenueStress {
  const ids = new Set<string>();
  for (const b of input.books) {
    if (ids.has(b.account.id)) throw new InputError('account_id_duplicate', `two accounts are called ${b.account.id}`, 'accounts');
    ids.add(b.account.id);
  }
  if (!(Number.isInteger(input.coverAccounts) && input.coverAccounts >= 1)) throw new InputError('cover_accounts_invalid', 'must be a whole number >= 1', 'cover');
  const accounts = input.books.map((b) => stressAccount(b, input.scenarios, input.pegged));
  const names = input.scenarios.map((s) => s.id);
  const aggregation = aggregateScenarios({
    scenarios: names,
    accounts: accounts.map((a) => ({ accountId: a.accountId, equity: a.equity, pnl: a.results.map((r) => r.pnl) })),
  });
  const fund = input.insuranceFund;
  const scenarios = aggregation.scenarios.map((agg, j): VenueScenarioResult => {
    const shortfalls = accounts.map((a, i) => ({ accountId: a.accountId, shortfall: agg.accountShortfalls[i] as number }));
    const largest = shortfalls
      .filter((s) => s.shortfall > 0)
      .sort((a, b) => b.shortfall - a.shortfall || (a.accountId < b.accountId ? -1 : 1))
      .slice(0, input.coverAccounts);
    const coverShortfall = largest.reduce((t, s) => t + s.shortfall, 0);
    return {
      scenario: agg.scenario,
      venuePnl: agg.venuePnl,
      venueLoss: agg.venueLoss,
      venueShortfall: agg.venueShortfall,
      accountsBreachingMaintenance: accounts.filter((a) => (a.results[j] as AccountScenarioResult).breachesMaintenance).length,
      accountsInShortfall: agg.accountsInShortfall,
      cover: { accounts: input.coverAccounts, largest, shortfall: coverShortfall, survives: fund === null ? null : fund >= coverShortfall },
      fundCoversAll: fund === null ? null : fund >= agg.venueShortfall,
    };
  });
  return {
    accounts,
    scenarios,
    insuranceFund: fund,
    worstLossScenario: names[aggregation.worstLossIndex] as string,
    worstShortfallScenario: names[aggregation.worstShortfallIndex] as string,
    survivesAll: fund === null ? null : scenarios.every((s) => s.cover.survives === true),
  };
}

/** The range searched by reverse stress: falls to -99%, rises to +1,000%. */
export const REVERSE_FALL_MAX = -0.99;
export const REVERSE_RISE_MAX = 10;
const REVERSE_GRID_POINTS = 200;

export interface ReverseStressFinding {
  /** `insolvency`: equity < 0; `liquidation`: MM collateral below the liquidation band x MM. */
  readonly threshold: 'insolvency' | 'liquidation';
  readonly direction: 'fall' | 'rise';
  readonly result: ReverseStressResult;
}

export interface AccountReverseStress {
  readonly accountId: string;
  readonly equity: number;
  readonly findings: readonly ReverseStressFinding[];
}

/**
 * For one account, the smallest uniform move of every unpegged price, down and up, at which it
 * is liquidated (MM collateral < band x MM) and at which it is insolvent (equity < 0).
 */
export function reverseStressAccount(book: Book, pegged: readonly string[] = []): AccountReverseStress {
  accountFactors(book); // refuses positions the shocks cannot revalue (options: instrument_not_linear)
  const pegs = defaultPegged(book, pegged);
  const marginOfMove = (move: number) => marginAt(book, shockOfStep(book, uniformStep(move), pegs));
  const equity = equityOf(marginAt(book, new Map()));
  const band = book.params.statusBands.liquidation;
  const findings: ReverseStressFinding[] = [];
  for (const direction of ['fall', 'rise'] as const) {
    const to = direction === 'fall' ? REVERSE_FALL_MAX : REVERSE_RISE_MAX;
    const liquidation = reverseStress({
      from: 0,
      to,
      capacity: 0,
      gridPoints: REVERSE_GRID_POINTS,
      lossOf: (move) => {
        const m = marginOfMove(move);
        return band * toNumber(m.maintenanceMargin, 'Amount') - toNumber(m.collateralMaintenance, 'Amount');
      },
    });
    findings.push({ threshold: 'liquidation', direction, result: liquidation });
    const insolvency = reverseStress({ from: 0, to, capacity: equity, gridPoints: REVERSE_GRID_POINTS, lossOf: (move) => equity - equityOf(marginOfMove(move)) });
    findings.push({ threshold: 'insolvency', direction, result: insolvency });
  }
  return { accountId: book.account.id, equity, findings };
}

export interface VenueReverseStress {
  /** The fund the shortfall is measured against (0 without a fund: the first bad debt). */
  readonly capacity: number;
  readonly fall: ReverseStressResult;
  readonly rise: ReverseStressResult;
}

/** The smallest uniform move at which the venue's total shortfall exceeds the insurance fund. */
export function reverseStressVenue(books: readonly Book[], insuranceFund: number | null, pegged: readonly string[] = []): VenueReverseStress {
  books.forEach((book) => accountFactors(book));
  const prepared = books.map((book) => ({ book, pegs: defaultPegged(book, pegged) }));
  const shortfallAt = (move: number): number =>
    prepared.reduce((t, { book, pegs }) => t + Math.max(0, -equityOf(marginAt(book, shockOfStep(book, uniformStep(move), pegs)))), 0);
  const capacity = insuranceFund ?? 0;
  const search = (to: number) => reverseStress({ from: 0, to, capacity, gridPoints: REVERSE_GRID_POINTS, lossOf: shortfallAt });
  return { capacity, fall: search(REVERSE_FALL_MAX), rise: search(REVERSE_RISE_MAX) };
}

export interface MovePoint {
  readonly move: number;
  readonly equity: number;
  readonly collateralMaintenance: number;
  readonly maintenanceMargin: number;
  readonly shortfall: number;
}

/** Sums over the books of equity, MM collateral, MM and shortfall at each uniform move (for charts). */
export function moveCurve(books: readonly Book[], moves: readonly number[], pegged: readonly string[] = []): MovePoint[] {
  const prepared = books.map((book) => ({ book, pegs: defaultPegged(book, pegged) }));
  return moves.map((move) => {
    let equity = 0;
    let collateralMaintenance = 0;
    let maintenanceMargin = 0;
    let shortfall = 0;
    for (const { book, pegs } of prepared) {
      const m = marginAt(book, shockOfStep(book, uniformStep(move), pegs));
      const e = equityOf(m);
      equity += e;
      collateralMaintenance += toNumber(m.collateralMaintenance, 'Amount');
      maintenanceMargin += toNumber(m.maintenanceMargin, 'Amount');
      shortfall += Math.max(0, -e);
    }
    return { move, equity, collateralMaintenance, maintenanceMargin, shortfall };
  });
}
