/**
 * Listed European options as instruments of an account, beside the linear products of
 * src/risk/instruments. Deribit lists both kinds:
 * - linear (USDC-settled): the mark is in the quote asset per unit of underlying, PnL and margin
 *   are paid in the quote asset;
 * - inverse (coin-settled, e.g. BTC options margined in BTC): the mark is in coin per unit of
 *   underlying (0.02 BTC), PnL and margin are paid in the underlying.
 * Either way a position of `size` contracts is worth size x contractSize x mark in its settlement
 * asset: the value is linear in the mark (unlike an inverse future, whose mark is a USD price).
 *
 * Time to expiry is measured from the valuation time `asOfMs`, an input: the risk core never reads
 * a clock (DESIGN.md D4). Years are ACT/365 (Deribit's convention for implied vols).
 */
import type { OptionKind } from '../pricing/blackScholes.js';
import type { Settlement } from '../instruments/types.js';
import type { Price, Size } from '../units/quantities.js';

export interface OptionInstrument {
  readonly kind: 'option';
  readonly symbol: string;
  readonly underlying: string;
  /** The asset strikes and linear marks are quoted in, e.g. 'USDC' or 'USD'. */
  readonly quoteAsset: string;
  readonly settlement: Settlement;
  readonly optionKind: OptionKind;
  /** In the quote asset per unit of underlying. */
  readonly strike: Price;
  readonly expiryMs: number;
  /** Units of the underlying per contract, linear and inverse alike (Deribit BTC options: 1). */
  readonly contractSize: Size;
  readonly tick: Price;
  readonly lot: Size;
}

/** Milliseconds in a year of 365 days. */
export const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** (expiry - asOf) in years of 365 days; negative once expired. Worked: 30 days = 0.0821918 years. */
export function yearsToExpiry(expiryMs: number, asOfMs: number): number {
  return (expiryMs - asOfMs) / YEAR_MS;
}

/** The asset an option's premium, PnL and margin are paid in: the quote asset (linear) or the underlying. */
export function optionSettlementAssetOf(option: OptionInstrument): string {
  return option.settlement === 'linear' ? option.quoteAsset : option.underlying;
}
