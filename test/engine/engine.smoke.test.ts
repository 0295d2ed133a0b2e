import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEngine, ManualClock } from '../../src/engine/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { cmd, VENUE } from './fixtures.js';
import { formatAmount } from '../../src/risk/units/quantities.js';

describe('engine smoke', () => {
  it('trades, pays funding and replays to the same hash', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(1_700_000_000_000);
    const engine = await createEngine({ store, clock, params: VENUE, invariants: 'event' });
    const results = await Promise.all([
      engine.submit(cmd.create('alice')),
      engine.submit(cmd.create('bob')),
      engine.submit(cmd.deposit('alice', 'USDT', '10000')),
      engine.submit(cmd.deposit('bob', 'USDT', '10000')),
      engine.submit(cmd.prices({ BTC: '50000', USDT: '1' }, { BTCUSDT: '50000' })),
      engine.submit(cmd.fill('BTCUSDT', 'alice', 'bob', '0.1', '50000')),
      engine.submit(cmd.prices({ BTC: '51000' }, { BTCUSDT: '51000' })),
      engine.submit(cmd.funding('BTCUSDT', '0.0001')),
      engine.submit(cmd.fill('BTCUSDT', 'bob', 'alice', '0.05', '51000', 'sell')),
    ]);
    for (const r of results) assert.ok(r.ok, r.ok ? "" : `${r.code}: ${r.message}`);
    assert.deepEqual(engine.invariants().violations, []);
    const alice = engine.accountFigures('alice');
    assert.ok(alice);
    console.log(formatAmount(alice.equity), alice.status, formatAmount(alice.initialMargin));
    const hash = engine.stateHash();
    await engine.close();
    const again = await createEngine({ store, clock });
    assert.equal(again.stateHash(), hash);
  });
});
