/**
 * Events: immutable, past-tense facts. They carry the results of decisions (fees, realised PnL,
 * funding payments, settlement values), so replay never recomputes a float (DESIGN.md D2).
 */
import type { MarginMode } from '../risk/account/types.js';
import type { Amount, Price, Rate, Size } from '../risk/units/quantities.js';
import type { MarketStatus, Side } from './commands.js';
import type { LiquidationEvent } from './liquidation/events.js';

export interface OrderState {
  readonly orderId: string;
  readonly instrument: string;
  readonly side: Side;
  /** Remaining size, in contracts. */
  readonly size: Size;
  readonly price: Price;
  readonly reduceOnly: boolean;
}

/** One side of a fill, as decided: everything apply needs to update the account. */
export interface FillLeg {
  readonly accountId: string;
  readonly orderId?: string;
  /** Signed contracts this fill adds: + for the buyer, - for the seller. */
  readonly sizeDelta: Size;
  /** Position after the fill. */
  readonly sizeAfter: Size;
  readonly entryValueAfter: Amount;
  /** Moved from the position's entry value into the balance (realised PnL), settlement asset. */
  readonly realisedPnl: Amount;
  /** Paid to the fee pool (negative: a rebate paid from it), settlement asset. */
  readonly fee: Amount;
  /** Isolated positions: margin moved from the wallet into the position (negative: released). */
  readonly isolatedMarginDelta: Amount;
}

export interface Payment {
  readonly accountId: string;
  /** Received (> 0) or paid (< 0), settlement asset. */
  readonly amount: Amount;
}

export type EngineEvent =
  | { readonly type: 'EngineInitialised'; readonly document: unknown }
  | { readonly type: 'AccountCreated'; readonly accountId: string; readonly mode: MarginMode; readonly parentId?: string }
  | { readonly type: 'Deposited'; readonly accountId: string; readonly asset: string; readonly amount: Amount }
  | { readonly type: 'Withdrawn'; readonly accountId: string; readonly asset: string; readonly amount: Amount }
  | { readonly type: 'Transferred'; readonly fromAccountId: string; readonly toAccountId: string; readonly asset: string; readonly amount: Amount }
  | { readonly type: 'IsolatedMarginMoved'; readonly accountId: string; readonly instrument: string; readonly asset: string; readonly amount: Amount }
  | { readonly type: 'LeverageSet'; readonly accountId: string; readonly instrument: string; readonly leverage: number }
  | { readonly type: 'MarginModeSet'; readonly accountId: string; readonly mode: MarginMode }
  | { readonly type: 'OrderPlaced'; readonly accountId: string; readonly order: OrderState }
  | { readonly type: 'OrderCancelled'; readonly accountId: string; readonly orderId: string; readonly reason: string }
  | {
      readonly type: 'FillApplied';
      readonly instrument: string;
      readonly asset: string;
      readonly price: Price;
      readonly size: Size;
      /** The exact settlement-asset value exchanged: the buyer's entry value rises by it, the seller's falls. */
      readonly value: Amount;
      readonly buyer: FillLeg;
      readonly seller: FillLeg;
    }
  | {
      readonly type: 'PricesUpdated';
      readonly prices: Readonly<Record<string, Price>>;
      readonly marks: Readonly<Record<string, Price>>;
      readonly laggedPrices: Readonly<Record<string, Price>>;
      readonly statuses?: Readonly<Record<string, MarketStatus>>;
      readonly asOfMs?: number;
    }
  | {
      readonly type: 'FundingSettled';
      readonly instrument: string;
      readonly asset: string;
      readonly rate: Rate;
      readonly mark: Price;
      readonly payments: readonly Payment[];
      /** What rounding left over, credited to the rounding account (>= 0). */
      readonly rounding: Amount;
      readonly intervalEndMs?: number;
    }
  | {
      readonly type: 'ExpirySettled';
      readonly instrument: string;
      readonly asset: string;
      readonly price: Price;
      readonly payments: readonly Payment[];
      readonly rounding: Amount;
    }
  | { readonly type: 'ParamsChanged'; readonly version: number; readonly effectiveMs: number; readonly document: unknown }
  | { readonly type: 'ParamsActivated'; readonly version: number }
  /** Liquidation, insurance fund, ADL and socialised loss (issue 6): see liquidation/events.ts. */
  | LiquidationEvent;

export type EventType = EngineEvent['type'];
