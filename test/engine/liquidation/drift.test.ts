/**
 * Drift's full example (METHODS.md §4), end to end in the engine: long 2 SOL, oracle $100, one open
 * bid of 1 SOL, IMR 10%, MMR 5%, liquidator fee 1%, IF fee 1%, buffer 2%. After the bid is
 * cancelled the shortage is 2 x 100 x 7% - 5 = $9; 1.8 SOL covers it; fees $1.80 each; 0.2 SOL
 * left with collateral $1.40 = 0.2 x 100 x 7%. (Drift's account holds quote -$200 and $5 USDC; here
 * the same collateral comes from 15 USDC and an entry at 105, since the engine's pre-trade check
 * would not accept the bid on $5.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { balance, bench, c, equity, FUND, ofType, position, usd, venue } from './fixtures.js';

async function driftAccount(liquidation: Record<string, unknown> = {}) {
  const b = await bench(venue(liquidation));
  await b.ok(
    c.create('alice'),
    c.create('bob'),
    c.create('liq'),
    c.deposit('alice', 'USDC', '15'),
    c.deposit('bob', 'USDC', '1000'),
    c.deposit('liq', 'USDC', '1000'),
    c.marks({ 'SOL-PERP': '105' }),
    c.order('alice', 'bid', 'SOL-PERP', 'buy', '1', '90'),
    c.fill('SOL-PERP', 'alice', 'bob', '2', '105'),
  );
  return b;
}

describe("Drift's full liquidation example in the engine", () => {
  it('backstop: cancels the bid, takes 1.8 SOL at $100, fees $1.80 each, 0.2 SOL left at MM plus the buffer', async () => {
    const b = await driftAccount();
    const fundBefore = balance(b.engine, FUND);
    await b.ok(c.marks({ 'SOL-PERP': '100' }));
    const events = b.events();
    assert.deepEqual(ofType(events, 'OrderCancelled').map((e) => [e.orderId, e.reason]), [['bid', 'liquidation']]);
    const [taken] = ofType(events, 'PositionLiquidated');
    assert.equal(taken?.kind, 'backstop');
    assert.equal(taken?.size, usd('1.8'));
    assert.equal(taken?.value, usd('180'));
    const [fees] = ofType(events, 'LiquidationFeesCharged');
    assert.equal(fees?.liquidatorFee, usd('1.8'));
    assert.equal(fees?.insuranceFee, usd('1.8'));
    assert.equal(position(b.engine, 'alice', 'SOL-PERP'), usd('0.2'));
    assert.equal(equity(b.engine, 'alice'), usd('1.4'));
    assert.equal(b.engine.accountFigures('alice')?.maintenanceMargin, usd('1'));
    assert.equal(balance(b.engine, FUND) - fundBefore, usd('3.6'), 'in backstop mode the fund is the liquidator: it takes both fees');
    assert.equal(position(b.engine, FUND, 'SOL-PERP'), usd('1.8'));
    assert.deepEqual(ofType(events, 'AccountStatusChanged').map((e) => [e.accountId, e.from, e.to]), [
      ['alice', 'healthy', 'liquidatable'],
      ['alice', 'liquidatable', 'margin_call'],
    ]);
  });

  it('liquidator: the liquidator account takes 1.8 SOL at mark and $1.80; the fund $1.80', async () => {
    const b = await driftAccount({ execution: 'liquidator', liquidatorAccountId: 'liq' });
    await b.ok(c.marks({ 'SOL-PERP': '100' }));
    const [taken] = ofType(b.events(), 'PositionLiquidated');
    assert.equal(taken?.kind, 'liquidator');
    assert.equal(taken?.takerId, 'liq');
    assert.equal(position(b.engine, 'liq', 'SOL-PERP'), usd('1.8'));
    assert.equal(balance(b.engine, 'liq'), usd('1001.8'));
    assert.equal(balance(b.engine, FUND), usd('1.8'));
    assert.equal(position(b.engine, 'alice', 'SOL-PERP'), usd('0.2'));
    assert.equal(equity(b.engine, 'alice'), usd('1.4'));
  });

  it('a liquidator that could not cover its own IM leaves the takeover to the backstop', async () => {
    const b = await bench(venue({ execution: 'liquidator', liquidatorAccountId: 'liq' }));
    await b.ok(
      c.create('alice'),
      c.create('bob'),
      c.create('liq'),
      c.deposit('alice', 'USDC', '15'),
      c.deposit('bob', 'USDC', '1000'),
      c.deposit('liq', 'USDC', '5'),
      c.marks({ 'SOL-PERP': '105' }),
      c.fill('SOL-PERP', 'alice', 'bob', '2', '105'),
      c.marks({ 'SOL-PERP': '98' }),
    );
    const taken = ofType(b.events(), 'PositionLiquidated');
    assert.ok(taken.length > 0);
    assert.ok(taken.every((e) => e.takerId === FUND));
    assert.equal(position(b.engine, 'liq', 'SOL-PERP'), 0n);
  });
});
