/**
 * Idempotency beyond the command-id window: an old price update never rolls prices back, and a
 * funding interval settles once, whatever the command id (asked for by the oracle: ids are
 * remembered only for the last `processedMax` commands).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEngine, ManualClock } from '../../src/engine/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { parsePrice, parseRate } from '../../src/risk/units/quantities.js';
import { cmd, VENUE } from './fixtures.js';

async function engine() {
  const e = await createEngine({ store: new MemoryStore(), clock: new ManualClock(1_700_000_000_000), params: VENUE, invariants: 'event' });
  for (const c of [cmd.create('alice'), cmd.create('bob'), cmd.deposit('alice', 'USDT', '10000'), cmd.deposit('bob', 'USDT', '10000')]) {
    assert.ok((await e.submit(c)).ok);
  }
  return e;
}

describe('sequencing of prices and funding', () => {
  it('an update observed before the newest applied one is refused and changes nothing', async () => {
    const e = await engine();
    const newer = await e.submit({ type: 'UpdatePrices', id: 'p2', asOfMs: 2_000, prices: { BTC: parsePrice('51000') }, marks: { BTCUSDT: parsePrice('51000') } });
    assert.ok(newer.ok);
    const hash = e.stateHash();
    const older = await e.submit({ type: 'UpdatePrices', id: 'p1', asOfMs: 1_000, prices: { BTC: parsePrice('50000') } });
    assert.deepEqual(older.ok ? 'ok' : older.code, 'prices_out_of_order');
    assert.equal(e.stateHash(), hash);
    assert.equal(e.state.market.prices.get('BTC'), parsePrice('51000'));
    // Another symbol has no newer price: its update at an earlier time is fine.
    assert.ok((await e.submit({ type: 'UpdatePrices', id: 'p3', asOfMs: 1_500, prices: { USDT: parsePrice('1') } })).ok);
  });

  it('a funding interval settles once, even under a new command id', async () => {
    const e = await engine();
    for (const c of [cmd.prices({ BTC: '50000', USDT: '1' }, { BTCUSDT: '50000' }), cmd.fill('BTCUSDT', 'alice', 'bob', '0.1', '50000')]) {
      assert.ok((await e.submit(c)).ok);
    }
    const first = await e.submit({ type: 'SettleFunding', id: 'f-a', instrument: 'BTCUSDT', rate: parseRate('0.0001'), intervalEndMs: 28_800_000 });
    assert.ok(first.ok);
    const hash = e.stateHash();
    const again = await e.submit({ type: 'SettleFunding', id: 'f-b', instrument: 'BTCUSDT', rate: parseRate('0.0001'), intervalEndMs: 28_800_000 });
    assert.equal(again.ok ? 'ok' : again.code, 'funding_interval_settled');
    assert.equal(e.stateHash(), hash);
    assert.ok((await e.submit({ type: 'SettleFunding', id: 'f-c', instrument: 'BTCUSDT', rate: parseRate('0.0001'), intervalEndMs: 57_600_000 })).ok);
    assert.deepEqual(e.invariants().violations, []);
  });
});
