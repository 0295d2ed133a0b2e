/**
 * The cascade simulator (src/sim) against the laws of RELIABILITY.md R16 and R25, at small sizes:
 * deterministic for a seed; conservation and open interest after every step (and after every
 * event, replayed by the liquidation journal audit); the depth model's feedback (a thin book makes
 * a crash worse); every deficit goes to the insurance fund first, then ADL; accounts without
 * positions untouched.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { impactOf, namedPath, NAMED_PATHS, simulate, type SimulationInput, type SimulationReport } from '../../src/sim/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { audit } from '../engine/liquidation/journalCheck.js';

const VENUE = parseYaml(readFileSync(new URL('../../examples/sim/venue.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
const CRASH = readFileSync(new URL('../../examples/sim/crash.csv', import.meta.url), 'utf8');

async function run(overrides: Partial<SimulationInput> = {}, store = new MemoryStore()): Promise<SimulationReport> {
  return simulate({ venue: VENUE, store, accounts: 150, seed: 7, path: { kind: 'named', name: 'oct-2025', steps: 6 }, ...overrides });
}

const num = (text: string): number => Number(text);

describe('cascade simulator', () => {
  it('is deterministic for a seed: the same seed gives the same report, bit for bit; another seed another one', async () => {
    const a = await run();
    const b = await run();
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    const c = await run({ seed: 8 });
    assert.notEqual(JSON.stringify(a), JSON.stringify(c));
    assert.ok(a.totals.liquidations > 0, 'the crash liquidates');
  });

  it('holds conservation and open interest after every step, and after every event of the journal (audit replay)', async () => {
    const store = new MemoryStore();
    const report = await run({ invariants: 'event', accounts: 120 }, store);
    assert.ok(report.steps.every((s) => s.invariantsOk && s.violations.length === 0));
    assert.ok(report.checks.invariantsEveryStep);
    const tally = { steps: 0, bankruptcies: 0, adl: 0, socialised: 0, passes: 0 };
    // Replays every record on a fresh state: invariants after each event, no healthy account
    // liquidated, each step raises the margin ratio or ends the positions, payers hold positions,
    // no ADL while the fund could pay (the venue's waterfall starts with the fund, without a cap).
    audit(store.records, { perTickMax: 500, fundFloor: 0n, adlOnlyWhenFundShort: true }, tally);
    assert.ok(tally.steps > 0 && tally.bankruptcies > 0, JSON.stringify(tally));
  });

  it('a crash with a thin book liquidates more and leaves more bad debt than the same crash with deep books', async () => {
    const path = (depthCut: number) => ({ kind: 'file', name: 'crash.csv', text: CRASH, depthCut }) as const;
    const deep = await run({ path: path(0), accounts: 200, seed: 3 });
    const thin = await run({ path: path(0.97), accounts: 200, seed: 3 });
    assert.deepEqual(thin.steps[0]?.marks, deep.steps[0]?.marks, 'the same path until liquidation volume hits the book');
    assert.ok(thin.totals.liquidations > deep.totals.liquidations, `liquidations thin ${thin.totals.liquidations} > deep ${deep.totals.liquidations}`);
    assert.ok(num(thin.totals.badDebt) > num(deep.totals.badDebt), `bad debt thin ${thin.totals.badDebt} > deep ${deep.totals.badDebt}`);
    const lowest = (r: SimulationReport) => Math.min(...r.steps.map((s) => s.marks['ALT-PERP'] ?? Infinity));
    assert.ok(lowest(thin) < lowest(deep), 'impact pushes the thin market lower');
  });

  it('every deficit goes to the insurance fund first: a fund large enough pays it all, with no ADL and no socialised loss', async () => {
    const report = await run({ insuranceFundShare: 1 });
    assert.ok(num(report.totals.badDebt) > 0);
    assert.equal(report.totals.adlNotional, '0');
    assert.equal(report.totals.socialisedLoss, '0');
    assert.equal(report.totals.fundDrawdown, report.totals.badDebt, 'the fund bore each deficit exactly');
    assert.ok(report.checks.fundDrawnWithinFloor && report.checks.fundAboveFloor);
  });

  it('then ADL: with a small fund ADL closes positions only in steps where the fund was short of the deficit', async () => {
    const report = await run({ insuranceFundShare: 0.001 });
    assert.ok(num(report.totals.adlNotional) > 0, 'ADL ran');
    assert.ok(report.checks.fundDrawnWithinFloor, 'the waterfall never drew the fund below its floor');
    let fundBefore = num(report.fundStart);
    for (const s of report.steps) {
      if (num(s.adlNotional) > 0) assert.ok(fundBefore + num(s.fundFees) < num(s.badDebt) + 1e-8, `step ${s.step}: ADL with a fund of ${fundBefore} for a deficit of ${s.badDebt}`);
      fundBefore = num(s.fundEquity);
    }
    // What ADL and the fund bore adds up to the deficits (nothing was socialised here).
    const covered = num(report.totals.fundDrawdown) + num(report.totals.adlDeficit) + num(report.totals.socialisedLoss);
    assert.ok(Math.abs(covered - num(report.totals.badDebt)) < 1e-6, `covered ${covered} = bad debt ${report.totals.badDebt}`);
  });

  it('leaves accounts without positions untouched', async () => {
    const report = await run({ insuranceFundShare: 0, population: { spectatorShare: 0.2 } });
    assert.ok(report.population.spectators > 10);
    assert.ok(num(report.totals.adlNotional) + num(report.totals.socialisedLoss) > 0, 'losses were shared');
    assert.ok(report.checks.spectatorsUntouched);
  });

  it('refuses runs beyond its limits with stable codes', async () => {
    await assert.rejects(run({ accounts: 20_001 }), /simulation_accounts_exceed_limit/);
    await assert.rejects(run({ path: { kind: 'named', name: 'oct-2025', steps: 2_001 } }), /simulation_steps_exceed_limit/);
    await assert.rejects(run({ path: { kind: 'named', name: 'no-such-path' } }), /path_unknown/);
    const { liquidation: _dropped, ...noLiquidation } = VENUE;
    await assert.rejects(run({ venue: noLiquidation }), /venue_liquidation_missing/);
  });
});

describe('paths and the depth model', () => {
  it('named paths end at the moves METHODS.md §6 gives', () => {
    const refs = [
      { symbol: 'BTC-PERP', underlying: 'BTC' },
      { symbol: 'ALT-PERP', underlying: 'ALT' },
    ];
    const oct = namedPath('oct-2025', refs);
    const end = (p: ReturnType<typeof namedPath>, s: string) => (p.prices.get(s) as Float64Array)[p.depthFactors.length - 1] as number;
    assert.ok(Math.abs(end(oct, 'BTC-PERP') / 60_000 - 0.87) < 1e-12, 'BTC -13%');
    assert.ok(Math.abs(end(oct, 'ALT-PERP') / 10 - 0.3) < 1e-12, 'a thin alt -70%');
    assert.ok(Math.abs((oct.depthFactors[oct.depthFactors.length - 1] as number) - 0.03) < 1e-12, 'depth -97%');
    assert.equal(oct.stepMs, 60_000, '12 steps over 12 minutes');
    const yfi = namedPath('yfi-nov-2023', refs);
    const prices = yfi.prices.get('ALT-PERP') as Float64Array;
    assert.ok(Math.abs(Math.max(...prices) / 10 - 3.15) < 1e-12, '+215%');
    assert.ok(Math.abs(end(yfi, 'ALT-PERP') / Math.max(...prices) - 0.7) < 1e-12, 'then -30%');
    assert.deepEqual(NAMED_PATHS.map((p) => p.name), ['oct-2025', 'mar-2020', 'yfi-nov-2023']);
  });

  it('impact: linear and square-root agree at one level of depth, and the worked figures hold', () => {
    const lin = impactOf({ model: 'linear', impactMax: 0.5, resilienceHalfLifeSteps: 4 }, 4_000_000, 1_000_000);
    const sqrt = impactOf({ model: 'sqrt', impactMax: 0.5, resilienceHalfLifeSteps: 4 }, 4_000_000, 1_000_000);
    assert.ok(Math.abs(lin.moveFraction - 0.04) < 1e-15 && Math.abs(lin.averageFraction - 0.02) < 1e-15);
    assert.ok(Math.abs(sqrt.moveFraction - 0.02) < 1e-15 && Math.abs(sqrt.averageFraction - 0.02 * (2 / 3)) < 1e-15);
    const thin = impactOf({ model: 'sqrt', impactMax: 0.5, resilienceHalfLifeSteps: 4 }, 4_000_000, 30_000);
    assert.ok(Math.abs(thin.moveFraction - 0.01 * Math.sqrt(4_000_000 / 30_000)) < 1e-12, 'depth -97%: 11.5%');
    assert.equal(impactOf({ model: 'linear', impactMax: 0.5, resilienceHalfLifeSteps: 4 }, 4_000_000, 30_000).moveFraction, 0.5, 'capped');
  });
});
