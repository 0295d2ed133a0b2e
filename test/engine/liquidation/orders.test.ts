/**
 * Mode (c), liquidation orders to the venue (dYdX): the order's limit is the bankruptcy price minus
 * a band; its fills pay the insurance fund min(cap x fill, what is left above bankruptcy) and are
 * paid by it when worse; fills beyond the limit are refused (R19: a liquidator bidding zero never
 * fills); an order that does not fill in time goes to the backstop, and the bad debt equals the
 * deficit exactly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { balance, bench, c, FUND, ofType, position, usd, venue } from './fixtures.js';

/** Alice: long 0.1 BTC bought at 51,000 on nothing: her bankruptcy price is 51,000; at 56,100 she is below MM (510 < 561). */
async function dydx(liquidation: Record<string, unknown> = {}) {
  const b = await bench(
    venue({ execution: 'orders', priceBand: '0.05', stepLimits: { fractionMax: '1', notionalMinPerStep: '0', notionalMaxPerAccountStep: '1000000000', remainderMin: '1000000' }, ...liquidation }),
  );
  await b.ok(c.create('alice'), c.create('bob'), c.deposit('bob', 'USDC', '100000'), c.marks({ 'BTC-PERP': '56100' }), c.fill('BTC-PERP', 'alice', 'bob', '0.1', '51000'));
  await b.ok(c.marks({ 'BTC-PERP': '56100' }));
  const [emitted] = ofType(b.events(), 'LiquidationOrderEmitted');
  assert.ok(emitted !== undefined, 'a liquidation order is emitted');
  return { b, emitted };
}

describe('liquidation orders (dYdX)', () => {
  it('emits a reduce-only order for the position, limited to the bankruptcy price minus the band', async () => {
    const { b, emitted } = await dydx();
    assert.equal(emitted.bankruptcyPrice, usd('51000'));
    assert.equal(ofType(b.events(), 'LiquidationStarted')[0]?.path, 'orders');
    assert.deepEqual([emitted.order.side, emitted.order.size, emitted.order.price, emitted.order.reduceOnly], ['sell', usd('0.1'), usd('48450'), true]);
    assert.ok(b.engine.state.accounts.get('alice')?.orders.has(emitted.order.orderId));
    const [cancel] = await b.run({ type: 'CancelOrder', id: 'owner-cancel', accountId: 'alice', orderId: emitted.order.orderId });
    assert.equal(cancel?.ok ? 'ok' : cancel?.code, 'liquidation_order_not_cancellable');
  });

  for (const [cap, delta] of [
    ['0.005', '28.05'],
    ['0.025', '140.25'],
    ['0.1', '510'],
  ] as const) {
    it(`a fill at 56,100 with bankruptcy at 51,000 pays the fund ${delta} at a cap of ${cap}`, async () => {
      const { b, emitted } = await dydx({ insuranceFeeCap: cap });
      const fundBefore = balance(b.engine, FUND);
      await b.ok(c.fill('BTC-PERP', 'bob', 'alice', '0.1', '56100', { seller: emitted.order.orderId }));
      const [paid] = ofType(b.events(), 'InsuranceFundPaid');
      assert.equal(paid?.amount, usd(`-${delta}`));
      assert.equal(balance(b.engine, FUND) - fundBefore, usd(delta));
      assert.equal(position(b.engine, 'alice', 'BTC-PERP'), 0n);
      assert.equal(b.engine.state.liquidation.orders.size, 0, 'a filled liquidation order leaves the books');
      assert.ok((b.engine.accountFigures('alice')?.equity ?? -1n) >= 0n);
    });
  }

  it('the fund pays when a fill inside the band is worse than bankruptcy', async () => {
    const { b, emitted } = await dydx();
    await b.ok(c.fill('BTC-PERP', 'bob', 'alice', '0.1', '50000', { seller: emitted.order.orderId }));
    const [paid] = ofType(b.events(), 'InsuranceFundPaid');
    assert.equal(paid?.amount, usd('100'));
    assert.equal(balance(b.engine, 'alice'), 0n, 'the account ends at zero: the fund paid its deficit');
  });

  it('R19: a liquidator bidding zero never fills; the order expires to the backstop; the bad debt equals the deficit exactly', async () => {
    const { b, emitted } = await dydx({ orderTtlMs: '60000' });
    for (const bid of ['0.5', '48449.5']) {
      const [r] = await b.run(c.fill('BTC-PERP', 'bob', 'alice', '0.1', bid, { seller: emitted.order.orderId }));
      assert.equal(r?.ok ? 'ok' : r?.code, 'fill_beyond_liquidation_limit');
    }
    await b.ok(c.deposit(FUND, 'USDC', '10000'));
    b.clock.advance(60_000);
    await b.ok(c.marks({ 'BTC-PERP': '45000' })); // alice now owes 600 beyond her position
    const events = b.events();
    assert.deepEqual(ofType(events, 'OrderCancelled').map((e) => e.reason), ['liquidation_order_expired']);
    const taken = ofType(events, 'PositionLiquidated');
    assert.deepEqual(taken.map((e) => [e.kind, e.size, e.value, e.markValue]), [['backstop', usd('0.1'), usd('5100'), usd('4500')]]);
    const deficit = -(-5100n * 10n ** 8n + 4500n * 10n ** 8n); // cash at mark: -5,100 + 4,500
    assert.equal(taken[0]?.fundLoss, deficit);
    assert.equal(b.engine.state.liquidation.fundDrawdown.get('BTC-PERP'), deficit);
    assert.equal(balance(b.engine, 'alice'), 0n);
    assert.equal(position(b.engine, 'alice', 'BTC-PERP'), 0n);
  });
});
