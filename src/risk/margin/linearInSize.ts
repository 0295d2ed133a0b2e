/**
 * Rates linear in size: Deribit linear perpetuals (METHODS.md §1.2).
 *
 *   IM% = 2% + size_BTC x 0.005%,  MM% = 1% + size_BTC x 0.005%
 *
 * Worked: 25 BTC at 100,000: IM 2.125% = 53,125, MM 1.125% = 28,125.
 */
import { pct } from './brackets.js';
import type { LinearMarginModel } from './types.js';

export interface LinearInSizeParams {
  readonly initialRate: number;
  readonly maintenanceRate: number;
  readonly initialRatePerUnit: number;
  readonly maintenanceRatePerUnit: number;
}

export function linearInSizeModel(p: LinearInSizeParams): LinearMarginModel {
  return ({ notional, underlyingSize }) => {
    const initialRate = p.initialRate + underlyingSize * p.initialRatePerUnit;
    const maintenanceRate = p.maintenanceRate + underlyingSize * p.maintenanceRatePerUnit;
    return {
      initial: notional * initialRate,
      maintenance: notional * maintenanceRate,
      rule:
        `rate linear in size: IM ${pct(p.initialRate)} + ${underlyingSize} x ${pct(p.initialRatePerUnit)} = ` +
        `${pct(initialRate)}, MM ${pct(p.maintenanceRate)} + ${underlyingSize} x ${pct(p.maintenanceRatePerUnit)} = ` +
        `${pct(maintenanceRate)}`,
    };
  };
}
