/**
 * Accounts, markets and the parameters the risk core values them with. These are the readonly
 * inputs of the pure reference functions in this folder.
 */
import type { CollateralAsset } from '../collateral/types.js';
import type { LinearInstrument } from '../instruments/types.js';
import type { OptionInstrument } from '../options/instrument.js';
import type { UnderlyingVolatility } from '../options/mark.js';
import type { StandardOptionMarginParams } from '../options/standardMargin.js';
import type { PortfolioMarginModel } from '../portfolio/margin.js';
import type { Amount, Price, Size } from '../units/index.js';

/** The per-position margin modes (the engine's accounts use these). */
export type MarginMode = 'cross' | 'isolated';

/**
 * How an account is margined: per position, pooled (`cross`) or each on its own margin
 * (`isolated`); or `portfolio`: per underlying, every position and the spot holding of that
 * underlying together, by scenarios (METHODS.md section 3.3).
 */
export type AccountMode = MarginMode | 'portfolio';

/** Resting order sizes in contracts, both non-negative. */
export interface OpenOrders {
  readonly buy: Size;
  readonly sell: Size;
}

export interface Position {
  readonly instrument: string;
  /** Signed contracts: long > 0, short < 0. */
  readonly size: Size;
  /**
   * What the position cost, in its settlement asset, signed like the size: linear
   * size x contractSize x entry price; inverse size x contractSize / entry price. Kept instead of an
   * average entry price because sums of fills stay exact.
   */
  readonly entryValue: Amount;
  /** The user's chosen leverage; IM >= notional / leverage. */
  readonly leverage?: number;
  /** Present exactly for isolated positions: the margin set aside for this position alone. */
  readonly isolatedMargin?: Amount;
  readonly openOrders?: OpenOrders;
}

export interface Account {
  readonly id: string;
  readonly mode: AccountMode;
  /** Balances per asset; negative balances are liabilities (borrowed). */
  readonly balances: ReadonlyMap<string, Amount>;
  readonly positions: readonly Position[];
}

export interface Market {
  /** Prices of assets (collateral and underlyings) in the valuation asset. */
  readonly prices: ReadonlyMap<string, Price>;
  /** Mark prices of instruments, in each instrument's quote asset. */
  readonly marks: ReadonlyMap<string, Price>;
  /**
   * Lagged ("stable") prices of assets or marks of instruments. When given, initial-margin
   * valuation takes the conservative side: assets and gains at the lower, liabilities and losses at
   * the higher price (Mango stable price, Drift's 5-minute TWAP).
   */
  readonly laggedPrices?: ReadonlyMap<string, Price>;
  /** Open interest per instrument, notional in its quote asset (for open-interest-scaled IM). */
  readonly openInterest?: ReadonlyMap<string, number>;
  /** The valuation time, ms since the epoch: options' and futures' time to expiry. Never a clock. */
  readonly asOfMs?: number;
  /** Per underlying: the rate and volatility surface that value its options (portfolio margin). */
  readonly volatility?: ReadonlyMap<string, UnderlyingVolatility>;
}

/** Thresholds on the margin ratio (MM-weighted collateral / MM), from safest to worst. */
export interface StatusBands {
  readonly marginCall: number;
  readonly reduceOnly: number;
  readonly liquidation: number;
}

export const STATUS_BANDS_DEFAULT: StatusBands = { marginCall: 1.5, reduceOnly: 1.2, liquidation: 1 };

export interface RiskParams {
  /** The asset every figure is reported in, e.g. 'USD'. */
  readonly valuationAsset: string;
  readonly assets: ReadonlyMap<string, CollateralAsset>;
  readonly instruments: ReadonlyMap<string, LinearInstrument>;
  /** Weight of positive unrealised PnL in collateral (Drift, Mango): < 1 for IM is typical. */
  readonly unrealisedPnlWeight: { readonly initial: number; readonly maintenance: number };
  readonly statusBands: StatusBands;
  /** Listed options by symbol (src/risk/options); absent or empty on a venue without options. */
  readonly options?: ReadonlyMap<string, OptionInstrument>;
  /** Standard option margin parameters per underlying (METHODS.md section 3.2), cross and isolated modes. */
  readonly optionMargin?: ReadonlyMap<string, StandardOptionMarginParams>;
  /** The scenario model of `portfolio` accounts (src/risk/portfolio/presets.ts). */
  readonly portfolio?: PortfolioMarginModel;
}

export type Status = 'healthy' | 'margin_call' | 'reduce_only' | 'liquidatable' | 'bankrupt';
export const STATUS_ORDER: readonly Status[] = ['healthy', 'margin_call', 'reduce_only', 'liquidatable', 'bankrupt'];
