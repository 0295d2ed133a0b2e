/**
 * Venue-like portfolio margin models, as data (DESIGN.md D6). Venue parameters change often: these
 * are starting points and test fixtures, not constants the code relies on. Override any field with
 * a spread: `{ ...DERIBIT_LIKE_PM, currency: 'quote' }`.
 *
 * Sources (docs/methodology/portfolio-margin.md has the detail):
 * - Deribit, "Portfolio Margin" (support.deribit.com, 2024): +/-16% in 9 even buckets, vol up /
 *   same / down, extended table -66%..+500% on vol up only at a fraction of the PnL; METHODS.md 3.3
 *   for the vol ranges (45% / 30%, p 0.30 / 0.13), the tail weights range/|move| and IM = 1.3 MM.
 * - Lyra v2 PMRM (derivexyz/v2-core, PMRMLib.sol): vol shocks 45% / 30%, powers 0.3 / 0.13,
 *   dteFloor 1 day, perpPercent 2%, optionPercent 1% of spot per naked short per strike; METHODS.md
 *   3.3 for spot shocks 0.82..1.18 in 4.5% steps and MM = 0.8 x worst loss.
 * - Dederi, "Portfolio Margin" (wiki.dederi.io): +/-15% in 11 buckets, futures contingency 0.6% of
 *   index x sum |Q|: the source of METHODS.md's ETH futures example.
 * - CME SPAN: 16 scenarios, extreme move 2x the range at 35%.
 */
import type { PortfolioMarginModel } from './margin.js';
import { evenPriceMoves, type VolShockModel } from './scenarios.js';

/** Deribit's vol shock (METHODS.md 3.3), with Lyra's 1-day DTE floor (Deribit publishes none). */
export const DERIBIT_VOL_SHOCK: VolShockModel = {
  kind: 'tenorScaled',
  rangeUp: 0.45,
  rangeDown: 0.3,
  powerShortTerm: 0.3,
  powerLongTerm: 0.13,
  pivotDays: 30,
  dteMinDays: 1,
  daysPerYear: 365,
};

/** Deribit's extended table; weights range/|move| with range 16% (24%, 48%, 32%, ..., 3.2%). */
export const DERIBIT_TAIL_MOVES: readonly number[] = [-0.66, -0.33, 0.5, 1, 2, 3, 4, 5];

/**
 * Deribit-like segregated PM in coin: 27 core scenarios + 8 tail scenarios; contingencies 0.6%
 * gross futures (METHODS.md) and 0.01 coin per net short option per strike; no delta shock (Deribit
 * publishes its current delta and roll shocks on its margin page only); IM = 1.3 x MM.
 * The tail "dampener" Deribit mentions is not published and not modelled.
 */
export const DERIBIT_LIKE_PM: PortfolioMarginModel = {
  name: 'deribit-like',
  grid: {
    kind: 'matrix',
    priceMoves: evenPriceMoves(0.16, 9),
    volMoves: ['up', 'none', 'down'],
    tail: { moves: DERIBIT_TAIL_MOVES, weights: { kind: 'rangeOverMove', range: 0.16 }, volMove: 'up' },
    volShock: DERIBIT_VOL_SHOCK,
  },
  currency: 'coin',
  rule: {
    contingencies: { futures: { rate: 0.006, basis: 'gross' }, optionPerNetShortCoin: 0.01, deltaShockRate: 0 },
    maintenanceLossFactor: 1,
    initialFactor: 1.3,
  },
};

/**
 * Dederi-like (METHODS.md's older Deribit grid, +/-15% in 11 buckets) in quote, with the futures
 * contingency of its worked example: 0.006 x index x sum |Q|. Vol factors as Deribit's.
 */
export const DEDERI_LIKE_PM: PortfolioMarginModel = {
  name: 'dederi-like',
  grid: { kind: 'matrix', priceMoves: evenPriceMoves(0.15, 11), volMoves: ['up', 'none', 'down'], volShock: DERIBIT_VOL_SHOCK },
  currency: 'quote',
  rule: {
    contingencies: { futures: { rate: 0.006, basis: 'gross' }, optionPerNetShortCoin: 0.01, deltaShockRate: 0 },
    maintenanceLossFactor: 1,
    initialFactor: 1.3,
  },
};

/**
 * SPAN-like: CME's 16 scenarios on a 16% price scan range with Deribit's tenor-scaled vol shocks,
 * extreme move 2 x range at 35%; no contingencies (SPAN's short option minimum and spread charges
 * live in `spanMargin`); IM = 1.1 x MM, an initial-to-maintenance ratio of the kind CME sets
 * (illustrative: CME publishes the ratio per product and account type).
 */
export const SPAN_LIKE_PM: PortfolioMarginModel = {
  name: 'span-like',
  grid: { kind: 'span', priceScanRange: 0.16, extremeMultiple: 2, extremeWeight: 0.35, volShock: DERIBIT_VOL_SHOCK },
  currency: 'quote',
  rule: {
    contingencies: { futures: { rate: 0, basis: 'gross' }, optionPerNetShortCoin: 0, deltaShockRate: 0 },
    maintenanceLossFactor: 1,
    initialFactor: 1.1,
  },
};

/**
 * Lyra-like PMRM in quote (USDC): spot shocks 0.82..1.18 in 4.5% steps x vol {up, down, none}
 * (27 scenarios); MM = 0.8 x worst loss + contingencies (perps 2% gross, 0.01 coin per naked short
 * per strike); IM = 1.25 x MM. Simplified away: static discounting of positive MtM, the basis
 * (forward) contingency, skew shocks, tail scenarios with dampening, oracle-confidence and
 * stablecoin-peg contingencies, and Lyra's separate IM and MM factors.
 */
export const LYRA_LIKE_PM: PortfolioMarginModel = {
  name: 'lyra-like',
  grid: { kind: 'matrix', priceMoves: evenPriceMoves(0.18, 9), volMoves: ['up', 'down', 'none'], volShock: DERIBIT_VOL_SHOCK },
  currency: 'quote',
  rule: {
    contingencies: { futures: { rate: 0.02, basis: 'gross' }, optionPerNetShortCoin: 0.01, deltaShockRate: 0 },
    maintenanceLossFactor: 0.8,
    initialFactor: 1.25,
  },
};

export const PM_PRESETS: ReadonlyMap<string, PortfolioMarginModel> = new Map([
  [DERIBIT_LIKE_PM.name, DERIBIT_LIKE_PM],
  [DEDERI_LIKE_PM.name, DEDERI_LIKE_PM],
  [SPAN_LIKE_PM.name, SPAN_LIKE_PM],
  [LYRA_LIKE_PM.name, LYRA_LIKE_PM],
]);
