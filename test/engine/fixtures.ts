/** Venue parameters and command builders for engine tests, built through the production loaders. */
import { parseAmount, parsePrice, parseRate, parseSize } from '../../src/risk/units/quantities.js';
import type { Command } from '../../src/engine/commands.js';

export const EXPIRY_MS = Date.parse('2027-03-26T08:00:00Z');

export const VENUE = {
  version: 1,
  valuationAsset: 'USD',
  assets: {
    USDT: { kind: 'preset', preset: 'stablecoin' },
    BTC: { kind: 'preset', preset: 'bybit-btc-tiered' },
  },
  instruments: {
    BTCUSDT: {
      kind: 'perpetual',
      underlying: 'BTC',
      quoteAsset: 'USDT',
      settlement: 'linear',
      contractSize: '1',
      tick: '0.1',
      lot: '0.001',
      margin: { model: 'preset', preset: 'binance-btcusdt' },
      fees: { maker: '0.0002', taker: '0.0005' },
      funding: { interestRate: '0.0001', clamp: '0.0005', cap: '0.003', intervalHours: '8' },
    },
    'BTC-PERP': {
      kind: 'perpetual',
      underlying: 'BTC',
      quoteAsset: 'USD',
      settlement: 'inverse',
      contractSize: '10',
      tick: '0.5',
      lot: '1',
      margin: { model: 'preset', preset: 'deribit-btc-linear' },
      fees: { maker: '-0.0001', taker: '0.0005' },
    },
    'BTCUSDT-FUT': {
      kind: 'future',
      underlying: 'BTC',
      quoteAsset: 'USDT',
      settlement: 'linear',
      contractSize: '0.001',
      tick: '0.1',
      lot: '1',
      expiry: '2027-03-26T08:00:00Z',
      margin: { model: 'preset', preset: 'binance-btcusdt' },
    },
  },
} as const;

let counter = 0;
const nextId = () => `c${++counter}`;

export const cmd = {
  create: (accountId: string, mode: 'cross' | 'isolated' = 'cross', parentId?: string): Command => ({
    type: 'CreateAccount',
    id: nextId(),
    accountId,
    mode,
    ...(parentId === undefined ? {} : { parentId }),
  }),
  deposit: (accountId: string, asset: string, amount: string): Command => ({ type: 'Deposit', id: nextId(), accountId, asset, amount: parseAmount(amount) }),
  withdraw: (accountId: string, asset: string, amount: string): Command => ({ type: 'Withdraw', id: nextId(), accountId, asset, amount: parseAmount(amount) }),
  prices: (prices: Record<string, string>, marks: Record<string, string>): Command => ({
    type: 'UpdatePrices',
    id: nextId(),
    prices: Object.fromEntries(Object.entries(prices).map(([k, v]) => [k, parsePrice(v)])),
    marks: Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, parsePrice(v)])),
  }),
  fill: (instrument: string, buyer: string, seller: string, size: string, price: string, aggressor: 'buy' | 'sell' = 'buy'): Command => ({
    type: 'ApplyFill',
    id: nextId(),
    instrument,
    price: parsePrice(price),
    size: parseSize(size),
    buyer: { accountId: buyer },
    seller: { accountId: seller },
    aggressor,
  }),
  funding: (instrument: string, rate: string): Command => ({ type: 'SettleFunding', id: nextId(), instrument, rate: parseRate(rate) }),
};
