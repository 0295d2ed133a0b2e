/**
 * Bad input (RELIABILITY.md R24, DESIGN.md D7): commands naming unknown accounts, assets or
 * instruments, zero or negative amounts and sizes, sizes off the lot grid, prices off the tick
 * grid or not positive, invalid command ids: each is rejected with its stable code, and the state
 * hash and the journal are unchanged. A fuzz of well-typed but wild commands never crashes or
 * wedges the engine, and a rejection never changes state.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Command, Engine } from '../../../src/engine/index.js';
import { amount, price, rate, size } from '../../../src/risk/units/quantities.js';
import { conservationViolations, fcOptions, show, startEngine, submit, type Harness } from './harness.js';
import { setupCommands } from './ops.js';

const UNIT = 10n ** 8n;
const BTC_50K = price(50_000n * UNIT);

/** Six funded accounts, prices, acct0 long 0.1 BTCUSDT against acct1, and acct0's resting order o1. */
async function venue(): Promise<Harness> {
  const harness = await startEngine();
  for (const c of setupCommands('bad-')) assert.ok((await submit(harness.engine, c)).ok);
  const fill: Command = {
    type: 'ApplyFill',
    id: 'bad-fill',
    instrument: 'BTCUSDT',
    price: BTC_50K,
    size: size(10_000_000n),
    buyer: { accountId: 'acct0' },
    seller: { accountId: 'acct1' },
    aggressor: 'buy',
  };
  assert.ok((await submit(harness.engine, fill)).ok);
  const order: Command = { type: 'PlaceOrder', id: 'bad-order', accountId: 'acct0', orderId: 'o1', instrument: 'BTCUSDT', side: 'buy', size: size(100_000n), price: BTC_50K };
  assert.ok((await submit(harness.engine, order)).ok);
  return harness;
}

const fill = (over: Partial<Extract<Command, { type: 'ApplyFill' }>>): Command => ({
  type: 'ApplyFill',
  id: 'x',
  instrument: 'BTCUSDT',
  price: BTC_50K,
  size: size(100_000n),
  buyer: { accountId: 'acct2' },
  seller: { accountId: 'acct3' },
  aggressor: 'buy',
  ...over,
});

const place = (over: Partial<Extract<Command, { type: 'PlaceOrder' }>>): Command => ({
  type: 'PlaceOrder',
  id: 'x',
  accountId: 'acct2',
  orderId: 'new',
  instrument: 'BTCUSDT',
  side: 'buy',
  size: size(100_000n),
  price: BTC_50K,
  ...over,
});

/** A price that is not positive has no code of its own yet: any of these reads as the reason. */
const PRICE_NOT_POSITIVE = ['price_not_multiple_of_tick', 'price_missing', 'price_not_positive'];

const CASES: readonly { readonly name: string; readonly command: Command; readonly codes: readonly string[] }[] = [
  { name: 'a deposit to an unknown account', command: { type: 'Deposit', id: 'x', accountId: 'nobody', asset: 'USDT', amount: amount(UNIT) }, codes: ['account_unknown'] },
  { name: 'a deposit of an unknown asset', command: { type: 'Deposit', id: 'x', accountId: 'acct0', asset: 'DOGE', amount: amount(UNIT) }, codes: ['asset_unknown'] },
  { name: 'a deposit of zero', command: { type: 'Deposit', id: 'x', accountId: 'acct0', asset: 'USDT', amount: amount(0n) }, codes: ['amount_not_positive'] },
  { name: 'a negative deposit', command: { type: 'Deposit', id: 'x', accountId: 'acct0', asset: 'USDT', amount: amount(-UNIT) }, codes: ['amount_not_positive'] },
  { name: 'a withdrawal from an unknown account', command: { type: 'Withdraw', id: 'x', accountId: 'nobody', asset: 'USDT', amount: amount(UNIT) }, codes: ['account_unknown'] },
  { name: 'a withdrawal of an unknown asset', command: { type: 'Withdraw', id: 'x', accountId: 'acct0', asset: 'DOGE', amount: amount(UNIT) }, codes: ['asset_unknown'] },
  { name: 'a negative withdrawal', command: { type: 'Withdraw', id: 'x', accountId: 'acct0', asset: 'USDT', amount: amount(-UNIT) }, codes: ['amount_not_positive'] },
  { name: 'a withdrawal beyond the balance', command: { type: 'Withdraw', id: 'x', accountId: 'acct2', asset: 'USDT', amount: amount(100_001n * UNIT) }, codes: ['withdrawal_exceeds_balance'] },
  {
    name: 'a transfer to an unknown account',
    command: { type: 'Transfer', id: 'x', fromAccountId: 'acct0', toAccountId: 'nobody', asset: 'USDT', amount: amount(UNIT) },
    codes: ['account_unknown'],
  },
  { name: 'a transfer to itself', command: { type: 'Transfer', id: 'x', fromAccountId: 'acct0', toAccountId: 'acct0', asset: 'USDT', amount: amount(UNIT) }, codes: ['transfer_to_self'] },
  {
    name: 'a transfer between owners',
    command: { type: 'Transfer', id: 'x', fromAccountId: 'acct2', toAccountId: 'acct3', asset: 'USDT', amount: amount(UNIT) },
    codes: ['transfer_between_owners_forbidden'],
  },
  { name: 'a transfer of zero', command: { type: 'Transfer', id: 'x', fromAccountId: 'acct0', toAccountId: 'acct4', asset: 'USDT', amount: amount(0n) }, codes: ['amount_not_positive'] },
  { name: 'an account that exists', command: { type: 'CreateAccount', id: 'x', accountId: 'acct0', mode: 'cross' }, codes: ['account_exists'] },
  { name: 'an account under an unknown parent', command: { type: 'CreateAccount', id: 'x', accountId: 'new', mode: 'cross', parentId: 'nobody' }, codes: ['account_parent_unknown'] },
  { name: 'a fill in an unknown instrument', command: fill({ instrument: 'ETHUSDT' }), codes: ['instrument_unknown'] },
  { name: 'a fill off the lot grid', command: fill({ size: size(50_000n) }), codes: ['size_not_multiple_of_lot'] },
  { name: 'a fill of size zero', command: fill({ size: size(0n) }), codes: ['size_not_positive'] },
  { name: 'a fill of negative size', command: fill({ size: size(-100_000n) }), codes: ['size_not_positive'] },
  { name: 'a fill off the tick grid', command: fill({ price: price(BTC_50K + 5_000_000n) }), codes: ['price_not_multiple_of_tick'] },
  { name: 'a fill with an unknown buyer', command: fill({ buyer: { accountId: 'nobody' } }), codes: ['account_unknown'] },
  { name: 'a fill with one account on both sides', command: fill({ seller: { accountId: 'acct2' } }), codes: ['fill_same_account'] },
  { name: 'a fill naming an order that does not exist', command: fill({ buyer: { accountId: 'acct2', orderId: 'ghost' } }), codes: ['fill_order_mismatch'] },
  { name: 'a fill larger than the order it names', command: fill({ buyer: { accountId: 'acct0', orderId: 'o1' }, size: size(200_000n) }), codes: ['fill_exceeds_order'] },
  { name: 'a linear fill at price zero', command: fill({ price: price(0n) }), codes: PRICE_NOT_POSITIVE },
  { name: 'a linear fill at a negative price', command: fill({ price: price(-BTC_50K) }), codes: PRICE_NOT_POSITIVE },
  { name: 'an inverse fill at price zero', command: fill({ instrument: 'BTC-PERP', size: size(UNIT), price: price(0n) }), codes: PRICE_NOT_POSITIVE },
  { name: 'an order in an unknown instrument', command: place({ instrument: 'ETHUSDT' }), codes: ['instrument_unknown'] },
  { name: 'an order off the lot grid', command: place({ size: size(150_000n) }), codes: ['size_not_multiple_of_lot'] },
  { name: 'an order of size zero', command: place({ size: size(0n) }), codes: ['size_not_positive'] },
  { name: 'an order off the tick grid', command: place({ price: price(BTC_50K + 1n) }), codes: ['price_not_multiple_of_tick'] },
  { name: 'an order at price zero', command: place({ price: price(0n) }), codes: PRICE_NOT_POSITIVE },
  { name: 'an order with an id in use', command: place({ accountId: 'acct0', orderId: 'o1' }), codes: ['order_exists'] },
  { name: 'an order from an unknown account', command: place({ accountId: 'nobody' }), codes: ['account_unknown'] },
  { name: 'a reduce-only order without a position', command: place({ reduceOnly: true }), codes: ['reduce_only_would_increase'] },
  { name: 'a reduce-only order larger than the position', command: place({ accountId: 'acct0', side: 'sell', size: size(20_000_000n), reduceOnly: true }), codes: ['reduce_only_would_increase'] },
  { name: 'cancelling an order that does not exist', command: { type: 'CancelOrder', id: 'x', accountId: 'acct0', orderId: 'ghost' }, codes: ['order_unknown'] },
  { name: 'funding of an unknown instrument', command: { type: 'SettleFunding', id: 'x', instrument: 'ETHUSDT', rate: rate(1n) }, codes: ['instrument_unknown'] },
  { name: 'funding of a dated future', command: { type: 'SettleFunding', id: 'x', instrument: 'BTCUSDT-FUT', rate: rate(1n) }, codes: ['funding_instrument_not_perpetual'] },
  { name: 'funding beyond the cap', command: { type: 'SettleFunding', id: 'x', instrument: 'BTCUSDT', rate: rate(3_000_000_001n) }, codes: ['funding_rate_exceeds_cap'] },
  { name: 'expiry of a perpetual', command: { type: 'SettleExpiry', id: 'x', instrument: 'BTCUSDT', price: BTC_50K }, codes: ['expiry_instrument_not_future'] },
  { name: 'expiry before the expiry time', command: { type: 'SettleExpiry', id: 'x', instrument: 'BTCUSDT-FUT', price: BTC_50K }, codes: ['expiry_not_reached'] },
  { name: 'expiry of an unknown instrument', command: { type: 'SettleExpiry', id: 'x', instrument: 'ETHUSDT', price: BTC_50K }, codes: ['instrument_unknown'] },
  { name: 'a price of an unknown asset', command: { type: 'UpdatePrices', id: 'x', prices: { DOGE: BTC_50K } }, codes: ['price_symbol_unknown'] },
  { name: 'a mark of an unknown instrument', command: { type: 'UpdatePrices', id: 'x', marks: { ETHUSDT: BTC_50K } }, codes: ['price_symbol_unknown'] },
  { name: 'a price of zero', command: { type: 'UpdatePrices', id: 'x', prices: { BTC: price(0n) } }, codes: ['price_not_positive'] },
  { name: 'a negative mark', command: { type: 'UpdatePrices', id: 'x', marks: { BTCUSDT: price(-1n) } }, codes: ['price_not_positive'] },
  { name: 'leverage zero', command: { type: 'SetLeverage', id: 'x', accountId: 'acct0', instrument: 'BTCUSDT', leverage: 0 }, codes: ['leverage_out_of_range'] },
  { name: 'leverage NaN', command: { type: 'SetLeverage', id: 'x', accountId: 'acct0', instrument: 'BTCUSDT', leverage: Number.NaN }, codes: ['leverage_out_of_range'] },
  { name: 'leverage beyond the limit', command: { type: 'SetLeverage', id: 'x', accountId: 'acct0', instrument: 'BTCUSDT', leverage: 201 }, codes: ['leverage_out_of_range'] },
  { name: 'leverage in an unknown instrument', command: { type: 'SetLeverage', id: 'x', accountId: 'acct0', instrument: 'ETHUSDT', leverage: 2 }, codes: ['instrument_unknown'] },
  {
    name: 'isolated margin for a cross account',
    command: { type: 'MoveIsolatedMargin', id: 'x', accountId: 'acct0', instrument: 'BTCUSDT', amount: amount(UNIT) },
    codes: ['isolated_margin_requires_isolated_mode'],
  },
  { name: 'the margin mode it already has', command: { type: 'SetMarginMode', id: 'x', accountId: 'acct2', mode: 'cross' }, codes: ['margin_mode_unchanged'] },
  { name: 'a margin mode change with positions', command: { type: 'SetMarginMode', id: 'x', accountId: 'acct0', mode: 'isolated' }, codes: ['margin_mode_change_with_positions'] },
  { name: 'an empty command id', command: { type: 'Deposit', id: '', accountId: 'acct0', asset: 'USDT', amount: amount(UNIT) }, codes: ['command_id_invalid'] },
  { name: 'a command id of 129 characters', command: { type: 'Deposit', id: 'i'.repeat(129), accountId: 'acct0', asset: 'USDT', amount: amount(UNIT) }, codes: ['command_id_invalid'] },
  { name: "a command id in the engine's namespace", command: { type: 'Deposit', id: 'engine:genesis', accountId: 'acct0', asset: 'USDT', amount: amount(UNIT) }, codes: ['command_id_invalid'] },
  { name: 'a command id that is not a string', command: { type: 'Deposit', id: 42 as unknown as string, accountId: 'acct0', asset: 'USDT', amount: amount(UNIT) }, codes: ['command_id_invalid'] },
];

async function expectRejectedUnchanged(engine: Engine, command: Command, codes: readonly string[]): Promise<void> {
  const hash = engine.stateHash();
  const seq = engine.lastSeq();
  const result = await submit(engine, command, 2_000);
  assert.ok(!result.ok, `${show(command)} is rejected, not accepted with ${show(result.ok ? result.events : [])}`);
  assert.ok(codes.includes(result.code), `${show(command)}: code ${result.code} (${result.message}), expected one of ${codes.join(', ')}`);
  assert.equal(engine.stateHash(), hash, 'the state hash is unchanged');
  assert.equal(engine.lastSeq(), seq, 'nothing is journaled');
}

describe('bad input', () => {
  for (const { name, command, codes } of CASES) {
    it(`${name} is rejected with ${codes[0]} and changes nothing`, async () => {
      const { engine } = await venue();
      await expectRejectedUnchanged(engine, command, codes);
      await engine.close();
    });
  }

  it('a rejected command id may be reused by its corrected command', async () => {
    const { engine } = await venue();
    await expectRejectedUnchanged(engine, { type: 'Deposit', id: 'fix-me', accountId: 'acct0', asset: 'USDT', amount: amount(0n) }, ['amount_not_positive']);
    const fixed = await submit(engine, { type: 'Deposit', id: 'fix-me', accountId: 'acct0', asset: 'USDT', amount: amount(UNIT) });
    assert.ok(fixed.ok && !fixed.duplicate);
    await engine.close();
  });

  it('an absurdly large deposit never wedges the engine: later margin checks still answer', async () => {
    const { engine } = await venue();
    const huge = await submit(engine, { type: 'Deposit', id: 'huge', accountId: 'acct2', asset: 'USDT', amount: amount(10n ** 400n) }, 2_000);
    // Rejecting it (a limit on amounts) or accepting it are both defensible; crashing later is not.
    const withdraw = await submit(engine, { type: 'Withdraw', id: 'after-huge', accountId: 'acct2', asset: 'USDT', amount: amount(UNIT) }, 2_000);
    assert.ok(withdraw.ok || typeof withdraw.code === 'string', `answered: ${show(huge)} then ${show(withdraw)}`);
    await engine.close();
  });

  it('wild but well-typed commands never crash the engine, and rejections change nothing', async () => {
    const accountId = fc.constantFrom('acct0', 'acct1', 'acct4', 'nobody', '', '__proto__', 'constructor');
    const assetName = fc.constantFrom('USDT', 'BTC', 'USD', 'DOGE', '', '__proto__');
    const instrument = fc.constantFrom('BTCUSDT', 'BTC-PERP', 'BTCUSDT-FUT', 'ETHUSDT', '', '__proto__', 'toString');
    const units = fc.oneof(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.constantFrom(0n, 1n, -1n, 100_000n, UNIT, 2n ** 63n));
    // Prices stay positive here: prices <= 0 in fills have their own cases above.
    const positiveUnits = fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.constantFrom(1n, 5n, 50_000n * UNIT, 50_000n * UNIT + 1n));
    const wild: fc.Arbitrary<Command> = fc.oneof(
      fc.record({ type: fc.constant('Deposit' as const), id: fc.constant('w'), accountId, asset: assetName, amount: units.map(amount) }),
      fc.record({ type: fc.constant('Withdraw' as const), id: fc.constant('w'), accountId, asset: assetName, amount: units.map(amount) }),
      fc.record({ type: fc.constant('Transfer' as const), id: fc.constant('w'), fromAccountId: accountId, toAccountId: accountId, asset: assetName, amount: units.map(amount) }),
      fc.record({
        type: fc.constant('ApplyFill' as const),
        id: fc.constant('w'),
        instrument,
        price: positiveUnits.map(price),
        size: units.map(size),
        buyer: fc.record({ accountId }),
        seller: fc.record({ accountId }),
        aggressor: fc.constantFrom('buy' as const, 'sell' as const),
      }),
      fc.record({
        type: fc.constant('PlaceOrder' as const),
        id: fc.constant('w'),
        accountId,
        orderId: fc.constantFrom('o1', 'w', '__proto__'),
        instrument,
        side: fc.constantFrom('buy' as const, 'sell' as const),
        size: units.map(size),
        price: units.map(price),
        reduceOnly: fc.boolean(),
      }),
      fc.record({ type: fc.constant('CancelOrder' as const), id: fc.constant('w'), accountId, orderId: fc.constantFrom('o1', 'w', '__proto__') }),
      fc.record({ type: fc.constant('SettleFunding' as const), id: fc.constant('w'), instrument, rate: units.map(rate) }),
      fc.record({ type: fc.constant('SettleExpiry' as const), id: fc.constant('w'), instrument, price: units.map(price) }),
      fc.record({
        type: fc.constant('UpdatePrices' as const),
        id: fc.constant('w'),
        prices: fc.dictionary(assetName, positiveUnits.map(price), { maxKeys: 2 }),
        marks: fc.dictionary(instrument, positiveUnits.map(price), { maxKeys: 2 }),
      }),
      fc.record({
        type: fc.constant('SetLeverage' as const),
        id: fc.constant('w'),
        accountId,
        instrument,
        leverage: fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0.5, 1, 200, 1e9)),
      }),
      fc.record({ type: fc.constant('MoveIsolatedMargin' as const), id: fc.constant('w'), accountId, instrument, amount: units.map(amount) }),
      fc.record({ type: fc.constant('CreateAccount' as const), id: fc.constant('w'), accountId, mode: fc.constantFrom('cross' as const, 'isolated' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(wild, { minLength: 1, maxLength: 15 }), async (commands) => {
        const { engine } = await venue();
        for (const [i, command] of commands.entries()) {
          const hash = engine.stateHash();
          const seq = engine.lastSeq();
          const result = await submit(engine, { ...command, id: `wild${i}` }, 2_000);
          if (result.ok) {
            assert.deepEqual(conservationViolations(engine.state), [], `after ${show(command)}`);
          } else {
            assert.equal(engine.stateHash(), hash, `rejected ${show(command)} (${result.code}) changes nothing`);
            assert.equal(engine.lastSeq(), seq);
          }
        }
        await engine.close();
      }),
      fcOptions(0xf022, 150),
    );
  });
});
