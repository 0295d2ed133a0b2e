/**
 * Liquidation sizing for a portfolio-margined account (options, futures, perpetuals and spot of one
 * underlying): the least reduction that brings equity back to MM x (1 + buffer), where MM is the
 * scenario requirement of `src/risk/portfolio` (the valuation that found the account liquidatable).
 * Method and sources: docs/methodology/liquidation-portfolio.md.
 *
 * Drift's sizing (sizing.ts) divides a shortage by the margin one unit frees net of its fees. Under
 * portfolio margin a leg frees no fixed margin per unit: what it frees depends on the rest of the
 * book (a hedge frees a negative amount). So the planner measures instead of dividing:
 *
 *   shortage = MM x (1 + buffer) - (equity - cost so far)
 *   a step closes a slice of one leg at mark; it costs (liquidator fee + insurance fee + discount)
 *   x the slice's value, and frees MM_before - MM_after, MM_after recomputed by the model itself
 *   (portfolioMarginFromArrays on the risk arrays of the account's instruments, which is what
 *   portfolioMargin does after building them);
 *   greedy: the step that frees the most MM per unit of cost goes first (Deribit, August 2023: "the
 *   instrument contributing the most to the overall margin requirement"), each step at most
 *   `stepFractionMax` of the leg's starting size, the last one trimmed to the fewest lots that
 *   reach the target.
 *
 * Hedges: a step that raises MM (closing the future that hedges a short option) or whose cost
 * exceeds what it frees x (1 + buffer) is rejected, with its reason in the step. When every single
 * leg is rejected, the planner takes a proportional slice of every leg (Lyra/Derive auctions sell
 * "an equal percentage of every position"): portfolio margin is positively homogeneous, so a slice
 * f of every leg frees exactly f x MM and keeps every hedge ratio. The slice is sized to the
 * shortage: f = shortage / (MM x (1 + buffer) - cost of closing everything). If that slice cannot
 * help (closing costs more than the margin it frees, or lot rounding raises MM) the planner closes
 * every leg (the fallback): its MM is then 0.
 *
 * Pure float64 risk maths (DESIGN.md D1): the caller turns sizes into `Size`s on the lot grid
 * (they are already multiples of the lot or the whole leg) and costs into money.
 */
import { invariant } from '../errors.js';
import { portfolioMarginFromArrays, type PortfolioMarginModel } from '../portfolio/margin.js';
import { buildRiskArrays, entryOf, netPositions, type NetPosition, type RiskArrays } from '../portfolio/riskArrays.js';
import { makeScenarioGrid } from '../portfolio/scenarios.js';
import { requireNumber, type PmMarket, type PmPosition } from '../portfolio/types.js';

export const PM_LIQUIDATION_PARAMS_INVALID = 'portfolio_liquidation_params_invalid';
/** Greedy steps at most, whatever the venue asks (STYLE.md habit 10). */
export const PM_LIQUIDATION_ITERATIONS_MAX = 10_000;

export interface PmLiquidationParams {
  /** Liquidate until equity >= MM x (1 + buffer); >= 0 (Drift's 2% buffer, Derive's buffer margin). */
  readonly buffer: number;
  /** Fractions of the value closed (a leg's mark value: option premium, futures notional, spot value). */
  readonly liquidatorFee: number;
  readonly insuranceFee: number;
  /** Spread or auction discount paid to the taker, fraction of the value closed (Derive starts at 5%). */
  readonly discount: number;
  /** One greedy step closes at most this fraction of a leg's starting size (at least one lot); (0, 1]. */
  readonly stepFractionMax: number;
  /** Steps at most (<= PM_LIQUIDATION_ITERATIONS_MAX); the plan is `limited` when they run out. */
  readonly iterationsMax: number;
  /** Contracts per lot, by instrument id; `lotDefault` for the others. Sizes are whole lots or the whole leg. */
  readonly lots: ReadonlyMap<string, number>;
  readonly lotDefault: number;
  /** A leg is reduced by at least this many contracts, and never left below it: then it closes whole. */
  readonly closeSizeMin: number;
}

export interface PmLiquidationInput {
  /** The account's positions on one underlying (spot holding included, as the portfolio pool builds it). */
  readonly positions: readonly PmPosition[];
  /** Cash plus the mark-to-market of the positions, in the model's valuation currency. */
  readonly equity: number;
  readonly market: PmMarket;
  readonly model: PortfolioMarginModel;
  readonly params: PmLiquidationParams;
}

export type PmStepKind = 'leg' | 'slice' | 'closeAll';

export interface PmRejectedLeg {
  readonly instrumentId: string;
  readonly reason: 'raises_requirement' | 'costs_more_than_it_frees';
  /** MM after the rejected step minus MM before (> 0 for a hedge). */
  readonly maintenanceChange: number;
}

export interface PmTrade {
  readonly instrumentId: string;
  /** Contracts closed, > 0; a long is sold and a short bought back. */
  readonly size: number;
}

export interface PmLiquidationStep {
  readonly kind: PmStepKind;
  readonly trades: readonly PmTrade[];
  readonly maintenanceBefore: number;
  readonly maintenanceAfter: number;
  readonly cost: number;
  /** MM freed per unit of cost; null when the step costs nothing. */
  readonly freedPerCost: number | null;
  readonly reason: string;
  /** Single legs considered and rejected before this step. */
  readonly rejected: readonly PmRejectedLeg[];
}

export interface PmLegPlan {
  readonly instrumentId: string;
  readonly quantityBefore: number;
  /** Contracts closed in total, >= 0. */
  readonly size: number;
  readonly quantityAfter: number;
  readonly cost: number;
  /** The kinds of step that closed it, in plan order, without repeats. */
  readonly reasons: readonly PmStepKind[];
}

export interface PmLiquidationPlan {
  /**
   * healthy: no shortage, nothing to do; restored: the target is reached; closedAll: the fallback
   * closed every leg (the target may still be missed: `targetReached`); limited: steps ran out.
   */
  readonly outcome: 'healthy' | 'restored' | 'closedAll' | 'limited';
  readonly targetReached: boolean;
  readonly equityBefore: number;
  readonly maintenanceBefore: number;
  /** MM x (1 + buffer) - equity, before any step. */
  readonly shortageBefore: number;
  /** Equity after the plan: before less its cost (closing at mark moves no equity; fees and discount do). */
  readonly equityAfter: number;
  readonly maintenanceAfter: number;
  /** MM after x (1 + buffer). */
  readonly targetAfter: number;
  readonly cost: number;
  readonly legs: readonly PmLegPlan[];
  readonly steps: readonly PmLiquidationStep[];
}

export function checkPmLiquidationParams(p: PmLiquidationParams): void {
  const code = PM_LIQUIDATION_PARAMS_INVALID;
  const nonNegative = (x: number): boolean => x >= 0;
  requireNumber('buffer', p.buffer, nonNegative, '>= 0', code);
  requireNumber('liquidatorFee', p.liquidatorFee, (x) => x >= 0 && x < 1, 'in [0, 1)', code);
  requireNumber('insuranceFee', p.insuranceFee, (x) => x >= 0 && x < 1, 'in [0, 1)', code);
  requireNumber('discount', p.discount, (x) => x >= 0 && x < 1, 'in [0, 1)', code);
  requireNumber('stepFractionMax', p.stepFractionMax, (x) => x > 0 && x <= 1, 'in (0, 1]', code);
  requireNumber('iterationsMax', p.iterationsMax, (x) => Number.isInteger(x) && x >= 1 && x <= PM_LIQUIDATION_ITERATIONS_MAX, `a whole number in [1, ${PM_LIQUIDATION_ITERATIONS_MAX}]`, code);
  requireNumber('lotDefault', p.lotDefault, (x) => x > 0, '> 0', code);
  for (const [id, lot] of p.lots) requireNumber(`lot of ${id}`, lot, (x) => x > 0, '> 0', code);
  requireNumber('closeSizeMin', p.closeSizeMin, nonNegative, '>= 0', code);
}

/** One netted leg and what closing it costs. */
interface Leg {
  readonly net: NetPosition;
  /** |net quantity| before the plan. */
  readonly sizeStart: number;
  readonly lot: number;
  /** Whole lots held (the leg may hold a fraction of a lot more: closing whole closes it too). */
  readonly lotsHeld: number;
  /** Lots of the smallest reduction (closeSizeMin, at least one lot). */
  readonly lotsMin: number;
  /** Lots of a full greedy step: stepFractionMax of the starting size, at least lotsMin. */
  readonly lotsStep: number;
  /** Cost of closing one contract, valuation currency. */
  readonly unitCost: number;
  /** Spot in a coin portfolio is the numeraire: its array is zero, selling it frees nothing. */
  readonly closable: boolean;
}

/** Sizes are lot counts; ROUNDING_SLACK absorbs float noise such as 0.3 / 0.1 = 2.9999999999999996. */
const ROUNDING_SLACK = 1e-9;
const lotsFloor = (size: number, lot: number): number => Math.floor(size / lot + ROUNDING_SLACK);
const lotsCeil = (size: number, lot: number): number => Math.max(Math.ceil(size / lot - ROUNDING_SLACK), 0);

/** The value of one contract at mark, valuation currency: what fees and discount are charged on. */
function unitValueOf(arrays: RiskArrays, net: NetPosition): number {
  const { priced } = entryOf(arrays, net.instrument.id);
  const coinValue = arrays.currency === 'quote' ? arrays.indexPrice : 1;
  switch (net.instrument.kind) {
    case 'option':
      return Math.abs(priced.valueNow);
    case 'future':
    case 'perpetual':
      return priced.futuresUnits * coinValue;
    case 'spot':
      return coinValue;
  }
}

function legsOf(nets: readonly NetPosition[], arrays: RiskArrays, params: PmLiquidationParams): Leg[] {
  const costRate = params.liquidatorFee + params.insuranceFee + params.discount;
  return nets.map((net) => {
    const lot = params.lots.get(net.instrument.id) ?? params.lotDefault;
    const size = Math.abs(net.quantity);
    const lotsMin = Math.max(1, lotsCeil(params.closeSizeMin, lot));
    return {
      net,
      sizeStart: size,
      lot,
      lotsHeld: lotsFloor(size, lot),
      lotsMin,
      lotsStep: Math.max(lotsMin, lotsCeil(params.stepFractionMax * size, lot)),
      unitCost: costRate * unitValueOf(arrays, net),
      closable: !(net.instrument.kind === 'spot' && arrays.currency === 'coin'),
    };
  });
}

/**
 * The planner's state, per leg in leg order: lots closed (Infinity once the leg is closed whole)
 * and the |quantity| left = starting size - lots x lot (one product, so sizes stay on the grid);
 * then the cost so far and MM now.
 */
interface State {
  readonly closedLots: Float64Array;
  readonly left: Float64Array;
  readonly cost: number;
  readonly maintenance: number;
}

interface Context {
  readonly legs: readonly Leg[];
  readonly arrays: RiskArrays;
  readonly model: PortfolioMarginModel;
  readonly equity: number;
  readonly scale: number;
}

/** MM of the book with these remaining sizes, by the model's own function. */
function maintenanceOf(ctx: Context, left: Float64Array): number {
  const positions: PmPosition[] = [];
  ctx.legs.forEach((leg, i) => {
    const size = left[i] ?? 0;
    if (size > 0) positions.push({ instrument: leg.net.instrument, quantity: Math.sign(leg.net.quantity) * size });
  });
  return portfolioMarginFromArrays({ positions, arrays: ctx.arrays, rule: ctx.model.rule, model: ctx.model.name }).maintenance;
}

const reached = (ctx: Context, cost: number, maintenance: number): boolean => ctx.equity - cost >= maintenance * ctx.scale;

/** Lots of a reduction of leg i, with the remainder rule: a leg left below lotsMin closes whole. */
function allowedLots(leg: Leg, left: number, lots: number): number {
  const held = lotsFloor(left, leg.lot);
  if (lots >= held || held - lots < leg.lotsMin) return Number.POSITIVE_INFINITY;
  return lots;
}

interface Trial {
  readonly closedLots: Float64Array;
  readonly left: Float64Array;
  readonly trades: PmTrade[];
  readonly cost: number;
  readonly maintenance: number;
}

/** Applies reductions (lots per leg; Infinity = whole) to a state. */
function trial(ctx: Context, state: State, lotsByLeg: ReadonlyMap<number, number>): Trial {
  const left = Float64Array.from(state.left);
  const closedLots = Float64Array.from(state.closedLots);
  const trades: PmTrade[] = [];
  let cost = 0;
  for (const [i, lots] of [...lotsByLeg].sort(([a], [b]) => a - b)) {
    const leg = ctx.legs[i] as Leg;
    const before = left[i] ?? 0;
    if (before <= 0 || lots <= 0) continue;
    // Lots that reach the end of the leg close it whole (with any fraction of a lot it holds).
    const whole = !Number.isFinite(lots) || lots * leg.lot >= before - leg.lot * ROUNDING_SLACK;
    const size = whole ? before : lots * leg.lot;
    closedLots[i] = whole ? Number.POSITIVE_INFINITY : (closedLots[i] ?? 0) + lots;
    left[i] = whole ? 0 : leg.sizeStart - (closedLots[i] ?? 0) * leg.lot;
    cost += size * leg.unitCost;
    trades.push({ instrumentId: leg.net.instrument.id, size });
  }
  return { closedLots, left, trades, cost, maintenance: maintenanceOf(ctx, left) };
}

interface Candidate {
  readonly index: number;
  readonly lots: number;
  readonly trial: Trial;
  readonly freed: number;
  readonly ratio: number;
}

/** What a step does to the shortage: MM freed x (1 + buffer) less its cost (> 0: it helps). */
const gainOf = (ctx: Context, state: State, t: Trial): number => (state.maintenance - t.maintenance) * ctx.scale - t.cost;

/** Best single-leg step: most MM freed per unit of cost, then most freed, then the smaller id. */
function better(a: Candidate, b: Candidate, ctx: Context): boolean {
  if (a.ratio !== b.ratio) return a.ratio > b.ratio;
  if (a.freed !== b.freed) return a.freed > b.freed;
  return (ctx.legs[a.index] as Leg).net.instrument.id < (ctx.legs[b.index] as Leg).net.instrument.id;
}

/** Partial reductions of a leg must leave at least lotsMin lots: the largest such, or 0 if none. */
function partialLotsMax(leg: Leg, left: number): number {
  const held = lotsFloor(left, leg.lot);
  const max = Math.min(leg.lotsStep, held - leg.lotsMin);
  return max >= leg.lotsMin ? max : 0;
}

/**
 * The reduction of one leg that lowers the shortage most, within one step. Along one leg the
 * shortage is convex in the lots closed (worst loss and contingencies are convex in the quantities,
 * cost is linear), so its decrease is concave and bisection on its slope finds the best partial
 * size; closing the whole leg is the other candidate when the step reaches it. A leg that hedges
 * the rest stops helping where the hedge ratio is reached: the size stops there, and a leg whose
 * smallest reduction already raises MM is rejected.
 */
function legCandidate(ctx: Context, state: State, index: number): Candidate | PmRejectedLeg {
  const leg = ctx.legs[index] as Leg;
  const left = state.left[index] ?? 0;
  const at = (lots: number): Trial => trial(ctx, state, new Map([[index, lots]]));
  const options: { lots: number; trial: Trial }[] = [];
  let hi = partialLotsMax(leg, left);
  if (hi > 0) {
    let lo = leg.lotsMin;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (gainOf(ctx, state, at(mid + 1)) > gainOf(ctx, state, at(mid))) lo = mid + 1;
      else hi = mid;
    }
    options.push({ lots: lo, trial: at(lo) });
  }
  if (leg.lotsStep > lotsFloor(left, leg.lot) - leg.lotsMin) options.push({ lots: Number.POSITIVE_INFINITY, trial: at(Number.POSITIVE_INFINITY) });
  let best = options[0] as { lots: number; trial: Trial };
  for (const o of options) if (gainOf(ctx, state, o.trial) > gainOf(ctx, state, best.trial)) best = o;
  const freed = state.maintenance - best.trial.maintenance;
  const instrumentId = leg.net.instrument.id;
  if (!(freed > 0)) return { instrumentId, reason: 'raises_requirement', maintenanceChange: -freed };
  if (!(gainOf(ctx, state, best.trial) > 0)) return { instrumentId, reason: 'costs_more_than_it_frees', maintenanceChange: -freed };
  return { index, lots: best.lots, trial: best.trial, freed, ratio: best.trial.cost > 0 ? freed / best.trial.cost : Number.POSITIVE_INFINITY };
}

function bestLeg(ctx: Context, state: State): { best: Candidate | undefined; rejected: PmRejectedLeg[] } {
  let best: Candidate | undefined;
  const rejected: PmRejectedLeg[] = [];
  ctx.legs.forEach((leg, index) => {
    if (!leg.closable || (state.left[index] ?? 0) <= 0) return;
    const c = legCandidate(ctx, state, index);
    if ('reason' in c) rejected.push(c);
    else if (best === undefined || better(c, best, ctx)) best = c;
  });
  return { best, rejected };
}

/**
 * The fewest lots of the chosen leg that still reach the target, given that the chosen step does:
 * the lots that reach it form an interval (the shortage is convex along the leg) containing the
 * chosen size, and bisection finds its start. (The 'offsetting' futures contingency is concave:
 * there the result is still a step that reaches the target, perhaps not the least one.)
 */
function trimmed(ctx: Context, state: State, chosen: Candidate): Trial {
  const leg = ctx.legs[chosen.index] as Leg;
  const at = (lots: number): Trial => trial(ctx, state, new Map([[chosen.index, lots]]));
  const reaches = (t: Trial): boolean => reached(ctx, state.cost + t.cost, t.maintenance);
  let hi = Number.isFinite(chosen.lots) ? chosen.lots : partialLotsMax(leg, state.left[chosen.index] ?? 0);
  if (hi === 0) return chosen.trial;
  let best = Number.isFinite(chosen.lots) ? chosen.trial : at(hi);
  if (!reaches(best)) return chosen.trial;
  let lo = leg.lotsMin;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const t = at(mid);
    if (reaches(t)) {
      hi = mid;
      best = t;
    } else lo = mid + 1;
  }
  return best;
}

/**
 * A slice of every closable leg, sized so that homogeneity would close the shortage exactly:
 * f = shortage / (MM x scale - cost of closing every leg). Rounding each leg up to its lot breaks
 * exact proportionality (a coarse lot on the hedge can leave the slice raising MM): then the slice
 * doubles until it lowers both MM and the shortage. Undefined when no slice below the whole book
 * does.
 */
function slice(ctx: Context, state: State): Trial | undefined {
  let costAll = 0;
  ctx.legs.forEach((leg, i) => {
    if (leg.closable) costAll += (state.left[i] ?? 0) * leg.unitCost;
  });
  const shortage = state.maintenance * ctx.scale - (ctx.equity - state.cost);
  const denominator = state.maintenance * ctx.scale - costAll;
  if (!(denominator > 0) || !(shortage > 0)) return undefined;
  for (let fraction = shortage / denominator; fraction < 1; fraction *= 2) {
    const lots = new Map<number, number>();
    ctx.legs.forEach((leg, i) => {
      const left = state.left[i] ?? 0;
      if (leg.closable && left > 0) lots.set(i, allowedLots(leg, left, Math.max(leg.lotsMin, lotsCeil(fraction * left, leg.lot))));
    });
    const t = trial(ctx, state, lots);
    if (t.maintenance < state.maintenance && gainOf(ctx, state, t) > 0) return t;
  }
  return undefined;
}

function closeAll(ctx: Context, state: State): Trial {
  const lots = new Map<number, number>();
  ctx.legs.forEach((leg, i) => {
    if (leg.closable && (state.left[i] ?? 0) > 0) lots.set(i, Number.POSITIVE_INFINITY);
  });
  return trial(ctx, state, lots);
}

const fmt = (x: number): string => (x + 0).toPrecision(6);

function stepOf(kind: PmStepKind, state: State, t: Trial, rejected: readonly PmRejectedLeg[], reason: string): PmLiquidationStep {
  const freed = state.maintenance - t.maintenance;
  return {
    kind,
    trades: t.trades,
    maintenanceBefore: state.maintenance,
    maintenanceAfter: t.maintenance,
    cost: t.cost,
    freedPerCost: t.cost > 0 ? freed / t.cost : null,
    reason: `${reason}: MM ${fmt(state.maintenance)} -> ${fmt(t.maintenance)} for a cost of ${fmt(t.cost)}`,
    rejected,
  };
}

/** Plans the liquidation of a portfolio-margined account (see the file comment). */
export function planPortfolioLiquidation(input: PmLiquidationInput): PmLiquidationPlan {
  const { params, model } = input;
  checkPmLiquidationParams(params);
  requireNumber('equity', input.equity, () => true, 'finite', PM_LIQUIDATION_PARAMS_INVALID);
  const nets = netPositions(input.positions);
  const arrays = buildRiskArrays({ instruments: nets.map((n) => n.instrument), market: input.market, grid: makeScenarioGrid(model.grid), currency: model.currency });
  const legs = legsOf(nets, arrays, params);
  const ctx: Context = { legs, arrays, model, equity: input.equity, scale: 1 + params.buffer };
  const start: State = { closedLots: new Float64Array(legs.length), left: Float64Array.from(legs, (l) => l.sizeStart), cost: 0, maintenance: 0 };
  let state: State = { ...start, maintenance: maintenanceOf(ctx, start.left) };
  const maintenanceBefore = state.maintenance;
  const steps: PmLiquidationStep[] = [];
  let outcome: PmLiquidationPlan['outcome'] = 'limited';
  const apply = (step: PmLiquidationStep, t: Trial): void => {
    invariant(t.maintenance <= state.maintenance, 'a portfolio liquidation step never raises MM');
    steps.push(step);
    state = { closedLots: t.closedLots, left: t.left, cost: state.cost + t.cost, maintenance: t.maintenance };
  };
  if (reached(ctx, 0, state.maintenance)) outcome = 'healthy';
  else {
    for (let iteration = 0; iteration < params.iterationsMax; iteration += 1) {
      const { best, rejected } = bestLeg(ctx, state);
      if (best !== undefined) {
        const t = reached(ctx, state.cost + best.trial.cost, best.trial.maintenance) ? trimmed(ctx, state, best) : best.trial;
        apply(stepOf('leg', state, t, rejected, `frees the most MM per unit of cost (${best.ratio === Number.POSITIVE_INFINITY ? 'no cost' : fmt(best.ratio)})`), t);
      } else {
        const s = slice(ctx, state);
        if (s !== undefined) apply(stepOf('slice', state, s, rejected, 'no single leg helps: a proportional slice of every leg'), s);
        else {
          const all = closeAll(ctx, state);
          apply(stepOf('closeAll', state, all, rejected, 'no step helps: every leg closes'), all);
          outcome = 'closedAll';
          break;
        }
      }
      if (reached(ctx, state.cost, state.maintenance)) {
        outcome = 'restored';
        break;
      }
      // Greedy steps may have closed every leg without reaching the target: nothing is left to do.
      if (legs.every((leg, i) => !leg.closable || (state.left[i] ?? 0) === 0)) {
        outcome = 'closedAll';
        break;
      }
    }
  }
  return planOf(ctx, nets, steps, state, outcome, maintenanceBefore);
}

function planOf(ctx: Context, nets: readonly NetPosition[], steps: readonly PmLiquidationStep[], state: State, outcome: PmLiquidationPlan['outcome'], maintenanceBefore: number): PmLiquidationPlan {
  const legs: PmLegPlan[] = nets.map((net, i) => {
    const id = net.instrument.id;
    const leg = ctx.legs[i] as Leg;
    const left = state.left[i] ?? 0;
    const lots = state.closedLots[i] ?? 0;
    const size = Number.isFinite(lots) ? lots * leg.lot : leg.sizeStart;
    invariant(size >= 0 && left >= 0, `leg ${id}: closes no more than it holds`);
    const reasons = [...new Set(steps.filter((s) => s.trades.some((t) => t.instrumentId === id)).map((s) => s.kind))];
    return { instrumentId: id, quantityBefore: net.quantity, size, quantityAfter: Math.sign(net.quantity) * left, cost: size * leg.unitCost, reasons };
  });
  return {
    outcome,
    targetReached: reached(ctx, state.cost, state.maintenance),
    equityBefore: ctx.equity,
    maintenanceBefore,
    shortageBefore: maintenanceBefore * ctx.scale - ctx.equity,
    equityAfter: ctx.equity - state.cost,
    maintenanceAfter: state.maintenance,
    targetAfter: state.maintenance * ctx.scale,
    cost: state.cost,
    legs,
    steps,
  };
}
