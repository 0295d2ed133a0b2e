/** `solvent simulate` in process: JSON, the chart, the path list, and bad input (exit 2, a stable code). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runCli, writeScratch } from '../cli/support.js';

const small = ['simulate', '--accounts', '80', '--steps', '4', '--seed', '5'];

describe('solvent simulate', () => {
  it('prints a JSON report without a progress bar, the same for the same seed', async () => {
    const a = await runCli([...small, '--json']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stderr, '', 'silent with --json');
    const report = JSON.parse(a.stdout) as { steps: unknown[]; checks: Record<string, boolean>; path: { name: string } };
    assert.equal(report.steps.length, 4);
    assert.equal(report.path.name, 'oct-2025');
    assert.ok(report.checks.invariantsEveryStep && report.checks.spectatorsUntouched);
    const b = await runCli([...small, '--json']);
    assert.equal(b.stdout, a.stdout);
  });

  it('writes the chart as SVG and prints a table with a progress bar on stderr', async () => {
    const out = writeScratch('cascade.svg', '');
    const r = await runCli([...small, '--chart', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^path oct-2025/);
    assert.match(r.stdout, /checks: invariants every step ok/);
    assert.match(r.stderr, /simulate \[.*\] 4\/4 steps/);
    const svg = readFileSync(out, 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /insurance fund/);
    assert.match(svg, /cumulative bad debt/);
  });

  it('runs a paced fund unwind and reports the fund inventory; the default is immediate', async () => {
    const paced = await runCli([...small, '--fund-unwind', 'paced', '--unwind-share', '0.1', '--json']);
    assert.equal(paced.code, 0, paced.stderr);
    const report = JSON.parse(paced.stdout) as { fundUnwind: unknown; totals: { fundInventoryEnd: string; fundUnrealisedEnd: string; fundExitCost: string } };
    assert.deepEqual(report.fundUnwind, { kind: 'paced', depthShareMax: 0.1 });
    assert.ok(Number(report.totals.fundInventoryEnd) > 0, 'a slow unwind leaves inventory after 4 steps');
    const text = await runCli([...small, '--no-progress']);
    assert.match(text.stdout, /^fund unwind immediate/m);
    assert.match(text.stdout, /^fund at the end: realised .*, unrealised 0\.00 on an inventory of 0\.00/m);
  });

  it('lists the named paths', async () => {
    const r = await runCli(['simulate', '--list-paths']);
    assert.equal(r.code, 0);
    for (const name of ['oct-2025', 'mar-2020', 'yfi-nov-2023', 'synthetic']) assert.match(r.stdout, new RegExp(`^${name} `, 'm'));
  });

  it('runs a synthetic path and a path file', async () => {
    const synthetic = await runCli(['simulate', '--accounts', '60', '--path', 'synthetic', '--steps', '5', '--json']);
    assert.equal(synthetic.code, 0, synthetic.stderr);
    const file = writeScratch('path.ndjson', ['{"BTC-PERP":60000,"ALT-PERP":10}', '{"BTC-PERP":57000,"ALT-PERP":8,"depth":0.1}'].join('\n').replace('"ALT-PERP":10}', '"ALT-PERP":10,"depth":1}'));
    const fromFile = await runCli(['simulate', '--accounts', '60', '--path', file, '--json']);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.deepEqual(Object.keys((JSON.parse(fromFile.stdout) as { steps: { marks: object }[] }).steps[0]?.marks ?? {}), ['ALT-PERP', 'BTC-PERP']);
  });

  const bad: [string, string[], string][] = [
    ['accounts beyond the limit', ['--accounts', '20001'], 'simulation_accounts_exceed_limit'],
    ['steps beyond the limit', ['--steps', '2001'], 'simulation_steps_exceed_limit'],
    ['too much work', ['--accounts', '20000', '--steps', '200'], 'simulation_work_exceeds_limit'],
    ['no accounts', ['--accounts', '0'], 'option_value_invalid'],
    ['a depth cut of 100%', ['--depth-cut', '1'], 'option_value_invalid'],
    ['an unknown impact model', ['--impact', 'cubic'], 'option_value_invalid'],
    ['an unknown path', ['--path', 'dec-2099'], 'path_unknown'],
    ['an unknown unwind policy', ['--fund-unwind', 'slow'], 'option_value_invalid'],
    ['a paced share of 0', ['--fund-unwind', 'paced', '--unwind-share', '0'], 'option_value_invalid'],
    ['a share with the immediate unwind', ['--fund-unwind', 'immediate', '--unwind-share', '1'], 'option_value_invalid'],
    ['a missing venue file', ['--venue', '/nonexistent/venue.yaml'], 'file_not_found'],
  ];
  for (const [what, args, code] of bad) {
    it(`exits 2 with ${code}: ${what}`, async () => {
      const r = await runCli(['simulate', '--json', ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(code), r.stderr);
      assert.equal(r.stdout, '');
    });
  }

  it('exits 2 with the stable code of a bad path file or venue', async () => {
    const csv = writeScratch('bad.csv', 'BTC-PERP,ALT-PERP\n60000,10\n59000,abc\n');
    const r = await runCli(['simulate', '--json', '--path', csv]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /path_row_invalid/);
    const unknown = writeScratch('unknown.csv', 'DOGE-PERP\n1\n2\n');
    assert.match((await runCli(['simulate', '--json', '--path', unknown])).stderr, /path_instrument_unknown/);
    const venue = writeScratch('venue.yaml', 'version: 1\nvaluationAsset: USD\nassets: {}\ninstruments: {}\n');
    const v = await runCli(['simulate', '--json', '--venue', venue]);
    assert.equal(v.code, 2);
    assert.match(v.stderr, /venue_liquidation_missing|venue_instruments_unsupported/);
  });
});
