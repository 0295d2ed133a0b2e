/**
 * `solvent backtest`, run in process: the real S&P 500 series (the default history) reports
 * coverage, Kupiec's test and the Basel traffic light over 250-day windows; a GARCH series whose
 * parameters the model knows is covered close to the target (and its volatility is recovered); the
 * progress bar goes to stderr and stays silent with --json; charts are SVG; bad input exits 2.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stringify as yamlText } from 'yaml';
import { kupiecPof, trafficLightBands } from '../../src/risk/analytics/index.js';
import { runCli, writeScratch } from './support.js';

const SP500 = fileURLToPath(new URL('../../node_modules/vega-datasets/data/sp500-2000.csv', import.meta.url));
const PORTFOLIO = fileURLToPath(new URL('../../examples/analytics/portfolio.yaml', import.meta.url));

interface ExceptionJson {
  readonly observations: number;
  readonly exceptions: number;
  readonly coverage: number;
  readonly kupiec: { readonly likelihoodRatio: number; readonly pValue: number; readonly verdict: string };
  readonly trafficLight: { readonly greenMax: number; readonly yellowMax: number; readonly zone: string };
}
interface PortfolioJson extends ExceptionJson {
  readonly id: string;
  readonly windows250: { readonly green: number; readonly yellow: number; readonly red: number; readonly latest: { readonly from: string; readonly to: string; readonly exceptions: number; readonly zone: string } | null; readonly windows: readonly { readonly exceptions: number; readonly zone: string }[] };
  readonly procyclicality: { readonly largestIncrease5d: number; readonly largestIncreaseRatio5d: number };
}
interface BacktestJson {
  readonly observations: number;
  readonly history: { readonly days: number; readonly firstDate: string | null; readonly lastDate: string | null; readonly generator: { readonly longRunDailyVolatility: number } | null; readonly realisedDailyVolatility: readonly { readonly realisedDaily: number }[] };
  readonly models: readonly { readonly name: string; readonly pooled: ExceptionJson; readonly portfolios: readonly PortfolioJson[] }[];
}

async function backtest(args: readonly string[]): Promise<{ readonly json: BacktestJson; readonly stderr: string }> {
  const result = await runCli(['backtest', ...args, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return { json: JSON.parse(result.stdout) as BacktestJson, stderr: result.stderr };
}

const zoneOf = (exceptions: number): string => (exceptions <= 4 ? 'green' : exceptions <= 9 ? 'yellow' : 'red');

describe('solvent backtest on the real S&P 500 series (the default history)', () => {
  test('--compare: static and vol-scaled, with Kupiec and 250-day traffic-light zones', async () => {
    const { json, stderr } = await backtest(['--compare']);
    assert.equal(stderr, '', 'no progress bar with --json');
    assert.equal(json.history.firstDate, '2000-01-03');
    assert.equal(json.history.lastDate, '2020-04-17');
    assert.equal(json.observations, json.history.days - 2 - 250);
    assert.deepEqual(json.models.map((m) => m.name), ['static 10%', 'vol-scaled']);
    for (const model of json.models) {
      assert.deepEqual(model.portfolios.map((p) => p.id), ['long', 'short']);
      for (const p of model.portfolios) {
        const direct = kupiecPof({ observations: p.observations, exceptions: p.exceptions, exceptionProbability: 1 - 0.99 });
        assert.equal(p.kupiec.likelihoodRatio, direct.likelihoodRatio);
        assert.equal(p.kupiec.pValue, direct.pValue);
        assert.equal(p.kupiec.verdict, direct.rejected ? 'rejected' : 'not rejected');
        assert.deepEqual([p.trafficLight.greenMax, p.trafficLight.yellowMax], Object.values(trafficLightBands(p.observations, 1 - 0.99)));
        const w = p.windows250;
        assert.equal(w.windows.length, Math.floor(p.observations / 250));
        assert.equal(w.green + w.yellow + w.red, w.windows.length);
        for (const x of w.windows) assert.equal(x.zone, zoneOf(x.exceptions), 'green 0-4, yellow 5-9, red 10+');
        assert.equal(w.latest?.to, '2020-04-15', 'the last margin day with a 2-day loss');
        assert.equal(w.windows.reduce((t, x) => t + x.exceptions, 0) <= p.exceptions, true);
        assert.ok(p.procyclicality.largestIncrease5d >= 0);
      }
    }
    // A 10% static rate is rarely beaten by a 2-day S&P move; volatility-scaled margin at 99% is.
    const [staticRun, scaled] = json.models;
    assert.ok((staticRun?.pooled.coverage ?? 0) > 0.995);
    assert.ok((scaled?.pooled.coverage ?? 1) < 0.995 && (scaled?.pooled.coverage ?? 0) > 0.97);
    assert.ok((scaled?.portfolios[0]?.procyclicality.largestIncreaseRatio5d ?? 0) > (staticRun?.portfolios[0]?.procyclicality.largestIncreaseRatio5d ?? 0), 'vol scaling is the more procyclical');
  });

  test('the same file given with --csv and an EWMA VaR model on a portfolio file', async () => {
    const { json } = await backtest(['--csv', `SPX=${SP500}`, '--portfolio', PORTFOLIO, '--model', 'ewma-var', '--mpor', '1']);
    assert.deepEqual(json.models[0]?.portfolios.map((p) => p.id), ['index-long', 'index-short', 'small-units']);
    assert.equal(json.models[0]?.name, 'EWMA VaR (lambda 0.94)');
    const [long, short] = json.models[0]?.portfolios ?? [];
    assert.ok((long?.exceptions ?? 0) > (short?.exceptions ?? 0), 'the S&P 500 falls faster than it rises');
  });

  test('the table, the progress bar on stderr, and the chart', async () => {
    const chart = writeScratch('backtest.svg', '');
    const result = await runCli(['backtest', '--compare', '--chart', chart]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Margin backtest: 99% target, 2-day margin period of risk, 250 warm-up days/);
    assert.match(result.stdout, /Kupiec LR/);
    assert.match(result.stdout, /250-day G\/Y\/R/);
    assert.match(result.stderr, /backtest \[.*\] 4\/4 model runs/, 'the bar reaches 4 of 4 runs');
    const svg = readFileSync(chart, 'utf8');
    assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'));
    for (const text of ['realised loss', 'margin: static 10%', 'margin: vol-scaled', 'exception: vol-scaled', '2008']) assert.ok(svg.includes(text), text);
    const quiet = await runCli(['backtest', '--no-progress', '--model', 'static']);
    assert.equal(quiet.stderr, '');
  });
});

describe('solvent backtest on generated GARCH prices', () => {
  test('a model that knows the GARCH parameters covers close to 99%, and the volatility is recovered', async () => {
    for (const shocks of ['normal', 't:8']) {
      const { json } = await backtest(['--generate', '--seed', '1', '--days', '4000', '--model', 'garch', '--mpor', '1', '--shocks', shocks, '--vol', '0.02']);
      const pooled = json.models[0]?.pooled;
      assert.ok(pooled !== undefined);
      assert.ok(Math.abs(pooled.coverage - 0.99) < 0.0025, `${shocks}: coverage ${pooled.coverage}`);
      assert.equal(pooled.kupiec.verdict, 'not rejected', shocks);
      assert.notEqual(pooled.trafficLight.zone, 'red');
      assert.equal(json.history.generator?.longRunDailyVolatility, 0.02);
      const realised = json.history.realisedDailyVolatility[0]?.realisedDaily ?? 0;
      assert.ok(Math.abs(realised / 0.02 - 1) < 0.1, `realised daily volatility ${realised} near the long-run 2%`);
    }
  });

  test('same seed, same report', async () => {
    const args = ['--generate', '--seed', '5', '--days', '1000', '--compare'];
    assert.deepEqual((await backtest(args)).json, (await backtest(args)).json);
  });
});

describe('solvent backtest rejects bad input with exit 2 and a stable code', () => {
  const cases: readonly { readonly name: string; readonly args: () => string[]; readonly code: string }[] = [
    { name: 'a margin period of 0 days', args: () => ['--mpor', '0'], code: 'option_value_invalid' },
    { name: 'an unknown model', args: () => ['--model', 'crystal-ball'], code: 'option_value_invalid' },
    { name: 'two anti-procyclicality tools', args: () => ['--model', 'vol-scaled', '--buffer', '0.25', '--lookback-floor'], code: 'apc_tools_conflict' },
    { name: 'a floor above the cap', args: () => ['--model', 'vol-scaled', '--floor', '0.5', '--cap', '0.1'], code: 'option_value_invalid' },
    { name: 'more warm-up than history', args: () => ['--generate', '--days', '100', '--warmup', '200'], code: 'history_too_short' },
    { name: 'a price file with a bad row', args: () => ['--csv', writeScratch('bad.csv', '2024-01-01,1,2,0.5,1.5\n2024-01-02,1,2,3,1.5\n')], code: 'csv_ohlc_inconsistent' },
    {
      name: 'a portfolio on a series that was not given',
      args: () => ['--portfolio', writeScratch('bad-portfolio.yaml', yamlText({ version: 1, portfolios: [{ id: 'p', positions: [{ symbol: 'BTC', size: '1' }] }] }))],
      code: '/portfolios/0/positions/0/symbol: series_unknown',
    },
    {
      name: 'a position with both size and notional',
      args: () => ['--portfolio', writeScratch('bad-portfolio2.yaml', yamlText({ version: 1, portfolios: [{ id: 'p', positions: [{ symbol: 'SPX', size: '1', notional: '5' }] }] }))],
      code: '/portfolios/0/positions/0: position_form_invalid',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const result = await runCli(['backtest', ...c.args()]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.ok(result.stderr.includes(c.code), `stderr names ${c.code}: ${result.stderr}`);
    });
  }
});
