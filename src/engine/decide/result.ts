/**
 * The outcome of `decide`: events to apply, or a rejection with a stable code that reads as a
 * sentence (STYLE.md habit 6). The server maps codes to HTTP statuses in one table.
 */
import type { EngineEvent } from '../events.js';

export type RejectionCode =
  | 'engine_not_initialised'
  | 'engine_already_initialised'
  | 'account_exists'
  | 'account_id_invalid'
  | 'order_id_invalid'
  | 'account_unknown'
  | 'account_parent_unknown'
  | 'account_limit_reached'
  | 'asset_unknown'
  | 'amount_not_positive'
  | 'amount_too_large'
  | 'price_not_positive'
  | 'price_too_large'
  | 'size_too_large'
  | 'command_id_reused'
  | 'amount_zero'
  | 'withdrawal_exceeds_balance'
  | 'withdrawal_exceeds_free_collateral'
  | 'transfer_to_self'
  | 'transfer_between_owners_forbidden'
  | 'instrument_unknown'
  | 'instrument_settled'
  | 'leverage_out_of_range'
  | 'margin_mode_change_with_positions'
  | 'margin_mode_unchanged'
  | 'isolated_margin_requires_isolated_mode'
  | 'isolated_margin_insufficient'
  | 'order_exists'
  | 'order_unknown'
  | 'order_limit_reached'
  | 'position_limit_reached'
  | 'size_not_positive'
  | 'size_not_multiple_of_lot'
  | 'price_not_multiple_of_tick'
  | 'reduce_only_would_increase'
  | 'account_reduce_only'
  | 'initial_margin_insufficient'
  | 'fill_same_account'
  | 'fill_order_mismatch'
  | 'fill_exceeds_order'
  | 'fill_violates_reduce_only'
  | 'price_missing'
  | 'mark_price_missing'
  | 'price_symbol_unknown'
  | 'market_status_unknown'
  | 'prices_out_of_order'
  | 'funding_interval_settled'
  | 'oracle_price_stale'
  | 'market_halted'
  | 'funding_instrument_not_perpetual'
  | 'funding_rate_exceeds_cap'
  | 'expiry_instrument_not_future'
  | 'expiry_not_reached'
  | 'params_invalid'
  | 'params_remove_in_use'
  | 'params_effective_time_invalid'
  // Liquidation (issue 6)
  | 'account_id_reserved'
  | 'account_not_liquidatable'
  | 'liquidation_in_progress'
  | 'liquidation_mode_unsupported'
  | 'liquidation_order_not_cancellable'
  | 'fill_beyond_liquidation_limit'
  | 'liquidation_order_expired'
  | 'open_interest_cap_reached'
  | 'position_cap_reached'
  | 'liquidation_auction_unknown'
  | 'liquidation_auction_ended'
  | 'liquidation_auction_insolvent'
  | 'auction_bid_fraction_invalid'
  | 'auction_bid_exceeds_max_fraction'
  | 'auction_bid_lowers_margin_ratio'
  | 'auction_bid_on_own_account'
  | 'auction_bid_limit_invalid'
  | 'auction_bid_beyond_limit'
  | 'account_in_liquidation_auction'
  | 'bidder_initial_margin_insufficient';

export interface Rejection {
  readonly ok: false;
  readonly code: RejectionCode;
  readonly message: string;
}

export interface Accepted {
  readonly ok: true;
  readonly events: readonly EngineEvent[];
}

export type Decision = Accepted | Rejection;

export const reject = (code: RejectionCode, message: string): Rejection => ({ ok: false, code, message });
export const accept = (...events: EngineEvent[]): Accepted => ({ ok: true, events });

/** Stamped by the shell once per command: decide never reads the clock (DESIGN.md D4). */
export interface Stamp {
  readonly seq: number;
  readonly timestampMs: number;
}

/** Limits on everything (STYLE.md habit 10). */
export const LIMITS = {
  accountsMax: 10_000_000,
  positionsPerAccountMax: 200,
  ordersPerAccountMax: 1_000,
  leverageMax: 200,
} as const;
