/**
 * Per-instrument and per-asset tables: the venue parameters (DESIGN.md D6) laid out as flat typed
 * arrays, precomputed once per parameter version, and the market (marks, prices, lagged prices,
 * open interest) kept beside them. Everything the kernel reads per position on a tick is here:
 *
 *   instrument   settlement (linear / inverse), contract size, settlement and quote asset, mark,
 *                lagged mark, open interest; its margin model: bracket floors, rates, maintenance
 *                amounts ("cum", computed by the reference's own resolveBrackets) and leverage
 *                maxima; linear-in-size rates; sqrt size premium (0.8 x base precomputed); the
 *                open-interest-scaled rates for the current open interest; minimum margins
 *   asset        live and lagged price, the haircut schedules for IM and MM (flat, size discount,
 *                tiers by quantity or value), liability weights, and a Lipschitz bound of the
 *                collateral value in the quantity (for the error bounds of valuation.ts)
 *
 * Every precomputed number is computed by the same float operations as the reference computes it
 * per call, so that the kernel's requirements and collateral values are bit-identical to it.
 */
import type { CollateralAsset, HaircutSchedule } from '../risk/collateral/types.js';
import { InputError, invariant } from '../risk/errors.js';
import type { RiskParams } from '../risk/account/types.js';
import { settlementAssetOf, type LinearInstrument } from '../risk/instruments/types.js';
import { resolveBrackets } from '../risk/margin/brackets.js';
import { openInterestScale } from '../risk/margin/openInterestScaled.js';
import { fitsUnits, UNITS } from './float.js';

export const MODEL_BRACKETS = 0;
export const MODEL_LINEAR_IN_SIZE = 1;
export const MODEL_SQRT_SIZE = 2;
export const MODEL_OPEN_INTEREST = 3;

export const HAIRCUT_NONE = 0;
export const HAIRCUT_FLAT = 1;
export const HAIRCUT_SIZE_DISCOUNT = 2;
export const HAIRCUT_TIERED_QUANTITY = 3;
export const HAIRCUT_TIERED_VALUE = 4;

/** Oracle status of an instrument for pre-trade checks (engine/pretrade.ts marketGuard). */
/** InstrumentTables.state bits. */
export const INSTRUMENT_PRICED = 1;
export const INSTRUMENT_INVERSE = 2;
export const INSTRUMENT_LAGGED = 4;
export const INSTRUMENT_MINIMUM = 8;
export const INSTRUMENT_BRACKETS = 16;

export const GUARD_OK = 0;
export const GUARD_HALTED = 1;
export const GUARD_STALE = 2;

export type MarketStatusName = 'ok' | 'stale' | 'degraded' | 'halted';

/** One side (IM or MM) of every asset's haircut schedule. */
export class HaircutTable {
  readonly kind: Uint8Array;
  readonly weight: Float64Array;
  readonly imfFactor: Float64Array;
  readonly tierOffset: Int32Array;
  readonly tierCount: Int32Array;
  readonly tierFloor: Float64Array;
  readonly tierWeight: Float64Array;
  readonly liabilityWeight: Float64Array;
  /** An upper bound of d(value)/d(quantity x price): max weight, 1.1 for a size discount, liability weight. */
  readonly lipschitz: Float64Array;

  constructor(schedules: readonly (HaircutSchedule | undefined)[], liabilityWeights: readonly number[]) {
    const n = schedules.length;
    this.kind = new Uint8Array(n);
    this.weight = new Float64Array(n);
    this.imfFactor = new Float64Array(n);
    this.tierOffset = new Int32Array(n);
    this.tierCount = new Int32Array(n);
    this.liabilityWeight = new Float64Array(liabilityWeights);
    this.lipschitz = new Float64Array(n);
    const floors: number[] = [];
    const weights: number[] = [];
    schedules.forEach((schedule, a) => {
      const liability = liabilityWeights[a] ?? 1;
      if (schedule === undefined) {
        this.kind[a] = HAIRCUT_NONE;
        this.lipschitz[a] = Math.max(1, liability);
        return;
      }
      switch (schedule.kind) {
        case 'flat':
          this.kind[a] = HAIRCUT_FLAT;
          this.weight[a] = schedule.weight;
          this.lipschitz[a] = Math.max(Math.abs(schedule.weight), liability);
          return;
        case 'sizeDiscount':
          this.kind[a] = HAIRCUT_SIZE_DISCOUNT;
          this.weight[a] = schedule.weight;
          this.imfFactor[a] = schedule.imfFactor;
          // d/dq [1.1 q / (1 + f sqrt q)] = 1.1 (1 + f sqrt(q) / 2) / (1 + f sqrt q)^2 <= 1.1.
          this.lipschitz[a] = Math.max(Math.abs(schedule.weight), 1.1, liability);
          return;
        case 'tiered': {
          this.kind[a] = schedule.basis === 'quantity' ? HAIRCUT_TIERED_QUANTITY : HAIRCUT_TIERED_VALUE;
          this.tierOffset[a] = floors.length;
          this.tierCount[a] = schedule.tiers.length;
          let maxWeight = 0;
          for (const tier of schedule.tiers) {
            floors.push(tier.floor);
            weights.push(tier.weight);
            maxWeight = Math.max(maxWeight, Math.abs(tier.weight));
          }
          this.lipschitz[a] = Math.max(maxWeight, liability);
          return;
        }
      }
    });
    this.tierFloor = new Float64Array(floors);
    this.tierWeight = new Float64Array(weights);
  }
}

/**
 * The collateral value of a positive holding, float64 (the reference's `haircutValue(...).value`,
 * operation for operation). `quantity` in whole units of the asset, `unitPrice` in the valuation
 * asset per unit.
 */
export function haircutValueOf(table: HaircutTable, asset: number, quantity: number, unitPrice: number): number {
  const gross = quantity * unitPrice;
  if (quantity <= 0 || gross <= 0) return 0;
  const kind = table.kind[asset] as number;
  if (kind === HAIRCUT_FLAT) return gross * (table.weight[asset] as number);
  if (kind === HAIRCUT_SIZE_DISCOUNT) {
    const weight = Math.min(table.weight[asset] as number, 1.1 / (1 + (table.imfFactor[asset] as number) * Math.sqrt(quantity)));
    return gross * weight;
  }
  if (kind === HAIRCUT_NONE) return Number.NaN; // asset_unknown: the caller treats the account as unvaluable
  const byQuantity = kind === HAIRCUT_TIERED_QUANTITY;
  const held = byQuantity ? quantity : gross;
  const start = table.tierOffset[asset] as number;
  const end = start + (table.tierCount[asset] as number);
  let weighted = 0;
  for (let t = start; t < end; t++) {
    const next = t + 1 < end ? (table.tierFloor[t + 1] as number) : Infinity;
    const inBand = Math.max(0, Math.min(held, next) - (table.tierFloor[t] as number));
    if (inBand <= 0) continue;
    weighted += inBand * (table.tierWeight[t] as number);
  }
  return byQuantity ? weighted * unitPrice : weighted;
}

/** Symbols to dense indices, in first-seen order. */
export class SymbolIndex {
  readonly symbols: string[] = [];
  private readonly bySymbol = new Map<string, number>();

  indexOf(symbol: string): number | undefined {
    return this.bySymbol.get(symbol);
  }

  intern(symbol: string): number {
    const found = this.bySymbol.get(symbol);
    if (found !== undefined) return found;
    const index = this.symbols.length;
    this.symbols.push(symbol);
    this.bySymbol.set(symbol, index);
    return index;
  }

  get size(): number {
    return this.symbols.length;
  }
}

/**
 * Assets: every collateral asset of the parameters, the valuation asset, and every instrument's
 * quote and underlying asset (prices are looked up for all of them).
 */
export class AssetTables {
  readonly index = new SymbolIndex();
  /** Whether the parameters give collateral parameters for the asset (assetOf would not throw). */
  readonly hasSpec: Uint8Array;
  readonly initial: HaircutTable;
  readonly maintenance: HaircutTable;
  /** Live price in units (1e-8 of the valuation asset); NaN when missing. */
  readonly priceUnits: Float64Array;
  /** Live price as the reference's toNumber: units / 1e8. */
  readonly price: Float64Array;
  /** The live price when it is a whole number (units divisible by 1e8, a stablecoin at 1), else NaN. */
  readonly priceWhole: Float64Array;
  /** Lagged price in units; NaN when absent (the reference then uses the live price). */
  readonly laggedUnits: Float64Array;
  /** toNumber of the lower and of the higher of live and lagged (the IM view of assets and liabilities). */
  readonly priceLow: Float64Array;
  readonly priceHigh: Float64Array;
  /** Instruments settled in each asset: a price change re-margins their positions. */
  readonly settledInstruments: number[][];
  readonly valuationAsset: number;

  constructor(params: RiskParams, instruments: readonly LinearInstrument[]) {
    for (const symbol of params.assets.keys()) this.index.intern(symbol);
    this.valuationAsset = this.index.intern(params.valuationAsset);
    for (const instrument of instruments) {
      this.index.intern(instrument.quoteAsset);
      this.index.intern(instrument.underlying);
      this.index.intern(settlementAssetOf(instrument));
    }
    const n = this.index.size;
    const specs: (CollateralAsset | undefined)[] = this.index.symbols.map((s) => params.assets.get(s));
    this.hasSpec = Uint8Array.from(specs, (s) => (s === undefined ? 0 : 1));
    this.initial = new HaircutTable(
      specs.map((s) => s?.initial),
      specs.map((s) => s?.liabilityWeight.initial ?? 1),
    );
    this.maintenance = new HaircutTable(
      specs.map((s) => s?.maintenance),
      specs.map((s) => s?.liabilityWeight.maintenance ?? 1),
    );
    this.priceUnits = new Float64Array(n).fill(Number.NaN);
    this.price = new Float64Array(n).fill(Number.NaN);
    this.priceWhole = new Float64Array(n).fill(Number.NaN);
    this.laggedUnits = new Float64Array(n).fill(Number.NaN);
    this.priceLow = new Float64Array(n).fill(Number.NaN);
    this.priceHigh = new Float64Array(n).fill(Number.NaN);
    this.settledInstruments = Array.from({ length: n }, () => []);
    // priceOf: the valuation asset is worth 1 unless the market says otherwise.
    this.setPriceUnits(this.valuationAsset, UNITS, true);
  }

  /** A price in units; `fallback` marks the valuation asset's default of 1 (replaced by any real price). */
  setPriceUnits(asset: number, units: number, fallback = false): void {
    if (fallback && !Number.isNaN(this.priceUnits[asset] as number)) return;
    this.priceUnits[asset] = units;
    this.price[asset] = units / UNITS;
    this.priceWhole[asset] = units % UNITS === 0 ? units / UNITS : Number.NaN;
    this.refreshLowHigh(asset);
  }

  setLaggedUnits(asset: number, units: number): void {
    this.laggedUnits[asset] = units;
    this.refreshLowHigh(asset);
  }

  private refreshLowHigh(asset: number): void {
    const live = this.priceUnits[asset] as number;
    const lagged = this.laggedUnits[asset] as number;
    // weightedValue: `live < lagged ? live : lagged` on the exact prices, then toNumber.
    const low = Number.isNaN(lagged) || !(lagged < live) ? live : lagged;
    const high = Number.isNaN(lagged) || !(lagged > live) ? live : lagged;
    this.priceLow[asset] = low / UNITS;
    this.priceHigh[asset] = high / UNITS;
  }
}

/** Instruments (linear products) and their margin models, in the parameters' order. */
export class InstrumentTables {
  readonly index = new SymbolIndex();
  readonly specs: readonly LinearInstrument[];
  readonly inverse: Uint8Array;
  readonly settlementAsset: Int32Array;
  readonly quoteAsset: Int32Array;
  readonly underlyingAsset: Int32Array;
  /** toNumber(contractSize): underlying units (linear) or quote value (inverse) per contract. */
  readonly contractSize: Float64Array;
  readonly lotUnits: Float64Array;
  readonly tickUnits: Float64Array;
  readonly model: Uint8Array;
  readonly bracketOffset: Int32Array;
  readonly bracketCount: Int32Array;
  readonly bracketFloor: Float64Array;
  readonly bracketRate: Float64Array;
  readonly bracketAmount: Float64Array;
  readonly bracketLeverage: Float64Array;
  /** Model rates: linearInSize (rate, per unit), sqrtSize (rate, 0.8 x rate, imf), openInterestScaled. */
  readonly rateInitial: Float64Array;
  readonly rateMaintenance: Float64Array;
  readonly perUnitInitial: Float64Array;
  readonly perUnitMaintenance: Float64Array;
  readonly premiumBaseInitial: Float64Array;
  readonly premiumBaseMaintenance: Float64Array;
  readonly imfFactor: Float64Array;
  readonly openInterestLower: Float64Array;
  readonly openInterestUpper: Float64Array;
  readonly maintenanceFraction: Float64Array;
  /** Minimum margins; NaN when absent. */
  readonly minimumInitial: Float64Array;
  readonly minimumMaintenance: Float64Array;
  /** Mark in units and as toNumber; NaN when missing. */
  readonly markUnits: Float64Array;
  readonly mark: Float64Array;
  /** Lagged mark as toNumber; NaN when absent. */
  readonly laggedMark: Float64Array;
  /** Open interest notional in the quote asset (0 when unknown), and the IM / MM rates it implies. */
  readonly openInterest: Float64Array;
  readonly openInterestRateInitial: Float64Array;
  readonly openInterestRateMaintenance: Float64Array;
  readonly guard: Uint8Array;
  /**
   * INSTRUMENT_* bits read once per position: priced (the mark and the settlement and quote prices
   * are known, so the reference can value it), inverse, lagged mark present, minimum margins, brackets.
   */
  readonly state: Uint8Array;
  /** toNumber of the settlement asset's price (the valuation of IM and MM); NaN when missing. */
  readonly settlementPrice: Float64Array;

  constructor(params: RiskParams) {
    this.specs = [...params.instruments.values()];
    const n = this.specs.length;
    for (const spec of this.specs) this.index.intern(spec.symbol);
    this.inverse = new Uint8Array(n);
    this.settlementAsset = new Int32Array(n);
    this.quoteAsset = new Int32Array(n);
    this.underlyingAsset = new Int32Array(n);
    this.contractSize = new Float64Array(n);
    this.lotUnits = new Float64Array(n);
    this.tickUnits = new Float64Array(n);
    this.model = new Uint8Array(n);
    this.bracketOffset = new Int32Array(n);
    this.bracketCount = new Int32Array(n);
    this.rateInitial = new Float64Array(n);
    this.rateMaintenance = new Float64Array(n);
    this.perUnitInitial = new Float64Array(n);
    this.perUnitMaintenance = new Float64Array(n);
    this.premiumBaseInitial = new Float64Array(n);
    this.premiumBaseMaintenance = new Float64Array(n);
    this.imfFactor = new Float64Array(n);
    this.openInterestLower = new Float64Array(n);
    this.openInterestUpper = new Float64Array(n);
    this.maintenanceFraction = new Float64Array(n);
    this.minimumInitial = new Float64Array(n).fill(Number.NaN);
    this.minimumMaintenance = new Float64Array(n).fill(Number.NaN);
    this.markUnits = new Float64Array(n).fill(Number.NaN);
    this.mark = new Float64Array(n).fill(Number.NaN);
    this.laggedMark = new Float64Array(n).fill(Number.NaN);
    this.openInterest = new Float64Array(n);
    this.openInterestRateInitial = new Float64Array(n);
    this.openInterestRateMaintenance = new Float64Array(n);
    this.guard = new Uint8Array(n);
    this.state = new Uint8Array(n);
    this.settlementPrice = new Float64Array(n).fill(Number.NaN);
    const floors: number[] = [];
    const rates: number[] = [];
    const amounts: number[] = [];
    const leverages: number[] = [];
    this.specs.forEach((spec, i) => {
      this.inverse[i] = spec.settlement === 'inverse' ? 1 : 0;
      this.contractSize[i] = Number(spec.contractSize) / UNITS;
      invariant(fitsUnits(spec.lot) && fitsUnits(spec.tick) && fitsUnits(spec.contractSize), `instrument ${spec.symbol}: lot, tick and contract size within 2^53 units`);
      this.lotUnits[i] = Number(spec.lot);
      this.tickUnits[i] = Number(spec.tick);
      const margin = spec.margin;
      if (margin.initialMinimum !== undefined) this.minimumInitial[i] = margin.initialMinimum;
      if (margin.maintenanceMinimum !== undefined) this.minimumMaintenance[i] = margin.maintenanceMinimum;
      if (spec.settlement === 'inverse') this.state[i] = this.state[i]! | INSTRUMENT_INVERSE;
      if (margin.initialMinimum !== undefined || margin.maintenanceMinimum !== undefined) this.state[i] = this.state[i]! | INSTRUMENT_MINIMUM;
      switch (margin.model) {
        case 'brackets': {
          this.model[i] = MODEL_BRACKETS;
          this.state[i] = this.state[i]! | INSTRUMENT_BRACKETS;
          this.bracketOffset[i] = floors.length;
          const resolved = resolveBrackets(margin.brackets);
          this.bracketCount[i] = resolved.length;
          invariant(resolved.length <= 255, `instrument ${spec.symbol}: at most 255 brackets`);
          // The cached bracket of a position (valuation.ts) relies on floors that never fall.
          resolved.forEach((b, k) => invariant(k === 0 || b.notionalFloor >= resolved[k - 1]!.notionalFloor, `instrument ${spec.symbol}: bracket floors ascending`));
          for (const b of resolved) {
            floors.push(b.notionalFloor);
            rates.push(b.maintenanceRate);
            amounts.push(b.maintenanceAmount);
            leverages.push(b.leverageMax);
          }
          return;
        }
        case 'linearInSize':
          this.model[i] = MODEL_LINEAR_IN_SIZE;
          this.rateInitial[i] = margin.initialRate;
          this.rateMaintenance[i] = margin.maintenanceRate;
          this.perUnitInitial[i] = margin.initialRatePerUnit;
          this.perUnitMaintenance[i] = margin.maintenanceRatePerUnit;
          return;
        case 'sqrtSize':
          this.model[i] = MODEL_SQRT_SIZE;
          this.rateInitial[i] = margin.initialRate;
          this.rateMaintenance[i] = margin.maintenanceRate;
          // sizePremiumRate computes 0.8 x baseRate per call: the same product, once.
          this.premiumBaseInitial[i] = 0.8 * margin.initialRate;
          this.premiumBaseMaintenance[i] = 0.8 * margin.maintenanceRate;
          this.imfFactor[i] = margin.imfFactor;
          return;
        case 'openInterestScaled':
          this.model[i] = MODEL_OPEN_INTEREST;
          this.rateInitial[i] = margin.initialRate;
          this.maintenanceFraction[i] = margin.maintenanceFraction;
          this.openInterestLower[i] = margin.openInterestLower;
          this.openInterestUpper[i] = margin.openInterestUpper;
          this.setOpenInterest(i, 0);
          return;
      }
    });
    this.bracketFloor = new Float64Array(floors);
    this.bracketRate = new Float64Array(rates);
    this.bracketAmount = new Float64Array(amounts);
    this.bracketLeverage = new Float64Array(leverages);
  }

  /** Open interest notional; the open-interest-scaled rates are recomputed as the model does per call. */
  setOpenInterest(i: number, notional: number): void {
    this.openInterest[i] = notional;
    if (this.model[i] !== MODEL_OPEN_INTEREST) return;
    const rate = this.rateInitial[i] as number;
    const scale = openInterestScale(notional, this.openInterestLower[i] as number, this.openInterestUpper[i] as number);
    this.openInterestRateInitial[i] = rate + scale * (1 - rate);
    this.openInterestRateMaintenance[i] = rate * (this.maintenanceFraction[i] as number);
  }

  setMarkUnits(i: number, units: number): void {
    this.markUnits[i] = units;
    this.mark[i] = units / UNITS;
  }

  setLaggedMark(i: number, units: number): void {
    this.laggedMark[i] = units / UNITS;
    this.state[i] = Number.isNaN(units) ? this.state[i]! & ~INSTRUMENT_LAGGED : this.state[i]! | INSTRUMENT_LAGGED;
  }

  /** Refreshes the settlement price and the priced bit from the asset tables. */
  refreshPrices(i: number, assets: AssetTables): void {
    const settlement = assets.price[this.settlementAsset[i]!]!;
    const quote = assets.price[this.quoteAsset[i]!]!;
    this.settlementPrice[i] = settlement;
    const priced = this.mark[i] === this.mark[i] && settlement === settlement && quote === quote;
    this.state[i] = priced ? this.state[i]! | INSTRUMENT_PRICED : this.state[i]! & ~INSTRUMENT_PRICED;
  }

  resolve(symbol: string): number {
    const i = this.index.indexOf(symbol);
    if (i === undefined) throw new InputError('instrument_unknown', `no instrument ${symbol}`);
    return i;
  }
}
