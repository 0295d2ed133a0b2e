/**
 * R13 Withdrawing unrealised PnL (RELIABILITY.md): no accepted withdrawal or transfer out takes an
 * account that meets initial margin to below maintenance margin; in fact it leaves IM covered.
 * Property over random cross accounts with multi-asset collateral, positions in the three
 * instruments, resting orders, chosen leverage, a price move and lagged prices, checked on a full
 * recomputation (engine.accountFigures) after each acceptance.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Command } from '../../../src/engine/index.js';
import { amount } from '../../../src/risk/units/quantities.js';
import { bookArbitrary, bookOf, TRADERS } from './accounts.js';
import { fcOptions, show, submit } from './harness.js';

const attempt = fc.record({
  trader: fc.integer({ min: 0, max: TRADERS.length - 1 }),
  asset: fc.constantFrom('USDT', 'BTC'),
  transfer: fc.boolean(),
  // A share of the balance, or (for USDT) the free collateral plus or minus a little.
  perMille: fc.integer({ min: 1, max: 1_000 }),
  nearFree: fc.boolean(),
  nudgeUnits: fc.bigInt({ min: -1_000_000n, max: 1_000_000n }),
});

describe('R13 withdrawing unrealised PnL', () => {
  it('no accepted withdrawal takes an account from IM covered to below MM', async () => {
    let acceptedWithPositions = 0;
    await fc.assert(
      fc.asyncProperty(bookArbitrary, fc.array(attempt, { minLength: 1, maxLength: 12 }), async (book, attempts) => {
        const { engine } = await bookOf(book);
        for (const [i, a] of attempts.entries()) {
          const accountId = TRADERS[a.trader] as string;
          const before = engine.accountFigures(accountId);
          assert.ok(before !== undefined);
          const balance = engine.state.accounts.get(accountId)?.balances.get(a.asset) ?? 0n;
          const free = before.freeCollateral;
          const wanted = a.nearFree && a.asset === 'USDT' ? free + a.nudgeUnits : (balance * BigInt(a.perMille)) / 1_000n;
          if (wanted <= 0n) continue;
          const command: Command = a.transfer
            ? { type: 'Transfer', id: `w${i}`, fromAccountId: accountId, toAccountId: `${accountId}-sub`, asset: a.asset, amount: amount(wanted) }
            : { type: 'Withdraw', id: `w${i}`, accountId, asset: a.asset, amount: amount(wanted) };
          const result = await submit(engine, command);
          if (!result.ok) continue;
          const after = engine.accountFigures(accountId);
          assert.ok(after !== undefined);
          if (after.positions.length > 0) acceptedWithPositions += 1;
          const context = `${show(command)}: before IM ${before.initialMargin} <= collateral ${before.collateralInitial}; after IM ${after.initialMargin}, collateral ${after.collateralInitial}, MM ${after.maintenanceMargin}, MM collateral ${after.collateralMaintenance}`;
          if (before.collateralInitial >= before.initialMargin) {
            assert.ok(after.collateralMaintenance >= after.maintenanceMargin, `withdrawal took the account below MM: ${context}`);
          }
          assert.ok(after.collateralInitial >= after.initialMargin, `an accepted withdrawal leaves IM covered: ${context}`);
        }
        await engine.close();
      }),
      fcOptions(0x13_3d7a, 60),
    );
    console.log(`R13: ${acceptedWithPositions} accepted withdrawals from accounts with positions`);
    assert.ok(acceptedWithPositions > 30);
  });
});
