/**
 * Instruments of the linear-product risk core: perpetuals and dated futures, linear (quote-settled,
 * e.g. BTCUSDT) or inverse (coin-settled, e.g. Deribit's BTC-PERPETUAL worth 10 USD a contract).
 * Options join in src/risk/options.
 */
import type { LinearMarginSpec } from '../margin/types.js';
import type { Price, Rate, Size } from '../units/index.js';

export type Settlement = 'linear' | 'inverse';

interface LinearProductBase {
  readonly symbol: string;
  /** The asset whose price moves the contract, e.g. 'BTC'. */
  readonly underlying: string;
  /** The asset prices are quoted in, e.g. 'USDT' (linear) or 'USD' (inverse). */
  readonly quoteAsset: string;
  readonly settlement: Settlement;
  /**
   * Linear: units of the underlying per contract (CME's "multiplier": 5 BTC for CME BTC futures).
   * Inverse: quote value per contract (Deribit BTC: 10 USD). Held at SIZE scale.
   */
  readonly contractSize: Size;
  /** Smallest price increment of orders. */
  readonly tick: Price;
  /** Smallest size increment of orders and positions, in contracts. */
  readonly lot: Size;
  readonly margin: LinearMarginSpec;
  /** Trading fees as exact fractions of notional; a negative maker rate is a rebate. */
  readonly fees?: FeeSchedule;
}

export interface FeeSchedule {
  readonly makerRate: Rate;
  readonly takerRate: Rate;
}

/** Binance-style funding parameters per interval (METHODS.md §1.3). */
export interface FundingSchedule {
  readonly interest: Rate;
  readonly clamp: Rate;
  readonly cap: Rate;
  readonly intervalMs: number;
}

export interface Perpetual extends LinearProductBase {
  readonly kind: 'perpetual';
  readonly funding?: FundingSchedule;
}

export interface DatedFuture extends LinearProductBase {
  readonly kind: 'future';
  readonly expiryMs: number;
}

export type LinearInstrument = Perpetual | DatedFuture;

/** The asset in which PnL, margin and funding of the instrument are paid. */
export function settlementAssetOf(instrument: LinearInstrument): string {
  return instrument.settlement === 'linear' ? instrument.quoteAsset : instrument.underlying;
}
