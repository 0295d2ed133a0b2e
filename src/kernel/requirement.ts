/**
 * A position's initial and maintenance margin on the instrument tables, in units of the valuation
 * asset: the reference's `requirementOf` (src/risk/margin/requirement.ts) and the valuation in
 * `positionFigures` (src/risk/account/pool.ts), operation for operation, so that the results are
 * bit-identical to the reference's rounded amounts:
 *
 *   exposure        linear: notional = |size x cs| x mark, underlying = |size x cs|
 *                   inverse: notional = |size x cs|, underlying = |size x cs| / mark
 *   model           brackets (MM = N x MMR_k - cum_k, IM = N / leverageMax_k), linear in size,
 *                   sqrt size premium, open-interest scaled
 *   shared rules    user leverage, minimum margins, IM raised to MM; open orders: IM of the worse
 *                   side as if it filled; IM >= held MM
 *   valuation       linear: x settlement price; inverse: / mark x settlement price; rounded up
 */
import {
  MODEL_BRACKETS,
  MODEL_LINEAR_IN_SIZE,
  MODEL_OPEN_INTEREST,
  type InstrumentTables,
} from './tables.js';
import { ceilUnits, UNITS } from './float.js';

/** [initial, maintenance] of the last `exposureRequirement`, then of the last `positionRequirement` (units). */
export const requirementOut = new Float64Array(2);

/**
 * The model's figures plus the shared rules for one exposure, in the quote asset (float64), into
 * requirementOut. `leverage` is NaN when the user chose none.
 */
export function exposureRequirement(t: InstrumentTables, i: number, notional: number, underlyingSize: number, leverage: number): void {
  if (notional === 0 && underlyingSize === 0) {
    requirementOut[0] = 0;
    requirementOut[1] = 0;
    return;
  }
  let initial: number;
  let maintenance: number;
  const model = t.model[i]!;
  if (model === MODEL_BRACKETS) {
    // bracketOf: the last bracket whose floor is at or below the notional (the first always).
    let b = t.bracketOffset[i]!;
    const end = b + t.bracketCount[i]!;
    const floors = t.bracketFloor;
    while (b + 1 < end && floors[b + 1]! <= notional) b++;
    maintenance = Math.max(0, notional * t.bracketRate[b]! - t.bracketAmount[b]!);
    initial = notional / t.bracketLeverage[b]!;
  } else if (model === MODEL_LINEAR_IN_SIZE) {
    const initialRate = t.rateInitial[i]! + underlyingSize * t.perUnitInitial[i]!;
    const maintenanceRate = t.rateMaintenance[i]! + underlyingSize * t.perUnitMaintenance[i]!;
    initial = notional * initialRate;
    maintenance = notional * maintenanceRate;
  } else if (model === MODEL_OPEN_INTEREST) {
    initial = notional * t.openInterestRateInitial[i]!;
    maintenance = notional * t.openInterestRateMaintenance[i]!;
  } else {
    const root = Math.sqrt(underlyingSize);
    const imf = t.imfFactor[i]!;
    initial = notional * Math.max(t.rateInitial[i]!, t.premiumBaseInitial[i]! + imf * root);
    maintenance = notional * Math.max(t.rateMaintenance[i]!, t.premiumBaseMaintenance[i]! + imf * root);
  }
  if (leverage === leverage && notional / leverage > initial) initial = notional / leverage;
  const minimumInitial = t.minimumInitial[i]!;
  if (minimumInitial === minimumInitial && minimumInitial > initial) initial = minimumInitial;
  const minimumMaintenance = t.minimumMaintenance[i]!;
  if (minimumMaintenance === minimumMaintenance && minimumMaintenance > maintenance) maintenance = minimumMaintenance;
  if (maintenance > initial) initial = maintenance;
  requirementOut[0] = initial;
  requirementOut[1] = maintenance;
}

/** exposureOf + exposureRequirement for `sizeUnits` contracts. */
function requirementAt(t: InstrumentTables, i: number, sizeUnits: number, mark: number, leverage: number): void {
  const quantity = Math.abs((sizeUnits / UNITS) * t.contractSize[i]!);
  if (t.inverse[i] === 1) exposureRequirement(t, i, quantity, quantity / mark, leverage);
  else exposureRequirement(t, i, quantity * mark, quantity, leverage);
}

/**
 * IM and MM of a position in units of the valuation asset, rounded up, into requirementOut.
 * `settlementPrice` is toNumber of the settlement asset's price; orders in units (0 for none).
 */
export function positionRequirement(
  t: InstrumentTables,
  i: number,
  sizeUnits: number,
  buyUnits: number,
  sellUnits: number,
  leverage: number,
  settlementPrice: number,
): void {
  const mark = t.mark[i]!;
  requirementAt(t, i, sizeUnits, mark, leverage);
  let initial = requirementOut[0]!;
  const maintenance = requirementOut[1]!;
  if (buyUnits > 0) {
    requirementAt(t, i, sizeUnits + buyUnits, mark, leverage);
    if (requirementOut[0]! > initial) initial = requirementOut[0]!;
  }
  if (sellUnits > 0) {
    requirementAt(t, i, sizeUnits - sellUnits, mark, leverage);
    if (requirementOut[0]! > initial) initial = requirementOut[0]!;
  }
  initial = Math.max(initial, maintenance);
  if (t.inverse[i] === 1) {
    requirementOut[0] = ceilUnits((initial / mark) * settlementPrice);
    requirementOut[1] = ceilUnits((maintenance / mark) * settlementPrice);
  } else {
    requirementOut[0] = ceilUnits(initial * settlementPrice);
    requirementOut[1] = ceilUnits(maintenance * settlementPrice);
  }
}
