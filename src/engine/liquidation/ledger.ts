/**
 * The ledger arithmetic of liquidation, exact: what a takeover does to both sides (the same
 * `positionAfterTrade` as a fill, so entry values still sum to zero), an account's cash per asset,
 * and the lookups the planner needs. Figures that decide (statuses, margin) come from the same
 * valuation as everywhere else (`accountMarginOf`).
 */
import type { AccountMargin } from '../../risk/account/account.js';
import { positionAfterTrade, positionCashOf, fillValueOf } from '../../risk/account/trade.js';
import type { Status } from '../../risk/account/types.js';
import { InputError } from '../../risk/errors.js';
import type { LinearInstrument } from '../../risk/instruments/types.js';
import { AMOUNT_DECIMALS, PRICE_DECIMALS, PRICE_ONE, SIZE_DECIMALS, amount, price, size as sizeOf, type Amount, type Price, type Size } from '../../risk/units/quantities.js';
import { absBig, divFloor, divHalfEven, pow10 } from '../../risk/units/rounding.js';
import type { FillLeg } from '../events.js';
import { accountMarginOf } from '../riskView.js';
import type { AccountState, EngineState } from '../state.js';
import type { TakeoverKind } from './events.js';

export const isLiquidatable = (status: Status): boolean => status === 'liquidatable' || status === 'bankrupt';

/** The account's margin figures, or undefined when a price it needs is missing (it waits). */
export function marginIn(state: EngineState, account: AccountState): AccountMargin | undefined {
  try {
    return accountMarginOf(state, account);
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

export function instrumentIn(state: EngineState, symbol: string): LinearInstrument {
  const found = state.params?.risk.instruments.get(symbol);
  if (found === undefined) throw new Error(`Invariant: position in unknown instrument ${symbol}`);
  return found;
}

export function markIn(state: EngineState, symbol: string): Price | undefined {
  return state.market.marks.get(symbol);
}

/** An asset's price in the valuation asset (the valuation asset itself is 1 unless priced). */
export function assetPriceIn(state: EngineState, asset: string): Price | undefined {
  if (asset === state.params?.risk.valuationAsset) return state.market.prices.get(asset) ?? PRICE_ONE;
  return state.market.prices.get(asset);
}

/** +1 when closing the position pays the account its value (linear long, inverse short), -1 otherwise. */
export function kappaOf(instrument: LinearInstrument, positionSize: bigint): 1 | -1 {
  const long = positionSize > 0n;
  return (instrument.settlement === 'linear') === long ? 1 : -1;
}

/** The account's cash in one asset: its balance plus the position cash of positions settled in it. */
export function cashIn(state: EngineState, account: AccountState, asset: string): bigint {
  let cash: bigint = account.balances.get(asset) ?? 0n;
  for (const p of account.positions.values()) {
    const instrument = instrumentIn(state, p.instrument);
    if ((instrument.settlement === 'linear' ? instrument.quoteAsset : instrument.underlying) !== asset) continue;
    cash += positionCashOf(instrument.settlement, p.entryValue) + (p.isolatedMargin ?? 0n);
  }
  return cash;
}

/** The value `contracts` exchange at the mark (half-even, as a fill). */
export function markValueOf(instrument: LinearInstrument, contracts: bigint, mark: Price): Amount {
  return fillValueOf(instrument, sizeOf(absBig(contracts)), mark);
}

const LINEAR_SHIFT = pow10(SIZE_DECIMALS + SIZE_DECIMALS + PRICE_DECIMALS - AMOUNT_DECIMALS);
const INVERSE_SHIFT = pow10(SIZE_DECIMALS + SIZE_DECIMALS - PRICE_DECIMALS - AMOUNT_DECIMALS);

/** The price a value corresponds to for `contracts` (display only; the ledger uses values). */
export function priceOfValue(instrument: LinearInstrument, contracts: bigint, value: Amount): Price {
  const quantity = absBig(contracts) * instrument.contractSize;
  if (quantity === 0n || value <= 0n) return price(0n);
  return instrument.settlement === 'linear'
    ? price(divHalfEven(value * LINEAR_SHIFT, quantity))
    : price(divHalfEven(quantity, value * INVERSE_SHIFT));
}

/**
 * One side of a takeover: `sizeDelta` contracts (signed) at `value` (the exchanged value, > 0).
 * An isolated position that shrinks releases its margin in proportion, as a fill does; takers
 * that grow (the fund, a liquidator) are cross accounts.
 */
export function legOf(account: AccountState, instrument: LinearInstrument, sizeDelta: bigint, value: Amount): FillLeg {
  const held = account.positions.get(instrument.symbol);
  const before = { size: held?.size ?? sizeOf(0n), entryValue: held?.entryValue ?? amount(0n) };
  const after = positionAfterTrade(instrument.settlement, before, sizeOf(sizeDelta), amount(sizeDelta > 0n ? value : -value));
  let isolatedMarginDelta = amount(0n);
  if (account.mode === 'isolated') {
    const margin = held?.isolatedMargin ?? 0n;
    const b = absBig(before.size);
    const a = absBig(after.sizeAfter);
    if (a > b || (after.sizeAfter !== 0n && before.size !== 0n && (after.sizeAfter > 0n) !== (before.size > 0n))) {
      throw new Error(`Invariant: a liquidation never grows or flips the isolated position of ${account.id}`);
    }
    isolatedMarginDelta = amount(a === 0n ? -margin : -divFloor(margin * (b - a), b));
  }
  return {
    accountId: account.id,
    sizeDelta: sizeOf(sizeDelta),
    sizeAfter: after.sizeAfter,
    entryValueAfter: after.entryValueAfter,
    realisedPnl: after.realisedPnl,
    fee: amount(0n),
    isolatedMarginDelta,
  };
}

export interface Takeover {
  readonly accountId: string;
  readonly takerId: string;
  readonly kind: TakeoverKind;
  readonly instrument: LinearInstrument;
  /** Contracts taken from the account (> 0). */
  readonly size: bigint;
  readonly value: Amount;
  readonly markValue: Amount;
  readonly fundLoss: Amount;
}

/** The PositionLiquidated event of a takeover, legs computed from the current (scratch) state. */
export function takeoverEvent(account: AccountState, taker: AccountState, t: Takeover) {
  const held = account.positions.get(t.instrument.symbol)?.size ?? 0n;
  if (held === 0n || t.size <= 0n || t.size > absBig(held)) throw new Error(`Invariant: takeover of ${t.size} from a position of ${held}`);
  const accountDelta = held > 0n ? -t.size : t.size;
  return {
    type: 'PositionLiquidated' as const,
    accountId: account.id,
    takerId: taker.id,
    kind: t.kind,
    instrument: t.instrument.symbol,
    asset: t.instrument.settlement === 'linear' ? t.instrument.quoteAsset : t.instrument.underlying,
    size: sizeOf(t.size),
    value: t.value,
    markValue: t.markValue,
    price: priceOfValue(t.instrument, t.size, t.value),
    fundLoss: t.fundLoss,
    account: legOf(account, t.instrument, accountDelta, t.value),
    taker: legOf(taker, t.instrument, -accountDelta, t.value),
  };
}

/** An amount in the valuation asset as a quantity of `asset` at its price, rounded down. */
export function inAsset(valuation: bigint, assetPrice: Price): bigint {
  return divFloor(valuation * pow10(PRICE_DECIMALS), assetPrice);
}

/** A quantity of `asset` in the valuation asset, rounded down. */
export function inValuation(quantity: bigint, assetPrice: Price): bigint {
  return divFloor(quantity * assetPrice, pow10(PRICE_DECIMALS));
}

/** `contracts` as a float count of contracts (risk maths only). */
export const contractsOf = (units: bigint | Size): number => Number(units) / 10 ** SIZE_DECIMALS;
