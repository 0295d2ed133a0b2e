/**
 * R22 Incremental equals full: after random ticks (marks, asset prices, lagged prices, open
 * interest) and random ledger changes (balances, positions opened, resized and closed, resting
 * orders, leverage), the incremental re-margin leaves every account's figures bit-identical to a
 * full sweep of the same book, no account's liquidatable flag differs, the liquidation queue holds
 * exactly the liquidatable and bankrupt accounts worst first, and a book built afresh from the same
 * ledger, as well as the reference, agree. R26: the same re-margin done in bounded slices
 * (remarginSlice), with ticks and ledger changes between the slices, ends bit-identical to one
 * remargin() call and to a full sweep. Fixed seeds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RiskBook, STATUS_BANKRUPT, STATUS_LIQUIDATABLE } from '../../src/kernel/index.js';
import { A_STRIDE } from '../../src/kernel/layout.js';
import { entryValueOf } from '../../src/risk/account/position.js';
import type { Account, Market, Position } from '../../src/risk/account/types.js';
import { amount, price, size, type Price } from '../../src/risk/units/quantities.js';
import { bookCase, INSTRUMENTS, SYMBOLS, type InstrumentSymbol } from './books.js';
import { assertAgrees } from './support.js';

type Op =
  | { readonly kind: 'mark'; readonly symbol: InstrumentSymbol; readonly bp: number }
  | { readonly kind: 'price'; readonly asset: string; readonly bp: number }
  | { readonly kind: 'lagged'; readonly symbol: string; readonly bp: number | null }
  | { readonly kind: 'openInterest'; readonly notional: number }
  | { readonly kind: 'balance'; readonly account: number; readonly asset: string; readonly delta: number }
  | { readonly kind: 'position'; readonly account: number; readonly symbol: InstrumentSymbol; readonly lots: number; readonly permille: number }
  | { readonly kind: 'orders'; readonly account: number; readonly symbol: InstrumentSymbol; readonly buy: number; readonly sell: number }
  | { readonly kind: 'leverage'; readonly account: number; readonly symbol: InstrumentSymbol; readonly leverage: number | null };

const symbol = fc.constantFrom(...SYMBOLS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('mark' as const), symbol, bp: fc.integer({ min: -800, max: 800 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('price' as const), asset: fc.constantFrom('BTC', 'ETH', 'SOL', 'USDC'), bp: fc.integer({ min: -800, max: 800 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lagged' as const), symbol: fc.constantFrom(...SYMBOLS, 'BTC', 'ETH'), bp: fc.option(fc.integer({ min: -300, max: 300 }), { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('openInterest' as const), notional: fc.integer({ min: 0, max: 4_000_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('balance' as const), account: fc.nat(15), asset: fc.constantFrom('USDT', 'BTC', 'USDC', 'SOL'), delta: fc.integer({ min: -500_000, max: 500_000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('position' as const), account: fc.nat(15), symbol, lots: fc.integer({ min: -3_000, max: 3_000 }), permille: fc.integer({ min: 900, max: 1_100 }) }) },
  // Whales: 300-600 BTC, beyond the exact range of the cross-pool sums (2^51 units, 22.5 million).
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('position' as const), account: fc.nat(15), symbol: fc.constant('BTCUSDT' as const), lots: fc.integer({ min: 300_000, max: 600_000 }).map((n) => (n % 2 === 0 ? n : -n)), permille: fc.integer({ min: 900, max: 1_100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('orders' as const), account: fc.nat(15), symbol, buy: fc.nat(2_000), sell: fc.nat(2_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leverage' as const), account: fc.nat(15), symbol, leverage: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }) }) },
);

const lotUnits = (s: InstrumentSymbol): bigint => BigInt(Math.round(Number(INSTRUMENTS[s][4]) * 1e8));
const moved = (p: Price, bp: number): Price => price((p * BigInt(10_000 + bp)) / 10_000n || 1n);

/** The reference's view, mutated alongside the book. */
interface World {
  market: { prices: Map<string, Price>; marks: Map<string, Price>; laggedPrices: Map<string, Price>; openInterest: Map<string, number> };
  accounts: Account[];
}

function upsert(account: Account, instrument: string, change: (p: Position | undefined) => Position | undefined): Account {
  const existing = account.positions.find((p) => p.instrument === instrument);
  const next = change(existing);
  const others = account.positions.filter((p) => p.instrument !== instrument);
  return { ...account, positions: next === undefined ? others : [...others, next] };
}

/** Applies one operation to the book (through its setters) and to the world. */
function apply(book: RiskBook, world: World, o: Op, c: { params: import('../../src/risk/account/types.js').RiskParams }): void {
  const m = world.market;
  switch (o.kind) {
    case 'mark': {
      const next = moved(m.marks.get(o.symbol) as Price, o.bp);
      m.marks.set(o.symbol, next);
      book.setMark(o.symbol, next);
      return;
    }
    case 'price': {
      const next = moved(m.prices.get(o.asset) as Price, o.bp);
      m.prices.set(o.asset, next);
      book.setPrice(o.asset, next);
      return;
    }
    case 'lagged': {
      const base = m.marks.get(o.symbol) ?? m.prices.get(o.symbol);
      if (base === undefined) return;
      if (o.bp === null) m.laggedPrices.delete(o.symbol);
      else m.laggedPrices.set(o.symbol, moved(base, o.bp));
      book.setLagged(o.symbol, o.bp === null ? undefined : moved(base, o.bp));
      return;
    }
    case 'openInterest':
      m.openInterest.set('DYDXUSD', o.notional);
      book.setOpenInterest('DYDXUSD', o.notional);
      return;
    default:
      break;
  }
  const a = o.account % world.accounts.length;
  const account = world.accounts[a] as Account;
  const isolated = account.mode === 'isolated';
  switch (o.kind) {
    case 'balance': {
      if (isolated && o.asset !== 'USDT') return;
      const units = BigInt(Math.round((o.delta / (o.asset === 'BTC' ? 60_000 : o.asset === 'SOL' ? 150 : 1)) * 1e8));
      const next = amount((account.balances.get(o.asset) ?? 0n) + units);
      const balances = new Map(account.balances);
      balances.set(o.asset, next);
      world.accounts[a] = { ...account, balances };
      book.setBalance(a, o.asset, next);
      return;
    }
    case 'position': {
      const instrument = c.params.instruments.get(o.symbol);
      const mark = m.marks.get(o.symbol);
      if (instrument === undefined || mark === undefined) return;
      const sizeUnits = size(BigInt(o.lots) * lotUnits(o.symbol));
      const entryValue = sizeUnits === 0n ? amount(0n) : entryValueOf(instrument, sizeUnits, price((mark * BigInt(o.permille)) / 1_000n || 1n));
      const isolatedMargin = isolated ? amount((entryValue < 0n ? -entryValue : entryValue) / 5n) : undefined;
      const leverage = book.leverageChosen.get(a)?.get(book.instruments.resolve(o.symbol));
      world.accounts[a] = upsert(account, o.symbol, (p) => {
        const base: Position = p ?? { instrument: o.symbol, size: size(0n), entryValue: amount(0n), ...(leverage === undefined ? {} : { leverage }) };
        if (o.lots !== 0) return { ...base, size: sizeUnits, entryValue, ...(isolatedMargin === undefined ? {} : { isolatedMargin }) };
        // The engine deletes a closed position; resting orders keep an order-only position of size 0.
        const orders = p?.openOrders;
        if (orders === undefined) return undefined;
        return { ...base, size: size(0n), entryValue: amount(0n), ...(isolated ? { isolatedMargin: amount(0n) } : {}) };
      });
      if (o.lots === 0) book.setPosition(a, o.symbol, undefined);
      else book.setPosition(a, o.symbol, { size: sizeUnits, entryValue, ...(isolatedMargin === undefined ? {} : { isolatedMargin }) });
      return;
    }
    case 'orders': {
      const buy = size(BigInt(o.buy) * lotUnits(o.symbol));
      const sell = size(BigInt(o.sell) * lotUnits(o.symbol));
      const none = buy === 0n && sell === 0n;
      const held = heldPositions.has(`${a}|${o.symbol}`);
      const leverage = book.leverageChosen.get(a)?.get(book.instruments.resolve(o.symbol));
      world.accounts[a] = upsert(account, o.symbol, (p) => {
        if (none && !held) return undefined;
        const base: Position = p ?? {
          instrument: o.symbol,
          size: size(0n),
          entryValue: amount(0n),
          ...(leverage === undefined ? {} : { leverage }),
          ...(isolated ? { isolatedMargin: amount(0n) } : {}),
        };
        const { openOrders: _orders, ...rest } = base;
        return none ? rest : { ...rest, openOrders: { buy, sell } };
      });
      book.setOrders(a, o.symbol, buy, sell);
      return;
    }
    case 'leverage': {
      world.accounts[a] = upsert(account, o.symbol, (p) => {
        if (p === undefined) return undefined;
        const { leverage: _leverage, ...rest } = p;
        return o.leverage === null ? rest : { ...rest, leverage: o.leverage };
      });
      book.setLeverage(a, o.symbol, o.leverage ?? undefined);
      return;
    }
  }
}

/** Which (account, instrument) pairs the engine holds a position in (not only orders). */
const heldPositions = new Set<string>();

/** The reference's view of a book case, and the held positions, before any operation. */
function startWorld(c: { readonly market: Market; readonly accounts: readonly Account[] }): World {
  heldPositions.clear();
  c.accounts.forEach((account, a) => account.positions.forEach((p) => heldPositions.add(`${a}|${p.instrument}`)));
  return {
    market: {
      prices: new Map(c.market.prices),
      marks: new Map(c.market.marks),
      laggedPrices: new Map(c.market.laggedPrices ?? []),
      openInterest: new Map(c.market.openInterest ?? []),
    },
    accounts: [...c.accounts],
  };
}

const FIELDS = 24;

function snapshot(book: RiskBook): Float64Array {
  return book.acc.slice(0, book.accountCount * A_STRIDE);
}

/** Figures that must be bit-identical between the incremental and the full path (all but the epoch). */
function assertSameRecords(incremental: Float64Array, full: Float64Array, accounts: number): void {
  for (let a = 0; a < accounts; a++) {
    for (let f = 5; f < FIELDS; f++) {
      if (f === 10) continue; // A_EPOCH: bookkeeping, not a figure
      const x = incremental[a * A_STRIDE + f] as number;
      const y = full[a * A_STRIDE + f] as number;
      assert.ok(Object.is(x, y), `account ${a} field ${f}: incremental ${x}, full ${y}`);
    }
  }
}

describe('incremental re-margin equals full re-margin (R22)', () => {
  it('after random ticks and ledger changes: bit-identical figures, same liquidatable flags, queue worst first', () => {
    let steps = 0;
    fc.assert(
      fc.property(bookCase(16), fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), (c, batches) => {
        const world = startWorld(c);
        const book = RiskBook.fromAccounts(c.params, c.market, c.accounts, { queueCapacity: 64 });
        for (const batch of batches) {
          for (const o of batch) {
            if (o.kind === 'position') {
              const key = `${o.account % world.accounts.length}|${o.symbol}`;
              if (o.lots === 0) heldPositions.delete(key);
              else heldPositions.add(key);
            }
            apply(book, world, o, c);
          }
          book.remargin();
          steps++;
          const incremental = snapshot(book);
          const liquidatable = Array.from({ length: book.accountCount }, (_, a) => book.status(a) >= STATUS_LIQUIDATABLE);
          book.sweep();
          assertSameRecords(incremental, snapshot(book), book.accountCount);
          liquidatable.forEach((flag, a) => assert.equal(book.status(a) >= STATUS_LIQUIDATABLE, flag, `account ${a}: liquidatable flag`));
          // The queue: exactly the liquidatable and bankrupt accounts (capacity 64 > 16), worst first.
          const expected = Array.from({ length: book.accountCount }, (_, a) => a).filter((a) => {
            const s = book.status(a);
            return s === STATUS_LIQUIDATABLE || s === STATUS_BANKRUPT;
          });
          const queued = book.queue.ordered();
          assert.deepEqual([...queued].sort((x, y) => x - y), expected);
          for (let k = 1; k < queued.length; k++) assert.ok(!book.queue.worse(queued[k] as number, queued[k - 1] as number), 'worst first');
          // A book built afresh from the same ledger, and the reference, agree.
          const market: Market = world.market;
          const fresh = RiskBook.fromAccounts(c.params, market, world.accounts);
          world.accounts.forEach((account, a) => {
            assert.equal(fresh.status(a), book.status(a), `account ${a}: fresh book status`);
            assertAgrees(book, a, account, market, c.params);
          });
        }
      }),
      { seed: 424_242, numRuns: 60 },
    );
    assert.ok(steps > 150, `${steps} re-margins checked`);
  });
});

/** Closing a position reorders its instrument's holder list, perhaps under a pass's cursor. */
const close: fc.Arbitrary<Op> = fc.record({ kind: fc.constant('position' as const), account: fc.nat(15), symbol, lots: fc.constant(0), permille: fc.constant(1_000) });

describe('re-margin in bounded slices equals one re-margin (R26)', () => {
  it('slices with ledger changes and ticks between them leave every figure as remargin() and a full sweep do', () => {
    let slices = 0;
    fc.assert(
      fc.property(
        bookCase(16),
        fc.array(fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: op }, { weight: 1, arbitrary: close }), fc.nat(3)), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 12 }),
        (c, batches, budget) => {
          const sliced = RiskBook.fromAccounts(c.params, c.market, c.accounts, { queueCapacity: 64 });
          const whole = RiskBook.fromAccounts(c.params, c.market, c.accounts, { queueCapacity: 64 });
          const slicedWorld = startWorld(c);
          const wholeWorld = startWorld(c);
          for (const [index, batch] of batches.entries()) {
            for (const [o, slicesAfter] of batch) {
              if (o.kind === 'position') {
                const key = `${o.account % slicedWorld.accounts.length}|${o.symbol}`;
                if (o.lots === 0) heldPositions.delete(key);
                else heldPositions.add(key);
              }
              apply(sliced, slicedWorld, o, c);
              apply(whole, wholeWorld, o, c);
              // Some slices of the pass in progress, then maybe more changes while it is unfinished.
              for (let k = 0; k < slicesAfter; k++) {
                sliced.remarginSlice(budget);
                slices++;
              }
            }
            // Alternately finish with slices and with remargin(), which finishes a pass in progress.
            if (index % 2 === 0) {
              let guard = 0;
              while (!sliced.remarginSlice(budget)) assert.ok(++guard < 100_000, 'slices finish');
            } else sliced.remargin();
            assert.equal(sliced.hasPendingWork, false);
            whole.remargin();
            const slicedRecords = snapshot(sliced);
            assertSameRecords(slicedRecords, snapshot(whole), sliced.accountCount);
            assert.deepEqual([...sliced.queue.ordered()].sort((x, y) => x - y), [...whole.queue.ordered()].sort((x, y) => x - y));
            for (let a = 0; a < sliced.accountCount; a++) assert.equal(sliced.status(a), whole.status(a), `account ${a}: status`);
            sliced.sweep();
            assertSameRecords(slicedRecords, snapshot(sliced), sliced.accountCount);
          }
        },
      ),
      { seed: 262_626, numRuns: 60 },
    );
    assert.ok(slices > 200, `${slices} slices taken`);
  });
  it('a holder leaving the ticked instrument behind the pass cursor is still moved to the new mark', () => {
    let cases = 0;
    for (const c of fc.sample(bookCase(16), { seed: 7_117, numRuns: 40 })) {
      const book = RiskBook.fromAccounts(c.params, c.market, c.accounts, { queueCapacity: 64 });
      // The instrument with the most holders, ticked, then two holders done before the first one leaves.
      let i = 0;
      for (let j = 1; j < book.members.counts.length; j++) if (book.members.counts[j]! > book.members.counts[i]!) i = j;
      if (book.members.counts[i]! < 4) continue;
      const symbol = book.instruments.index.symbols[i]! as InstrumentSymbol;
      const first = book.pos[book.members.lists[i]![0]! * 8 + 2]!;
      book.setMark(symbol, moved(c.market.marks.get(symbol) as Price, 700));
      book.remarginSlice(2);
      book.setOrders(first, symbol, size(0n), size(0n));
      book.setPosition(first, symbol, undefined);
      let guard = 0;
      while (!book.remarginSlice(1)) assert.ok(++guard < 100_000, 'slices finish');
      const records = snapshot(book);
      book.sweep();
      assertSameRecords(records, snapshot(book), book.accountCount);
      cases++;
    }
    assert.ok(cases > 10, `${cases} books checked`);
  });
});
