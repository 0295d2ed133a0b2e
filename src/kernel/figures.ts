/**
 * An account's figures from the book, in units of the valuation asset (float64), in the shape of
 * the reference's `AccountMargin` totals: for reports, dashboards and the equality tests. The
 * figures are those of the last remargin or sweep; the two that the hot path does not keep
 * (unrealised PnL in the valuation asset, notional) are computed here from the position caches.
 * `exactMarginOf` (exact.ts) gives the reference's own figures with their explanations.
 */
import type { RiskBook } from './book.js';
import { floorMulDiv, floorUnits, UNITS } from './float.js';
import {
  A_COLLATERAL_INITIAL,
  A_COLLATERAL_MAINTENANCE,
  A_CROSS_COLLATERAL,
  A_CROSS_INITIAL,
  A_EQUITY,
  A_INITIAL,
  A_ISOLATED_SHORTFALL,
  A_MAINTENANCE,
  A_POSITION_COUNT,
  A_POSITION_OFFSET,
  A_RATIO,
  A_STATUS,
  A_STRIDE,
  P_INSTRUMENT,
  P_PNL,
  P_QUANTITY,
  P_STRIDE,
} from './layout.js';
import { statusName } from './status.js';
import { INSTRUMENT_INVERSE } from './tables.js';
import type { Status } from '../risk/account/types.js';

export interface KernelFigures {
  readonly accountId: string;
  readonly status: Status | 'unvalued';
  readonly equity: number;
  readonly unrealisedPnl: number;
  readonly collateralInitial: number;
  readonly collateralMaintenance: number;
  readonly initialMargin: number;
  readonly maintenanceMargin: number;
  readonly freeCollateral: number;
  readonly marginRatio: number | null;
  readonly effectiveLeverage: number | null;
  readonly notional: number;
  /** The cross pool's IM and IM collateral, and the isolated pools' IM shortfall (pre-trade inputs). */
  readonly crossInitialMargin: number;
  readonly crossCollateralInitial: number;
  readonly isolatedShortfall: number;
}

export function accountFigures(b: RiskBook, a: number): KernelFigures {
  const t = b.instruments;
  const assets = b.assets;
  const ra = a * A_STRIDE;
  let unrealisedPnl = 0;
  let notional = 0;
  const first = (b.acc[ra + A_POSITION_OFFSET]! | 0);
  for (let p = first; p < first + (b.acc[ra + A_POSITION_COUNT]! | 0); p++) {
    const r = p * P_STRIDE;
    const i = (b.pos[r + P_INSTRUMENT]! | 0);
    unrealisedPnl += floorMulDiv(b.pos[r + P_PNL]!, assets.priceUnits[t.settlementAsset[i]!]!);
    const quantity = Math.abs(b.pos[r + P_QUANTITY]!);
    const held = (t.state[i]! & INSTRUMENT_INVERSE) !== 0 ? quantity : quantity * t.mark[i]!;
    notional += floorUnits(held * assets.price[t.quoteAsset[i]!]!);
  }
  const equity = b.acc[ra + A_EQUITY]!;
  const ratio = b.acc[ra + A_RATIO]!;
  const crossCollateral = b.acc[ra + A_CROSS_COLLATERAL]!;
  const crossInitial = b.acc[ra + A_CROSS_INITIAL]!;
  return {
    accountId: b.ids[a]!,
    status: statusName(b.acc[ra + A_STATUS]!),
    equity,
    unrealisedPnl,
    collateralInitial: b.acc[ra + A_COLLATERAL_INITIAL]!,
    collateralMaintenance: b.acc[ra + A_COLLATERAL_MAINTENANCE]!,
    initialMargin: b.acc[ra + A_INITIAL]!,
    maintenanceMargin: b.acc[ra + A_MAINTENANCE]!,
    freeCollateral: crossCollateral > crossInitial ? crossCollateral - crossInitial : 0,
    marginRatio: Number.isNaN(ratio) ? null : ratio,
    effectiveLeverage: equity > 0 ? notional / UNITS / (equity / UNITS) : null,
    notional,
    crossInitialMargin: crossInitial,
    crossCollateralInitial: crossCollateral,
    isolatedShortfall: b.acc[ra + A_ISOLATED_SHORTFALL]!,
  };
}
