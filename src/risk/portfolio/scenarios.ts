/**
 * Scenario grids: price moves x volatility shocks, and an extended tail table (METHODS.md 3.3, 3.4).
 *
 * A scenario moves the index, every expiry's forward and the perpetual's mark by the same relative
 * `priceMove` (the basis is held in proportion), and moves each option's implied vol up, not at all
 * or down by the grid's volatility model. Nothing else changes: no time passes, rates stay.
 * `weight` is the fraction of the scenario's loss that counts: 1 for the core grid, range/|move|
 * for Deribit's tail table, 35% for SPAN's extreme moves.
 *
 * Volatility models, a union rather than flags (STYLE.md habit 5):
 * - 'tenorScaled' (Deribit, Lyra, Paradex): relative shocks that shrink with tenor,
 *     shock = range x (pivot / max(DTE, DTE_min))^p,  p = powerShortTerm if DTE < pivot else powerLongTerm,
 *   vol up = vol x (1 + shock_up), vol down = vol x max(1 - shock_down, 0).
 *   Worked (derived, Deribit: up 45%, down 30%, pivot 30 days, p 0.30 / 0.13): up 1d 124.8%,
 *   7d 69.6%, 30d 45%, 180d 35.6%; down 1d 83.2%, 30d 30%, 180d 23.8%.
 *   The DTE floor keeps (30/DTE)^p finite at expiry: Lyra's `dteFloor` is 1 day
 *   (derivexyz/v2-core PMRMLib.sol), Paradex writes 30 / max(DTE floor, DTE). With a 1-day floor an
 *   option expiring today gets the 1-day shock.
 * - 'relative': vol x (1 + up), vol x max(1 - down, 0), whatever the tenor.
 * - 'absolute': vol + up, max(vol - down, 0) (SPAN's volatility scan range in vol points).
 */
import { InputError } from '../errors.js';
import { PM_SCENARIOS_MAX, requireNumber } from './types.js';

export type VolMove = 'up' | 'none' | 'down';

export type VolShockModel =
  | {
      readonly kind: 'tenorScaled';
      readonly rangeUp: number;
      readonly rangeDown: number;
      readonly powerShortTerm: number;
      readonly powerLongTerm: number;
      /** 30 days at Deribit and Lyra. */
      readonly pivotDays: number;
      /** The floor of DTE in the scaling, > 0 (1 day at Lyra and Paradex). */
      readonly dteMinDays: number;
      /** Days per year that turn expiryYears into DTE (365). */
      readonly daysPerYear: number;
    }
  | { readonly kind: 'relative'; readonly up: number; readonly down: number }
  | { readonly kind: 'absolute'; readonly up: number; readonly down: number };

export type TailWeights =
  | { readonly kind: 'rangeOverMove'; readonly range: number }
  | { readonly kind: 'explicit'; readonly weights: readonly number[] };

export interface TailSpec {
  readonly moves: readonly number[];
  readonly weights: TailWeights;
  /** Deribit: vol up only. */
  readonly volMove: VolMove;
}

export type ScenarioGridSpec =
  | {
      readonly kind: 'matrix';
      /** Relative moves, each > -1, e.g. evenPriceMoves(0.16, 9). */
      readonly priceMoves: readonly number[];
      readonly volMoves: readonly VolMove[];
      readonly tail?: TailSpec;
      readonly volShock: VolShockModel;
    }
  | {
      readonly kind: 'span';
      /** The price scan range as a fraction of each contract's price (forward). */
      readonly priceScanRange: number;
      /** The extreme move as a multiple of the range: 2 or 3 at CME. */
      readonly extremeMultiple: number;
      /** The covered fraction of an extreme move's loss: 0.35 at CME. */
      readonly extremeWeight: number;
      readonly volShock: VolShockModel;
    };

export interface PmScenario {
  readonly index: number;
  /** e.g. "-16% vol up", "tail +500% vol up", "SPAN 13: -3/3 range, vol up". */
  readonly label: string;
  readonly priceMove: number;
  readonly volMove: VolMove;
  /** Fraction of the loss counted, in (0, 1]. */
  readonly weight: number;
}

export interface ScenarioGrid {
  readonly scenarios: readonly PmScenario[];
  readonly volShock: VolShockModel;
}

export const GRID_INVALID = 'scenario_grid_invalid';

function gridInvalid(detail: string): InputError {
  return new InputError(GRID_INVALID, detail);
}

export function checkVolShockModel(model: VolShockModel): void {
  const nonNegative = (x: number): boolean => x >= 0;
  switch (model.kind) {
    case 'tenorScaled':
      requireNumber('volShock rangeUp', model.rangeUp, nonNegative, '>= 0', GRID_INVALID);
      requireNumber('volShock rangeDown', model.rangeDown, nonNegative, '>= 0', GRID_INVALID);
      requireNumber('volShock powerShortTerm', model.powerShortTerm, nonNegative, '>= 0', GRID_INVALID);
      requireNumber('volShock powerLongTerm', model.powerLongTerm, nonNegative, '>= 0', GRID_INVALID);
      requireNumber('volShock pivotDays', model.pivotDays, (x) => x > 0, '> 0', GRID_INVALID);
      requireNumber('volShock dteMinDays', model.dteMinDays, (x) => x > 0, '> 0 (it guards (pivot/DTE)^p at expiry)', GRID_INVALID);
      requireNumber('volShock daysPerYear', model.daysPerYear, (x) => x > 0, '> 0', GRID_INVALID);
      return;
    case 'relative':
    case 'absolute':
      requireNumber('volShock up', model.up, nonNegative, '>= 0', GRID_INVALID);
      requireNumber('volShock down', model.down, nonNegative, '>= 0', GRID_INVALID);
      return;
    default:
      throw gridInvalid('volShock kind must be tenorScaled, relative or absolute');
  }
}

/**
 * The relative shock sizes of the 'tenorScaled' model at an expiry:
 * range x (pivot / max(DTE, DTE_min))^p. Worked: 1 day, up 45%, p 0.30: 0.45 x 30^0.3 = 1.2484.
 */
export function tenorScaledShock(
  model: Extract<VolShockModel, { kind: 'tenorScaled' }>,
  expiryYears: number,
): { readonly up: number; readonly down: number } {
  const days = Math.max(expiryYears * model.daysPerYear, model.dteMinDays);
  const power = days < model.pivotDays ? model.powerShortTerm : model.powerLongTerm;
  const scale = (model.pivotDays / days) ** power;
  return { up: model.rangeUp * scale, down: model.rangeDown * scale };
}

/** The implied vol of an option in a scenario; never negative, never NaN for valid inputs. */
export function shockedVol(model: VolShockModel, vol: number, expiryYears: number, move: VolMove): number {
  if (move === 'none') return vol;
  switch (model.kind) {
    case 'tenorScaled': {
      const shock = tenorScaledShock(model, expiryYears);
      return move === 'up' ? vol * (1 + shock.up) : vol * Math.max(1 - shock.down, 0);
    }
    case 'relative':
      return move === 'up' ? vol * (1 + model.up) : vol * Math.max(1 - model.down, 0);
    case 'absolute':
      return move === 'up' ? vol + model.up : Math.max(vol - model.down, 0);
  }
}

/**
 * `buckets` evenly spaced moves from -range to +range, zero included when `buckets` is odd.
 * Worked: evenPriceMoves(0.16, 9) = -16%, -12%, ..., +16% (steps of 2 x 16% / 8 = 4%);
 * evenPriceMoves(0.15, 11) = -15%, -12%, ..., +15% (steps of 3%).
 */
export function evenPriceMoves(range: number, buckets: number): number[] {
  requireNumber('range', range, (x) => x > 0 && x < 1, 'in (0, 1)', GRID_INVALID);
  if (!Number.isInteger(buckets) || buckets < 2 || buckets > PM_SCENARIOS_MAX) {
    throw gridInvalid(`buckets must be an integer in [2, ${PM_SCENARIOS_MAX}]`);
  }
  const last = buckets - 1;
  // range x (2i - last) / last, so that the ends are exactly -range and +range and the middle 0.
  return Array.from({ length: buckets }, (_, i) => (range * (2 * i - last)) / last + 0);
}

/**
 * Deribit's tail weights, range / |move|. Worked (range 16%): -66%: 24.24%, -33%: 48.48%,
 * +50%: 32%, +100%: 16%, +200%: 8%, +300%: 5.33%, +400%: 4%, +500%: 3.2%
 * (Deribit and Paradex print 24% and 48%).
 */
export function tailWeightsRangeOverMove(range: number, moves: readonly number[]): number[] {
  requireNumber('tail range', range, (x) => x > 0, '> 0', GRID_INVALID);
  return moves.map((move) => {
    requireNumber('tail move', move, (x) => x !== 0 && x > -1, 'non-zero and > -1', GRID_INVALID);
    return Math.min(range / Math.abs(move), 1);
  });
}

/** "+16%", "-12%", "0%": the move in percent, with float noise removed. */
export function formatMove(move: number): string {
  const percent = Number((move * 100).toPrecision(12));
  return `${percent > 0 ? '+' : ''}${percent}%`;
}

const volLabel = (move: VolMove): string => (move === 'none' ? 'vol unchanged' : `vol ${move}`);

function checkMove(name: string, move: number): void {
  requireNumber(name, move, (x) => x > -1, '> -1 (a price cannot fall by 100% or more)', GRID_INVALID);
}

function checkWeight(name: string, weight: number): void {
  requireNumber(name, weight, (x) => x > 0 && x <= 1, 'in (0, 1]', GRID_INVALID);
}

function matrixScenarios(spec: Extract<ScenarioGridSpec, { kind: 'matrix' }>): PmScenario[] {
  if (spec.priceMoves.length < 1) throw gridInvalid('priceMoves must not be empty');
  if (spec.volMoves.length < 1) throw gridInvalid('volMoves must not be empty');
  for (const move of spec.volMoves) if (move !== 'up' && move !== 'none' && move !== 'down') throw gridInvalid('volMoves must be up, none or down');
  const out: PmScenario[] = [];
  for (const priceMove of spec.priceMoves) {
    checkMove('priceMove', priceMove);
    for (const volMove of spec.volMoves) {
      out.push({ index: out.length, label: `${formatMove(priceMove)} ${volLabel(volMove)}`, priceMove, volMove, weight: 1 });
    }
  }
  const tail = spec.tail;
  if (tail === undefined) return out;
  const weights = tail.weights.kind === 'rangeOverMove' ? tailWeightsRangeOverMove(tail.weights.range, tail.moves) : tail.weights.weights;
  if (weights.length !== tail.moves.length) throw gridInvalid('tail weights must have one weight per move');
  for (const [i, priceMove] of tail.moves.entries()) {
    const weight = weights[i] ?? Number.NaN;
    checkMove('tail move', priceMove);
    checkWeight('tail weight', weight);
    const label = `tail ${formatMove(priceMove)} ${volLabel(tail.volMove)} x ${Number((weight * 100).toPrecision(4))}%`;
    out.push({ index: out.length, label, priceMove, volMove: tail.volMove, weight });
  }
  return out;
}

/**
 * The 16 CME SPAN scenarios, in CME's order: price unchanged, +1/3, -1/3, +2/3, -2/3, +3/3, -3/3
 * of the price scan range, each with vol up then vol down (100% of the loss), then + and - the
 * extreme move (extremeMultiple x range) with vol unchanged at `extremeWeight` (35%).
 */
function spanScenarios(spec: Extract<ScenarioGridSpec, { kind: 'span' }>): PmScenario[] {
  const { priceScanRange: range, extremeMultiple, extremeWeight } = spec;
  requireNumber('priceScanRange', range, (x) => x > 0 && x < 1, 'in (0, 1)', GRID_INVALID);
  requireNumber('extremeMultiple', extremeMultiple, (x) => x > 0 && x * range < 1, '> 0 with extremeMultiple x priceScanRange < 1', GRID_INVALID);
  checkWeight('extremeWeight', extremeWeight);
  const fractions: [number, string][] = [
    [0, 'unchanged'],
    [1 / 3, '+1/3 range'],
    [-1 / 3, '-1/3 range'],
    [2 / 3, '+2/3 range'],
    [-2 / 3, '-2/3 range'],
    [1, '+3/3 range'],
    [-1, '-3/3 range'],
  ];
  const out: PmScenario[] = [];
  for (const [fraction, name] of fractions) {
    for (const volMove of ['up', 'down'] as const) {
      const n = out.length + 1;
      out.push({ index: out.length, label: `SPAN ${n}: ${name}, ${volLabel(volMove)}`, priceMove: fraction * range, volMove, weight: 1 });
    }
  }
  for (const sign of [1, -1]) {
    const n = out.length + 1;
    const label = `SPAN ${n}: ${sign > 0 ? '+' : '-'}${extremeMultiple} x range, vol unchanged, x ${extremeWeight}`;
    out.push({ index: out.length, label, priceMove: sign * extremeMultiple * range, volMove: 'none', weight: extremeWeight });
  }
  return out;
}

/** Validates a grid specification and lists its scenarios in a fixed order. */
export function makeScenarioGrid(spec: ScenarioGridSpec): ScenarioGrid {
  checkVolShockModel(spec.volShock);
  let scenarios: PmScenario[];
  switch (spec.kind) {
    case 'matrix':
      scenarios = matrixScenarios(spec);
      break;
    case 'span':
      scenarios = spanScenarios(spec);
      break;
    default:
      throw gridInvalid('kind must be matrix or span');
  }
  if (scenarios.length > PM_SCENARIOS_MAX) throw gridInvalid(`more than ${PM_SCENARIOS_MAX} scenarios`);
  return { scenarios, volShock: spec.volShock };
}
