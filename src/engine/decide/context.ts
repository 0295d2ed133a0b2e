/** Lookups shared by the decide functions; each returns a value or a rejection. */
import type { Account } from '../../risk/account/types.js';
import type { LinearInstrument } from '../../risk/instruments/types.js';
import { InputError } from '../../risk/errors.js';
import { amount, type Amount, type Price, type Size } from '../../risk/units/quantities.js';
import { accountMarginOf, riskAccountOf } from '../riskView.js';
import type { AccountState, EngineState, ParamsState } from '../state.js';
import { reject, type Rejection } from './result.js';

/** Ids (commands, accounts, orders): printable ASCII without spaces, which every store keeps byte for byte. */
export const ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

export function paramsOf(state: EngineState): ParamsState | Rejection {
  return state.params ?? reject('engine_not_initialised', 'the engine has no parameters yet');
}

export function accountIn(state: EngineState, accountId: string): AccountState | Rejection {
  return state.accounts.get(accountId) ?? reject('account_unknown', `no account ${accountId}`);
}

export function instrumentIn(state: EngineState, symbol: string): LinearInstrument | Rejection {
  const instrument = state.params?.risk.instruments.get(symbol);
  return instrument ?? reject('instrument_unknown', `no instrument ${symbol}`);
}

export function assetKnown(state: EngineState, asset: string): Rejection | undefined {
  return state.params?.risk.assets.has(asset) ? undefined : reject('asset_unknown', `no collateral parameters for ${asset}`);
}

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

/**
 * Bounds on every number a command carries (STYLE.md habit 10): 10^15 of an asset, a price or a
 * size is beyond any market, and keeps every float view of them finite.
 */
export const VALUE_MAX = 10n ** 23n;

export function checkAmount(amount: bigint, what: string): Rejection | undefined {
  if (amount <= 0n) return reject('amount_not_positive', `${what} must be > 0`);
  if (amount > VALUE_MAX) return reject('amount_too_large', `${what} must be at most 10^15`);
  return undefined;
}

export function checkPrice(price: Price): Rejection | undefined {
  if (price <= 0n) return reject('price_not_positive', 'a price must be > 0');
  if (price > VALUE_MAX) return reject('price_too_large', 'a price must be at most 10^15');
  return undefined;
}

export function checkSizeOnLot(instrument: LinearInstrument, size: Size): Rejection | undefined {
  if (size <= 0n) return reject('size_not_positive', 'size must be > 0');
  if (size > VALUE_MAX) return reject('size_too_large', 'a size must be at most 10^15 contracts');
  if (size % instrument.lot !== 0n) return reject('size_not_multiple_of_lot', `size must be a multiple of the lot of ${instrument.symbol}`);
  return undefined;
}

export function checkPriceOnTick(instrument: LinearInstrument, price: Price): Rejection | undefined {
  const bad = checkPrice(price);
  if (bad) return bad;
  if (price % instrument.tick !== 0n) return reject('price_not_multiple_of_tick', `price must be a multiple of the tick of ${instrument.symbol}`);
  return undefined;
}

/** The risk account with some balances changed, for "what if" checks. */
export function withBalanceChange(account: AccountState, asset: string, delta: bigint): Account {
  const view = riskAccountOf(account);
  const balances = new Map<string, Amount>(view.balances);
  balances.set(asset, amount((balances.get(asset) ?? 0n) + delta));
  return { ...view, balances };
}

/**
 * Whether taking `delta` (< 0) of `asset` out of the account's wallet keeps its IM covered. An
 * account without positions or liabilities needs only a non-negative balance.
 */
export function checkStillCovered(state: EngineState, account: AccountState, asset: string, delta: bigint): Rejection | undefined {
  const stale = staleDependency(state, account);
  if (stale) return stale;
  try {
    const after = accountMarginOf(state, withBalanceChange(account, asset, delta));
    const crossIm = after.pools[0]?.initialMargin ?? 0n;
    const crossCollateral = after.pools[0]?.collateralInitial ?? 0n;
    if (crossCollateral < crossIm) {
      return reject('withdrawal_exceeds_free_collateral', `taking ${-delta} units of ${asset} would leave IM uncovered`);
    }
    return undefined;
  } catch (error) {
    return riskError(error);
  }
}

/**
 * Whether the account's valuation rests on a price the oracle calls stale or halted: then no
 * collateral may leave it (R9). Only the symbols the account holds count.
 */
function staleDependency(state: EngineState, account: AccountState): Rejection | undefined {
  if (state.market.statuses.size === 0) return undefined;
  const symbols = new Set<string>(account.balances.keys());
  for (const symbol of account.positions.keys()) {
    symbols.add(symbol);
    const instrument = state.params?.risk.instruments.get(symbol);
    if (instrument !== undefined) symbols.add(instrument.underlying).add(instrument.quoteAsset);
  }
  for (const symbol of [...symbols].sort()) {
    const status = state.market.statuses.get(symbol);
    if (status === 'stale' || status === 'halted') return reject('oracle_price_stale', `the account depends on ${symbol}, whose price is ${status}`);
  }
  return undefined;
}

/** A missing price or mark surfaces from the risk core as an InputError: reject with its code. */
export function riskError(error: unknown): Rejection {
  if (error instanceof InputError && (error.code === 'price_missing' || error.code === 'mark_price_missing')) {
    return reject(error.code, error.message);
  }
  throw error;
}
