/** Oracle statuses in the engine: risk may not grow on a price the oracle does not vouch for (R8, R9). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEngine, ManualClock, type Command, type Engine } from '../../src/engine/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { parsePrice, parseSize } from '../../src/risk/units/quantities.js';
import { cmd, VENUE } from './fixtures.js';

async function engineWithPositions(): Promise<Engine> {
  const engine = await createEngine({ store: new MemoryStore(), clock: new ManualClock(1_700_000_000_000), params: VENUE, invariants: 'event' });
  for (const c of [
    cmd.create('alice'),
    cmd.create('bob'),
    cmd.create('carol'),
    cmd.deposit('alice', 'USDT', '100000'),
    cmd.deposit('bob', 'USDT', '100000'),
    cmd.deposit('carol', 'USDT', '1000'),
    cmd.prices({ BTC: '50000', USDT: '1' }, { BTCUSDT: '50000', 'BTC-PERP': '50000' }),
    cmd.fill('BTCUSDT', 'alice', 'bob', '1', '50000'),
  ]) {
    const r = await engine.submit(c);
    assert.ok(r.ok, r.ok ? '' : r.code);
  }
  return engine;
}

const statuses = (s: Record<string, 'ok' | 'degraded' | 'stale' | 'halted'>): Command => ({ type: 'UpdatePrices', id: `st-${JSON.stringify(s)}`, statuses: s });
const order = (accountId: string, side: 'buy' | 'sell', size: string, reduceOnly = false) => ({
  accountId,
  instrument: 'BTCUSDT',
  side,
  size: parseSize(size),
  price: parsePrice('50000'),
  reduceOnly,
});

describe('market statuses from the oracle', () => {
  it('a stale or halted market refuses orders that raise risk, and accepts orders that reduce it', async () => {
    const engine = await engineWithPositions();
    assert.ok((await engine.submit(statuses({ BTCUSDT: 'stale' }))).ok);
    assert.deepEqual(engine.checkOrder(order('alice', 'buy', '0.1')), { ok: false, code: 'oracle_price_stale', message: 'the price of BTCUSDT is stale' });
    assert.deepEqual(engine.checkOrder(order('alice', 'sell', '0.5', true)), { ok: true });
    assert.ok((await engine.submit(statuses({ BTCUSDT: 'halted' }))).ok);
    assert.equal((engine.checkOrder(order('bob', 'sell', '0.1')) as { code: string }).code, 'market_halted');
    assert.ok((await engine.submit(statuses({ BTCUSDT: 'ok' }))).ok);
    assert.deepEqual(engine.checkOrder(order('alice', 'buy', '0.1')), { ok: true });
  });

  it('a degraded index blocks risk-increasing orders on every instrument of its underlying', async () => {
    const engine = await engineWithPositions();
    assert.ok((await engine.submit(statuses({ BTC: 'degraded' }))).ok);
    assert.equal((engine.checkOrder({ ...order('carol', 'buy', '1'), instrument: 'BTC-PERP', size: parseSize('1') }) as { code: string }).code, 'oracle_price_stale');
  });

  it('withdrawals that depend on a stale price are refused; an account that does not depend on it withdraws', async () => {
    const engine = await engineWithPositions();
    assert.ok((await engine.submit(statuses({ BTCUSDT: 'stale' }))).ok);
    const refused = await engine.submit(cmd.withdraw('alice', 'USDT', '10'));
    assert.equal(refused.ok ? 'ok' : refused.code, 'oracle_price_stale');
    const carol = await engine.submit(cmd.withdraw('carol', 'USDT', '10'));
    assert.ok(carol.ok);
  });

  it('an unknown status or symbol is rejected and changes nothing', async () => {
    const engine = await engineWithPositions();
    const hash = engine.stateHash();
    const r = await engine.submit({ type: 'UpdatePrices', id: 'bad-status', statuses: { BTCUSDT: 'closed' as never } });
    assert.equal(r.ok ? 'ok' : r.code, 'market_status_unknown');
    const r2 = await engine.submit(statuses({ DOGE: 'stale' }));
    assert.equal(r2.ok ? 'ok' : r2.code, 'price_symbol_unknown');
    assert.equal(engine.stateHash(), hash);
  });
});
