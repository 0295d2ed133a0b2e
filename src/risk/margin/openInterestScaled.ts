/**
 * Open-interest-scaled initial margin: dYdX v4 liquidity tiers (METHODS.md §1.2).
 *
 *   s = clamp((OI_notional - lower) / (upper - lower), 0, 1),  IMF_eff = IMF + s x (1 - IMF)
 *   MMF = IMF x maintenance_fraction (not scaled)
 *
 * Worked (dYdX tests, IMF 20%, notional 500,000): OI 1.5e12 with caps 1e12-2e12: IMF 60%, IM 300,000.
 */
import { pct } from './brackets.js';
import type { LinearMarginModel } from './types.js';

export interface OpenInterestScaledParams {
  readonly initialRate: number;
  readonly maintenanceFraction: number;
  readonly openInterestLower: number;
  readonly openInterestUpper: number;
}

export function openInterestScale(openInterest: number, lower: number, upper: number): number {
  if (upper <= lower) return 0; // caps disabled (dYdX: upper cap 0)
  return Math.min(1, Math.max(0, (openInterest - lower) / (upper - lower)));
}

export function openInterestScaledModel(p: OpenInterestScaledParams): LinearMarginModel {
  return ({ notional, openInterestNotional }) => {
    const scale = openInterestScale(openInterestNotional, p.openInterestLower, p.openInterestUpper);
    const initialRate = p.initialRate + scale * (1 - p.initialRate);
    const maintenanceRate = p.initialRate * p.maintenanceFraction;
    return {
      initial: notional * initialRate,
      maintenance: notional * maintenanceRate,
      rule:
        `open-interest scaled: OI ${openInterestNotional} in caps [${p.openInterestLower}, ${p.openInterestUpper}] ` +
        `gives scale ${Number(scale.toPrecision(10))}, IMF ${pct(initialRate)}, MMF ${pct(p.initialRate)} x ` +
        `${p.maintenanceFraction} = ${pct(maintenanceRate)}`,
    };
  };
}
