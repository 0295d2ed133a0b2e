/**
 * Liquidation events (issue 6): past-tense facts that carry every decided figure (sizes, values,
 * fees, deficits, the margin figures that justified the step), so that replay applies them and
 * never recomputes a float (DESIGN.md D2). They join the engine's `EngineEvent` union.
 */
import type { Status } from '../../risk/account/types.js';
import type { AuctionSchedule } from '../../risk/liquidation/auction.js';
import type { Amount, Price, Rate, Size } from '../../risk/units/quantities.js';
import type { FillLeg, OrderState, Payment } from '../events.js';

/** How a liquidated size was placed. */
export type TakeoverKind = 'backstop' | 'liquidator' | 'adl' | 'socialised' | 'auction';

/** Which path a liquidation step took (see docs/methodology/liquidation.md). */
export type LiquidationPath = 'partial' | 'whole' | 'bankruptcy' | 'orders' | 'collateral';

/** Why an auction ended (docs/methodology/liquidation.md §4 d). */
export type AuctionEndReason = 'recovered' | 'liquidated' | 'expired' | 'insolvent';

/** A running auction (state), as its start event records it. */
export interface LiquidationAuctionState {
  readonly auctionId: string;
  readonly accountId: string;
  /** The asset bidders pay in: the settlement asset of the account's first position. */
  readonly asset: string;
  readonly startMs: number;
  /** Bids are refused from this time on; the next pass sends the account to the backstop. */
  readonly endMs: number;
  readonly schedule: AuctionSchedule;
}

/** An amount of one asset. */
export interface AssetAmount {
  readonly asset: string;
  readonly amount: Amount;
}

/**
 * How a collateral-only account's repayment was sized (docs/methodology/liquidation.md §6 b):
 * `least` the least repayment that restores CM >= buffer x debt value after fees; `limited` that
 * repayment cut by the step limits (it still raises the margin ratio); the whole debt when what
 * would be left is below `remainderMin` (`remainder`), when the
 * account is `bankrupt`, when even repaying every debt would not restore the buffer (`uncovered`),
 * or when the step-limited repayment would lower the ratio (`ratio`).
 */
export type RepaymentSizing = 'least' | 'limited' | 'remainder' | 'bankrupt' | 'uncovered' | 'ratio';

export interface CollateralRepayment {
  readonly sizing: RepaymentSizing;
  readonly buffer: Rate;
  /** Unweighted value of the debts, valuation asset. */
  readonly debtValue: Amount;
  /** buffer x debt value - CM (> 0), valuation asset. */
  readonly shortage: Amount;
  /** Units of each debt asset to repay (the whole debt when not `least` or `limited`). */
  readonly repay: readonly AssetAmount[];
}

export type LiquidationEvent =
  /** The account moved between status bands (a margin call is `to: 'margin_call'`). */
  | { readonly type: 'AccountStatusChanged'; readonly accountId: string; readonly from: Status; readonly to: Status; readonly marginRatio: number | null }
  /** A liquidation step begins, with the figures that justified it (valuation asset). */
  | {
      readonly type: 'LiquidationStarted';
      readonly accountId: string;
      readonly path: LiquidationPath;
      readonly equity: Amount;
      readonly collateralMaintenance: Amount;
      readonly maintenanceMargin: Amount;
      readonly marginRatio: number | null;
      /** Collateral-only accounts (path `collateral`): how the repayment was sized (collateral.ts). */
      readonly repayment?: CollateralRepayment;
    }
  /**
   * Part or all of a position taken over: the account's leg closes `size` contracts, the taker's
   * leg takes them at the same exchanged value (so entry values still sum to zero). `markValue` is
   * what the size is worth at mark; `fundLoss` is what the insurance fund paid above mark (it took
   * the size at the bankruptcy value), counted in its drawdown for the instrument.
   */
  | {
      readonly type: 'PositionLiquidated';
      readonly accountId: string;
      readonly takerId: string;
      readonly kind: TakeoverKind;
      readonly instrument: string;
      readonly asset: string;
      readonly size: Size;
      readonly value: Amount;
      readonly markValue: Amount;
      /** value / (size x contract size) for display; the ledger uses `value`. */
      readonly price: Price;
      readonly fundLoss: Amount;
      readonly account: FillLeg;
      readonly taker: FillLeg;
    }
  /** Fees of a takeover, reduced so that the account's equity stays >= 0. */
  | {
      readonly type: 'LiquidationFeesCharged';
      readonly accountId: string;
      readonly asset: string;
      readonly liquidatorId: string;
      readonly liquidatorFee: Amount;
      readonly insuranceFee: Amount;
    }
  /**
   * A bankrupt account's collateral in another asset goes to the insurance fund, which credits its
   * value at the oracle price (rounded down) in the asset of the deficit. A collateral-only account's
   * liability is repaid the same way, by `takerId` (the liquidator; absent: the fund).
   */
  | {
      readonly type: 'CollateralSeized';
      readonly accountId: string;
      readonly asset: string;
      readonly amount: Amount;
      readonly creditAsset: string;
      readonly creditAmount: Amount;
      readonly takerId?: string;
    }
  /** The deficit no one else covered, paid into the bankrupt account by accounts with positions (payments < 0). */
  | {
      readonly type: 'LossSocialised';
      readonly accountId: string;
      readonly instrument: string;
      readonly asset: string;
      readonly payments: readonly Payment[];
    }
  /** The insurance fund paid (amount > 0) or received (amount < 0) cash directly for an account. */
  | { readonly type: 'InsuranceFundPaid'; readonly accountId: string; readonly instrument: string; readonly asset: string; readonly amount: Amount }
  /** (c) A reduce-only liquidation order rests on the account, for the venue to fill. */
  | {
      readonly type: 'LiquidationOrderEmitted';
      readonly accountId: string;
      readonly order: OrderState;
      readonly bankruptcyPrice: Price;
      readonly expiresMs: number;
    }
  /** (d) A Dutch auction of slices of the account's whole portfolio begins, with its schedule and the figures that justified it. */
  | ({
      readonly type: 'LiquidationAuctionStarted';
      readonly equity: Amount;
      readonly collateralMaintenance: Amount;
      readonly maintenanceMargin: Amount;
      readonly marginRatio: number | null;
    } & LiquidationAuctionState)
  /**
   * (d) A bid took `fraction` of every position (the PositionLiquidated events of kind `auction`
   * that follow, each at its share of the entry value) and of every balance (`collateral`, signed:
   * a debt's share moves too). The bidder paid `payment` = slice value x (1 - discount), rounded
   * up; the fund received `insuranceFee` from the account. Figures before the bid, valuation asset.
   * `paymentMax` and `discountMin` are the bidder's limits, when it named them (both were met).
   */
  | {
      readonly type: 'LiquidationAuctionBid';
      readonly auctionId: string;
      readonly accountId: string;
      readonly liquidatorId: string;
      readonly fraction: Rate;
      readonly fractionMax: Rate;
      readonly discount: Rate;
      readonly asset: string;
      /** The slice's value at mark, in `asset`. */
      readonly sliceValue: Amount;
      readonly payment: Amount;
      readonly insuranceFee: Amount;
      readonly collateral: readonly AssetAmount[];
      readonly equity: Amount;
      readonly collateralMaintenance: Amount;
      readonly maintenanceMargin: Amount;
      readonly paymentMax?: Amount;
      readonly discountMin?: Rate;
    }
  | { readonly type: 'LiquidationAuctionEnded'; readonly auctionId: string; readonly accountId: string; readonly reason: AuctionEndReason };

/** An outstanding liquidation order (state). */
export interface LiquidationOrderState {
  readonly accountId: string;
  readonly orderId: string;
  readonly instrument: string;
  readonly bankruptcyPrice: Price;
  readonly limitPrice: Price;
  readonly expiresMs: number;
}
