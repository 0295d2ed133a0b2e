/**
 * Prices, funding and expiry settlement, and parameter changes. Funding and settlement are
 * zero-sum: every payment is rounded down, and the rounding account takes what is left (R28).
 */
import { loadVenueParams } from '../../config/load.js';
import { DocumentError } from '../../config/issues.js';
import { fundingPaymentOf } from '../../risk/funding/funding.js';
import { positionCashOf, settlementValueOf } from '../../risk/account/trade.js';
import { settlementAssetOf } from '../../risk/instruments/types.js';
import { amount, RATE_ONE, type Price } from '../../risk/units/quantities.js';
import type { Command, MarketStatus } from '../commands.js';
import type { EngineEvent, Payment } from '../events.js';
import type { EngineState } from '../state.js';
import { checkPrice, instrumentIn, isRejection, paramsOf } from './context.js';
import { accept, reject, type Decision, type Stamp } from './result.js';

type Of<T extends Command['type']> = Extract<Command, { type: T }>;

const MARKET_STATUSES: readonly MarketStatus[] = ['ok', 'degraded', 'stale', 'halted'];

export function decideUpdatePrices(state: EngineState, c: Of<'UpdatePrices'>): Decision {
  const params = paramsOf(state);
  if (isRejection(params)) return params;
  const sorted = (record: Readonly<Record<string, Price>> | undefined): Record<string, Price> =>
    Object.fromEntries(Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  const prices = sorted(c.prices);
  const marks = sorted(c.marks);
  const laggedPrices = sorted(c.laggedPrices);
  const knownAsset = (s: string) => params.risk.assets.has(s) || s === params.risk.valuationAsset || isUnderlying(state, s);
  for (const symbol of Object.keys(prices)) {
    if (!knownAsset(symbol)) return reject('price_symbol_unknown', `no asset or underlying ${symbol}`);
  }
  for (const symbol of Object.keys(marks)) {
    if (!params.risk.instruments.has(symbol)) return reject('price_symbol_unknown', `no instrument ${symbol}`);
  }
  for (const symbol of Object.keys(laggedPrices)) {
    if (!knownAsset(symbol) && !params.risk.instruments.has(symbol)) return reject('price_symbol_unknown', `no asset or instrument ${symbol}`);
  }
  for (const p of [...Object.values(prices), ...Object.values(marks), ...Object.values(laggedPrices)]) {
    const bad = checkPrice(p);
    if (bad) return bad;
  }
  const statuses = Object.fromEntries(Object.entries(c.statuses ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (c.asOfMs !== undefined) {
    if (!Number.isSafeInteger(c.asOfMs) || c.asOfMs < 0) return reject('prices_out_of_order', 'asOfMs must be a time in ms');
    for (const symbol of [...Object.keys(prices), ...Object.keys(marks), ...Object.keys(laggedPrices), ...Object.keys(statuses)]) {
      const newest = state.market.asOfMs.get(symbol);
      if (newest !== undefined && newest > c.asOfMs) return reject('prices_out_of_order', `${symbol} has a newer price (as of ${newest})`);
    }
  }
  for (const [symbol, status] of Object.entries(statuses)) {
    if (!knownAsset(symbol) && !params.risk.instruments.has(symbol)) return reject('price_symbol_unknown', `no asset or instrument ${symbol}`);
    if (!MARKET_STATUSES.includes(status)) return reject('market_status_unknown', `status ${String(status)} is not one of ${MARKET_STATUSES.join(', ')}`);
  }
  return accept({
    type: 'PricesUpdated',
    prices,
    marks,
    laggedPrices,
    ...(Object.keys(statuses).length > 0 ? { statuses } : {}),
    ...(c.asOfMs === undefined ? {} : { asOfMs: c.asOfMs }),
  });
}

function isUnderlying(state: EngineState, symbol: string): boolean {
  for (const instrument of state.params?.risk.instruments.values() ?? []) if (instrument.underlying === symbol) return true;
  return false;
}

/** Accounts holding the instrument, in id order (determinism: STYLE.md habit 9). */
function holders(state: EngineState, symbol: string) {
  return [...state.accounts.values()]
    .filter((a) => (a.positions.get(symbol)?.size ?? 0n) !== 0n)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function decideSettleFunding(state: EngineState, c: Of<'SettleFunding'>): Decision {
  const instrument = instrumentIn(state, c.instrument);
  if (isRejection(instrument)) return instrument;
  if (instrument.kind !== 'perpetual') return reject('funding_instrument_not_perpetual', `${c.instrument} is not a perpetual`);
  if (c.rate > RATE_ONE || c.rate < -RATE_ONE) return reject('funding_rate_exceeds_cap', 'a funding rate is at most 100% per interval');
  const cap = instrument.funding?.cap;
  if (cap !== undefined && (c.rate > cap || c.rate < -cap)) return reject('funding_rate_exceeds_cap', `|rate| must be <= ${cap} rate units`);
  if (c.intervalEndMs !== undefined) {
    const settledTo = state.market.fundingSettledToMs.get(c.instrument);
    if (!Number.isSafeInteger(c.intervalEndMs) || c.intervalEndMs < 0) return reject('funding_interval_settled', 'intervalEndMs must be a time in ms');
    if (settledTo !== undefined && settledTo >= c.intervalEndMs) {
      return reject('funding_interval_settled', `${c.instrument} is settled to ${settledTo}`);
    }
  }
  const mark = state.market.marks.get(c.instrument);
  if (mark === undefined) return reject('mark_price_missing', `no mark for ${c.instrument}`);
  const payments: Payment[] = holders(state, c.instrument).map((account) => ({
    accountId: account.id,
    amount: fundingPaymentOf(instrument, account.positions.get(c.instrument)?.size ?? (0n as never), mark, c.rate),
  }));
  const total = payments.reduce((t, p) => t + p.amount, 0n);
  return accept({
    type: 'FundingSettled',
    instrument: c.instrument,
    asset: settlementAssetOf(instrument),
    rate: c.rate,
    mark,
    payments,
    rounding: amount(-total),
    ...(c.intervalEndMs === undefined ? {} : { intervalEndMs: c.intervalEndMs }),
  });
}

export function decideSettleExpiry(state: EngineState, c: Of<'SettleExpiry'>, stamp: Stamp): Decision {
  const instrument = instrumentIn(state, c.instrument);
  if (isRejection(instrument)) return instrument;
  if (instrument.kind !== 'future') return reject('expiry_instrument_not_future', `${c.instrument} does not expire`);
  if (state.settled.has(c.instrument)) return reject('instrument_settled', `${c.instrument} is already settled`);
  if (stamp.timestampMs < instrument.expiryMs) return reject('expiry_not_reached', `${c.instrument} expires at ${instrument.expiryMs}`);
  const badPrice = checkPrice(c.price);
  if (badPrice) return badPrice;
  // Each holder receives value - entry value (linear) or entry value - value (inverse); the
  // position's cash (what its fills moved) leaves with it, so cash moves by +/- value alone.
  let cashTotal = 0n;
  const payments: Payment[] = holders(state, c.instrument).map((account) => {
    const position = account.positions.get(c.instrument);
    const contracts = position?.size ?? (0n as never);
    const entryValue = position?.entryValue ?? amount(0n);
    const value = settlementValueOf(instrument, contracts, c.price);
    const pnl = instrument.settlement === 'linear' ? value - entryValue : entryValue - value;
    cashTotal += pnl - positionCashOf(instrument.settlement, entryValue);
    return { accountId: account.id, amount: amount(pnl) };
  });
  return accept({
    type: 'ExpirySettled',
    instrument: c.instrument,
    asset: settlementAssetOf(instrument),
    price: c.price,
    payments,
    rounding: amount(-cashTotal),
  });
}

export function decideChangeParams(state: EngineState, c: Of<'ChangeParams'>, stamp: Stamp): Decision {
  const params = paramsOf(state);
  if (isRejection(params)) return params;
  if (!Number.isSafeInteger(c.effectiveMs) || c.effectiveMs < 0) return reject('params_effective_time_invalid', 'effectiveMs must be a time in ms');
  let risk;
  try {
    risk = loadVenueParams(c.document);
  } catch (error) {
    if (error instanceof DocumentError) return reject('params_invalid', error.message);
    throw error;
  }
  for (const account of state.accounts.values()) {
    for (const symbol of account.positions.keys()) {
      if (!risk.instruments.has(symbol)) return reject('params_remove_in_use', `instrument ${symbol} has open positions`);
    }
    for (const asset of account.balances.keys()) {
      if (!risk.assets.has(asset)) return reject('params_remove_in_use', `asset ${asset} is held by ${account.id}`);
    }
  }
  const version = params.version + params.pending.length + 1;
  const events: EngineEvent[] = [{ type: 'ParamsChanged', version, effectiveMs: c.effectiveMs, document: c.document }];
  if (c.effectiveMs <= stamp.timestampMs && params.pending.length === 0) events.push({ type: 'ParamsActivated', version });
  return accept(...events);
}

/** Changes whose effective time has come, activated before the next command is decided. */
export function activationsDue(state: EngineState, stamp: Stamp): EngineEvent[] {
  const due: EngineEvent[] = [];
  for (const change of state.params?.pending ?? []) {
    if (change.effectiveMs > stamp.timestampMs) break;
    due.push({ type: 'ParamsActivated', version: change.version });
  }
  return due;
}
