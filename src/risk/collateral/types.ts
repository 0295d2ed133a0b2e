/**
 * Collateral haircut schedules (METHODS.md §2). A schedule turns a positive holding into its
 * collateral value; liabilities (negative balances) count at a weight of at least 1.
 */

export interface HaircutTier {
  /** The holding (quantity or value, by the schedule's basis) at which this weight starts. */
  readonly floor: number;
  readonly weight: number;
}

export type HaircutSchedule =
  | { readonly kind: 'flat'; readonly weight: number }
  /** Bybit's tiered collateral: each band of the holding counts at its own weight. */
  | { readonly kind: 'tiered'; readonly basis: 'quantity' | 'value'; readonly tiers: readonly HaircutTier[] }
  /** Drift's size discount: weight = min(base, 1.1 / (1 + imf x sqrt(quantity))). */
  | { readonly kind: 'sizeDiscount'; readonly weight: number; readonly imfFactor: number };

export interface CollateralAsset {
  readonly symbol: string;
  /** Schedules for initial and maintenance valuation (Deribit: IM haircuts only; Lyra: both). */
  readonly initial: HaircutSchedule;
  readonly maintenance: HaircutSchedule;
  /** Weights of a negative balance, each >= 1 (a liability counts at least at its full value). */
  readonly liabilityWeight: { readonly initial: number; readonly maintenance: number };
}
