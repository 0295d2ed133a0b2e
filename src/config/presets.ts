/**
 * Named parameter sets that reproduce the venues in METHODS.md. Venue parameters change often:
 * these are snapshots for examples and tests, each citing its source, never constants in code.
 */
import type { CollateralAsset } from '../risk/collateral/types.js';
import type { LinearMarginSpec } from '../risk/margin/types.js';

export const MARGIN_PRESETS: Readonly<Record<string, LinearMarginSpec>> = {
  /**
   * Binance USD-M BTCUSDT, a historical leverage-and-margin table (METHODS.md §1.1). The
   * maintenance amounts 0, 50, 1,300, 16,300, 266,300, 1,266,300, 2,516,300, 5,016,300,
   * 25,016,300 and 100,016,300 follow from the floors and rates.
   */
  'binance-btcusdt': {
    model: 'brackets',
    brackets: [
      { notionalFloor: 0, maintenanceRate: 0.004, leverageMax: 125 },
      { notionalFloor: 50_000, maintenanceRate: 0.005, leverageMax: 100 },
      { notionalFloor: 250_000, maintenanceRate: 0.01, leverageMax: 50 },
      { notionalFloor: 1_000_000, maintenanceRate: 0.025, leverageMax: 20 },
      { notionalFloor: 10_000_000, maintenanceRate: 0.05, leverageMax: 10 },
      { notionalFloor: 20_000_000, maintenanceRate: 0.1, leverageMax: 5 },
      { notionalFloor: 50_000_000, maintenanceRate: 0.125, leverageMax: 4 },
      { notionalFloor: 100_000_000, maintenanceRate: 0.15, leverageMax: 3 },
      { notionalFloor: 200_000_000, maintenanceRate: 0.25, leverageMax: 2 },
      { notionalFloor: 300_000_000, maintenanceRate: 0.5, leverageMax: 1 },
    ],
  },
  /**
   * Hyperliquid-style margin tiers: MMR is half the IM rate at the tier's maximum leverage
   * (METHODS.md §1.1 worked tiers: 0-10k at 40x, 10-50k at 25x, 50k+ at 10x).
   */
  'hyperliquid-tiers': {
    model: 'brackets',
    brackets: [
      { notionalFloor: 0, maintenanceRate: 0.0125, leverageMax: 40 },
      { notionalFloor: 10_000, maintenanceRate: 0.02, leverageMax: 25 },
      { notionalFloor: 50_000, maintenanceRate: 0.05, leverageMax: 10 },
    ],
  },
  /** Deribit linear BTC perpetual: IM 2% + 0.005% per BTC, MM 1% + 0.005% per BTC. */
  'deribit-btc-linear': {
    model: 'linearInSize',
    initialRate: 0.02,
    maintenanceRate: 0.01,
    initialRatePerUnit: 0.00005,
    maintenanceRatePerUnit: 0.00005,
  },
  /** Deribit linear SOL perpetual: IM 4% + 0.0005% per SOL, MM 2% + 0.0005% per SOL. */
  'deribit-sol-linear': {
    model: 'linearInSize',
    initialRate: 0.04,
    maintenanceRate: 0.02,
    initialRatePerUnit: 0.000005,
    maintenanceRatePerUnit: 0.000005,
  },
  /** Drift v2 perp with a size premium: IMR 10%, MMR 5%, imf_factor 50 (1e-6 units). */
  'drift-size-premium': { model: 'sqrtSize', initialRate: 0.1, maintenanceRate: 0.05, imfFactor: 0.00005 },
  /**
   * dYdX v4 open-interest scaling as in dYdX's own tests (METHODS.md §1.2): IMF 20%, MMF 10%
   * (maintenance fraction 0.5), IM scaling from 1e12 to 2e12 of open interest notional.
   */
  'dydx-oi-scaled': {
    model: 'openInterestScaled',
    initialRate: 0.2,
    maintenanceFraction: 0.5,
    openInterestLower: 1e12,
    openInterestUpper: 2e12,
  },
};

const full = { initial: 1, maintenance: 1 } as const;

export const COLLATERAL_PRESETS: Readonly<Record<string, Omit<CollateralAsset, 'symbol'>>> = {
  /** A stablecoin counted at par, borrowed at par. */
  stablecoin: { initial: { kind: 'flat', weight: 1 }, maintenance: { kind: 'flat', weight: 1 }, liabilityWeight: full },
  /** Bybit unified account BTC collateral tiers by quantity (METHODS.md §2). */
  'bybit-btc-tiered': {
    initial: bybitBtc(),
    maintenance: bybitBtc(),
    liabilityWeight: full,
  },
  /**
   * Drift-style spot asset: IM weight 0.8 with a size discount, MM weight 0.9, liabilities at 1.2
   * (IM) and 1.1 (MM).
   */
  'drift-spot': {
    initial: { kind: 'sizeDiscount', weight: 0.8, imfFactor: 0.0001 },
    maintenance: { kind: 'sizeDiscount', weight: 0.9, imfFactor: 0.0001 },
    liabilityWeight: { initial: 1.2, maintenance: 1.1 },
  },
};

function bybitBtc(): CollateralAsset['initial'] {
  return {
    kind: 'tiered',
    basis: 'quantity',
    tiers: [
      { floor: 0, weight: 0.98 },
      { floor: 10, weight: 0.95 },
      { floor: 20, weight: 0.9 },
      { floor: 30, weight: 0.85 },
      { floor: 40, weight: 0.8 },
      { floor: 50, weight: 0 },
    ],
  };
}
