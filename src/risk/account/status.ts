/**
 * Account status by configurable bands on the margin ratio (MM-weighted collateral / MM), after
 * Binance portfolio margin's uniMMR bands (METHODS.md §2): healthy above `marginCall`, then
 * margin call, reduce-only, liquidatable below `liquidation` (1.0: equity < MM), and bankrupt when
 * equity is gone. Comparisons are exact: the bands are read in parts per million.
 */
import type { Amount } from '../units/quantities.js';
import type { Status, StatusBands } from './types.js';

export interface StatusInput {
  readonly equity: Amount;
  readonly collateralMaintenance: Amount;
  readonly maintenanceMargin: Amount;
  /** Whether the pool holds positions or liabilities; an empty pool is healthy. */
  readonly atRisk: boolean;
  readonly bands: StatusBands;
}

export function statusOf(input: StatusInput): Status {
  const { equity, collateralMaintenance, maintenanceMargin, atRisk, bands } = input;
  if (equity < 0n || (equity === 0n && atRisk)) return 'bankrupt';
  if (!atRisk) return 'healthy';
  const below = (band: number): boolean =>
    collateralMaintenance * 1_000_000n < maintenanceMargin * BigInt(Math.round(band * 1_000_000));
  if (maintenanceMargin === 0n) return collateralMaintenance < 0n ? 'liquidatable' : 'healthy';
  if (below(bands.liquidation)) return 'liquidatable';
  if (below(bands.reduceOnly)) return 'reduce_only';
  if (below(bands.marginCall)) return 'margin_call';
  return 'healthy';
}
