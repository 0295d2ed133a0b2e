/**
 * Ledger arithmetic of a trade, exact. A fill of q contracts at price p exchanges one value V
 * (linear: q x cs x p in quote; inverse: q x cs / p in coin, each rounded half-even once): the
 * buyer's entry value rises by V and the seller's falls by V, so entry values always sum to zero
 * across the two sides and no rounding can create money.
 *
 * When a fill reduces a position, the part of the entry value that belongs to the closed contracts
 * is realised: the remaining entry value is scaled to the remaining size (the average entry price
 * is kept), and the difference moves into the balance. For linear positions PnL = value - entry
 * value, so realised = target - (entry + V); for inverse PnL = entry value - value, so the sign
 * flips. A fill through zero closes the old side whole and opens the rest.
 */
import type { LinearInstrument, Settlement } from '../instruments/types.js';
import { AMOUNT_DECIMALS, PRICE_DECIMALS, RATE_DECIMALS, SIZE_DECIMALS } from '../units/quantities.js';
import { amount, size, type Amount, type Price, type Rate, type Size } from '../units/quantities.js';
import { absBig, divCeil, divFloor, divHalfEven, pow10 } from '../units/rounding.js';

const LINEAR_SHIFT = pow10(SIZE_DECIMALS + SIZE_DECIMALS + PRICE_DECIMALS - AMOUNT_DECIMALS);
const INVERSE_SHIFT = pow10(SIZE_DECIMALS + SIZE_DECIMALS - PRICE_DECIMALS - AMOUNT_DECIMALS);
const RATE_SCALE = pow10(RATE_DECIMALS);

/** |q| x cs x p (linear) or |q| x cs / p (inverse), rounded half-even: the value a fill exchanges. */
export function fillValueOf(instrument: LinearInstrument, contracts: Size, fillPrice: Price): Amount {
  const quantity = absBig(contracts) * instrument.contractSize;
  return instrument.settlement === 'linear'
    ? amount(divHalfEven(quantity * fillPrice, LINEAR_SHIFT))
    : amount(divHalfEven(quantity, fillPrice * INVERSE_SHIFT));
}

export interface PositionAfterTrade {
  readonly sizeAfter: Size;
  readonly entryValueAfter: Amount;
  /** Moved from the position into the balance. */
  readonly realisedPnl: Amount;
}

/**
 * The position after adding `sizeDelta` contracts that exchanged `valueDelta` (signed like the
 * size: + for a buy).
 */
export function positionAfterTrade(
  settlement: Settlement,
  before: { readonly size: Size; readonly entryValue: Amount },
  sizeDelta: Size,
  valueDelta: Amount,
): PositionAfterTrade {
  const s = before.size;
  const e = before.entryValue;
  const sign = settlement === 'linear' ? 1n : -1n;
  if (s === 0n || (s > 0n) === (sizeDelta > 0n)) {
    return { sizeAfter: size(s + sizeDelta), entryValueAfter: amount(e + valueDelta), realisedPnl: amount(0n) };
  }
  if (absBig(sizeDelta) <= absBig(s)) {
    const sizeAfter = s + sizeDelta;
    const target = divHalfEven(e * sizeAfter, s);
    return { sizeAfter: size(sizeAfter), entryValueAfter: amount(target), realisedPnl: amount(sign * (target - (e + valueDelta))) };
  }
  // Through zero: the closing part takes its share of the exchanged value, the rest opens.
  const closing = -s;
  const closingValue = divHalfEven(valueDelta * closing, sizeDelta);
  const realised = sign * (0n - (e + closingValue));
  return { sizeAfter: size(s + sizeDelta), entryValueAfter: amount(valueDelta - closingValue), realisedPnl: amount(realised) };
}

/** A fee on an exchanged value: a charge rounds up, a rebate (negative rate) rounds down. */
export function feeOf(value: Amount, feeRate: Rate): Amount {
  const v = absBig(value);
  return feeRate >= 0n ? amount(divCeil(v * feeRate, RATE_SCALE)) : amount(-divFloor(v * -feeRate, RATE_SCALE));
}

/**
 * The position's cash: what its fills have moved, signed so that account cash (balances plus
 * position cash) is conserved by every trade: -entryValue for linear, +entryValue for inverse.
 */
export function positionCashOf(settlement: Settlement, entryValue: Amount): Amount {
  return amount(settlement === 'linear' ? -entryValue : entryValue);
}

/**
 * Settlement of a position at a final price (expiry): its value, rounded against the holder
 * (linear down, inverse up, since inverse PnL = entry value - value), becomes cash.
 */
export function settlementValueOf(instrument: LinearInstrument, contracts: Size, finalPrice: Price): Amount {
  const quantity = contracts * instrument.contractSize;
  return instrument.settlement === 'linear'
    ? amount(divFloor(quantity * finalPrice, LINEAR_SHIFT))
    : amount(divCeil(quantity, finalPrice * INVERSE_SHIFT));
}
