/**
 * fast-check generators of margin specs and exposures, shaped like the parameters a document can
 * hold: floors in whole quote units, rates in tenths of a basis point, leverage in whole numbers.
 */
import fc from 'fast-check';
import type { Bracket, Exposure, LinearMarginSpec } from '../../../src/risk/margin/index.js';

/** A rate in [minTenthsBp, maxTenthsBp] tenths of a basis point (1 = 0.001%). */
const rateOf = (minTenthsBp: number, maxTenthsBp: number) =>
  fc.integer({ min: minTenthsBp, max: maxTenthsBp }).map((n) => n / 100_000);

/**
 * A bracket table the loader accepts: floors from 0 ascending, rates not falling, leverage maxima
 * not rising. With `consistent`, each bracket's leverage max also satisfies 1 / leverage >= MMR,
 * as every venue's table does, so that the model's own IM is at least its MM.
 */
export function bracketTable(consistent: boolean): fc.Arbitrary<Bracket[]> {
  const row = fc.record({
    gap: fc.integer({ min: 1, max: 50_000_000 }),
    rateStep: rateOf(0, 5_000),
    leverageDrop: fc.integer({ min: 0, max: 40 }),
  });
  return fc
    .tuple(rateOf(10, 5_000), fc.integer({ min: 1, max: 200 }), fc.array(row, { minLength: 0, maxLength: 9 }))
    .map(([firstRate, firstLeverage, rows]) => {
      const table: Bracket[] = [];
      let floor = 0;
      let rate = firstRate;
      let leverage = firstLeverage;
      const fit = (lev: number, r: number) => (consistent ? Math.max(1, Math.min(lev, Math.floor(1 / r))) : lev);
      table.push({ notionalFloor: 0, maintenanceRate: rate, leverageMax: fit(leverage, rate) });
      for (const r of rows) {
        floor += r.gap;
        rate = Math.min(1, rate + r.rateStep);
        leverage = Math.max(1, leverage - r.leverageDrop);
        const previous = table[table.length - 1];
        const leverageMax = Math.min(previous?.leverageMax ?? leverage, fit(leverage, rate));
        table.push({ notionalFloor: floor, maintenanceRate: rate, leverageMax });
      }
      return table;
    });
}

/**
 * A margin spec of any of the four models. With `consistent`, the model's own IM parameters are at
 * least its MM parameters (as every venue's are); without, anything the loader's ranges allow.
 */
export function marginSpec(consistent: boolean): fc.Arbitrary<LinearMarginSpec> {
  const ordered = ([a, b]: [number, number]): [number, number] => (consistent ? [Math.max(a, b), Math.min(a, b)] : [a, b]);
  const pair = fc.tuple(rateOf(10, 50_000), rateOf(10, 50_000)).map(ordered);
  const perUnitPair = fc.tuple(rateOf(0, 50), rateOf(0, 50)).map(ordered);
  const models: fc.Arbitrary<LinearMarginSpec>[] = [
    bracketTable(consistent).map((brackets) => ({ model: 'brackets' as const, brackets })),
    fc.tuple(pair, perUnitPair).map(([[initialRate, maintenanceRate], [initialRatePerUnit, maintenanceRatePerUnit]]) => ({
      model: 'linearInSize' as const,
      initialRate,
      maintenanceRate,
      initialRatePerUnit,
      maintenanceRatePerUnit,
    })),
    fc.tuple(pair, fc.integer({ min: 0, max: 1_000 })).map(([[initialRate, maintenanceRate], imf]) => ({
      model: 'sqrtSize' as const,
      initialRate,
      maintenanceRate,
      imfFactor: imf / 1_000_000,
    })),
    fc
      .tuple(rateOf(10, 100_000), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e6 }))
      .map(([initialRate, fractionPct, lower, width]) => ({
        model: 'openInterestScaled' as const,
        initialRate,
        maintenanceFraction: fractionPct / 100,
        openInterestLower: lower * 1e6,
        openInterestUpper: width === 0 ? 0 : (lower + width) * 1e6,
      })),
  ];
  const minimums = fc.record(
    { initialMinimum: fc.integer({ min: 0, max: 1_000 }), maintenanceMinimum: fc.integer({ min: 0, max: 1_000 }) },
    { requiredKeys: [] },
  );
  return fc.tuple(fc.oneof(...models), minimums).map(([spec, mins]) => ({ ...spec, ...mins }) as LinearMarginSpec);
}

/** A linear exposure of `size` units of the underlying at `unitPrice`. */
export function exposureAt(size: number, unitPrice: number, openInterestNotional: number): Exposure {
  return { notional: Math.abs(size) * unitPrice, underlyingSize: Math.abs(size), openInterestNotional };
}

/** Sizes of up to 100,000 units on the 1e-8 grid, prices up to 1,000,000 on the 1e-2 grid. */
export const sizeUnits = fc.bigInt({ min: 0n, max: 10_000_000_000_000n }).map((n) => Number(n) / 1e8);
export const unitPrice = fc.integer({ min: 1, max: 100_000_000 }).map((n) => n / 100);
export const openInterest = fc.integer({ min: 0, max: 3e6 }).map((n) => n * 1e6);
