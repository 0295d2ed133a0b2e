/**
 * Status codes of the kernel (the reference's Status, in STATUS_ORDER) and the certified status
 * decision: the reference's `statusOf` applied to float figures that carry error bounds. When a
 * bound straddles a threshold the answer is UNCERTAIN and the caller asks the exact reference.
 */
import { STATUS_ORDER, type Status, type StatusBands } from '../risk/account/types.js';
import { EXACT_MAX, ROUNDOFF } from './float.js';

export const STATUS_HEALTHY = 0;
export const STATUS_MARGIN_CALL = 1;
export const STATUS_REDUCE_ONLY = 2;
export const STATUS_LIQUIDATABLE = 3;
export const STATUS_BANKRUPT = 4;
/** A price, mark or collateral parameter the valuation needs is missing (the reference throws). */
export const STATUS_UNVALUED = 5;
/** Not a status: the float figures cannot decide (see poolStatus). */
export const UNCERTAIN = -1;

export function statusName(code: number): Status | 'unvalued' {
  return code === STATUS_UNVALUED ? 'unvalued' : (STATUS_ORDER[code] as Status);
}

export function statusCode(status: Status): number {
  return STATUS_ORDER.indexOf(status);
}

/** The bands in parts per million, as statusOf reads them: liquidation, reduce-only, margin call. */
export function bandsPpm(bands: StatusBands): Float64Array {
  return Float64Array.of(Math.round(bands.liquidation * 1e6), Math.round(bands.reduceOnly * 1e6), Math.round(bands.marginCall * 1e6));
}

/**
 * collateral x 1e6 < mm x ppm (statusOf's `below`), or UNCERTAIN. The products are exact when both
 * are below 2^53 and the inputs carry no error; otherwise each rounds by at most half an ulp.
 */
function below(collateral: number, collateralError: number, mm: number, mmError: number, ppm: number): number {
  const left = collateral * 1e6;
  const right = mm * ppm;
  if (collateralError === 0 && mmError === 0 && Math.abs(left) < EXACT_MAX && Math.abs(right) < EXACT_MAX) return left < right ? 1 : 0;
  const slack = collateralError * 1e6 + mmError * ppm + 4 * ROUNDOFF * (Math.abs(left) + Math.abs(right));
  if (left < right - slack) return 1;
  if (left > right + slack) return 0;
  return UNCERTAIN;
}

/**
 * statusOf on float figures with error bounds (0 = exact): equity E +- eE, MM collateral C +- eC,
 * MM +- eMM. `atRisk` is exact (a pool without exposure has exact PnL: see valuation.ts).
 */
export function poolStatus(
  equity: number,
  equityError: number,
  collateral: number,
  collateralError: number,
  mm: number,
  mmError: number,
  atRisk: boolean,
  ppm: Float64Array,
): number {
  if (!(equity === equity && collateral === collateral && mm === mm)) return UNCERTAIN; // NaN: unvalued, let the reference say why
  // bankrupt: E < 0, or E = 0 with positions or liabilities.
  if (equityError === 0) {
    if (equity < 0 || (equity === 0 && atRisk)) return STATUS_BANKRUPT;
  } else if (equity + equityError < 0) {
    return STATUS_BANKRUPT;
  } else if (!(equity - equityError > 0)) {
    if (atRisk || equity - equityError < 0) return UNCERTAIN;
  }
  if (!atRisk) return STATUS_HEALTHY;
  if (mm === 0) {
    if (collateralError === 0) return collateral < 0 ? STATUS_LIQUIDATABLE : STATUS_HEALTHY;
    if (collateral + collateralError < 0) return STATUS_LIQUIDATABLE;
    if (collateral - collateralError >= 0) return STATUS_HEALTHY;
    return UNCERTAIN;
  }
  // Most pools are healthy: when the highest band (margin call) certainly holds, so do the lower
  // ones (a lower band has a smaller threshold and a smaller slack), and one test decides.
  const marginCallPpm = ppm[2]!;
  if (ppm[0]! <= marginCallPpm && ppm[1]! <= marginCallPpm && below(collateral, collateralError, mm, mmError, marginCallPpm) === 0) return STATUS_HEALTHY;
  const liquidation = below(collateral, collateralError, mm, mmError, ppm[0]!);
  if (liquidation !== 0) return liquidation === 1 ? STATUS_LIQUIDATABLE : UNCERTAIN;
  const reduceOnly = below(collateral, collateralError, mm, mmError, ppm[1]!);
  if (reduceOnly !== 0) return reduceOnly === 1 ? STATUS_REDUCE_ONLY : UNCERTAIN;
  const marginCall = below(collateral, collateralError, mm, mmError, ppm[2]!);
  if (marginCall !== 0) return marginCall === 1 ? STATUS_MARGIN_CALL : UNCERTAIN;
  return STATUS_HEALTHY;
}
