/**
 * The engine state seen through the risk core's eyes: an `AccountState` as a risk `Account`
 * (resting orders aggregated per instrument, reduce-only orders excluded since they cannot raise
 * the requirement), and the market with open interest in notional terms.
 */
import { marginOf, type AccountMargin } from '../risk/account/account.js';
import type { Account, Market, OpenOrders, Position, RiskParams } from '../risk/account/types.js';
import { size, toNumber, type Size } from '../risk/units/quantities.js';
import type { AccountState, EngineState, MarketState } from './state.js';

export function riskAccountOf(account: AccountState): Account {
  const orders = new Map<string, { buy: bigint; sell: bigint }>();
  for (const order of account.orders.values()) {
    if (order.reduceOnly) continue;
    const entry = orders.get(order.instrument) ?? { buy: 0n, sell: 0n };
    entry[order.side] += order.size;
    orders.set(order.instrument, entry);
  }
  const instruments = new Set<string>([...account.positions.keys(), ...orders.keys()]);
  const positions: Position[] = [...instruments].sort().map((instrument) => {
    const held = account.positions.get(instrument);
    const resting = orders.get(instrument);
    const leverage = account.leverage.get(instrument);
    const openOrders: OpenOrders | undefined = resting === undefined ? undefined : { buy: size(resting.buy), sell: size(resting.sell) };
    return {
      instrument,
      size: held?.size ?? size(0n),
      entryValue: held?.entryValue ?? (0n as Position['entryValue']),
      ...(leverage === undefined ? {} : { leverage }),
      ...(account.mode === 'isolated' ? { isolatedMargin: held?.isolatedMargin ?? (0n as Position['entryValue']) } : {}),
      ...(openOrders === undefined ? {} : { openOrders }),
    };
  });
  return { id: account.id, mode: account.mode, balances: account.balances, positions };
}

export function riskMarketOf(market: MarketState, openInterest: ReadonlyMap<string, Size>, params: RiskParams): Market {
  const notional = new Map<string, number>();
  for (const [symbol, longSize] of openInterest) {
    const instrument = params.instruments.get(symbol);
    const mark = market.marks.get(symbol);
    if (instrument === undefined || mark === undefined) continue;
    const contracts = toNumber(longSize, 'Size') * toNumber(instrument.contractSize, 'Size');
    notional.set(symbol, instrument.settlement === 'linear' ? contracts * toNumber(mark, 'Price') : contracts);
  }
  return { prices: market.prices, marks: market.marks, laggedPrices: market.laggedPrices, openInterest: notional };
}

/** Margin figures of one account in the current state, or of a hypothetical version of it. */
export function accountMarginOf(state: EngineState, account: AccountState | Account): AccountMargin {
  const params = state.params;
  if (params === undefined) throw new Error('Invariant: engine initialised before risk is computed');
  const riskAccount = 'orders' in account ? riskAccountOf(account) : account;
  return marginOf(riskAccount, riskMarketOf(state.market, state.openInterest, params.risk), params.risk);
}
