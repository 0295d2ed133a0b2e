/**
 * `solvent backtest`: recompute each day's margin of a set of portfolios under a margin model from a
 * price history, and measure it against the realised loss over the margin period of risk: coverage,
 * exceptions, Kupiec's test, the Basel traffic light (whole period and 250-day windows) and
 * procyclicality. `--compare` runs a static rate and volatility-scaled margin side by side.
 *
 * History: price CSVs (`--csv SYMBOL=FILE`, any OHLC or date,price file), by default the real
 * daily S&P 500 2000-2020 of the vega-datasets package; or seeded GARCH series (`--generate`).
 * A progress bar runs on stderr (one step per model and portfolio), silent with `--json` or
 * `--no-progress`; where stderr is not a terminal it prints plain lines (cli-progress noTTYOutput).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { BACKTEST_MODEL_KINDS, loadPortfolioFile, notionalPortfolios, runBacktest, type BacktestModelSpec } from '../../analytics/backtest.js';
import { garchParamsOf, generateHistory, type FactorHistory } from '../../analytics/history.js';
import { DocumentError } from '../../config/issues.js';
import { DOCUMENT_BYTES_MAX, parseDocumentText } from '../../config/load.js';
import { backtestJson } from '../../analytics/wire.js';
import { backtestTable } from '../../report/analyticsBacktest.js';
import { backtestSpec, renderSvg } from '../../report/charts.js';
import type { AntiProcyclicality } from '../../risk/analytics/index.js';
import { CliInputError, type CommandContext } from '../context.js';
import { progressBar } from '../progress.js';
import { DocumentFileError } from '../documents.js';
import { addGeneratorOptions, confidenceOption, generatorOf, numberOption, readHistories, readTextFile, writeChart, type GeneratorOptions } from './var.js';

interface BacktestOptions extends GeneratorOptions {
  readonly csv: string[];
  readonly portfolio?: string;
  readonly notional?: string;
  readonly model?: string;
  readonly compare?: boolean;
  readonly rate?: string;
  readonly lambda?: string;
  readonly multiplier?: string;
  readonly floor?: string;
  readonly cap?: string;
  readonly hysteresis?: string;
  readonly buffer?: string;
  readonly rebuild?: string;
  readonly stressedWeight?: string;
  readonly lookbackFloor?: boolean;
  readonly confidence?: string;
  readonly mpor?: string;
  readonly warmup?: string;
  readonly json?: boolean;
  readonly chart?: string;
  readonly chartPortfolio?: string;
  readonly progress: boolean;
}

/** The real daily S&P 500 2000-2020 that ships with vega-datasets (a development dependency). */
export function defaultHistoryFile(): string {
  try {
    const entry = createRequire(import.meta.url).resolve('vega-datasets');
    return join(dirname(entry), '..', 'data', 'sp500-2000.csv');
  } catch {
    throw new CliInputError('default_history_unavailable', 'the default S&P 500 series comes with the vega-datasets package, which is not installed; give --csv FILE');
  }
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function antiProcyclicalityOf(options: BacktestOptions): AntiProcyclicality {
  const tools = [options.buffer !== undefined, options.stressedWeight !== undefined, options.lookbackFloor === true].filter(Boolean).length;
  if (tools > 1) throw new CliInputError('apc_tools_conflict', 'choose one anti-procyclicality tool: --buffer, --stressed-weight or --lookback-floor');
  if (options.buffer !== undefined) {
    return { kind: 'buffer', bufferFraction: numberOption('buffer', options.buffer, 0.25, { min: 0, max: 10 }), rebuildPerDay: numberOption('rebuild', options.rebuild, 0.01, { min: 0, max: 1 }) };
  }
  if (options.stressedWeight !== undefined) {
    return { kind: 'stressedWeight', weight: numberOption('stressed-weight', options.stressedWeight, 0.25, { min: 0, max: 1 }), stressed: { kind: 'observedMax' } };
  }
  return options.lookbackFloor === true ? { kind: 'lookbackFloor' } : { kind: 'none' };
}

function modelSpecs(options: BacktestOptions): BacktestModelSpec[] {
  const lambda = numberOption('lambda', options.lambda, 0.94, { min: 0, max: 1, exclusiveMin: true });
  const floor = numberOption('floor', options.floor, 0.01, { min: 0, max: 1 });
  const cap = numberOption('cap', options.cap, 1, { min: 0, max: 1 });
  if (floor > cap) throw new CliInputError('option_value_invalid', `--floor ${floor} is above --cap ${cap}`);
  const of = (kind: BacktestModelSpec['kind']): BacktestModelSpec => {
    switch (kind) {
      case 'static':
        return { kind, rate: numberOption('rate', options.rate, 0.1, { min: 0, max: 1 }) };
      case 'ewma-var':
        return { kind, lambda };
      case 'vol-scaled':
        return {
          kind,
          lambda,
          multiplier: numberOption('multiplier', options.multiplier, 1, { min: 0, max: 100, exclusiveMin: true }),
          floor,
          cap,
          hysteresis: numberOption('hysteresis', options.hysteresis, 0, { min: 0, max: 10 }),
          antiProcyclicality: antiProcyclicalityOf(options),
        };
      case 'garch': {
        const generator = generatorOf(options, 5000);
        return { kind, params: garchParamsOf(generator), shocks: generator.shocks };
      }
    }
  };
  if (options.compare === true) return [of('static'), of('vol-scaled')];
  const kind = (options.model ?? 'static') as BacktestModelSpec['kind'];
  if (!BACKTEST_MODEL_KINDS.includes(kind)) throw new CliInputError('option_value_invalid', `--model ${options.model}: must be one of ${BACKTEST_MODEL_KINDS.join(', ')}`);
  return [of(kind)];
}

async function historyOf(options: BacktestOptions): Promise<FactorHistory> {
  if (options.generate === true) {
    if (options.csv.length > 0) throw new CliInputError('history_conflict', 'give either --csv files or --generate, not both');
    return generateHistory({ symbols: ['SIM'], initialPrices: [100], generator: generatorOf(options, 5000) });
  }
  if (options.csv.length === 0) return readHistories([`SPX=${defaultHistoryFile()}`], undefined);
  return readHistories(options.csv, undefined);
}


export function registerBacktestCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('backtest')
    .description('backtest margin models on a price history: coverage, Kupiec, traffic light, procyclicality')
    .option('--csv <SYMBOL=FILE>', 'daily price CSV, OHLC or date,price (repeatable; default: the S&P 500 2000-2020 of vega-datasets)', collect, [])
    .option('--portfolio <file>', 'portfolios to backtest (JSON or YAML, format: docs/formats.md)')
    .option('--notional <amount>', 'without --portfolio: a long and a short of this notional in every series', '1000000')
    .option('--model <model>', `margin model: ${BACKTEST_MODEL_KINDS.join(', ')}`, 'static')
    .option('--compare', 'run a static rate and volatility-scaled margin side by side')
    .option('--rate <r>', 'static: margin rate on notional', '0.1')
    .option('--lambda <l>', 'EWMA decay (ewma-var, vol-scaled)', '0.94')
    .option('--multiplier <k>', 'vol-scaled: multiplier of the base rate z sigma sqrt(h)', '1')
    .option('--floor <r>', 'vol-scaled: rate floor', '0.01')
    .option('--cap <r>', 'vol-scaled: rate cap', '1')
    .option('--hysteresis <band>', 'vol-scaled: relative band before the published rate moves', '0')
    .option('--buffer <f>', 'vol-scaled: anti-procyclicality buffer, e.g. 0.25')
    .option('--rebuild <r>', 'vol-scaled: buffer rebuilt per day, as a fraction of the base rate', '0.01')
    .option('--stressed-weight <w>', 'vol-scaled: weight on the stressed (highest) variance, e.g. 0.25')
    .option('--lookback-floor', 'vol-scaled: volatility never below the equally weighted volatility of all history')
    .option('--confidence <a>', 'coverage the models target', '0.99')
    .option('--mpor <days>', 'margin period of risk in days', '2')
    .option('--warmup <days>', 'days of history before the first margin', '250');
  addGeneratorOptions(command, 5000)
    .option('--json', 'print the report as JSON (no progress bar)')
    .option('--chart <out.svg>', 'write margin against realised loss over time as an SVG chart')
    .option('--chart-portfolio <id>', 'the portfolio the chart draws (default: the first)')
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (options: BacktestOptions) => {
      const confidence = confidenceOption(options.confidence);
      const marginPeriodDays = numberOption('mpor', options.mpor, 2, { min: 1, max: 250, integer: true });
      const warmupDays = numberOption('warmup', options.warmup, 250, { min: 1, max: 1_000_000, integer: true });
      const models = modelSpecs(options);
      const history = await historyOf(options);
      const days = history.prices[0]?.length ?? 0;
      if (warmupDays + marginPeriodDays >= days) {
        throw new CliInputError('history_too_short', `${days} days of prices leave nothing to backtest after ${warmupDays} warm-up days and a ${marginPeriodDays}-day margin period`);
      }
      const portfolios =
        options.portfolio === undefined
          ? notionalPortfolios(history, numberOption('notional', options.notional, 1_000_000, { min: 0, exclusiveMin: true }), warmupDays)
          : await portfolioFile(options.portfolio, history, warmupDays);
      const chartPortfolio = options.chartPortfolio ?? portfolios[0]?.id;
      if (options.chart !== undefined && !portfolios.some((p) => p.id === chartPortfolio)) {
        throw new CliInputError('portfolio_unknown', `--chart-portfolio ${chartPortfolio}: no such portfolio (${portfolios.map((p) => p.id).join(', ')})`);
      }
      const progress = options.json === true || !options.progress ? undefined : progressBar(context.io, 'backtest', 'model runs');
      let run;
      try {
        run = await runBacktest({ history, portfolios, models, settings: { confidence, marginPeriodDays, warmupDays }, ...(progress === undefined ? {} : { onProgress: progress.update }) });
      } finally {
        progress?.stop();
      }
      const json = backtestJson(run, history.source, history.dates);
      if (options.chart !== undefined) {
        const series = run.models.map((m) => ({ name: m.name, run: m.portfolios.find((p) => p.id === chartPortfolio) }));
        const first = series[0]?.run;
        if (first !== undefined) {
          const spec = backtestSpec({
            title: `Margin against realised ${marginPeriodDays}-day loss: portfolio ${chartPortfolio}`,
            currency: 'loss and margin',
            dates: history.dates ?? null,
            firstDay: first.firstDay,
            losses: first.losses,
            models: series.flatMap((s) => (s.run === undefined ? [] : [{ name: s.name, margins: s.run.margins }])),
          });
          await writeChart(options.chart, await renderSvg(spec));
        }
      }
      context.io.stdout(options.json === true ? `${JSON.stringify(json, null, 2)}\n` : backtestTable(json));
    });
}

async function portfolioFile(file: string, history: FactorHistory, firstDay: number) {
  const text = await readTextFile(file, DOCUMENT_BYTES_MAX);
  try {
    return loadPortfolioFile(parseDocumentText(text, file), history, firstDay);
  } catch (error) {
    if (error instanceof DocumentError) throw new DocumentFileError(file, error.issues);
    throw error;
  }
}

