/**
 * The benchmark workload: a deterministic command stream (command i is a pure function of i) over
 * `accounts` accounts. Setup: CreateAccount for each, a USDT deposit for each, one UpdatePrices.
 * Then the steady mix: every 20th command an UpdatePrices, every 50th a small Deposit, the rest
 * ApplyFill between two different accounts in BTCUSDT (linear) or BTC-PERP (inverse, settled in
 * BTC, funded by a BTC deposit at setup). Every command is accepted.
 */
import type { Command } from '../src/engine/commands.js';
import { parseAmount, parsePrice, parseSize } from '../src/risk/units/quantities.js';

export { VENUE } from '../test/engine/fixtures.js';

/** A 32-bit integer hash (splitmix-like finaliser). */
function mix(n: number): number {
  let x = (n + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const priceAt = (j: number): number => 50_000 + ((mix(Math.floor(j / 20)) % 2_001) - 1_000);

export interface Workload {
  readonly accounts: number;
  /** Commands before the steady mix starts. */
  readonly setup: number;
  commandAt(i: number): Command;
  /**
   * The fill that command i would be if it were a fill, whatever i is (ids `f<i>`, their own
   * namespace): positions for large states without the price updates, each of which re-margins
   * every account holding the instrument.
   */
  fillAt(i: number): Command;
}

export function workload(accounts: number): Workload {
  if (accounts < 2) throw new Error('the workload needs at least 2 accounts');
  const name = (k: number) => `a${k}`;
  const usdt = parseAmount('1000000');
  const btc = parseAmount('20');
  const setup = 3 * accounts + 1;
  const fill = (id: string, i: number): Command => {
    const j = i - 3 * accounts;
    const h = mix(i);
    const buyer = h % accounts;
    const seller = (buyer + 1 + ((h >>> 8) % (accounts - 1))) % accounts;
    const linear = ((h >>> 16) & 1) === 0;
    return {
      type: 'ApplyFill',
      id,
      instrument: linear ? 'BTCUSDT' : 'BTC-PERP',
      price: parsePrice(String(priceAt(j) + (((h >>> 17) % 21) - 10))),
      size: linear ? parseSize(`0.${String(1 + ((h >>> 20) % 50)).padStart(3, '0')}`) : parseSize(String(1 + ((h >>> 20) % 5))),
      buyer: { accountId: name(buyer) },
      seller: { accountId: name(seller) },
      aggressor: ((h >>> 24) & 1) === 0 ? 'buy' : 'sell',
    };
  };
  return {
    accounts,
    setup,
    commandAt(i: number): Command {
      const id = `b${i}`;
      if (i < accounts) return { type: 'CreateAccount', id, accountId: name(i), mode: 'cross' };
      if (i < 2 * accounts) return { type: 'Deposit', id, accountId: name(i - accounts), asset: 'USDT', amount: usdt };
      if (i < 3 * accounts) return { type: 'Deposit', id, accountId: name(i - 2 * accounts), asset: 'BTC', amount: btc };
      const j = i - 3 * accounts;
      const h = mix(i);
      if (j % 20 === 0) {
        const p = parsePrice(String(priceAt(j)));
        return { type: 'UpdatePrices', id, prices: { BTC: p, USDT: parsePrice('1') }, marks: { BTCUSDT: p, 'BTC-PERP': p } };
      }
      if (j % 50 === 7) return { type: 'Deposit', id, accountId: name(h % accounts), asset: 'USDT', amount: parseAmount(String(1 + (h % 1_000))) };
      return fill(id, i);
    },
    fillAt: (i: number) => fill(`f${i}`, i),
  };
}
