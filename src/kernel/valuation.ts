/**
 * An account's valuation from its cached position figures and cross-pool sums (aggregate.ts): the
 * cross pool's multi-asset collateral and each isolated position's own pool, with the status
 * decided on float figures when their error bounds allow and by the exact reference otherwise
 * (status.ts, exact.ts). The full sweep and the incremental re-margin end in the same function, on
 * the same sums, so that their results are bit-identical (R22).
 *
 * Error bounds (units, 0 = exact): a pool whose positions are all of size 0 has exact PnL, so its
 * equity and collateral are the reference's exactly. Otherwise each open position's PnL is within
 * 1 + 40 ulps x (|PnL| + 2 |entry| + 2) (position.ts), one more with weighted gains; the asset's
 * quantity inherits their sum, its value that times the price (times a Lipschitz bound of the
 * haircut schedule for collateral) plus 2 units of rounding, and sums beyond 2^52 a relative
 * 1e-12 for float64 addition.
 */
import type { RiskBook } from './book.js';
import { valueAccountExact } from './exact.js';
import { EXACT_HALF, floorMulDiv, floorMulDivError, floorUnits, SUM_SLACK, UNITS } from './float.js';
import {
  A_AGG_CROSS,
  A_AGG_INITIAL,
  A_AGG_ISOLATED,
  A_AGG_MAINTENANCE,
  A_AGG_OPEN,
  A_ASSET_COUNT,
  A_ASSET_OFFSET,
  A_COLLATERAL_INITIAL,
  A_COLLATERAL_MAINTENANCE,
  A_COVER_ERROR,
  A_CROSS_COLLATERAL,
  A_CROSS_INITIAL,
  A_EQUITY,
  A_FLAGS,
  A_INITIAL,
  A_ISOLATED_SHORTFALL,
  A_MAINTENANCE,
  A_POSITION_COUNT,
  A_POSITION_OFFSET,
  A_RATIO,
  A_STATUS,
  A_STRIDE,
  ACCOUNT_ISOLATED_MODE,
  ACCOUNT_QUEUED,
  ACCOUNT_WIDE,
  P_BITS,
  P_ENTRY,
  P_INITIAL,
  P_INSTRUMENT,
  P_ISOLATED,
  P_MAINTENANCE,
  P_PNL,
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
} from './layout.js';
import { laggedPnlOf, PNL_ERROR, pnlErrorOf, weightGainUnits } from './position.js';
import { poolStatus, STATUS_BANKRUPT, STATUS_HEALTHY, STATUS_LIQUIDATABLE, UNCERTAIN } from './status.js';
import { haircutValueOf, type AssetTables } from './tables.js';

/** IM collateral value of a holding (units): assets at the lower, liabilities at the higher of live and lagged. */
export function initialValue(assets: AssetTables, asset: number, quantity: number): number {
  if (quantity >= 0) return floorUnits(haircutValueOf(assets.initial, asset, quantity / UNITS, assets.priceLow[asset]!));
  return floorUnits((quantity / UNITS) * assets.priceHigh[asset]! * assets.initial.liabilityWeight[asset]!);
}

/** MM collateral value of a holding (units), at the live price. */
export function maintenanceValue(assets: AssetTables, asset: number, quantity: number): number {
  const live = assets.price[asset]!;
  if (quantity >= 0) return floorUnits(haircutValueOf(assets.maintenance, asset, quantity / UNITS, live));
  return floorUnits((quantity / UNITS) * live * assets.maintenance.liabilityWeight[asset]!);
}

/** The figures of the last isolatedPool call. */
export const POOL_EQUITY = 0;
export const POOL_EQUITY_ERROR = 1;
export const POOL_COLLATERAL_INITIAL = 2;
export const POOL_COLLATERAL_INITIAL_ERROR = 3;
export const POOL_COLLATERAL_MAINTENANCE = 4;
export const POOL_RATIO = 5;
export const poolOut = new Float64Array(6);

/**
 * An isolated position's pool: its isolated margin and its PnL, in its settlement asset. Returns
 * the pool's status or UNCERTAIN; figures in poolOut.
 */
export function isolatedPool(b: RiskBook, p: number): number {
  const assets = b.assets;
  const r = p * P_STRIDE;
  const pos = b.pos;
  const asset = b.instruments.settlementAsset[(pos[r + P_INSTRUMENT]! | 0)]!;
  if (assets.hasSpec[asset] !== 1) {
    poolOut.fill(Number.NaN); // asset_unknown: the reference says so
    return UNCERTAIN;
  }
  const margin = b.cold[r + P_ISOLATED]!;
  const quantityHeld = pos[r + P_QUANTITY]!;
  const pnl = pos[r + P_PNL]!;
  const lagged = laggedPnlOf(b, p);
  const worse = lagged < pnl ? lagged : pnl;
  const weighted = b.weightInitial !== 1 || b.weightMaintenance !== 1;
  const quantity = margin + pnl;
  const quantityInitial = margin + weightGainUnits(worse, b.weightInitial);
  const quantityMaintenance = margin + weightGainUnits(pnl, b.weightMaintenance);
  let error = pnlErrorOf(quantityHeld, pnl, lagged, pos[r + P_ENTRY]!);
  if (error > 0 && weighted) error += 1;
  const magnitude = Math.abs(margin) + Math.abs(pnl);
  if (magnitude >= EXACT_HALF) error += SUM_SLACK * magnitude + 1;
  const priceUnits = assets.priceUnits[asset]!;
  const price = assets.price[asset]!;
  const equity = floorMulDiv(quantity, priceUnits, assets.priceWhole[asset]!);
  let equityError = floorMulDivError(quantity, priceUnits, assets.priceWhole[asset]!);
  const collateralInitial = initialValue(assets, asset, quantityInitial);
  const collateralMaintenance = maintenanceValue(assets, asset, quantityMaintenance);
  let initialError = 0;
  let maintenanceError = 0;
  if (error > 0) {
    const high = assets.priceHigh[asset]!;
    const li = assets.initial.lipschitz[asset]!;
    const lm = assets.maintenance.lipschitz[asset]!;
    equityError += error * price + 1;
    initialError = li * high * error + 2 + SUM_SLACK * li * high * (Math.abs(quantityInitial) + error);
    maintenanceError = lm * price * error + 2 + SUM_SLACK * lm * price * (Math.abs(quantityMaintenance) + error);
  }
  const mm = pos[r + P_MAINTENANCE]!;
  const atRisk = quantityHeld !== 0 || quantity < 0;
  poolOut[POOL_EQUITY] = equity;
  poolOut[POOL_EQUITY_ERROR] = equityError;
  poolOut[POOL_COLLATERAL_INITIAL] = collateralInitial;
  poolOut[POOL_COLLATERAL_INITIAL_ERROR] = initialError;
  poolOut[POOL_COLLATERAL_MAINTENANCE] = collateralMaintenance;
  poolOut[POOL_RATIO] = mm > 0 ? collateralMaintenance / UNITS / (mm / UNITS) : Number.NaN;
  return poolStatus(equity, equityError, collateralMaintenance, maintenanceError, mm, 0, atRisk, b.bandsPpm);
}

// Figures of the cross pool's collateral from the last crossCollateral call.
let crossEquity = 0;
let crossEquityError = 0;
let crossInitial = 0;
let crossInitialError = 0;
let crossMaintenance = 0;
let crossMaintenanceError = 0;
let crossLiability = false;

/**
 * The cross pool's collateral from its asset slots (balance plus the slot's PnL sums); false when
 * an asset the pool's positions settle in has no collateral parameters (the reference rejects it).
 */
function crossCollateral(b: RiskBook, a: number): boolean {
  const assets = b.assets;
  const slots = b.slots;
  const weighted = b.weightInitial !== 1 || b.weightMaintenance !== 1 ? 2 : 1;
  let equity = 0;
  let equityError = 0;
  let initialSum = 0;
  let initialError = 0;
  let maintenanceSum = 0;
  let maintenanceError = 0;
  let liability = false;
  let magnitude = 0;
  const ra = a * A_STRIDE;
  const first = (b.acc[ra + A_ASSET_OFFSET]! | 0);
  const end = first + (b.acc[ra + A_ASSET_COUNT]! | 0);
  for (let k = first; k < end; k++) {
    const s = k * S_STRIDE;
    const packed = slots[s + S_PACKED]!;
    const asset = (packed >>> 24) & 0xff;
    if (assets.hasSpec[asset] !== 1) {
      if (((packed >>> 12) & 0xfff) > 0) return false;
      continue;
    }
    const balance = slots[s + S_BALANCE]!;
    const quantity = balance + slots[s + S_PNL]!;
    const quantityInitial = balance + slots[s + S_PNL_INITIAL]!;
    const quantityMaintenance = balance + slots[s + S_PNL_MAINTENANCE]!;
    const open = packed & 0xfff;
    const priceUnits = assets.priceUnits[asset]!;
    const value = floorMulDiv(quantity, priceUnits, assets.priceWhole[asset]!);
    const initial = initialValue(assets, asset, quantityInitial);
    const maintenance = maintenanceValue(assets, asset, quantityMaintenance);
    equity += value;
    initialSum += initial;
    maintenanceSum += maintenance;
    equityError += floorMulDivError(quantity, priceUnits, assets.priceWhole[asset]!);
    const size = slots[s + S_SIZE]!;
    let error = open === 0 ? 0 : open * weighted + PNL_ERROR * (size + 2 * slots[s + S_COST]! + 2 * open);
    const held = Math.abs(balance) + slots[s + S_ABS]! + size;
    if (held >= EXACT_HALF) error += SUM_SLACK * held + 1;
    if (error > 0) {
      const price = assets.price[asset]!;
      const high = assets.priceHigh[asset]!;
      const li = assets.initial.lipschitz[asset]!;
      const lm = assets.maintenance.lipschitz[asset]!;
      equityError += error * price + 1;
      initialError += li * high * error + 2 + SUM_SLACK * li * high * (Math.abs(quantityInitial) + error);
      maintenanceError += lm * price * error + 2 + SUM_SLACK * lm * price * (Math.abs(quantityMaintenance) + error);
    }
    if (quantity < 0) liability = true;
    magnitude += Math.abs(value) + Math.abs(initial) + Math.abs(maintenance);
  }
  if (magnitude >= EXACT_HALF) {
    const slack = SUM_SLACK * magnitude + 1;
    equityError += slack;
    initialError += slack;
    maintenanceError += slack;
  }
  crossEquity = equity;
  crossEquityError = equityError;
  crossInitial = initialSum;
  crossInitialError = initialError;
  crossMaintenance = maintenanceSum;
  crossMaintenanceError = maintenanceError;
  crossLiability = liability;
  return true;
}

/**
 * Values account `a` on the float path from its sums and writes its figures; returns its status,
 * or UNCERTAIN when a decision is within the error bounds (or an input is missing), leaving the
 * figures to the exact path.
 */
function valueAccountFloat(b: RiskBook, a: number): number {
  const acc = b.acc;
  const ra = a * A_STRIDE;
  let isoEquity = 0;
  let isoCollateralInitial = 0;
  let isoCollateralMaintenance = 0;
  let isoInitial = 0;
  let isoMaintenance = 0;
  let isoShortfall = 0;
  let isoError = 0;
  let worst = STATUS_HEALTHY;
  let ratio = Number.NaN;
  if ((acc[ra + A_AGG_ISOLATED]! | 0) > 0) {
    const pos = b.pos;
    const first = (acc[ra + A_POSITION_OFFSET]! | 0);
    const last = first + (acc[ra + A_POSITION_COUNT]! | 0);
    for (let p = first; p < last; p++) {
      if ((pos[p * P_STRIDE + P_BITS]! & POSITION_ISOLATED) === 0) continue;
      const status = isolatedPool(b, p);
      if (status === UNCERTAIN) return UNCERTAIN;
      if (status > worst) worst = status;
      const poolRatio = poolOut[POOL_RATIO]!;
      if (poolRatio === poolRatio && !(poolRatio >= ratio)) ratio = poolRatio;
      const im = pos[p * P_STRIDE + P_INITIAL]!;
      const collateral = poolOut[POOL_COLLATERAL_INITIAL]!;
      isoEquity += poolOut[POOL_EQUITY]!;
      isoCollateralInitial += collateral;
      isoCollateralMaintenance += poolOut[POOL_COLLATERAL_MAINTENANCE]!;
      isoInitial += im;
      isoMaintenance += pos[p * P_STRIDE + P_MAINTENANCE]!;
      if (im > collateral) isoShortfall += im - collateral;
      isoError += poolOut[POOL_COLLATERAL_INITIAL_ERROR]!;
    }
  }
  // poolsOf: an isolated account may not hold cross positions (the reference rejects it).
  if ((acc[ra + A_AGG_CROSS]! | 0) > 0 && (acc[ra + A_FLAGS]! & ACCOUNT_ISOLATED_MODE) !== 0) return UNCERTAIN;
  if (!crossCollateral(b, a)) return UNCERTAIN;
  const requirementInitial = acc[ra + A_AGG_INITIAL]!;
  const requirementMaintenance = acc[ra + A_AGG_MAINTENANCE]!;
  const initialMarginError = requirementInitial >= EXACT_HALF ? SUM_SLACK * requirementInitial + 1 : 0;
  const maintenanceMarginError = requirementMaintenance >= EXACT_HALF ? SUM_SLACK * requirementMaintenance + 1 : 0;
  const crossStatus = poolStatus(
    crossEquity,
    crossEquityError,
    crossMaintenance,
    crossMaintenanceError,
    requirementMaintenance,
    maintenanceMarginError,
    (acc[ra + A_AGG_OPEN]! | 0) > 0 || crossLiability,
    b.bandsPpm,
  );
  if (crossStatus === UNCERTAIN) return UNCERTAIN;
  if (crossStatus > worst) worst = crossStatus;
  if (requirementMaintenance > 0) {
    const crossRatio = crossMaintenance / UNITS / (requirementMaintenance / UNITS);
    if (!(crossRatio >= ratio)) ratio = crossRatio;
  }
  acc[ra + A_EQUITY] = crossEquity + isoEquity;
  acc[ra + A_INITIAL] = requirementInitial + isoInitial;
  acc[ra + A_MAINTENANCE] = requirementMaintenance + isoMaintenance;
  acc[ra + A_COLLATERAL_INITIAL] = crossInitial + isoCollateralInitial;
  acc[ra + A_COLLATERAL_MAINTENANCE] = crossMaintenance + isoCollateralMaintenance;
  acc[ra + A_CROSS_INITIAL] = requirementInitial;
  acc[ra + A_CROSS_COLLATERAL] = crossInitial;
  acc[ra + A_ISOLATED_SHORTFALL] = isoShortfall;
  acc[ra + A_COVER_ERROR] =
    crossInitialError + initialMarginError + isoError + (isoShortfall >= EXACT_HALF ? SUM_SLACK * isoShortfall + 1 : 0);
  acc[ra + A_RATIO] = ratio;
  return worst;
}

/**
 * The account's status on the float path (figures written), or UNCERTAIN when the exact reference
 * must decide: a wide account, or a decision within the error bounds. Reads only the account's own
 * records and the tables, so sweep workers run it on disjoint ranges (parallel.ts).
 */
export function floatStatus(b: RiskBook, a: number): number {
  return (b.acc[a * A_STRIDE + A_FLAGS]! & ACCOUNT_WIDE) !== 0 ? UNCERTAIN : valueAccountFloat(b, a);
}

/**
 * Ends an account's valuation on the main thread: the exact reference when the float path left
 * the status UNCERTAIN, then the status, the change record and the liquidation queue.
 */
export function settleStatus(b: RiskBook, a: number, float: number): void {
  const acc = b.acc;
  const ra = a * A_STRIDE;
  const before = acc[ra + A_STATUS]!;
  let status = float;
  if (status === UNCERTAIN) {
    status = valueAccountExact(b, a);
    b.exactValuations++;
  }
  acc[ra + A_STATUS] = status;
  if (status !== before) b.recordChange(a, before);
  const queued = status === STATUS_LIQUIDATABLE || status === STATUS_BANKRUPT;
  if (queued || (acc[ra + A_FLAGS]! & ACCOUNT_QUEUED) !== 0) {
    b.queue.update(a, status, acc[ra + A_RATIO]!);
    acc[ra + A_FLAGS] = queued ? acc[ra + A_FLAGS]! | ACCOUNT_QUEUED : acc[ra + A_FLAGS]! & ~ACCOUNT_QUEUED;
  }
}

/**
 * Values account `a` from its sums (float path, or the exact reference when undecided or wide),
 * records a status change and updates the liquidation queue.
 */
export function valueAccount(b: RiskBook, a: number): void {
  settleStatus(b, a, floatStatus(b, a));
}
