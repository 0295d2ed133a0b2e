/**
 * Collateral value of one holding under a haircut schedule, in float64 (a risk measure: callers
 * round it down into an amount).
 *
 * Worked (METHODS.md §2, Bybit tiers by quantity, BTC 0-10: 0.98, 10-20: 0.95, 20-30: 0.90 ...):
 * 25 BTC at 60,000 = (10 x 0.98 + 10 x 0.95 + 5 x 0.90) x 60,000 = 1,428,000.
 */
import type { HaircutSchedule } from './types.js';

export interface CollateralValue {
  readonly value: number;
  /** The holding's effective weight: value / (quantity x price). */
  readonly weight: number;
  readonly rule: string;
}

export function haircutValue(schedule: HaircutSchedule, quantity: number, unitPrice: number): CollateralValue {
  const gross = quantity * unitPrice;
  if (quantity <= 0 || gross <= 0) return { value: 0, weight: 1, rule: 'nothing held' };
  switch (schedule.kind) {
    case 'flat':
      return { value: gross * schedule.weight, weight: schedule.weight, rule: `flat weight ${schedule.weight}` };
    case 'sizeDiscount': {
      const weight = Math.min(schedule.weight, 1.1 / (1 + schedule.imfFactor * Math.sqrt(quantity)));
      return {
        value: gross * weight,
        weight,
        rule: `size discount: min(${schedule.weight}, 1.1 / (1 + ${schedule.imfFactor} x sqrt(${quantity}))) = ${round6(weight)}`,
      };
    }
    case 'tiered': {
      const held = schedule.basis === 'quantity' ? quantity : gross;
      const parts: string[] = [];
      let weighted = 0;
      schedule.tiers.forEach((tier, i) => {
        const next = schedule.tiers[i + 1]?.floor ?? Infinity;
        const inBand = Math.max(0, Math.min(held, next) - tier.floor);
        if (inBand <= 0) return;
        weighted += inBand * tier.weight;
        parts.push(`${round6(inBand)} x ${tier.weight}`);
      });
      const value = schedule.basis === 'quantity' ? weighted * unitPrice : weighted;
      return {
        value,
        weight: value / gross,
        rule: `tiered by ${schedule.basis}: ${parts.join(' + ')}${schedule.basis === 'quantity' ? ` at ${unitPrice}` : ''}`,
      };
    }
  }
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
