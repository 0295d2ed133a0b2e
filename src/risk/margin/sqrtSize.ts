/**
 * Square-root size premium: Drift v2 (METHODS.md §1.2; Drift's
 * `calculate_size_premium_liability_weight`).
 *
 *   ratio(size) = max(base, 0.8 x base + imf_factor x sqrt(|size|))
 *
 * applied to both the initial and the maintenance base ratio. Worked (Drift's tests): IMR 10%,
 * imf_factor 0.00005, size 1,000,000: max(10%, 8% + 5%) = 13%.
 */
import { pct } from './brackets.js';
import type { LinearMarginModel } from './types.js';

export interface SqrtSizeParams {
  readonly initialRate: number;
  readonly maintenanceRate: number;
  readonly imfFactor: number;
}

export function sizePremiumRate(baseRate: number, imfFactor: number, underlyingSize: number): number {
  return Math.max(baseRate, 0.8 * baseRate + imfFactor * Math.sqrt(underlyingSize));
}

export function sqrtSizeModel(p: SqrtSizeParams): LinearMarginModel {
  return ({ notional, underlyingSize }) => {
    const initialRate = sizePremiumRate(p.initialRate, p.imfFactor, underlyingSize);
    const maintenanceRate = sizePremiumRate(p.maintenanceRate, p.imfFactor, underlyingSize);
    return {
      initial: notional * initialRate,
      maintenance: notional * maintenanceRate,
      rule:
        `sqrt size premium: max(base, 0.8 x base + ${p.imfFactor} x sqrt(${underlyingSize})): ` +
        `IM ${pct(initialRate)}, MM ${pct(maintenanceRate)}`,
    };
  };
}
