/**
 * R23 Pre-trade soundness (RELIABILITY.md): every order the fast check (engine.checkOrder)
 * accepts, PlaceOrder accepts too, and once it rests the account satisfies IM on a full
 * recomputation (accountFigures: collateralInitial >= initialMargin of the cross pool) whenever
 * the order raised the requirement or the account met IM before it. maxOrderSize is accepted and
 * one lot more is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { OrderIntent } from '../../../src/engine/index.js';
import { price, size } from '../../../src/risk/units/quantities.js';
import { bookArbitrary, bookOf, contractsFor, meetsInitial, onTick, TRADERS } from './accounts.js';
import { fcOptions, REF_VENUE, show, submit } from './harness.js';
import { SYMBOLS } from './ops.js';

const intentArbitrary = fc.record({
  trader: fc.integer({ min: 0, max: TRADERS.length - 1 }),
  symbol: fc.integer({ min: 0, max: SYMBOLS.length - 1 }),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  milliBtc: fc.integer({ min: 1, max: 6_000 }),
  ticks: fc.integer({ min: -2_000, max: 2_000 }),
  reduceOnly: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
});

type IntentSpec = typeof intentArbitrary extends fc.Arbitrary<infer T> ? T : never;

function intentOf(spec: IntentSpec, btcUsd: number, markUnits: bigint | undefined): OrderIntent {
  const symbol = SYMBOLS[spec.symbol] as string;
  const tick = REF_VENUE.instruments.get(symbol)?.tick ?? 1n;
  return {
    accountId: TRADERS[spec.trader] as string,
    instrument: symbol,
    side: spec.side,
    size: size(contractsFor(spec.symbol, spec.milliBtc, btcUsd)),
    price: price(onTick(spec.symbol, (markUnits ?? BigInt(btcUsd) * 10n ** 8n) + BigInt(spec.ticks) * tick)),
    ...(spec.reduceOnly ? { reduceOnly: true } : {}),
  };
}

describe('R23 pre-trade soundness', () => {
  it('every order the pre-trade check accepts is placed, and leaves IM covered on a full recomputation', async () => {
    let raising = 0;
    await fc.assert(
      fc.asyncProperty(bookArbitrary, fc.array(intentArbitrary, { minLength: 1, maxLength: 10 }), async (book, specs) => {
        const { engine } = await bookOf(book);
        for (const [i, spec] of specs.entries()) {
          const intent = intentOf(spec, book.btcUsd, engine.state.market.marks.get(SYMBOLS[spec.symbol] as string));
          const check = engine.checkOrder(intent);
          const before = engine.accountFigures(intent.accountId);
          assert.ok(before !== undefined);
          const result = await submit(engine, { type: 'PlaceOrder', id: `p${i}`, orderId: `p${i}`, ...intent });
          assert.equal(result.ok, check.ok, `PlaceOrder agrees with checkOrder on ${show(intent)}: ${show(check)} vs ${show(result)}`);
          if (!check.ok || !result.ok) {
            if (!result.ok && !check.ok) assert.equal(result.code, check.code);
            continue;
          }
          const after = engine.accountFigures(intent.accountId);
          assert.ok(after !== undefined);
          const context = `${show(intent)}: IM ${before.initialMargin} -> ${after.initialMargin}, IM collateral ${before.collateralInitial} -> ${after.collateralInitial}`;
          if (after.initialMargin > before.initialMargin) {
            raising += 1;
            assert.ok(meetsInitial(engine, intent.accountId), `an accepted order that raises IM leaves it covered: ${context}`);
          }
          if (before.collateralInitial >= before.initialMargin) {
            assert.ok(meetsInitial(engine, intent.accountId), `an accepted order keeps a covered account covered: ${context}`);
          }
        }
        await engine.close();
      }),
      fcOptions(0x23_9e7a, 60),
    );
    console.log(`R23: ${raising} accepted orders raised IM`);
    assert.ok(raising > 20);
  });

  it('maxOrderSize is accepted and one lot more is refused', async () => {
    let positive = 0;
    await fc.assert(
      fc.asyncProperty(bookArbitrary, fc.array(intentArbitrary, { minLength: 1, maxLength: 6 }), async (book, specs) => {
        const { engine } = await bookOf(book);
        for (const spec of specs) {
          const { size: _ignored, ...intent } = intentOf(spec, book.btcUsd, engine.state.market.marks.get(SYMBOLS[spec.symbol] as string));
          const lot = REF_VENUE.instruments.get(intent.instrument)?.lot ?? 1n;
          const max = engine.maxOrderSize(intent);
          const verdict = (contracts: bigint) => engine.checkOrder({ ...intent, size: size(contracts) });
          if (max > 0n) {
            positive += 1;
            const atMax = verdict(max);
            assert.ok(atMax.ok, `maxOrderSize ${max} of ${show(intent)} is accepted: ${show(atMax)}`);
          }
          const beyond = verdict(max + lot);
          assert.ok(!beyond.ok, `one lot beyond maxOrderSize ${max} of ${show(intent)} is refused`);
        }
        await engine.close();
      }),
      fcOptions(0x3a9_512e, 40),
    );
    console.log(`R23: ${positive} positive maximum sizes`);
    assert.ok(positive > 20);
  });

  it('a chosen leverage counts before the first order in an instrument, as it does once the order rests', async () => {
    const book = { btcUsd: 50_000, moveBps: 0, laggedBps: null, traders: [0, 1, 2].map(() => ({ usdt: 10_000n * 10n ** 8n, btcMilli: 0, trades: [], leverage: [], orders: [] })) };
    const { engine } = await bookOf(book);
    assert.ok((await submit(engine, { type: 'SetLeverage', id: 'lev', accountId: 't0', instrument: 'BTCUSDT', leverage: 2 })).ok);
    // At 2x, 10,000 USDT covers 20,000 USDT of notional: 0.4 BTC, not 0.5 BTC.
    const intent: OrderIntent = { accountId: 't0', instrument: 'BTCUSDT', side: 'buy', size: size(50_000_000n), price: price(5_000_000_000_000n) };
    const check = engine.checkOrder(intent);
    if (check.ok) {
      const result = await submit(engine, { type: 'PlaceOrder', id: 'lev-order', orderId: 'lev-order', ...intent });
      assert.ok(result.ok);
      const figures = engine.accountFigures('t0');
      assert.fail(`0.5 BTC at 2x was accepted; resting, it needs IM ${figures?.initialMargin} against collateral ${figures?.collateralInitial}`);
    }
    assert.equal(check.code, 'initial_margin_insufficient');
    await engine.close();
  });
});
