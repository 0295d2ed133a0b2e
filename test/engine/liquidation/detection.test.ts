/**
 * Detection and pacing: status bands become events, exactly the touched accounts are re-checked,
 * halted or stale markets do not liquidate (unless the venue says to use the guarded price), at
 * most `accountsPerTickMax` accounts per pass worst first (the rest wait, never forgotten), and the
 * operator's commands.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEngine, ManualClock, recover, stateHashOf } from '../../../src/engine/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { VENUE } from '../fixtures.js';
import { balance, bench, c, ofType, position, START_MS, usd, venue } from './fixtures.js';

/** Longs of 10 SOL from 100 on different deposits: the smaller the deposit, the worse the ratio. */
async function longs(deposits: Record<string, string>, liquidation: Record<string, unknown> = {}) {
  const b = await bench(venue(liquidation));
  await b.ok(c.create('maker'), c.deposit('maker', 'USDC', '100000'), c.marks({ 'SOL-PERP': '100', 'ETH-PERP': '2000' }));
  for (const [id, deposit] of Object.entries(deposits)) await b.ok(c.create(id), c.deposit(id, 'USDC', deposit), c.fill('SOL-PERP', id, 'maker', '10', '100'));
  return b;
}

describe('detection on every price update', () => {
  it('a margin call is an event; nothing is liquidated above MM', async () => {
    const b = await longs({ alice: '100' });
    await b.ok(c.marks({ 'SOL-PERP': '95' })); // equity 50, MM 47.5: ratio 1.05
    const changes = ofType(b.events(), 'AccountStatusChanged');
    assert.deepEqual(changes.map((e) => [e.accountId, e.from, e.to]), [['alice', 'healthy', 'reduce_only']]);
    assert.ok(Math.abs((changes[0]?.marginRatio ?? 0) - 50 / 47.5) < 1e-12);
    assert.equal(ofType(b.events(), 'PositionLiquidated').length, 0);
    await b.ok(c.marks({ 'SOL-PERP': '97' })); // equity 70, MM 48.5: ratio 1.44
    assert.deepEqual(ofType(b.events(), 'AccountStatusChanged').slice(1).map((e) => [e.from, e.to]), [['reduce_only', 'margin_call']]);
  });

  it('re-checks exactly the accounts holding what moved: an ETH tick leaves an underwater SOL account alone', async () => {
    const b = await longs({ alice: '10' }); // underwater at the mark of 100 already: no pass has run since the fill
    await b.ok(c.marks({ 'ETH-PERP': '2001' }, {}));
    assert.equal(ofType(b.events(), 'AccountStatusChanged').length, 0);
    await b.ok(c.marks({ 'SOL-PERP': '100' }));
    assert.ok(ofType(b.events(), 'PositionLiquidated').length > 0);
  });

  it('halted or stale markets do not liquidate; liquidation resumes when the oracle vouches again', async () => {
    for (const status of ['halted', 'stale'] as const) {
      const b = await longs({ alice: '100' });
      await b.ok(c.statuses({ 'SOL-PERP': status }), c.marks({ 'SOL-PERP': '94' }));
      assert.deepEqual(ofType(b.events(), 'AccountStatusChanged').map((e) => e.to), ['liquidatable'], 'the status is reported');
      assert.equal(ofType(b.events(), 'PositionLiquidated').length, 0, `no liquidation on a ${status} market`);
      const refused = await b.run(c.liquidate('alice'));
      assert.equal(refused[0]?.ok ? 'ok' : refused[0]?.code, status === 'halted' ? 'market_halted' : 'oracle_price_stale');
      await b.ok(c.statuses({ 'SOL-PERP': 'ok' }));
      assert.ok(ofType(b.events(), 'PositionLiquidated').length > 0);
    }
  });

  it('a degraded market, or the guarded policy, liquidates on the price the engine holds', async () => {
    const degraded = await longs({ alice: '10' });
    await degraded.ok(c.statuses({ 'SOL-PERP': 'degraded' }), c.marks({ 'SOL-PERP': '96' }));
    assert.ok(ofType(degraded.events(), 'PositionLiquidated').length > 0);
    const guarded = await longs({ alice: '10' }, { onUnreliablePrice: 'guarded' });
    await guarded.ok(c.statuses({ 'SOL-PERP': 'halted' }), c.marks({ 'SOL-PERP': '96' }));
    assert.ok(ofType(guarded.events(), 'PositionLiquidated').length > 0);
  });

  it('liquidates at most accountsPerTickMax per pass, worst ratio first; the rest wait and are served by later passes', async () => {
    const b = await longs({ a: '40', b: '20', c: '30', d: '10', e: '45' }, { accountsPerTickMax: '2' });
    await b.ok(c.marks({ 'SOL-PERP': '96' })); // equity 0..5 below: d, b first
    const liquidated = () => ofType(b.events(), 'LiquidationStarted').map((e) => e.accountId);
    assert.deepEqual(liquidated(), ['d', 'b']);
    assert.deepEqual(
      [...b.engine.state.liquidation.statuses.entries()].filter(([, s]) => s === 'liquidatable' || s === 'bankrupt').map(([id]) => id).sort(),
      ['a', 'c', 'e'],
      'the waiting accounts are recorded',
    );
    await b.ok(c.marks({ 'ETH-PERP': '2000.5' })); // a tick elsewhere serves the queue
    assert.deepEqual(liquidated(), ['d', 'b', 'c', 'a']);
    await b.ok(c.pass());
    assert.deepEqual(liquidated(), ['d', 'b', 'c', 'a', 'e']);
  });

  it('step limits pace a liquidation over several passes, each step raising the margin ratio', async () => {
    // Equity 40 at 99.5, MM 49.75: Drift's cover is 5.96 SOL; 10% of the position per step.
    const b = await longs({ alice: '45' }, { stepLimits: { fractionMax: '0.1', notionalMinPerStep: '0', notionalMaxPerAccountStep: '1000000', remainderMin: '0' } });
    await b.ok(c.marks({ 'SOL-PERP': '99.5' }));
    const ratios = [b.engine.accountFigures('alice')?.marginRatio ?? 0];
    assert.equal(position(b.engine, 'alice', 'SOL-PERP'), usd('9'), 'one step of 10% of the position');
    for (let i = 0; i < 8 && b.engine.state.liquidation.statuses.get('alice') === 'liquidatable'; i++) {
      await b.ok(c.pass());
      ratios.push(b.engine.accountFigures('alice')?.marginRatio ?? 0);
    }
    for (let i = 1; i < ratios.length; i++) assert.ok((ratios[i] ?? 0) > (ratios[i - 1] ?? 0), `ratio ${ratios.join(' < ')}`);
    assert.notEqual(b.engine.state.liquidation.statuses.get('alice'), 'liquidatable');
  });

  it('closes the account whole when fees exceed the margin a unit frees, fees never taking the equity below zero', async () => {
    const b = await longs({ alice: '45' }, { liquidatorFee: '0.05', insuranceFee: '0.04' });
    await b.ok(c.marks({ 'SOL-PERP': '96' })); // equity 5, MM 48; 9% of fees per unit against 7% of margin freed
    assert.equal(ofType(b.events(), 'LiquidationStarted')[0]?.path, 'whole');
    assert.equal(position(b.engine, 'alice', 'SOL-PERP'), 0n);
    const [fees] = ofType(b.events(), 'LiquidationFeesCharged');
    assert.deepEqual([fees?.liquidatorFee, fees?.insuranceFee], [usd('5'), usd('0')], 'the liquidator fee (48) cut to the equity left (5)');
    assert.equal(balance(b.engine, 'alice'), 0n, 'equity 0 left: fees reduced to nothing');
  });
});

describe('operator commands and configuration', () => {
  it('Liquidate refuses a healthy account and the venue\'s own, and liquidates a liquidatable one', async () => {
    const b = await longs({ alice: '100', bob: '10' }, { automatic: false });
    await b.ok(c.marks({ 'SOL-PERP': '96' }));
    assert.equal(ofType(b.events(), 'AccountStatusChanged').length, 0, 'automatic: false runs no pass');
    const [healthy, fund, unknown] = await b.run(c.liquidate('alice'), c.liquidate('system:insurance-fund'), c.liquidate('nobody'));
    assert.equal(healthy?.ok ? 'ok' : healthy?.code, 'account_not_liquidatable');
    assert.equal(fund?.ok ? 'ok' : fund?.code, 'account_id_reserved');
    assert.equal(unknown?.ok ? 'ok' : unknown?.code, 'account_unknown');
    await b.ok(c.liquidate('bob'));
    assert.ok(ofType(b.events(), 'PositionLiquidated').length > 0);
  });

  it('account ids starting with "system:" are reserved', async () => {
    const b = await bench(venue());
    const [r] = await b.run(c.create('system:mine'));
    assert.equal(r?.ok ? 'ok' : r?.code, 'account_id_reserved');
  });

  it('a venue without a liquidation section runs no pass (existing venues keep their behaviour)', async () => {
    const b = await bench(VENUE);
    await b.ok(c.create('alice'), c.create('bob'), c.deposit('alice', 'USDT', '100'), c.deposit('bob', 'USDT', '100000'));
    await b.ok(
      { type: 'UpdatePrices', id: 'p1', prices: { BTC: usd('50000') as never, USDT: usd('1') as never }, marks: { BTCUSDT: usd('50000') as never } },
      c.fill('BTCUSDT', 'alice', 'bob', '1', '50000'),
      { type: 'UpdatePrices', id: 'p2', prices: { BTC: usd('49000') as never, USDT: usd('1') as never }, marks: { BTCUSDT: usd('49000') as never } },
    );
    assert.equal(b.events().filter((e) => e.type === 'AccountStatusChanged' || e.type === 'PositionLiquidated').length, 0);
    await b.ok(c.liquidate('alice'));
    assert.equal(position(b.engine, 'alice', 'BTCUSDT'), 0n);
  });

  it('a bad liquidation section is refused whole, with paths', async () => {
    const b = await bench(venue());
    const [r] = await b.run({
      type: 'ChangeParams',
      id: 'bad-liq',
      effectiveMs: 0,
      document: venue({ buffer: '2', execution: 'liquidator', instruments: { NOPE: { execution: 'orders' } }, waterfall: [{ step: 'adl' }, { step: 'adl' }] }),
    });
    assert.ok(r !== undefined && !r.ok && r.code === 'params_invalid');
    for (const path of ['/liquidation/buffer', '/liquidation/liquidatorAccountId', '/liquidation/instruments/NOPE', '/liquidation/waterfall/1/step']) {
      assert.ok(r.message.includes(path), `${path} in ${r.message}`);
    }
  });

  it('replay of the journal, and a restart from a snapshot, give the same state hash', async () => {
    const store = new MemoryStore();
    const b = await bench(venue({ accountsPerTickMax: '1', execution: 'orders' }), store, { snapshotEvery: 7 });
    await b.ok(c.create('maker'), c.deposit('maker', 'USDC', '100000'), c.deposit('system:insurance-fund', 'USDC', '20'), c.marks({ 'SOL-PERP': '100' }));
    for (const [id, d] of [['x', '10'], ['y', '3'], ['z', '45']] as const) await b.ok(c.create(id), c.deposit(id, 'USDC', d), c.fill('SOL-PERP', id, 'maker', '10', '100'));
    await b.ok(c.marks({ 'SOL-PERP': '97.13' }), c.marks({ 'SOL-PERP': '96.5' }), c.pass(), c.marks({ 'SOL-PERP': '90' }));
    assert.ok(store.records.some((r) => r.commandId.startsWith('engine:liquidation:')));
    assert.ok(store.snapshots.length > 0 && b.engine.state.liquidation.orders.size > 0, 'snapshots hold liquidation orders');
    const hash = b.engine.stateHash();
    const replayed = await recover(store, { processedMax: 100, checkEvery: true });
    assert.equal(stateHashOf(replayed.state), hash);
    await b.engine.close();
    const restarted = await createEngine({ store, clock: new ManualClock(START_MS + 1), params: venue() });
    assert.equal(restarted.stateHash(), hash);
  });
});
