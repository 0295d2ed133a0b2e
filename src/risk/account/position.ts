/**
 * Exact position arithmetic: entry value, unrealised PnL and notional, linear and inverse.
 *
 *   linear  PnL = size x contractSize x mark - entryValue        (quote asset)
 *   inverse PnL = entryValue - size x contractSize / mark        (coin; Deribit, BitMEX)
 *
 * Worked (inverse): long 100 USD-contracts of 1 USD from 50,000 to 60,000:
 * 100 x (1/50,000 - 1/60,000) = 0.00033333 BTC.
 * Every result that loses precision rounds against the account: PnL down, cost up.
 */
import type { LinearInstrument } from '../instruments/types.js';
import { SIZE_DECIMALS, PRICE_DECIMALS, AMOUNT_DECIMALS } from '../units/quantities.js';
import { amount, toNumber, type Amount, type Price, type Size } from '../units/quantities.js';
import { divCeil, divFloor, pow10 } from '../units/rounding.js';

// size (SIZE) x contractSize (SIZE) x price (PRICE) carries this many decimals beyond AMOUNT.
const LINEAR_SHIFT = pow10(SIZE_DECIMALS + SIZE_DECIMALS + PRICE_DECIMALS - AMOUNT_DECIMALS);
// size x contractSize / price in AMOUNT units: (SIZE + SIZE) - PRICE decimals leaves this shift.
const INVERSE_SHIFT = pow10(SIZE_DECIMALS + SIZE_DECIMALS - PRICE_DECIMALS - AMOUNT_DECIMALS);

/** The entry value of `size` contracts bought or sold at `entryPrice`, rounded against the holder. */
export function entryValueOf(instrument: LinearInstrument, size: Size, entryPrice: Price): Amount {
  const quantity = size * instrument.contractSize;
  if (instrument.settlement === 'linear') return amount(divCeil(quantity * entryPrice, LINEAR_SHIFT));
  return amount(divFloor(quantity, entryPrice * INVERSE_SHIFT));
}

/** Unrealised PnL in the settlement asset at `markPrice`, rounded down. */
export function unrealisedPnlOf(instrument: LinearInstrument, size: Size, entryValue: Amount, markPrice: Price): Amount {
  const quantity = size * instrument.contractSize;
  if (instrument.settlement === 'linear') {
    return amount(divFloor(quantity * markPrice - entryValue * LINEAR_SHIFT, LINEAR_SHIFT));
  }
  const denominator = markPrice * INVERSE_SHIFT;
  return amount(divFloor(entryValue * denominator - quantity, denominator));
}

/** The average entry price implied by an entry value (for display; exact figures use entryValue). */
export function entryPriceOf(instrument: LinearInstrument, size: Size, entryValue: Amount): number {
  const quantity = toNumber(size, 'Size') * toNumber(instrument.contractSize, 'Size');
  const value = toNumber(entryValue, 'Amount');
  if (quantity === 0 || value === 0) return 0;
  return instrument.settlement === 'linear' ? value / quantity : quantity / value;
}

export interface ExposureFigures {
  /** |notional| in the quote asset. */
  readonly notional: number;
  /** |exposure| in units of the underlying. */
  readonly underlyingSize: number;
}

export function exposureOf(instrument: LinearInstrument, size: Size, markPrice: Price): ExposureFigures {
  const quantity = Math.abs(toNumber(size, 'Size') * toNumber(instrument.contractSize, 'Size'));
  const mark = toNumber(markPrice, 'Price');
  return instrument.settlement === 'linear'
    ? { notional: quantity * mark, underlyingSize: quantity }
    : { notional: quantity, underlyingSize: quantity / mark };
}

/** A requirement in the quote asset expressed in the settlement asset (inverse: divided by mark). */
export function quoteToSettlement(instrument: LinearInstrument, quoteAmount: number, markPrice: Price): number {
  return instrument.settlement === 'linear' ? quoteAmount : quoteAmount / toNumber(markPrice, 'Price');
}
