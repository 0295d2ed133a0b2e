/**
 * R28 Zero-sum settlement (RELIABILITY.md): every funding settlement's payments plus its rounding
 * sum to exactly zero, each payment is the holder's exact figure rounded down
 * (floor(-(size x cs x mark x F)), inverse / mark), and the rounding is less than one unit per
 * payment; every expiry settlement leaves the cash held in each asset unchanged and closes every
 * position and order of the future; the rounding account never goes negative.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { EngineEvent } from '../../../src/engine/index.js';
import { fundingPayment, settlementValue } from '../model/reference.js';
import { cashHeld, fcOptions, REF_VENUE, show, startEngine } from './harness.js';
import { opsArbitrary, runOps, type Op } from './ops.js';

interface Tally {
  fundings: number;
  payments: number;
  expiries: number;
}

async function settlementsAreZeroSum(ops: readonly Op[], tally: Tally): Promise<void> {
  const harness = await startEngine();
  const { engine } = harness;
  let cashBefore = new Map<string, bigint>();
  let sizesBefore = new Map<string, bigint>();
  let entryBefore = new Map<string, bigint>();
  await runOps(harness, ops, 'r28-', {
    options: { isolated: true },
    before: () => {
      cashBefore = cashHeld(engine.state);
      sizesBefore = new Map();
      entryBefore = new Map();
      for (const a of engine.state.accounts.values()) {
        for (const [symbol, p] of a.positions) {
          sizesBefore.set(`${a.id} ${symbol}`, p.size);
          entryBefore.set(`${a.id} ${symbol}`, p.entryValue);
        }
      }
    },
    after: ({ command, result }) => {
      for (const [asset, v] of engine.state.ledgers.rounding) assert.ok(v >= 0n, `rounding account of ${asset} is ${v} after ${show(command)}`);
      if (!result.ok) return;
      for (const event of result.events) checkEvent(event);
    },
  });
  await engine.close();

  function checkEvent(event: EngineEvent): void {
    if (event.type === 'FundingSettled') {
      tally.fundings += 1;
      tally.payments += event.payments.length;
      const instrument = REF_VENUE.instruments.get(event.instrument);
      assert.ok(instrument !== undefined);
      const total = event.payments.reduce((t, p) => t + p.amount, 0n);
      assert.equal(total + event.rounding, 0n, `funding ${show(event)} sums to zero`);
      assert.ok(event.rounding >= 0n && event.rounding < BigInt(Math.max(1, event.payments.length)), `funding rounding ${event.rounding} within [0, payments)`);
      const holders = [...sizesBefore.entries()].filter(([key, s]) => key.endsWith(` ${event.instrument}`) && s !== 0n);
      assert.equal(event.payments.length, holders.length, 'every holder, and only holders, are paid');
      for (const payment of event.payments) {
        const contracts: bigint = sizesBefore.get(`${payment.accountId} ${event.instrument}`) ?? 0n;
        assert.equal(payment.amount, fundingPayment(instrument, contracts, event.mark, event.rate), `funding payment of ${payment.accountId}`);
      }
    }
    if (event.type === 'ExpirySettled') {
      tally.expiries += 1;
      const instrument = REF_VENUE.instruments.get(event.instrument);
      assert.ok(instrument !== undefined);
      const after = cashHeld(engine.state);
      for (const asset of new Set([...cashBefore.keys(), ...after.keys()])) {
        assert.equal(after.get(asset) ?? 0n, cashBefore.get(asset) ?? 0n, `expiry settlement conserves ${asset} cash`);
      }
      assert.ok(event.rounding >= 0n && event.rounding < BigInt(Math.max(1, event.payments.length)), `expiry rounding ${event.rounding} within [0, payments)`);
      for (const payment of event.payments) {
        const key: string = `${payment.accountId} ${event.instrument}`;
        const value = settlementValue(instrument, sizesBefore.get(key) ?? 0n, event.price);
        const entry: bigint = entryBefore.get(key) ?? 0n;
        assert.equal(payment.amount, instrument.settlement === 'linear' ? value - entry : entry - value, `expiry payment of ${payment.accountId}`);
      }
      for (const a of engine.state.accounts.values()) {
        assert.equal(a.positions.get(event.instrument)?.size ?? 0n, 0n, `no ${event.instrument} position after expiry`);
        assert.ok(![...a.orders.values()].some((o) => o.instrument === event.instrument), `no ${event.instrument} order after expiry`);
      }
      assert.equal(engine.state.openInterest.get(event.instrument) ?? 0n, 0n);
    }
  }
}

describe('R28 zero-sum settlement', () => {
  it('funding payments plus rounding sum to zero and expiry settlement conserves cash', async () => {
    const tally: Tally = { fundings: 0, payments: 0, expiries: 0 };
    await fc.assert(
      fc.asyncProperty(opsArbitrary({ isolated: true, maxLength: 80 }), (ops) => settlementsAreZeroSum(ops, tally)),
      fcOptions(0x28_5e77, 80),
    );
    console.log(`R28: ${tally.fundings} funding settlements (${tally.payments} payments), ${tally.expiries} expiry settlements`);
    assert.ok(tally.fundings > 50 && tally.expiries > 5);
  });
});
