/**
 * R1 Conservation law (RELIABILITY.md): over thousands of random commands (deposits, withdrawals,
 * transfers, price updates, fills in the linear perpetual, the inverse perpetual and the dated
 * future, funding, expiry settlement past the future's expiry, orders placed and cancelled), the
 * engine runs with `invariants: 'event'` (its own check after every event) and, after every
 * command, per asset, balances + position cash + isolated margins + insurance fund + fee pool +
 * rounding = deposits - withdrawals, exactly; per instrument, longs = shorts = tracked open
 * interest; and IM >= MM >= 0 for every account.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkRiskInvariants } from '../../../src/engine/index.js';
import { conservationViolations, fcOptions, show, startEngine } from './harness.js';
import { opsArbitrary, runOps } from './ops.js';

interface Tally {
  commands: number;
  accepted: number;
  byType: Map<string, number>;
}

async function conservationHoldsThroughout(ops: Parameters<typeof runOps>[1], tally: Tally, isolated: boolean): Promise<void> {
  const harness = await startEngine({ invariants: 'event' });
  await runOps(harness, ops, 'r1-', {
    options: { isolated },
    after: ({ command, result }) => {
      tally.commands += 1;
      if (result.ok) {
        tally.accepted += 1;
        tally.byType.set(command.type, (tally.byType.get(command.type) ?? 0) + 1);
      }
      const state = harness.engine.state;
      const engineReport = harness.engine.invariants();
      assert.deepEqual(engineReport.violations, [], `engine invariants after ${show(command)}`);
      assert.deepEqual(conservationViolations(state), [], `conservation after ${show(command)}`);
      assert.deepEqual(checkRiskInvariants(state).violations, [], `IM >= MM >= 0 after ${show(command)}`);
    },
  });
  await harness.engine.close();
}

function report(name: string, tally: Tally): void {
  const types = [...tally.byType.entries()].sort().map(([t, n]) => `${t} ${n}`).join(', ');
  console.log(`${name}: ${tally.commands} commands, ${tally.accepted} accepted (${types})`);
}

describe('R1 conservation law', () => {
  it('conservation and open interest hold after every command of random cross-account sequences', async () => {
    const tally: Tally = { commands: 0, accepted: 0, byType: new Map() };
    await fc.assert(
      fc.asyncProperty(opsArbitrary({ isolated: false, maxLength: 80 }), (ops) => conservationHoldsThroughout(ops, tally, false)),
      fcOptions(0x5017e47, 100),
    );
    report('cross', tally);
    assert.ok(tally.commands >= 2_000, `only ${tally.commands} commands`);
    for (const type of ['ApplyFill', 'Withdraw', 'Transfer', 'SettleFunding', 'SettleExpiry', 'PlaceOrder', 'CancelOrder', 'UpdatePrices']) {
      assert.ok((tally.byType.get(type) ?? 0) > 0, `no accepted ${type}: the generator does not reach it`);
    }
  });

  it('conservation holds with isolated accounts, leverage and isolated margin moves', async () => {
    const tally: Tally = { commands: 0, accepted: 0, byType: new Map() };
    await fc.assert(
      fc.asyncProperty(opsArbitrary({ isolated: true, maxLength: 80 }), (ops) => conservationHoldsThroughout(ops, tally, true)),
      fcOptions(0x150_1a7ed, 60),
    );
    report('isolated', tally);
    assert.ok((tally.byType.get('MoveIsolatedMargin') ?? 0) > 0, 'no accepted MoveIsolatedMargin');
  });
});
