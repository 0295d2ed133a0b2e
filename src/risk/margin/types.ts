/**
 * Margin models for linear products. Each model is a separate function behind one small
 * interface (STYLE.md habit 5): given the size of an exposure, it returns the initial and
 * maintenance requirement in the quote asset, and the rule that produced them.
 */

/** What a margin model may look at. All values are absolute and in float64 (risk measures). */
export interface Exposure {
  /** |notional| in the quote asset at the valuation price. */
  readonly notional: number;
  /** |exposure| in units of the underlying (e.g. BTC), for rates that grow with size. */
  readonly underlyingSize: number;
  /** The market's open interest, notional in quote, for open-interest-scaled IM (0 if unknown). */
  readonly openInterestNotional: number;
}

export interface Requirement {
  /** Quote-asset amount, float64, before rounding against the account. */
  readonly initial: number;
  readonly maintenance: number;
  /** The rule, in words, e.g. "bracket 3 (250000+): MMR 1%, cum 1300, leverage max 20x". */
  readonly rule: string;
}

export type LinearMarginModel = (exposure: Exposure) => Requirement;

/** A notional bracket (Binance, Bybit, Hyperliquid); `maintenanceAmount` ("cum") is derived. */
export interface Bracket {
  readonly notionalFloor: number;
  readonly maintenanceRate: number;
  readonly leverageMax: number;
}

export type LinearMarginModelSpec =
  | { readonly model: 'brackets'; readonly brackets: readonly Bracket[] }
  | {
      readonly model: 'linearInSize';
      readonly initialRate: number;
      readonly maintenanceRate: number;
      /** Added to each rate per unit of the underlying held (Deribit: 0.005% per BTC). */
      readonly initialRatePerUnit: number;
      readonly maintenanceRatePerUnit: number;
    }
  | {
      readonly model: 'sqrtSize';
      readonly initialRate: number;
      readonly maintenanceRate: number;
      /** Drift's imf_factor as a plain fraction (Drift's 50 in 1e-6 units is 0.00005). */
      readonly imfFactor: number;
    }
  | {
      readonly model: 'openInterestScaled';
      readonly initialRate: number;
      /** MMF = IMF x maintenanceFraction, unscaled by open interest (dYdX). */
      readonly maintenanceFraction: number;
      readonly openInterestLower: number;
      readonly openInterestUpper: number;
    };

/** A model plus the rules every model shares: minimum margins and a leverage ceiling. */
export type LinearMarginSpec = LinearMarginModelSpec & {
  /** Absolute floors, in the quote asset, for any non-zero position (Synthetix-style). */
  readonly initialMinimum?: number;
  readonly maintenanceMinimum?: number;
};
