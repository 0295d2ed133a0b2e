/**
 * A position's figures on the records: unrealised PnL at the mark (and at the lagged mark), IM and
 * MM in units of the valuation asset, cached in the position record.
 *
 * Unrealised PnL (the reference's exact `unrealisedPnlOf`):
 *   linear  floor(size x cs x mark / 1e16) - entry        inverse  entry - ceil(size x cs / mark)
 * The float value x = toNumber(size) x toNumber(cs) x toNumber(mark) x 1e8 is within 7 ulps of the
 * exact quotient. It is snapped up by s = 16 ulps of |x| + |entry| before the floor, so that an exact
 * integer (the usual case on a lot and tick grid) gives the reference's figure; the result is within
 * 1 + 2s units of it. A position of size 0 has the exact PnL -entry (linear) or +entry (inverse).
 *
 * IM and MM: requirement.ts, with the common case (no resting orders, no user leverage, a bracket
 * table) inlined and each position's bracket remembered.
 */
import type { RiskBook } from './book.js';
import { ceilUnits, floorUnits, ROUNDOFF, UNITS } from './float.js';
import {
  bracketOf,
  P_BITS,
  P_BUY,
  P_ENTRY,
  P_INITIAL,
  P_INSTRUMENT,
  P_LEVERAGE,
  P_MAINTENANCE,
  P_PNL,
  P_PNL_LAGGED,
  P_QUANTITY,
  P_SELL,
  P_SIZE,
  P_STRIDE,
  POSITION_LEVERAGE,
  POSITION_ORDERS,
} from './layout.js';
import { exposureRequirement, positionRequirement, requirementOut } from './requirement.js';
import { INSTRUMENT_BRACKETS, INSTRUMENT_INVERSE, INSTRUMENT_LAGGED, INSTRUMENT_MINIMUM, INSTRUMENT_PRICED, type InstrumentTables } from './tables.js';

/** Snap of the float PnL before its floor: 16 ulps of |x| + |entry| (x within 7 ulps of the exact quotient). */
const SNAP = 16 * ROUNDOFF;
/**
 * The PnL error bound, from the cached PnL and the entry: 1 + 2 snap <= 1 + 40 ulps x (|pnl| + 2 |entry| + 2),
 * since |x| <= |pnl| + |entry| + 1 + snap. Not stored: readers derive it from the PnL they read.
 */
export const PNL_ERROR = 40 * ROUNDOFF;

/** The float PnL of a non-zero position at `mark` (see the file comment). */
function pnlAt(quantity: number, entry: number, mark: number, inverse: boolean): number {
  const x = inverse ? (quantity / mark) * UNITS : quantity * mark * UNITS;
  const raw = inverse ? entry - x : x - entry;
  return Math.floor(raw + SNAP * (Math.abs(x) + Math.abs(entry)));
}

/** The error bound of a position's cached PnL (and lagged PnL); 0 for a position of size 0. */
export function pnlErrorOf(quantity: number, pnl: number, lagged: number, entry: number): number {
  if (quantity === 0) return 0;
  return 1 + PNL_ERROR * (Math.max(Math.abs(pnl), Math.abs(lagged)) + 2 * Math.abs(entry) + 2);
}

/** The position's PnL at the lagged mark when its instrument has one, else at the mark. */
export function laggedPnlOf(b: RiskBook, p: number): number {
  const r = p * P_STRIDE;
  return (b.instruments.state[(b.pos[r + P_INSTRUMENT]! | 0)]! & INSTRUMENT_LAGGED) !== 0 ? b.cold[r + P_PNL_LAGGED]! : b.pos[r + P_PNL]!;
}

/**
 * Recomputes a position's PnL at the mark (and at the lagged mark, when the instrument has one),
 * IM and MM. The common case (no resting orders, no user leverage) is inlined; it is the
 * reference's requirementOf with those rules absent. An instrument that the reference cannot
 * value (a missing mark, settlement or quote price) gives NaN, which sends the account to the
 * exact path and its error.
 */
export function computePosition(b: RiskBook, p: number): void {
  const pos = b.pos;
  const r = p * P_STRIDE;
  const t = b.instruments;
  const i = (pos[r + P_INSTRUMENT]! | 0);
  const state = t.state[i]!;
  const bits = pos[r + P_BITS]!;
  const quantity = pos[r + P_QUANTITY]!;
  if (state === COMMON_INSTRUMENT && (bits & (POSITION_ORDERS | POSITION_LEVERAGE)) === 0 && quantity !== 0) {
    commonPosition(t, pos, r, i, bits, quantity);
    return;
  }
  computeGeneral(b, pos, r, t, i, state, bits, quantity);
}

/**
 * computePosition's common case: the general path below with the rules it does not meet left out
 * (a priced linear instrument with brackets and no lagged mark or minimum margins; an open
 * position without resting orders or a leverage of its own). The same operations in the same order.
 */
function commonPosition(t: InstrumentTables, pos: Float64Array, r: number, i: number, bits: number, quantity: number): void {
  const mark = t.mark[i]!;
  pos[r + P_PNL] = pnlAt(quantity, pos[r + P_ENTRY]!, mark, false);
  const notional = Math.abs(quantity) * mark;
  const k = bracketIndex(t, i, notional, pos, r, bits);
  const maintenance = Math.max(0, notional * t.bracketRate[k]! - t.bracketAmount[k]!);
  const initial = notional / t.bracketLeverage[k]!;
  const settlementPrice = t.settlementPrice[i]!;
  pos[r + P_INITIAL] = ceilUnits((maintenance > initial ? maintenance : initial) * settlementPrice);
  pos[r + P_MAINTENANCE] = ceilUnits(maintenance * settlementPrice);
}

function computeGeneral(b: RiskBook, pos: Float64Array, r: number, t: InstrumentTables, i: number, state: number, bits: number, quantity: number): void {
  if ((state & INSTRUMENT_PRICED) === 0) {
    pos[r + P_PNL] = Number.NaN;
    b.cold[r + P_PNL_LAGGED] = Number.NaN;
    pos[r + P_INITIAL] = Number.NaN;
    pos[r + P_MAINTENANCE] = Number.NaN;
    return;
  }
  const entry = pos[r + P_ENTRY]!;
  const inverse = (state & INSTRUMENT_INVERSE) !== 0;
  const mark = t.mark[i]!;
  const pnl = quantity === 0 ? (inverse ? entry : -entry) : pnlAt(quantity, entry, mark, inverse);
  pos[r + P_PNL] = pnl;
  if ((state & INSTRUMENT_LAGGED) !== 0) b.cold[r + P_PNL_LAGGED] = quantity === 0 ? pnl : pnlAt(quantity, entry, t.laggedMark[i]!, inverse);
  const settlementPrice = t.settlementPrice[i]!;
  if ((bits & (POSITION_ORDERS | POSITION_LEVERAGE)) !== 0) {
    positionRequirement(t, i, b.cold[r + P_SIZE]!, b.cold[r + P_BUY]!, b.cold[r + P_SELL]!, b.cold[r + P_LEVERAGE]!, settlementPrice);
    pos[r + P_INITIAL] = requirementOut[0]!;
    pos[r + P_MAINTENANCE] = requirementOut[1]!;
    return;
  }
  if (quantity === 0) {
    pos[r + P_INITIAL] = 0;
    pos[r + P_MAINTENANCE] = 0;
    return;
  }
  const held = Math.abs(quantity);
  let initial: number;
  let maintenance: number;
  const notional = inverse ? held : held * mark;
  if ((state & INSTRUMENT_BRACKETS) !== 0) {
    const k = bracketIndex(t, i, notional, pos, r, bits);
    maintenance = Math.max(0, notional * t.bracketRate[k]! - t.bracketAmount[k]!);
    initial = notional / t.bracketLeverage[k]!;
    if ((state & INSTRUMENT_MINIMUM) !== 0) {
      const minimumInitial = t.minimumInitial[i]!;
      if (minimumInitial === minimumInitial && minimumInitial > initial) initial = minimumInitial;
      const minimumMaintenance = t.minimumMaintenance[i]!;
      if (minimumMaintenance === minimumMaintenance && minimumMaintenance > maintenance) maintenance = minimumMaintenance;
    }
    if (maintenance > initial) initial = maintenance;
  } else {
    exposureRequirement(t, i, notional, inverse ? held / mark : held, Number.NaN);
    initial = requirementOut[0]!;
    maintenance = requirementOut[1]!;
  }
  if (inverse) {
    pos[r + P_INITIAL] = ceilUnits((initial / mark) * settlementPrice);
    pos[r + P_MAINTENANCE] = ceilUnits((maintenance / mark) * settlementPrice);
  } else {
    pos[r + P_INITIAL] = ceilUnits(initial * settlementPrice);
    pos[r + P_MAINTENANCE] = ceilUnits(maintenance * settlementPrice);
  }
}

/** The instrument state of computePosition's common case. */
const COMMON_INSTRUMENT = INSTRUMENT_PRICED | INSTRUMENT_BRACKETS;

/**
 * bracketOf: the index (in the bracket tables) of the last bracket whose floor is at or below the
 * notional, remembered in the position's bits. Floors ascend, so the position's previous bracket
 * is that bracket exactly when its floor is at or below the notional and the next floor is above
 * it; usually it is, and the search is skipped.
 */
function bracketIndex(t: InstrumentTables, i: number, notional: number, pos: Float64Array, r: number, bits: number): number {
  const base = t.bracketOffset[i]!;
  const count = t.bracketCount[i]!;
  const floors = t.bracketFloor;
  let k = bracketOf(bits);
  if (!(k < count && floors[base + k]! <= notional && (k + 1 === count || floors[base + k + 1]! > notional))) {
    k = 0;
    while (k + 1 < count && floors[base + k + 1]! <= notional) k++;
    pos[r + P_BITS] = (bits & 0xffff) | (k << 16);
  }
  return base + k;
}

/** The reference's weightGain in units: gains at `weight`, rounded down; losses in full. */
export function weightGainUnits(pnl: number, weight: number): number {
  if (pnl <= 0 || weight === 1) return pnl;
  return floorUnits((pnl / UNITS) * weight);
}
