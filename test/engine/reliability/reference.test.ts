/**
 * R2 Reference model (RELIABILITY.md): the engine against test/engine/model/reference.ts, a slow,
 * plain-bigint model of the ledger written from the venue's rules. After every command of random
 * sequences: the same verdict (the model predicts every rejection that does not depend on margin
 * maths) and identical ledgers: balances, positions (size and entry value), resting orders, fee
 * pool, rounding account, deposits, withdrawals and open interest. fast-check shrinks any
 * disagreement to a minimal sequence.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CommandResult } from '../../../src/engine/index.js';
import { ReferenceLedger, type Expected, type RefCommand } from '../model/reference.js';
import { engineView, fcOptions, REF_VENUE, show, startEngine } from './harness.js';
import { opsArbitrary, runOps, type Op } from './ops.js';

function agrees(expected: Expected, result: CommandResult): boolean {
  switch (expected.kind) {
    case 'accept':
      return result.ok;
    case 'reject':
      return !result.ok && expected.codes.includes(result.code);
    case 'margin':
      return result.ok || expected.codes.includes(result.code);
  }
}

async function engineMatchesModel(ops: readonly Op[], tally: { commands: number; compared: number }): Promise<void> {
  const harness = await startEngine({ invariants: 'event' });
  const model = new ReferenceLedger(REF_VENUE);
  let expected: Expected | undefined;
  await runOps(harness, ops, 'r2-', {
    before: (command, nowMs) => {
      expected = model.expect(command as RefCommand, nowMs);
    },
    after: ({ command, result, nowMs, index }) => {
      tally.commands += 1;
      assert.ok(expected !== undefined);
      assert.ok(
        agrees(expected, result),
        `step ${index} ${show(command)}: model expects ${show(expected)}, engine answered ${result.ok ? 'ok' : `${result.code}: ${result.message}`}`,
      );
      if (result.ok) model.apply(command as RefCommand);
      assert.deepEqual(model.conservationViolations(), [], `the model itself conserves after step ${index}`);
      assert.deepEqual(engineView(harness.engine.state), model.view(), `ledgers differ after step ${index} ${show(command)}`);
      tally.compared += 1;
    },
  });
  await harness.engine.close();
}

describe('R2 reference model', () => {
  it('the engine and the reference model keep identical ledgers after every command', async () => {
    const tally = { commands: 0, compared: 0 };
    await fc.assert(
      fc.asyncProperty(opsArbitrary({ isolated: false, maxLength: 80 }), (ops) => engineMatchesModel(ops, tally)),
      fcOptions(0x2ef_0de1, 100),
    );
    console.log(`R2: ${tally.commands} commands, ledgers compared ${tally.compared} times`);
    assert.ok(tally.compared >= 3_000);
  });

  it('the engine and the model agree on a hand-made sequence through zero, rebates, funding and expiry', async () => {
    const ops: Op[] = [
      { k: 'fill', symbol: 1, buyer: 0, seller: 1, lots: 7, ticks: 3, aggressor: 'sell', buyerOrder: false, sellerOrder: false },
      { k: 'prices', btcUsd: 43_210, markBps: [7, -13, 29, 3], lagged: false },
      { k: 'fill', symbol: 1, buyer: 1, seller: 0, lots: 11, ticks: -5, aggressor: 'buy', buyerOrder: false, sellerOrder: false },
      { k: 'funding', symbol: 1, rate: -1_234_567n },
      { k: 'fill', symbol: 0, buyer: 2, seller: 3, lots: 1_234, ticks: 1, aggressor: 'buy', buyerOrder: false, sellerOrder: false },
      { k: 'fill', symbol: 0, buyer: 3, seller: 2, lots: 617, ticks: 9, aggressor: 'sell', buyerOrder: false, sellerOrder: false },
      { k: 'funding', symbol: 0, rate: 2_999_999_999n },
      { k: 'fill', symbol: 2, buyer: 0, seller: 2, lots: 333, ticks: 0, aggressor: 'buy', buyerOrder: false, sellerOrder: false },
      { k: 'fill', symbol: 2, buyer: 3, seller: 0, lots: 1_000, ticks: 7, aggressor: 'sell', buyerOrder: false, sellerOrder: false },
      { k: 'expiry', symbol: 2, advance: false, btcUsd: 48_000, fractionUnits: 0 },
      { k: 'expiry', symbol: 2, advance: true, btcUsd: 48_001, fractionUnits: 12_345_679 },
      { k: 'fill', symbol: 3, buyer: 1, seller: 2, lots: 7, ticks: 3, aggressor: 'buy', buyerOrder: false, sellerOrder: false },
      { k: 'fill', symbol: 3, buyer: 2, seller: 1, lots: 11, ticks: -1, aggressor: 'sell', buyerOrder: false, sellerOrder: false },
      { k: 'fill', symbol: 2, buyer: 0, seller: 1, lots: 1, ticks: 0, aggressor: 'buy', buyerOrder: false, sellerOrder: false },
    ];
    await engineMatchesModel(ops, { commands: 0, compared: 0 });
  });
});
