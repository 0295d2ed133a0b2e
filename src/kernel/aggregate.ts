/**
 * Per-account sums of the cross pool's positions, kept so that a tick re-values an account from
 * the one position that moved instead of from all of them:
 *
 *   per asset slot   sum of PnL, of IM-weighted PnL (gains weighted, the worse of mark and lagged
 *                    mark), of MM-weighted PnL, of |PnL|; and for the PnL error bound the number of
 *                    open positions, the sum of max(|PnL|, |lagged PnL|) and of |entry| over them
 *   per account      sum of cross IM and MM, number of cross positions, of open ones, of isolated
 *
 * Every term is an integer-valued float64 (units, or a count), so a sum whose terms and partial
 * sums stay below 2^52 is exact whatever the order of additions and removals. A tick therefore
 * subtracts a position's old contribution and adds its new one (`deltaPosition`) and gets exactly
 * what a full re-aggregation in block order (`aggregateAccount`, the sweep's) gets: R22 holds bit
 * for bit. An account whose sums reach LARGE_UNITS (about 22 million of an asset) is "large": it is
 * re-aggregated from its position records on every change instead, which is the sweep's own
 * computation, and so still bit-identical. Accounts with isolated positions are re-aggregated too
 * (their pools are valued position by position).
 */
import type { RiskBook } from './book.js';
import {
  A_AGG_CROSS,
  A_AGG_INITIAL,
  A_AGG_ISOLATED,
  A_AGG_MAINTENANCE,
  A_AGG_OPEN,
  A_ASSET_COUNT,
  A_ASSET_OFFSET,
  A_FLAGS,
  A_POSITION_COUNT,
  A_POSITION_OFFSET,
  A_STRIDE,
  ACCOUNT_LARGE,
  assetSlotOf,
  KERNEL_ASSETS_PER_ACCOUNT_MAX,
  P_BITS,
  P_ENTRY,
  P_INITIAL,
  P_INSTRUMENT,
  P_MAINTENANCE,
  P_PNL,
  P_PNL_LAGGED,
  P_QUANTITY,
  P_STRIDE,
  POSITION_ISOLATED,
  S_ABS,
  S_BALANCE,
  S_COST,
  S_PACKED,
  S_PNL,
  S_PNL_INITIAL,
  S_PNL_MAINTENANCE,
  S_SIZE,
  S_STRIDE,
  SLOT_OPEN,
  SLOT_USED,
} from './layout.js';
import { computePosition, weightGainUnits } from './position.js';
import { INSTRUMENT_LAGGED } from './tables.js';

/** Sums below this stay exact through any delta (each term and partial sum below 2^52). */
export const LARGE_UNITS = 2 ** 51;

// Sums of slots 1.. of the account being aggregated (slot 0, the usual one, is kept in locals).
const sumPnl = new Float64Array(KERNEL_ASSETS_PER_ACCOUNT_MAX);
const sumInitial = new Float64Array(KERNEL_ASSETS_PER_ACCOUNT_MAX);
const sumMaintenance = new Float64Array(KERNEL_ASSETS_PER_ACCOUNT_MAX);
const sumAbs = new Float64Array(KERNEL_ASSETS_PER_ACCOUNT_MAX);
const sumSize = new Float64Array(KERNEL_ASSETS_PER_ACCOUNT_MAX);
const sumCost = new Float64Array(KERNEL_ASSETS_PER_ACCOUNT_MAX);
const sumCounts = new Float64Array(KERNEL_ASSETS_PER_ACCOUNT_MAX);

/** Whether the slot's and the account's sums are small enough for exact deltas (NaN sums are not). */
function smallSlot(b: RiskBook, s: number, ra: number): boolean {
  const slots = b.slots;
  return (
    slots[s + S_ABS]! + slots[s + S_SIZE]! < LARGE_UNITS &&
    slots[s + S_COST]! < LARGE_UNITS &&
    Math.abs(slots[s + S_BALANCE]!) < LARGE_UNITS &&
    b.acc[ra + A_AGG_INITIAL]! < LARGE_UNITS &&
    b.acc[ra + A_AGG_MAINTENANCE]! < LARGE_UNITS
  );
}

/**
 * Recomputes the account's sums from its position records, adding in block order (so that a large
 * account's inexact sums are the same every time); with `compute`, recomputes each position first
 * (the sweep). Marks the account large when its sums leave the exact-delta range.
 */
export function aggregateAccount(b: RiskBook, a: number, compute: boolean): void {
  const acc = b.acc;
  const slots = b.slots;
  const pos = b.pos;
  const state = b.instruments.state;
  const ra = a * A_STRIDE;
  const firstSlot = acc[ra + A_ASSET_OFFSET]! | 0;
  const slotCount = acc[ra + A_ASSET_COUNT]! | 0;
  for (let k = 1; k < slotCount; k++) {
    sumPnl[k] = 0;
    sumInitial[k] = 0;
    sumMaintenance[k] = 0;
    sumAbs[k] = 0;
    sumSize[k] = 0;
    sumCost[k] = 0;
    sumCounts[k] = 0;
  }
  const weightInitial = b.weightInitial;
  const weightMaintenance = b.weightMaintenance;
  const weighted = weightInitial !== 1 || weightMaintenance !== 1;
  let pnl0 = 0;
  let initial0 = 0;
  let maintenance0 = 0;
  let abs0 = 0;
  let size0 = 0;
  let cost0 = 0;
  let counts0 = 0;
  let requirementInitial = 0;
  let requirementMaintenance = 0;
  let cross = 0;
  let open = 0;
  let isolated = 0;
  const first = acc[ra + A_POSITION_OFFSET]! | 0;
  const last = first + (acc[ra + A_POSITION_COUNT]! | 0);
  for (let p = first; p < last; p++) {
    if (compute) computePosition(b, p);
    const r = p * P_STRIDE;
    const bits = pos[r + P_BITS]!;
    if ((bits & POSITION_ISOLATED) !== 0) {
      isolated++;
      continue;
    }
    const pnl = pos[r + P_PNL]!;
    const lagged = (state[pos[r + P_INSTRUMENT]! | 0]! & INSTRUMENT_LAGGED) !== 0 ? b.cold[r + P_PNL_LAGGED]! : pnl;
    const worse = lagged < pnl ? lagged : pnl;
    const initialPnl = weighted ? weightGainUnits(worse, weightInitial) : worse;
    const maintenancePnl = weighted ? weightGainUnits(pnl, weightMaintenance) : pnl;
    const absolute = Math.abs(pnl);
    const isOpen = pos[r + P_QUANTITY] !== 0;
    const size = isOpen ? Math.max(absolute, Math.abs(lagged)) : 0;
    const cost = isOpen ? Math.abs(pos[r + P_ENTRY]!) : 0;
    const counts = isOpen ? SLOT_OPEN + SLOT_USED : SLOT_USED;
    const k = assetSlotOf(bits);
    if (k === 0) {
      pnl0 += pnl;
      initial0 += initialPnl;
      maintenance0 += maintenancePnl;
      abs0 += absolute;
      size0 += size;
      cost0 += cost;
      counts0 += counts;
    } else {
      sumPnl[k] = sumPnl[k]! + pnl;
      sumInitial[k] = sumInitial[k]! + initialPnl;
      sumMaintenance[k] = sumMaintenance[k]! + maintenancePnl;
      sumAbs[k] = sumAbs[k]! + absolute;
      sumSize[k] = sumSize[k]! + size;
      sumCost[k] = sumCost[k]! + cost;
      sumCounts[k] = sumCounts[k]! + counts;
    }
    requirementInitial += pos[r + P_INITIAL]!;
    requirementMaintenance += pos[r + P_MAINTENANCE]!;
    cross++;
    if (isOpen) open++;
  }
  if (slotCount > 0) {
    sumPnl[0] = pnl0;
    sumInitial[0] = initial0;
    sumMaintenance[0] = maintenance0;
    sumAbs[0] = abs0;
    sumSize[0] = size0;
    sumCost[0] = cost0;
    sumCounts[0] = counts0;
  }
  let small = requirementInitial < LARGE_UNITS && requirementMaintenance < LARGE_UNITS;
  for (let k = 0; k < slotCount; k++) {
    const s = (firstSlot + k) * S_STRIDE;
    slots[s + S_PNL] = sumPnl[k]!;
    slots[s + S_PNL_INITIAL] = sumInitial[k]!;
    slots[s + S_PNL_MAINTENANCE] = sumMaintenance[k]!;
    slots[s + S_ABS] = sumAbs[k]!;
    slots[s + S_SIZE] = sumSize[k]!;
    slots[s + S_COST] = sumCost[k]!;
    const packed = slots[s + S_PACKED]!;
    slots[s + S_PACKED] = (((packed >>> 24) & 0xff) << 24 >>> 0) + sumCounts[k]!; // keep the asset, replace the counts
    if (!(sumAbs[k]! + sumSize[k]! < LARGE_UNITS && sumCost[k]! < LARGE_UNITS && Math.abs(slots[s + S_BALANCE]!) < LARGE_UNITS)) small = false;
  }
  acc[ra + A_AGG_INITIAL] = requirementInitial;
  acc[ra + A_AGG_MAINTENANCE] = requirementMaintenance;
  acc[ra + A_AGG_CROSS] = cross;
  acc[ra + A_AGG_OPEN] = open;
  acc[ra + A_AGG_ISOLATED] = isolated;
  acc[ra + A_FLAGS] = small ? acc[ra + A_FLAGS]! & ~ACCOUNT_LARGE : acc[ra + A_FLAGS]! | ACCOUNT_LARGE;
}

/**
 * Moves cross position p of account a to the current market: recomputes it and adds the change of
 * each of its contributions to the sums (exact, since every term is an integer below 2^51 and every
 * sum below 2^52). The size of a position does not change on a tick, so neither do its counts and
 * entry. Returns false when the account must be re-aggregated instead (its sums left the exact
 * range, or a figure is NaN); the position's record is current either way.
 */
export function deltaPosition(b: RiskBook, p: number, a: number): boolean {
  const pos = b.pos;
  const r = p * P_STRIDE;
  const lagged = (b.instruments.state[pos[r + P_INSTRUMENT]! | 0]! & INSTRUMENT_LAGGED) !== 0;
  const pnlBefore = pos[r + P_PNL]!;
  const laggedBefore = lagged ? b.cold[r + P_PNL_LAGGED]! : pnlBefore;
  const initialBefore = pos[r + P_INITIAL]!;
  const maintenanceBefore = pos[r + P_MAINTENANCE]!;
  computePosition(b, p);
  const pnl = pos[r + P_PNL]!;
  const laggedAfter = lagged ? b.cold[r + P_PNL_LAGGED]! : pnl;
  const acc = b.acc;
  const slots = b.slots;
  const ra = a * A_STRIDE;
  const s = ((acc[ra + A_ASSET_OFFSET]! | 0) + assetSlotOf(pos[r + P_BITS]!)) * S_STRIDE;
  const worseBefore = laggedBefore < pnlBefore ? laggedBefore : pnlBefore;
  const worse = laggedAfter < pnl ? laggedAfter : pnl;
  slots[s + S_PNL] = slots[s + S_PNL]! + (pnl - pnlBefore);
  if (b.weightInitial === 1 && b.weightMaintenance === 1) {
    slots[s + S_PNL_INITIAL] = slots[s + S_PNL_INITIAL]! + (worse - worseBefore);
    slots[s + S_PNL_MAINTENANCE] = slots[s + S_PNL_MAINTENANCE]! + (pnl - pnlBefore);
  } else {
    slots[s + S_PNL_INITIAL] = slots[s + S_PNL_INITIAL]! + (weightGainUnits(worse, b.weightInitial) - weightGainUnits(worseBefore, b.weightInitial));
    slots[s + S_PNL_MAINTENANCE] =
      slots[s + S_PNL_MAINTENANCE]! + (weightGainUnits(pnl, b.weightMaintenance) - weightGainUnits(pnlBefore, b.weightMaintenance));
  }
  slots[s + S_ABS] = slots[s + S_ABS]! + (Math.abs(pnl) - Math.abs(pnlBefore));
  if (pos[r + P_QUANTITY] !== 0) {
    slots[s + S_SIZE] =
      slots[s + S_SIZE]! + (Math.max(Math.abs(pnl), Math.abs(laggedAfter)) - Math.max(Math.abs(pnlBefore), Math.abs(laggedBefore)));
  }
  acc[ra + A_AGG_INITIAL] = acc[ra + A_AGG_INITIAL]! + (pos[r + P_INITIAL]! - initialBefore);
  acc[ra + A_AGG_MAINTENANCE] = acc[ra + A_AGG_MAINTENANCE]! + (pos[r + P_MAINTENANCE]! - maintenanceBefore);
  return smallSlot(b, s, ra);
}
