/**
 * The kernel's pre-trade check answers as the engine's (src/engine/pretrade.ts `checkOrder`), code
 * for code, on random books and random orders: on and off the lot and tick grids, reduce-only,
 * orders that lower the requirement, unhealthy accounts, halted and stale markets, new instruments
 * (cross and isolated), and orders sized to land exactly on the IM boundary. Since the engine's
 * check is the reference, an order the kernel accepts satisfies IM on a full recomputation (R23).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { OrderState } from '../../src/engine/events.js';
import { checkOrder as engineCheck, maxOrderSize } from '../../src/engine/pretrade.js';
import { riskAccountOf, riskMarketOf } from '../../src/engine/riskView.js';
import { emptyState, type AccountState, type EngineState } from '../../src/engine/state.js';
import { checkOrder, RiskBook } from '../../src/kernel/index.js';
import type { Account } from '../../src/risk/account/types.js';
import { price, size, type Price, type Size } from '../../src/risk/units/quantities.js';
import { bookCase, INSTRUMENTS, SYMBOLS, type BookCase, type InstrumentSymbol } from './books.js';

/** The engine's account state holding the same positions, resting orders and leverage. */
function accountState(account: Account, marks: ReadonlyMap<string, Price>): AccountState {
  const state: AccountState = { id: account.id, mode: account.mode === 'isolated' ? 'isolated' : 'cross', balances: new Map(account.balances), positions: new Map(), orders: new Map(), leverage: new Map() };
  for (const p of account.positions) {
    if (p.size !== 0n) {
      state.positions.set(p.instrument, { instrument: p.instrument, size: p.size, entryValue: p.entryValue, ...(p.isolatedMargin === undefined ? {} : { isolatedMargin: p.isolatedMargin }) });
    }
    if (p.leverage !== undefined) state.leverage.set(p.instrument, p.leverage);
    const mark = marks.get(p.instrument) ?? price(1n);
    for (const side of ['buy', 'sell'] as const) {
      const resting = p.openOrders?.[side] ?? 0n;
      if (resting === 0n) continue;
      const order: OrderState = { orderId: `${p.instrument}-${side}`, instrument: p.instrument, side, size: size(resting), price: mark, reduceOnly: false };
      state.orders.set(order.orderId, order);
    }
  }
  return state;
}

function engineStateOf(c: BookCase, statuses: ReadonlyMap<string, 'stale' | 'halted'>): EngineState {
  const state = emptyState();
  state.params = { version: 1, document: {}, risk: c.params, liquidation: undefined, pending: [] };
  for (const [k, v] of c.market.prices) state.market.prices.set(k, v);
  for (const [k, v] of c.market.marks) state.market.marks.set(k, v);
  for (const [k, v] of c.market.laggedPrices ?? []) state.market.laggedPrices.set(k, v);
  for (const [k, v] of statuses) state.market.statuses.set(k, v);
  for (const account of c.accounts) state.accounts.set(account.id, accountState(account, c.market.marks));
  return state;
}

interface OrderChoice {
  readonly account: number;
  readonly symbol: InstrumentSymbol;
  readonly side: 'buy' | 'sell';
  readonly lots: number;
  readonly offLot: boolean;
  readonly ticksAway: number;
  readonly offTick: boolean;
  readonly reduceOnly: boolean;
}

const orderChoice: fc.Arbitrary<OrderChoice> = fc.record({
  account: fc.nat(15),
  symbol: fc.constantFrom(...SYMBOLS),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  lots: fc.oneof(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: -2, max: 0 })),
  offLot: fc.constantFrom(false, false, false, true),
  ticksAway: fc.integer({ min: -50, max: 50 }),
  offTick: fc.constantFrom(false, false, false, true),
  reduceOnly: fc.constantFrom(false, false, false, true),
});

const units = (decimal: string): bigint => BigInt(Math.round(Number(decimal) * 1e8));

function orderOf(o: OrderChoice, c: BookCase): { symbol: InstrumentSymbol; accountId: string; side: 'buy' | 'sell'; size: Size; price: Price; reduceOnly: boolean } {
  const account = c.accounts[o.account % c.accounts.length] as Account;
  const [, , , , lot, tick] = INSTRUMENTS[o.symbol];
  const mark = c.market.marks.get(o.symbol) as Price;
  const tickUnits = units(tick);
  const onTick = (mark / tickUnits) * tickUnits + BigInt(o.ticksAway) * tickUnits;
  return {
    symbol: o.symbol,
    accountId: account.id,
    side: o.side,
    size: size(BigInt(o.lots) * units(lot) + (o.offLot && units(lot) > 1n ? 1n : 0n)),
    price: price((onTick > 0n ? onTick : tickUnits) + (o.offTick && tickUnits > 1n ? 1n : 0n)),
    reduceOnly: o.reduceOnly,
  };
}

describe('kernel pre-trade check', () => {
  it('answers as the engine does, code for code, on random books and orders', () => {
    let checked = 0;
    const codes = new Map<string, number>();
    fc.assert(
      fc.property(
        bookCase(16),
        fc.array(orderChoice, { minLength: 1, maxLength: 30 }),
        fc.subarray(['BTC', 'ETHUSDT', 'SOLUSDC', 'DYDXUSD'] as const, { maxLength: 2 }),
        fc.constantFrom('stale' as const, 'halted' as const),
        (c, orders, guarded, guard) => {
          const statuses = new Map(guarded.map((s) => [s, guard]));
          const state = engineStateOf(c, statuses);
          // The kernel holds the accounts as the engine's risk view shows them.
          const views = c.accounts.map((account) => riskAccountOf(state.accounts.get(account.id) as AccountState));
          const book = RiskBook.fromAccounts(c.params, riskMarketOf(state.market, state.openInterest, c.params), views);
          for (const [symbol, status] of statuses) book.setMarketStatus(symbol, status);
          for (const o of orders) {
            const order = orderOf(o, c);
            const expected = engineCheck(state, { accountId: order.accountId, instrument: order.symbol, side: order.side, size: order.size, price: order.price, reduceOnly: order.reduceOnly });
            const actual = checkOrder(book, {
              account: book.requireAccount(order.accountId),
              instrument: book.instruments.resolve(order.symbol),
              side: order.side,
              size: order.size,
              price: order.price,
              reduceOnly: order.reduceOnly,
            });
            const code = expected.ok ? 'ok' : expected.code;
            assert.equal(actual.ok ? 'ok' : actual.code, code, `${order.accountId} ${order.side} ${order.size} ${order.symbol} @ ${order.price}`);
            codes.set(code, (codes.get(code) ?? 0) + 1);
            checked++;
          }
        },
      ),
      { seed: 99, numRuns: 200 },
    );
    assert.ok(checked > 1_000, `${checked} orders`);
    for (const code of ['ok', 'initial_margin_insufficient', 'account_reduce_only', 'reduce_only_would_increase', 'size_not_positive', 'price_not_multiple_of_tick']) {
      assert.ok((codes.get(code) ?? 0) > 0, `orders reach ${code} (${[...codes].map(([k, v]) => `${k} ${v}`).join(', ')})`);
    }
  });

  it('agrees at the IM boundary: the largest accepted size and one lot more', () => {
    let boundaries = 0;
    fc.assert(
      fc.property(bookCase(6), fc.constantFrom(...SYMBOLS), fc.constantFrom('buy' as const, 'sell' as const), (c, symbol, side) => {
        const state = engineStateOf(c, new Map());
        const views = c.accounts.map((account) => riskAccountOf(state.accounts.get(account.id) as AccountState));
        const book = RiskBook.fromAccounts(c.params, riskMarketOf(state.market, state.openInterest, c.params), views);
        const mark = c.market.marks.get(symbol) as Price;
        const tick = units(INSTRUMENTS[symbol][5]);
        const onTick = price((mark / tick) * tick);
        for (const account of c.accounts) {
          const largest = maxOrderSize(state, { accountId: account.id, instrument: symbol, side, price: onTick });
          const lot = units(INSTRUMENTS[symbol][4]);
          for (const s of [largest, largest + lot]) {
            if (s <= 0n) continue;
            const expected = engineCheck(state, { accountId: account.id, instrument: symbol, side, size: size(s), price: onTick });
            const actual = checkOrder(book, { account: book.requireAccount(account.id), instrument: book.instruments.resolve(symbol), side, size: size(s), price: onTick });
            assert.equal(actual.ok ? 'ok' : actual.code, expected.ok ? 'ok' : expected.code, `${account.id} ${side} ${s} ${symbol}`);
            boundaries++;
          }
        }
      }),
      { seed: 5, numRuns: 40 },
    );
    assert.ok(boundaries > 50, `${boundaries} boundary orders`);
  });
});
