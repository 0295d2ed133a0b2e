/**
 * The crash test's command stream (R4): command `i` is a pure function of `i`, so the worker can
 * resume anywhere and the parent can regenerate any command from its id. Ids are `k<i>`.
 *
 *   [0, ACCOUNTS)              CreateAccount (every 5th account isolated)
 *   [ACCOUNTS, 2*ACCOUNTS)     Deposit USDT
 *   [2*ACCOUNTS, 3*ACCOUNTS)   Deposit BTC
 *   3*ACCOUNTS                 first UpdatePrices
 *   then, by j = i - SETUP:    every 20th an UpdatePrices (a deterministic walk), every 250th a
 *                              SettleFunding, every 50th a small Deposit, otherwise an ApplyFill
 *                              between two different accounts in BTCUSDT (linear) or BTC-PERP
 *                              (inverse).
 * Every command of the stream is accepted by the engine (fills are facts; deposits are positive),
 * so the journal holds exactly the stream's prefix.
 */
import type { Command } from '../../../src/engine/commands.js';
import { parseAmount, parsePrice, parseRate, parseSize } from '../../../src/risk/units/quantities.js';

export const ACCOUNTS = 40;
export const SETUP = 3 * ACCOUNTS + 1;

export const idOf = (i: number): string => `k${i}`;

/** The stream index of a command id, or undefined for ids that are not the stream's. */
export function indexOf(commandId: string): number | undefined {
  if (!/^k\d+$/.test(commandId)) return undefined;
  return Number(commandId.slice(1));
}

/** A 32-bit integer hash (splitmix-like finaliser): the stream's only source of variety. */
export function mix(n: number): number {
  let x = (n + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export const accountName = (k: number): string => `a${String(k).padStart(3, '0')}`;

/** A deterministic price walk around 50,000 in whole dollars (on every tick grid). */
function priceAt(j: number): number {
  const step = Math.floor(j / 20);
  return 50_000 + ((mix(step) % 2_001) - 1_000);
}

export function commandAt(i: number): Command {
  const id = idOf(i);
  if (i < ACCOUNTS) return { type: 'CreateAccount', id, accountId: accountName(i), mode: i % 5 === 4 ? 'isolated' : 'cross' };
  if (i < 2 * ACCOUNTS) return { type: 'Deposit', id, accountId: accountName(i - ACCOUNTS), asset: 'USDT', amount: parseAmount('1000000') };
  if (i < 3 * ACCOUNTS) return { type: 'Deposit', id, accountId: accountName(i - 2 * ACCOUNTS), asset: 'BTC', amount: parseAmount('20') };
  const j = i - 3 * ACCOUNTS;
  const h = mix(i);
  if (j % 20 === 0) {
    const p = String(priceAt(j));
    return {
      type: 'UpdatePrices',
      id,
      prices: { BTC: parsePrice(p), USDT: parsePrice('1') },
      marks: { BTCUSDT: parsePrice(p), 'BTC-PERP': parsePrice(p) },
    };
  }
  if (j % 250 === 5) return { type: 'SettleFunding', id, instrument: 'BTCUSDT', rate: parseRate(h % 2 === 0 ? '0.0001' : '-0.0001') };
  if (j % 50 === 7) return { type: 'Deposit', id, accountId: accountName(h % ACCOUNTS), asset: 'USDT', amount: parseAmount(String(1 + (h % 1_000))) };
  const buyer = h % ACCOUNTS;
  const seller = (buyer + 1 + ((h >>> 8) % (ACCOUNTS - 1))) % ACCOUNTS;
  const linear = ((h >>> 16) & 1) === 0;
  const price = priceAt(j) + (((h >>> 17) % 21) - 10);
  return {
    type: 'ApplyFill',
    id,
    instrument: linear ? 'BTCUSDT' : 'BTC-PERP',
    price: parsePrice(String(price)),
    size: linear ? parseSize(`0.${String(1 + ((h >>> 20) % 50)).padStart(3, '0')}`) : parseSize(String(1 + ((h >>> 20) % 5))),
    buyer: { accountId: accountName(buyer) },
    seller: { accountId: accountName(seller) },
    aggressor: ((h >>> 24) & 1) === 0 ? 'buy' : 'sell',
  };
}
