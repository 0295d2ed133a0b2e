/**
 * A deterministic workload for the engine-on-a-store suite: a seeded LCG draws a few hundred
 * commands (accounts, deposits, price ticks, fills in three instruments, funding, orders,
 * withdrawals, transfers, redelivered commands, an expiry settlement), in groups that the engine
 * group-commits, each group at its own time on a manual clock. Same seed, same commands, same
 * journal, same state hash, whatever the store.
 */
import type { Command } from '../../src/engine/commands.js';
import { ManualClock } from '../../src/engine/clock.js';
import type { CommandResult, Engine } from '../../src/engine/shell.js';
import { parseAmount, parsePrice, parseRate, parseSize } from '../../src/risk/units/quantities.js';
import { EXPIRY_MS } from '../engine/fixtures.js';

export const START_MS = 1_700_000_000_000;

/** Numerical Recipes' 32-bit LCG: tiny, portable, and enough to shuffle a workload. */
export class Lcg {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor((this.next() / 2 ** 32) * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
}

export interface Step {
  readonly atMs: number;
  readonly commands: readonly Command[];
}

const ACCOUNTS = ['a00', 'a01', 'a02', 'a03', 'a04', 'a05', 'a06', 'a07', 'a08'] as const;
const SUB = 'a00-sub';

/** The commands of one seeded run, in submission groups. */
export function scenario(seed: number, count = 300): Step[] {
  const rng = new Lcg(seed);
  let n = 0;
  const id = () => `s${seed}-${++n}`;
  let btc = 50_000;
  let now = START_MS;
  const marks = () => ({ BTCUSDT: parsePrice(String(btc)), 'BTC-PERP': parsePrice(String(btc)), 'BTCUSDT-FUT': parsePrice(String(btc + 25)) });
  const priceUpdate = (): Command => ({ type: 'UpdatePrices', id: id(), prices: { BTC: parsePrice(String(btc)), USDT: parsePrice('1') }, marks: marks() });
  const steps: Step[] = [];
  const sent: Command[] = [];
  const push = (commands: Command[]) => {
    now += rng.int(1, 60) * 1_000;
    steps.push({ atMs: now, commands });
    sent.push(...commands);
  };

  // Opening: accounts (one isolated, one subaccount), collateral, first prices.
  push([
    ...ACCOUNTS.map((a, i): Command => ({ type: 'CreateAccount', id: id(), accountId: a, mode: i === 3 ? 'isolated' : 'cross' })),
    { type: 'CreateAccount', id: id(), accountId: SUB, mode: 'cross', parentId: 'a00' },
  ]);
  push([
    ...ACCOUNTS.map((a): Command => ({ type: 'Deposit', id: id(), accountId: a, asset: 'USDT', amount: parseAmount(String(rng.int(20, 200) * 1_000)) })),
    ...ACCOUNTS.slice(0, 5).map((a): Command => ({ type: 'Deposit', id: id(), accountId: a, asset: 'BTC', amount: parseAmount(`${rng.int(1, 40)}.${rng.int(0, 99)}`) })),
    priceUpdate(),
  ]);

  const draw = (): Command => {
    const roll = rng.int(0, 99);
    const a = rng.pick(ACCOUNTS);
    if (roll < 22) {
      btc = Math.max(1_000, btc + rng.int(-900, 900));
      return priceUpdate();
    }
    if (roll < 52) {
      const buyer = rng.pick(ACCOUNTS);
      const seller = ACCOUNTS[(ACCOUNTS.indexOf(buyer) + rng.int(1, ACCOUNTS.length - 1)) % ACCOUNTS.length] as string;
      const instrument = rng.pick(['BTCUSDT', 'BTCUSDT', 'BTC-PERP', 'BTCUSDT-FUT'] as const);
      const fillSize =
        instrument === 'BTCUSDT' ? `0.${String(rng.int(1, 400)).padStart(3, '0')}` : instrument === 'BTC-PERP' ? String(rng.int(1, 80)) : String(rng.int(1, 300));
      const fillPrice = String(btc + rng.int(-40, 40));
      return {
        type: 'ApplyFill',
        id: id(),
        instrument,
        price: parsePrice(fillPrice),
        size: parseSize(fillSize),
        buyer: { accountId: buyer },
        seller: { accountId: seller },
        aggressor: rng.chance(0.5) ? 'buy' : 'sell',
      };
    }
    if (roll < 58) {
      // Rates up to the BTCUSDT cap (0.3%): an isolated margin drained by funding pays the rest
      // from the wallet, never going below zero.
      const instrument = rng.pick(['BTCUSDT', 'BTC-PERP'] as const);
      const r = rng.int(-30, 30);
      return { type: 'SettleFunding', id: id(), instrument, rate: parseRate((r / 10_000).toFixed(4)) };
    }
    if (roll < 72) {
      const asset = rng.chance(0.7) ? 'USDT' : 'BTC';
      return { type: 'Deposit', id: id(), accountId: a, asset, amount: parseAmount(asset === 'USDT' ? String(rng.int(1, 50) * 100) : `0.${rng.int(1, 99)}`) };
    }
    if (roll < 84) {
      const asset = rng.chance(0.7) ? 'USDT' : 'BTC';
      return { type: 'Withdraw', id: id(), accountId: a, asset, amount: parseAmount(asset === 'USDT' ? String(rng.int(1, 400) * 100) : `0.${rng.int(1, 99)}`) };
    }
    if (roll < 88) {
      const [from, to] = rng.chance(0.5) ? ['a00', SUB] : [SUB, 'a00'];
      return { type: 'Transfer', id: id(), fromAccountId: from, toAccountId: to, asset: 'USDT', amount: parseAmount(String(rng.int(1, 30) * 100)) };
    }
    if (roll < 93) {
      return {
        type: 'PlaceOrder',
        id: id(),
        accountId: a,
        orderId: `o${rng.int(1, 6)}`,
        instrument: 'BTCUSDT',
        side: rng.chance(0.5) ? 'buy' : 'sell',
        size: parseSize(`0.${String(rng.int(1, 200)).padStart(3, '0')}`),
        price: parsePrice(String(btc + rng.int(-500, 500))),
      };
    }
    if (roll < 96) return { type: 'CancelOrder', id: id(), accountId: a, orderId: `o${rng.int(1, 6)}` };
    if (roll < 98) return { type: 'SetLeverage', id: id(), accountId: a, instrument: 'BTCUSDT', leverage: rng.int(1, 50) };
    // Redelivery of an earlier command (R7): same id, same content.
    return rng.pick(sent);
  };

  let drawn = sent.length;
  while (drawn < count - 2) {
    const size = Math.min(rng.chance(0.3) ? rng.int(5, 25) : rng.int(1, 4), count - 2 - drawn);
    push(Array.from({ length: size }, draw));
    drawn += size;
  }
  // The dated future expires: settle it, then one more fill in it is refused (instrument_settled).
  now = Math.max(now, EXPIRY_MS);
  push([{ type: 'SettleExpiry', id: id(), instrument: 'BTCUSDT-FUT', price: parsePrice(String(btc)) }]);
  push([
    { type: 'ApplyFill', id: id(), instrument: 'BTCUSDT-FUT', price: parsePrice(String(btc)), size: parseSize('1'), buyer: { accountId: 'a01' }, seller: { accountId: 'a02' }, aggressor: 'buy' },
  ]);
  return steps;
}

export interface RunSummary {
  readonly results: readonly CommandResult[];
  readonly accepted: number;
  readonly duplicates: number;
  readonly acceptedTypes: ReadonlySet<string>;
}

/** Submit every step's commands together (one group commit each), at the step's time. */
export async function run(engine: Engine, clock: ManualClock, steps: readonly Step[]): Promise<RunSummary> {
  const results: CommandResult[] = [];
  const acceptedTypes = new Set<string>();
  for (const step of steps) {
    clock.set(Math.max(step.atMs, clock.nowMs()));
    const out = await Promise.all(step.commands.map((c) => engine.submit(c)));
    out.forEach((r, i) => {
      if (r.ok && !r.duplicate) acceptedTypes.add((step.commands[i] as Command).type);
    });
    results.push(...out);
  }
  return {
    results,
    accepted: results.filter((r) => r.ok && !r.duplicate).length,
    duplicates: results.filter((r) => r.ok && r.duplicate).length,
    acceptedTypes,
  };
}
