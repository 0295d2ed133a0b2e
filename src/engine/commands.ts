/**
 * Commands: what callers ask the engine to do, imperative and carrying an id. A command with an id
 * the engine has already accepted returns the first result and changes nothing (R7). Rejected
 * commands leave no trace, so a corrected command may reuse its id.
 */
import type { MarginMode } from '../risk/account/types.js';
import type { Amount, Price, Rate, Size } from '../risk/units/quantities.js';

export type Side = 'buy' | 'sell';

/**
 * The oracle's verdict on a price (an asset's index or an instrument's mark): `ok`; `degraded`
 * (too few fresh sources: risk-increasing orders are refused); `stale` (no fresh price: orders
 * that raise risk and withdrawals that depend on it are refused); `halted` (a circuit breaker:
 * the same, and liquidations on it pause or use the guarded price).
 */
export type MarketStatus = 'ok' | 'degraded' | 'stale' | 'halted';

export type Command =
  | { readonly type: 'CreateAccount'; readonly id: string; readonly accountId: string; readonly mode: MarginMode; readonly parentId?: string }
  | { readonly type: 'Deposit'; readonly id: string; readonly accountId: string; readonly asset: string; readonly amount: Amount }
  | { readonly type: 'Withdraw'; readonly id: string; readonly accountId: string; readonly asset: string; readonly amount: Amount }
  | {
      readonly type: 'Transfer';
      readonly id: string;
      readonly fromAccountId: string;
      readonly toAccountId: string;
      readonly asset: string;
      readonly amount: Amount;
    }
  /** Move margin into (amount > 0) or out of (amount < 0) an isolated position. */
  | { readonly type: 'MoveIsolatedMargin'; readonly id: string; readonly accountId: string; readonly instrument: string; readonly amount: Amount }
  | { readonly type: 'SetLeverage'; readonly id: string; readonly accountId: string; readonly instrument: string; readonly leverage: number }
  | { readonly type: 'SetMarginMode'; readonly id: string; readonly accountId: string; readonly mode: MarginMode }
  | {
      readonly type: 'PlaceOrder';
      readonly id: string;
      readonly accountId: string;
      readonly orderId: string;
      readonly instrument: string;
      readonly side: Side;
      readonly size: Size;
      readonly price: Price;
      readonly reduceOnly?: boolean;
    }
  | { readonly type: 'CancelOrder'; readonly id: string; readonly accountId: string; readonly orderId: string }
  /** A trade from the venue's matching engine: a fact, applied unless malformed. */
  | {
      readonly type: 'ApplyFill';
      readonly id: string;
      readonly instrument: string;
      readonly price: Price;
      readonly size: Size;
      readonly buyer: FillParty;
      readonly seller: FillParty;
      readonly aggressor: Side;
    }
  | {
      readonly type: 'UpdatePrices';
      readonly id: string;
      readonly prices?: Readonly<Record<string, Price>>;
      readonly marks?: Readonly<Record<string, Price>>;
      readonly laggedPrices?: Readonly<Record<string, Price>>;
      /** The oracle's verdict per price symbol (absent: ok). See MarketStatus. */
      readonly statuses?: Readonly<Record<string, MarketStatus>>;
      /** When the prices were observed: an update older than one already applied is refused. */
      readonly asOfMs?: number;
    }
  | {
      readonly type: 'SettleFunding';
      readonly id: string;
      readonly instrument: string;
      readonly rate: Rate;
      /** The end of the funding interval: an interval settles once, whatever its command id. */
      readonly intervalEndMs?: number;
    }
  | { readonly type: 'SettleExpiry'; readonly id: string; readonly instrument: string; readonly price: Price }
  /** Replace the venue parameters, whole and atomically, from `effectiveMs` on. */
  | { readonly type: 'ChangeParams'; readonly id: string; readonly document: unknown; readonly effectiveMs: number }
  /** An operator liquidates one account now (one step, as the automatic pass would). Issue 6. */
  | { readonly type: 'Liquidate'; readonly id: string; readonly accountId: string }
  /**
   * A liquidation pass: re-check the holders of `symbols` (absent: none) and the accounts already
   * waiting, then liquidate up to the per-tick maximum, worst first. The shell journals one after
   * every price update under the id `engine:liquidation:<seq>`; an operator may submit one to
   * drain the queue between price updates. Issue 6.
   */
  | { readonly type: 'LiquidationPass'; readonly id: string; readonly symbols?: readonly string[] }
  /**
   * A bidder takes `fraction` (of the account as it is now) of every position and balance of the
   * account in a running Dutch auction, at the auction's current discount (mode d). Issue 6.
   * Optional limits (Derive's `priceLimit`): the most the bidder pays (`paymentMax`, in the
   * auction's asset) and the least discount it accepts (`discountMin`); a bid whose terms at its
   * own stamp are worse is refused (`auction_bid_beyond_limit`), so a price move between the quote
   * and the execution cannot hurt the bidder.
   */
  | {
      readonly type: 'BidLiquidationAuction';
      readonly id: string;
      readonly auctionId: string;
      readonly liquidatorId: string;
      readonly fraction: Rate;
      readonly paymentMax?: Amount;
      readonly discountMin?: Rate;
    };

export interface FillParty {
  readonly accountId: string;
  /** The resting order this fill consumes, if the engine holds it. */
  readonly orderId?: string;
}

export type CommandType = Command['type'];
