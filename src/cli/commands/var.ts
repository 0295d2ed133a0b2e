/**
 * `solvent var FILE`: VaR and ES of the account of a risk document from a price history, with
 * full revaluation of the account at every scenario (src/analytics/valueAtRisk.ts). The history
 * is one or more price CSVs mapped to symbols (`--history BTC=btc.csv`), or seeded GARCH series
 * (`--generate`). Prints a table, `--json`, and `--chart out.svg` (the PnL distribution with the
 * VaR and ES lines).
 *
 * This file also holds the small file and option helpers that `stress` and `backtest` share (price
 * files, chart files, numeric options, the GARCH generator flags): the three analytics commands
 * are one family, and no other command needs them.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { accountFactors, factorPrice, peggedSymbols } from '../../analytics/factors.js';
import { alignSeries, generateHistory, lastDays, type FactorHistory, type GarchGenerator, type NamedSeries } from '../../analytics/history.js';
import { accountValueAtRisk, VAR_METHODS, type VarMethod } from '../../analytics/valueAtRisk.js';
import { varJson } from '../../analytics/wire.js';
import { varTable } from '../../report/analyticsVar.js';
import { normalPnlSpec, pnlHistogramSpec, renderSvg } from '../../report/charts.js';
import { parsePriceCsv, type GarchShocks } from '../../risk/analytics/index.js';
import { CliInputError, type CommandContext } from '../context.js';
import { readRiskDocument } from '../documents.js';

/** Largest price file read: 64 MiB (the parser's limit is 1 million rows). */
export const PRICE_FILE_BYTES_MAX = 64 * 1024 * 1024;

export async function readTextFile(file: string, bytesMax: number): Promise<string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CliInputError('file_not_regular', `cannot read ${file}: not a regular file`);
    if (info.size > bytesMax) throw new CliInputError('file_too_large', `cannot read ${file}: ${info.size} bytes, more than the ${bytesMax} allowed`);
    const text = await readFile(file, 'utf8');
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch (error) {
    if (error instanceof CliInputError) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') throw new CliInputError('file_not_found', `cannot read ${file}: no such file`);
    if (code === 'EACCES' || code === 'EPERM') throw new CliInputError('file_not_permitted', `cannot read ${file}: permission denied`);
    throw new CliInputError('file_unreadable', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A price CSV (docs/formats.md): the issues of a bad file, each with its line, exit 2. */
export async function readPriceFile(symbol: string, file: string): Promise<NamedSeries> {
  const parsed = parsePriceCsv(await readTextFile(file, PRICE_FILE_BYTES_MAX));
  if (!parsed.ok) {
    // One problem per line; the last line counts them and main.ts appends the stable code to it.
    const lines = parsed.issues.map((i) => `  line ${i.line}: ${i.code}: ${i.message}`);
    const count = `${parsed.issues.length}${parsed.truncated ? ' or more' : ''} problem${parsed.issues.length === 1 && !parsed.truncated ? '' : 's'}`;
    throw new CliInputError('price_file_invalid', `${file} is not a valid price file:\n${lines.join('\n')}\n${count}`);
  }
  return { symbol, file, series: parsed.series };
}

/** `SYMBOL=FILE`, or a bare FILE named by `fallback` (or by the file's name). */
export function splitSymbolFile(spec: string, fallback: string | undefined): { readonly symbol: string; readonly file: string } {
  const match = /^([A-Za-z0-9][A-Za-z0-9_.:/-]{0,63})=(.+)$/.exec(spec);
  if (match !== null) return { symbol: match[1] as string, file: match[2] as string };
  return { symbol: fallback ?? basename(spec, extname(spec)), file: spec };
}

export async function readHistories(specs: readonly string[], fallback: string | undefined): Promise<FactorHistory> {
  if (specs.length > 1 && specs.some((s) => !s.includes('='))) {
    throw new CliInputError('history_symbol_required', 'with more than one price file, name each one: --history SYMBOL=FILE');
  }
  const named = await Promise.all(specs.map((s) => splitSymbolFile(s, fallback)).map(({ symbol, file }) => readPriceFile(symbol, file)));
  return alignSeries(named);
}

export async function writeChart(file: string, svg: string): Promise<void> {
  try {
    await writeFile(file, svg);
  } catch (error) {
    throw new CliInputError('chart_unwritable', `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A number option; `integer` options must be whole. Out of range is a usage error with a stable code. */
export function numberOption(name: string, text: string | undefined, fallback: number, range: { readonly min?: number; readonly max?: number; readonly integer?: boolean; readonly exclusiveMin?: boolean } = {}): number {
  if (text === undefined) return fallback;
  const value = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  const { min, max, integer, exclusiveMin } = range;
  const bad =
    !Number.isFinite(value) ||
    (integer === true && !Number.isInteger(value)) ||
    (min !== undefined && (exclusiveMin === true ? value <= min : value < min)) ||
    (max !== undefined && value > max);
  if (bad) {
    const bounds = [min === undefined ? '' : `${exclusiveMin === true ? '>' : '>='} ${min}`, max === undefined ? '' : `<= ${max}`].filter((b) => b !== '').join(' and ');
    throw new CliInputError('option_value_invalid', `--${name} ${text}: must be ${integer === true ? 'a whole number' : 'a number'}${bounds === '' ? '' : ` ${bounds}`}`);
  }
  return value;
}

export function confidenceOption(text: string | undefined): number {
  return numberOption('confidence', text, 0.99, { min: 0, max: 0.999999, exclusiveMin: true });
}

export function shocksOption(text: string | undefined, fallback: GarchShocks): GarchShocks {
  if (text === undefined) return fallback;
  if (text === 'normal') return { kind: 'normal' };
  const m = /^t:(.+)$/.exec(text);
  if (m !== null) return { kind: 'studentT', degreesOfFreedom: numberOption('shocks t', m[1], 8, { min: 2, max: 1000, exclusiveMin: true }) };
  throw new CliInputError('option_value_invalid', `--shocks ${text}: must be normal or t:NU (a Student-t with NU > 2 degrees of freedom, e.g. t:8)`);
}

/** The GARCH generator flags shared by var and backtest. */
export interface GeneratorOptions {
  readonly generate?: boolean;
  readonly seed?: string;
  readonly days?: string;
  readonly vol?: string;
  readonly alpha?: string;
  readonly beta?: string;
  readonly shocks?: string;
}

export function addGeneratorOptions(command: Command, defaultDays: number): Command {
  return command
    .option('--generate', 'use seeded GARCH(1,1) price series instead of files')
    .option('--seed <n>', 'seed of the generator (and of Monte Carlo)', '1')
    .option('--days <n>', `days to generate (default ${defaultDays})`)
    .option('--vol <daily>', 'generator: long-run daily volatility (default 0.02)')
    .option('--alpha <a>', 'generator: GARCH alpha (default 0.1)')
    .option('--beta <b>', 'generator: GARCH beta (default 0.85)')
    .option('--shocks <kind>', 'generator: normal or t:NU (default t:8)');
}

export function generatorOf(options: GeneratorOptions, defaultDays: number): GarchGenerator {
  return {
    longRunDailyVolatility: numberOption('vol', options.vol, 0.02, { min: 0, max: 1, exclusiveMin: true }),
    alpha: numberOption('alpha', options.alpha, 0.1, { min: 0, max: 1 }),
    beta: numberOption('beta', options.beta, 0.85, { min: 0, max: 1 }),
    shocks: shocksOption(options.shocks, { kind: 'studentT', degreesOfFreedom: 8 }),
    seed: numberOption('seed', options.seed, 1, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }),
    days: numberOption('days', options.days, defaultDays, { min: 2, max: 1_000_000, integer: true }),
  };
}

export function listOption(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface VarOptions extends GeneratorOptions {
  readonly method?: string;
  readonly confidence?: string;
  readonly horizon?: string;
  readonly history: string[];
  readonly window?: string;
  readonly lambda?: string;
  readonly paths?: string;
  readonly studentT?: string;
  readonly lvarSpread?: string;
  readonly lvarSpreadVol?: string;
  readonly lvarMultiplier?: string;
  readonly pegged?: string;
  readonly json?: boolean;
  readonly chart?: string;
}

export function registerVarCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('var')
    .description('value at risk and expected shortfall of an account from a price history (full revaluation)')
    .argument('<file>', 'risk document, JSON or YAML (format: docs/formats.md)')
    .option('--method <method>', `${VAR_METHODS.join(', ')}`, 'historical')
    .option('--confidence <a>', 'confidence level', '0.99')
    .option('--horizon <days>', 'horizon in days', '1')
    .option('--history <SYMBOL=FILE>', 'price CSV of a symbol (an underlying, an asset or an instrument); repeat for more', collect, [])
    .option('--window <days>', 'use only the last N prices of the history')
    .option('--lambda <l>', 'EWMA decay of volatilities and covariances', '0.94')
    .option('--paths <n>', 'Monte Carlo paths', '10000')
    .option('--student-t <nu>', 'Monte Carlo: multivariate Student-t shocks with NU degrees of freedom (default normal)')
    .option('--lvar-spread <s>', 'liquidity-adjusted VaR: mean relative bid-ask spread, e.g. 0.001')
    .option('--lvar-spread-vol <s>', 'liquidity-adjusted VaR: volatility of the relative spread', '0')
    .option('--lvar-multiplier <a>', 'liquidity-adjusted VaR: multiple of the spread volatility', '3')
    .option('--pegged <A,B>', 'assets held at today\'s price without a series, beyond the built-in stablecoins');
  addGeneratorOptions(command, 1000)
    .option('--json', 'print the report as JSON')
    .option('--chart <out.svg>', 'write the PnL distribution with VaR and ES as an SVG chart')
    .action(async (file: string, options: VarOptions) => {
      const method = options.method as VarMethod;
      if (!VAR_METHODS.includes(method)) throw new CliInputError('option_value_invalid', `--method ${options.method}: must be one of ${VAR_METHODS.join(', ')}`);
      const confidence = confidenceOption(options.confidence);
      const horizonDays = numberOption('horizon', options.horizon, 1, { min: 1, max: 250, integer: true });
      const lambda = numberOption('lambda', options.lambda, 0.94, { min: 0, max: 1, exclusiveMin: true });
      const paths = numberOption('paths', options.paths, 10_000, { min: 100, max: 1_000_000, integer: true });
      const book = await readRiskDocument(file);
      const generator = options.generate === true ? generatorOf(options, 1000) : undefined;
      const history = await historyFor(book, options, generator);
      const windowed = options.window === undefined ? history : lastDays(history, numberOption('window', options.window, 0, { min: horizonDays + 2, integer: true }));
      const studentT = options.studentT === undefined ? undefined : numberOption('student-t', options.studentT, 0, { min: 2, max: 1000, exclusiveMin: true });
      const seed = numberOption('seed', options.seed, 1, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
      const result = accountValueAtRisk({
        book,
        history: windowed,
        method,
        confidence,
        horizonDays,
        lambda,
        pegged: listOption(options.pegged),
        // The generated series take the seed's stream; Monte Carlo then draws from the next seed's.
        monteCarlo: { paths, seed: generator === undefined ? seed : seed + 1, distribution: studentT === undefined ? { kind: 'normal' } : { kind: 'studentT', degreesOfFreedom: studentT } },
        ...(options.lvarSpread === undefined
          ? {}
          : {
              liquidity: {
                spreadMean: numberOption('lvar-spread', options.lvarSpread, 0, { min: 0, max: 1 }),
                spreadVolatility: numberOption('lvar-spread-vol', options.lvarSpreadVol, 0, { min: 0, max: 1 }),
                spreadMultiplier: numberOption('lvar-multiplier', options.lvarMultiplier, 3, { min: 0, max: 100 }),
              },
            }),
      });
      const json = varJson(result, windowed.source);
      if (options.chart !== undefined) {
        const title = `${json.accountId}: ${json.method} VaR and ES at ${Number((confidence * 100).toPrecision(6))}%, ${horizonDays}-day PnL`;
        const lines = { valueAtRisk: result.valueAtRisk, expectedShortfall: result.expectedShortfall };
        const spec =
          result.sigmaHorizon !== null
            ? normalPnlSpec({ title, currency: json.valuationAsset, sigma: result.sigmaHorizon, lines, confidence })
            : pnlHistogramSpec({ title, currency: json.valuationAsset, pnl: result.pnl, lines, confidence });
        await writeChart(options.chart, await renderSvg(spec));
      }
      context.io.stdout(options.json === true ? `${JSON.stringify(json, null, 2)}\n` : varTable(json));
    });
}

async function historyFor(book: Awaited<ReturnType<typeof readRiskDocument>>, options: VarOptions, generator: GarchGenerator | undefined): Promise<FactorHistory> {
  const factors = accountFactors(book);
  if (generator !== undefined) {
    if (options.history.length > 0) throw new CliInputError('history_conflict', 'give either --history files or --generate, not both');
    // One series per moving price the account depends on (underlyings held, unpegged collateral),
    // each starting at today's price.
    const pegged = peggedSymbols(book.params, listOption(options.pegged));
    const symbols = [...new Set([...factors.underlyings, ...factors.assets.filter((a) => !pegged.has(a))])].sort();
    if (symbols.length === 0) throw new CliInputError('account_without_risk', `account ${book.account.id} holds nothing whose price moves`);
    const initialPrices = symbols.map((s) => factorPrice(book, s) ?? 100);
    return generateHistory({ symbols, initialPrices, generator });
  }
  if (options.history.length === 0) throw new CliInputError('history_missing', 'give a price history: --history SYMBOL=FILE (repeatable), or --generate');
  const only = factors.underlyings.length === 1 ? factors.underlyings[0] : undefined;
  if (options.history.length === 1 && !options.history[0]?.includes('=') && only === undefined) {
    throw new CliInputError('history_symbol_required', `the account depends on ${factors.underlyings.length} underlyings: name the file's symbol, --history SYMBOL=FILE`);
  }
  return readHistories(options.history, only);
}
