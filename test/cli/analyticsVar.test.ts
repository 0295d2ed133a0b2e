/**
 * `solvent var`, run in process as a user would: the figures equal the risk/analytics functions
 * called directly on the same returns (the CLI's part is mapping symbols to series and revaluing
 * the account), the Monte Carlo and generated runs repeat with their seed, the chart is an SVG,
 * and bad input exits 2 with a stable code.
 *
 * The account is examples/analytics/spx-account.yaml: 100 SPX long at 2,874.56, so a scenario's
 * PnL is 287,456 (e^r - 1) up to the 1e-8 price grid (100 x 1e-8 = 1e-6 of PnL).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as yamlText } from 'yaml';
import {
  createRandom,
  deltaNormalRisk,
  ewmaCovariance,
  filteredReturns,
  historicalRisk,
  logReturns,
  meanSquare,
  monteCarloRisk,
  parsePriceCsv,
  sampleCovariance,
  type PnlFunction,
} from '../../src/risk/analytics/index.js';
import { runCli, writeScratch } from './support.js';

const SP500 = fileURLToPath(new URL('../../node_modules/vega-datasets/data/sp500-2000.csv', import.meta.url));
const SPX_ACCOUNT = fileURLToPath(new URL('../../examples/analytics/spx-account.yaml', import.meta.url));
const CRYPTO_ACCOUNT = fileURLToPath(new URL('../../examples/analytics/crypto-account.yaml', import.meta.url));
const NOTIONAL = 100 * 2874.56;
const WINDOW = 1000;

interface VarReport {
  readonly method: string;
  readonly equity: number;
  readonly valueAtRisk: number;
  readonly expectedShortfall: number;
  readonly sigmaHorizon: number | null;
  readonly liquidity: { readonly liquidityAdjustedVar: number; readonly positionValue: number } | null;
  readonly monteCarlo: { readonly seed: number; readonly paths: number } | null;
  readonly history: { readonly days: number; readonly scenarios: number; readonly firstDate: string | null; readonly lastDate: string | null };
  readonly factors: readonly { readonly symbol: string; readonly exposure: number; readonly dailyVolatility: number }[];
  readonly heldConstant: readonly string[];
}

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Number.isFinite(actual) && Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} +/- ${tolerance}, got ${actual}`);
}

async function varOf(args: readonly string[]): Promise<VarReport> {
  const result = await runCli(['var', SPX_ACCOUNT, '--history', `SPX=${SP500}`, '--window', String(WINDOW), '--json', ...args]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  return JSON.parse(result.stdout) as VarReport;
}

const closes = (() => {
  const parsed = parsePriceCsv(readFileSync(SP500, 'utf8'));
  assert.ok(parsed.ok);
  return parsed.series.close.subarray(parsed.series.close.length - WINDOW);
})();
const pnlOf: PnlFunction = (r) => NOTIONAL * (Math.exp(r[0] as number) - 1);
const daily = logReturns(closes);
const covariance = ewmaCovariance([daily], { lambda: 0.94, initial: sampleCovariance([daily], { mean: 'zero' }) });

describe('solvent var on the real S&P 500 series', () => {
  test('historical VaR and ES equal historicalRisk on the same h-day log returns', async () => {
    for (const horizon of [1, 2]) {
      const report = await varOf(['--method', 'historical', '--horizon', String(horizon)]);
      const direct = historicalRisk({ factorReturns: [logReturns(closes, horizon)], pnlOf, confidence: 0.99 });
      assertClose(report.valueAtRisk, direct.valueAtRisk, 1e-4, `${horizon}-day VaR`);
      assertClose(report.expectedShortfall, direct.expectedShortfall, 1e-4, `${horizon}-day ES`);
      assert.equal(report.history.scenarios, WINDOW - horizon);
      assert.equal(report.history.lastDate, '2020-04-17');
    }
  });

  test('delta-normal VaR equals deltaNormalRisk with the notional as exposure and the EWMA covariance', async () => {
    const report = await varOf(['--method', 'delta-normal', '--horizon', '2', '--confidence', '0.975']);
    const direct = deltaNormalRisk({ exposures: [NOTIONAL], covariance, confidence: 0.975, horizonDays: 2 });
    assertClose(report.factors[0]?.exposure ?? NaN, NOTIONAL, 1e-3, 'exposure dV/dlnP');
    assertClose(report.valueAtRisk, direct.valueAtRisk, 1e-6 * direct.valueAtRisk, 'VaR');
    assertClose(report.expectedShortfall, direct.expectedShortfall, 1e-6 * direct.expectedShortfall, 'ES');
    assertClose(report.sigmaHorizon ?? NaN, direct.sigmaPortfolio * Math.SQRT2, 1e-6 * direct.sigmaPortfolio, 'sigma over 2 days');
  });

  test('filtered historical VaR equals historicalRisk on the EWMA-rescaled returns', async () => {
    const report = await varOf(['--method', 'filtered']);
    const filtered = filteredReturns(daily, { lambda: 0.94, initialVariance: meanSquare(daily) }).returns;
    const direct = historicalRisk({ factorReturns: [filtered], pnlOf, confidence: 0.99 });
    assertClose(report.valueAtRisk, direct.valueAtRisk, 1e-4, 'VaR');
    assertClose(report.expectedShortfall, direct.expectedShortfall, 1e-4, 'ES');
  });

  test('Monte Carlo VaR equals monteCarloRisk with the same seed, and repeats run after run', async () => {
    const report = await varOf(['--method', 'monte-carlo', '--paths', '20000', '--seed', '42', '--horizon', '2']);
    const direct = monteCarloRisk({ covariance, horizonDays: 2, paths: 20_000, confidence: 0.99, distribution: { kind: 'normal' }, pnlOf, random: createRandom(42) });
    assertClose(report.valueAtRisk, direct.valueAtRisk, 1e-4, 'VaR');
    assertClose(report.expectedShortfall, direct.expectedShortfall, 1e-4, 'ES');
    assert.deepEqual(await varOf(['--method', 'monte-carlo', '--paths', '20000', '--seed', '42', '--horizon', '2']), report);
    assert.notEqual((await varOf(['--method', 'monte-carlo', '--paths', '20000', '--seed', '43', '--horizon', '2'])).valueAtRisk, report.valueAtRisk);
  });

  test('liquidity-adjusted VaR adds half the spread on the gross notional (Bangia et al.)', async () => {
    const report = await varOf(['--lvar-spread', '0.002']);
    assertClose(report.liquidity?.positionValue ?? NaN, NOTIONAL, 1e-8, 'position value');
    assertClose(report.liquidity?.liquidityAdjustedVar ?? NaN, report.valueAtRisk + 0.5 * NOTIONAL * 0.002, 1e-6, 'LVaR');
  });

  test('the table names the method, the figures and the history', async () => {
    const result = await runCli(['var', SPX_ACCOUNT, '--history', `SPX=${SP500}`]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Value at risk of account index-long \(historical, 99% over 1 day, figures in USD\)/);
    assert.match(result.stdout, /Expected shortfall \(ES\)/);
    assert.match(result.stdout, /History: 5105 days, 2000-01-03 to 2020-04-17/);
  });

  test('--chart writes an SVG histogram of scenario PnL with the VaR and ES lines', async () => {
    const chart = writeScratch('var.svg', '');
    const result = await runCli(['var', SPX_ACCOUNT, '--history', `SPX=${SP500}`, '--chart', chart]);
    assert.equal(result.code, 0, result.stderr);
    const svg = readFileSync(chart, 'utf8');
    assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'), 'an SVG document');
    for (const text of ['VaR 99%', 'ES 99%', 'scenario PnL (USD)', 'role-mark']) assert.ok(svg.includes(text), text);
    const normal = writeScratch('var-normal.svg', '');
    assert.equal((await runCli(['var', SPX_ACCOUNT, '--history', `SPX=${SP500}`, '--method', 'delta-normal', '--chart', normal])).code, 0);
    assert.ok(readFileSync(normal, 'utf8').includes('PnL over the horizon (USD)'));
  });
});

describe('solvent var on generated prices', () => {
  test('one seeded GARCH series per moving price: same seed, same report; pegged collateral held', async () => {
    const args = ['var', CRYPTO_ACCOUNT, '--generate', '--seed', '7', '--days', '500', '--method', 'monte-carlo', '--paths', '2000', '--json'];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as VarReport;
    assert.deepEqual(report.factors.map((f) => f.symbol), ['BTC', 'ETH', 'SOL']);
    assert.deepEqual(report.heldConstant, ['USDE', 'USDT']);
    assert.equal(report.monteCarlo?.seed, 8, 'Monte Carlo draws from the next seed when the prices are generated');
    assertClose(report.factors[2]?.exposure ?? NaN, -30_000, 1e-3, 'SOL short exposure');
    assert.equal((await runCli(args)).stdout, first.stdout);
    assert.notEqual((await runCli(args.map((a) => (a === '7' ? '8' : a)))).stdout, first.stdout);
  });
});

describe('solvent var rejects bad input with exit 2 and a stable code', () => {
  const cases: readonly { readonly name: string; readonly args: () => string[]; readonly code: string }[] = [
    { name: 'no history', args: () => ['var', SPX_ACCOUNT], code: 'history_missing' },
    { name: 'a series for a price the account does not hold', args: () => ['var', SPX_ACCOUNT, '--history', `BTC=${SP500}`], code: 'history_symbol_unknown' },
    { name: 'no series for an underlying held', args: () => ['var', CRYPTO_ACCOUNT, '--history', `BTC=${SP500}`], code: 'history_missing' },
    { name: 'an unknown method', args: () => ['var', SPX_ACCOUNT, '--history', SP500, '--method', 'guess'], code: 'option_value_invalid' },
    { name: 'a confidence of 1', args: () => ['var', SPX_ACCOUNT, '--history', SP500, '--confidence', '1'], code: 'option_value_invalid' },
    { name: 'a horizon of 0 days', args: () => ['var', SPX_ACCOUNT, '--history', SP500, '--horizon', '0'], code: 'option_value_invalid' },
    { name: 'a price file that does not exist', args: () => ['var', SPX_ACCOUNT, '--history', 'SPX=nowhere.csv'], code: 'file_not_found' },
    { name: 'both files and --generate', args: () => ['var', SPX_ACCOUNT, '--history', SP500, '--generate'], code: 'history_conflict' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const result = await runCli(c.args());
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.ok(result.stderr.includes(c.code), `stderr names ${c.code}: ${result.stderr}`);
    });
  }

  test('a broken price file: each problem with its line and code', async () => {
    const csv = writeScratch('broken.csv', 'date,close\n2024-01-01,100\n2024-01-02,abc\n2024-01-01,101\n');
    const result = await runCli(['var', SPX_ACCOUNT, '--history', `SPX=${csv}`]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is not a valid price file:\n {2}line 3: csv_number_invalid: /);
    assert.match(result.stderr, /\n1 problem \(price_file_invalid\)\n$/);
  });

  test('an invalid document is reported with its paths, as by solvent margin', async () => {
    const doc = parseYaml(readFileSync(SPX_ACCOUNT, 'utf8')) as Record<string, any>;
    doc['account'].positions[0].size = 'lots';
    const file = writeScratch('bad-spx.yaml', yamlText(doc));
    const result = await runCli(['var', file, '--history', `SPX=${SP500}`]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\/account\/positions\/0\/size: field_malformed/);
  });

  test('the charts directory must exist', async () => {
    const result = await runCli(['var', SPX_ACCOUNT, '--history', `SPX=${SP500}`, '--chart', join(writeScratch('x', ''), 'no', 'chart.svg')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /chart_unwritable/);
  });
});
