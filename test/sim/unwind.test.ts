/**
 * The insurance fund's unwind policy (src/sim/unwind.ts): `immediate` sells every takeover at the
 * end of its step; `paced` sells at most a share of the step's 1% depth per instrument and marks
 * the rest to market. Laws: the cap per step, conservation (engine invariants after every event,
 * the journal audit, and the fund's books: end = start + realised + unrealised), determinism.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { checkUnwindPolicy, simulate, unwindLots, type FundUnwindPolicy, type SimulationInput, type SimulationReport } from '../../src/sim/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { audit } from '../engine/liquidation/journalCheck.js';

const VENUE = parseYaml(readFileSync(new URL('../../examples/sim/venue.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
const PACED: FundUnwindPolicy = { kind: 'paced', depthShareMax: 0.25 };

async function run(overrides: Partial<SimulationInput> = {}, store = new MemoryStore()): Promise<SimulationReport> {
  return simulate({ venue: VENUE, store, accounts: 150, seed: 7, path: { kind: 'named', name: 'oct-2025', steps: 6 }, fundUnwind: PACED, ...overrides });
}

const num = (text: string): number => Number(text);

describe('unwindLots', () => {
  it('immediate sells everything; paced sells whole lots up to its share of the depth, never more than held', () => {
    assert.equal(unwindLots({ kind: 'immediate' }, { heldLots: 1234n, lotNotional: 10, depthNotional: 1 }), 1234n);
    // 0.25 x 1,000 of depth = 250 of notional = 25 lots of 10.
    assert.equal(unwindLots(PACED, { heldLots: 1234n, lotNotional: 10, depthNotional: 1000 }), 25n);
    assert.equal(unwindLots(PACED, { heldLots: 7n, lotNotional: 10, depthNotional: 1000 }), 7n);
    // A lot larger than the cap waits for a deeper book.
    assert.equal(unwindLots(PACED, { heldLots: 7n, lotNotional: 300, depthNotional: 1000 }), 0n);
    assert.equal(unwindLots(PACED, { heldLots: 0n, lotNotional: 10, depthNotional: 1000 }), 0n);
  });

  it('law: paced never sells more than the cap nor more than held', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 1e-3, max: 100, noNaN: true }),
        (heldLots, lotNotional, depthNotional, depthShareMax) => {
          const lots = unwindLots({ kind: 'paced', depthShareMax }, { heldLots, lotNotional, depthNotional });
          assert.ok(lots >= 0n && lots <= heldLots);
          assert.ok(Number(lots) * lotNotional <= depthShareMax * depthNotional * (1 + 1e-12));
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });

  it('refuses a paced share that is not a positive number', () => {
    assert.throws(() => checkUnwindPolicy({ kind: 'paced', depthShareMax: 0 }), /simulation_unwind_invalid/);
    assert.throws(() => checkUnwindPolicy({ kind: 'paced', depthShareMax: Number.NaN }), /simulation_unwind_invalid/);
    assert.doesNotThrow(() => checkUnwindPolicy({ kind: 'immediate' }));
  });
});

describe('the paced unwind in the simulator', () => {
  it('never sells more than its share of the step depth per instrument, and keeps the rest as inventory', async () => {
    for (const depthShareMax of [0.05, 0.25, 2]) {
      const report = await run({ fundUnwind: { kind: 'paced', depthShareMax } });
      for (const step of report.steps) {
        for (const [symbol, sold] of Object.entries(step.bookVolumeBySymbol)) {
          const cap = depthShareMax * num(report.depth.depthPerPercent[symbol] ?? 'NaN') * step.depthFactor;
          assert.ok(sold <= cap * (1 + 1e-9), `step ${step.step} ${symbol}: sold ${sold} > cap ${cap}`);
        }
      }
      if (depthShareMax === 0.05) assert.ok(report.steps.some((s) => num(s.fundInventoryNotional) > 0), 'a small share leaves inventory');
    }
  });

  it('immediate ends every step flat: no inventory, no unrealised PnL', async () => {
    const report = await run({ fundUnwind: { kind: 'immediate' } });
    assert.ok(report.steps.every((s) => s.fundInventoryNotional === '0.00' && s.fundUnrealisedPnl === '0'));
    assert.equal(report.totals.fundExitCost, '0.00');
    assert.ok(Math.abs(num(report.totals.fundRealisedPnl) - (num(report.totals.fundEnd) - num(report.fundStart))) < 1e-9, 'all of it realised');
  });

  it('conserves: invariants after every event (journal audit), and fund end = start + realised + unrealised exactly', async () => {
    const store = new MemoryStore();
    const report = await run({ invariants: 'event', accounts: 120, fundUnwind: { kind: 'paced', depthShareMax: 0.1 } }, store);
    assert.ok(report.checks.invariantsEveryStep && report.checks.spectatorsUntouched);
    const tally = { steps: 0, bankruptcies: 0, adl: 0, socialised: 0, passes: 0 };
    audit(store.records, { perTickMax: 500, fundFloor: 0n, adlOnlyWhenFundShort: true }, tally);
    assert.ok(tally.steps > 0);
    const cents = (text: string): bigint => BigInt(Math.round(num(text) * 1e6));
    assert.equal(cents(report.totals.fundEnd), cents(report.fundStart) + cents(report.totals.fundRealisedPnl) + cents(report.totals.fundUnrealisedEnd));
    // Each step's change of the fund is fees - drawdown + trading (no cash payments here).
    let before = num(report.fundStart);
    for (const s of report.steps) {
      const change = num(s.fundFees) - num(s.fundDrawdown) + num(s.fundTradingPnl);
      assert.ok(Math.abs(num(s.fundEquity) - before - change) < 1e-6, `step ${s.step}`);
      before = num(s.fundEquity);
    }
  });

  it('is deterministic: the same seed gives the same report, bit for bit', async () => {
    const a = await run();
    const b = await run();
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.deepEqual(a.fundUnwind, PACED);
  });
});
