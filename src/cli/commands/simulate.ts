/**
 * `solvent simulate`: the cascade simulator (src/sim, docs/methodology/cascade-simulator.md). A
 * seeded population of accounts on a venue, run through the real engine along a price path (a
 * named stress path, a CSV/NDJSON file or a seeded GARCH-t path) with an order-book depth model
 * in which the insurance fund's liquidation volume moves the next step's marks. Prints a table
 * per step and in total, `--json`, and `--chart out.svg` (marks, insurance fund and cumulative
 * bad debt over the steps). A progress bar runs on stderr (one tick per step), silent with
 * `--json` or `--no-progress`.
 *
 * Bounded: at most SIMULATION_ACCOUNTS_MAX accounts, SIMULATION_STEPS_MAX steps and
 * SIMULATION_WORK_MAX account-steps; beyond, a stable code (`simulation_accounts_exceed_limit`,
 * `simulation_steps_exceed_limit`, `simulation_work_exceeds_limit`) and exit 2.
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import { DocumentError } from '../../config/issues.js';
import { DOCUMENT_BYTES_MAX, parseDocumentText } from '../../config/load.js';
import { renderSvg } from '../../report/charts.js';
import { FUND_UNWIND_DEFAULT, NAMED_PATHS, PACED_DEPTH_SHARE_DEFAULT, PATH_FILE_BYTES_MAX, SIMULATION_ACCOUNTS_MAX, SIMULATION_STEPS_MAX, simulate, type FundUnwindPolicy, type PathSpec, type SimulationReport } from '../../sim/index.js';
import { MemoryStore } from '../../store/memory.js';
import { CheckFailed, CliInputError, type CommandContext } from '../context.js';
import { progressBar } from '../progress.js';
import { DocumentFileError } from '../documents.js';
import { numberOption, readTextFile, writeChart } from './var.js';

/** Most account-steps (accounts x steps) one run may do: about a minute on a laptop core. */
export const SIMULATION_WORK_MAX = 2_000_000;

export const DEFAULT_VENUE_FILE = fileURLToPath(new URL('../../../examples/sim/venue.yaml', import.meta.url));

interface SimulateOptions {
  readonly venue?: string;
  readonly accounts?: string;
  readonly path?: string;
  readonly listPaths?: boolean;
  readonly seed?: string;
  readonly steps?: string;
  readonly depthCut?: string;
  readonly impact?: string;
  readonly fundShare?: string;
  readonly passes?: string;
  readonly fundUnwind?: string;
  readonly unwindShare?: string;
  readonly json?: boolean;
  readonly chart?: string;
  readonly progress: boolean;
}

function listPaths(): string {
  const rows = [
    ...NAMED_PATHS.map((p) => `${p.name.padEnd(14)} ${p.defaultSteps} steps, depth cut ${p.depthCut}: ${p.description} (${p.source})`),
    `${'synthetic'.padEnd(14)} 60 steps, no depth cut: seeded GARCH(1,1) market factor with Student-t(4) shocks, alts at a higher beta`,
    `${'FILE'.padEnd(14)} a CSV (header of instrument symbols, optional depth column) or NDJSON file of prices per step`,
  ];
  return `${rows.join('\n')}\n`;
}

async function venueDocument(file: string): Promise<unknown> {
  const text = await readTextFile(file, DOCUMENT_BYTES_MAX);
  try {
    return parseDocumentText(text, file);
  } catch (error) {
    if (error instanceof DocumentError) throw new DocumentFileError(file, error.issues);
    throw error;
  }
}

async function pathSpecOf(options: SimulateOptions): Promise<PathSpec> {
  const name = options.path ?? 'oct-2025';
  const steps = options.steps === undefined ? undefined : numberOption('steps', options.steps, 1, { min: 1, integer: true });
  const depthCut = options.depthCut === undefined ? undefined : numberOption('depth-cut', options.depthCut, 0, { min: 0, max: 0.999 });
  const extra = { ...(steps === undefined ? {} : { steps }), ...(depthCut === undefined ? {} : { depthCut }) };
  if (name === 'synthetic') return { kind: 'synthetic', ...extra };
  if (NAMED_PATHS.some((p) => p.name === name)) return { kind: 'named', name, ...extra };
  if (!/[./\\]/.test(name)) throw new CliInputError('path_unknown', `--path ${name}: not a named path (${[...NAMED_PATHS.map((p) => p.name), 'synthetic'].join(', ')}) nor a file`);
  return { kind: 'file', name, text: await readTextFile(name, PATH_FILE_BYTES_MAX), ...extra };
}


function unwindPolicyOf(options: SimulateOptions): FundUnwindPolicy {
  const kind = options.fundUnwind ?? FUND_UNWIND_DEFAULT.kind;
  if (kind !== 'immediate' && kind !== 'paced') throw new CliInputError('option_value_invalid', `--fund-unwind ${kind}: must be immediate or paced`);
  if (kind === 'immediate') {
    if (options.unwindShare !== undefined) throw new CliInputError('option_value_invalid', '--unwind-share applies to --fund-unwind paced only');
    return { kind };
  }
  const depthShareMax = numberOption('unwind-share', options.unwindShare, PACED_DEPTH_SHARE_DEFAULT, { min: 0, exclusiveMin: true, max: 100 });
  return { kind, depthShareMax };
}

export function registerSimulateCommand(program: Command, context: CommandContext): void {
  program
    .command('simulate')
    .description('cascade simulator: seeded accounts through the engine along a stress path, with liquidation impact on the book')
    .option('--venue <file>', 'venue parameters with a liquidation section (default examples/sim/venue.yaml)')
    .option('--accounts <n>', `accounts to generate (at most ${SIMULATION_ACCOUNTS_MAX})`, '2000')
    .option('--path <name|file>', 'a named path (--list-paths), synthetic, or a CSV/NDJSON price file', 'oct-2025')
    .option('--list-paths', 'list the named paths and exit')
    .option('--seed <n>', 'seed of the population and of a synthetic path', '1')
    .option('--steps <n>', `steps (named and synthetic paths; at most ${SIMULATION_STEPS_MAX})`)
    .option('--depth-cut <f>', "share of the book's depth removed at the path's worst, 0..0.999 (0.97: depth -97%)")
    .option('--impact <model>', 'price impact of liquidation volume: sqrt or linear', 'sqrt')
    .option('--fund-share <f>', "insurance fund at the start, as a share of the traders' notional", '0.005')
    .option('--passes <n>', 'liquidation passes per step at most (the automatic one included)', '1')
    .option('--fund-unwind <policy>', `how the insurance fund sells what it took over: immediate (all of it each step) or paced (default ${FUND_UNWIND_DEFAULT.kind})`)
    .option('--unwind-share <f>', `paced: notional sold per instrument per step at most, as a share of the step's 1% depth (default ${PACED_DEPTH_SHARE_DEFAULT})`)
    .option('--json', 'print the report as JSON (no progress bar)')
    .option('--chart <out.svg>', 'write marks, insurance fund and cumulative bad debt over the steps as an SVG chart')
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (options: SimulateOptions) => {
      if (options.listPaths === true) {
        context.io.stdout(listPaths());
        return;
      }
      const accounts = numberOption('accounts', options.accounts, 2000, { min: 1, integer: true });
      const seed = numberOption('seed', options.seed, 1, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
      const impact = options.impact ?? 'sqrt';
      if (impact !== 'sqrt' && impact !== 'linear') throw new CliInputError('option_value_invalid', `--impact ${impact}: must be sqrt or linear`);
      const insuranceFundShare = numberOption('fund-share', options.fundShare, 0.005, { min: 0, max: 1 });
      const passesPerStep = numberOption('passes', options.passes, 1, { min: 1, max: 100, integer: true });
      if (accounts > SIMULATION_ACCOUNTS_MAX) throw new CliInputError('simulation_accounts_exceed_limit', `--accounts ${accounts}: at most ${SIMULATION_ACCOUNTS_MAX}`);
      const fundUnwind = unwindPolicyOf(options);
      const path = await pathSpecOf(options);
      const stepsAsked = path.steps ?? (path.kind === 'named' ? (NAMED_PATHS.find((p) => p.name === path.name)?.defaultSteps ?? 1) : path.kind === 'synthetic' ? 60 : 1);
      if (stepsAsked > SIMULATION_STEPS_MAX) throw new CliInputError('simulation_steps_exceed_limit', `--steps ${stepsAsked}: at most ${SIMULATION_STEPS_MAX}`);
      if (accounts * stepsAsked > SIMULATION_WORK_MAX) {
        throw new CliInputError('simulation_work_exceeds_limit', `${accounts} accounts x ${stepsAsked} steps: at most ${SIMULATION_WORK_MAX} account-steps per run`);
      }
      const venueFile = options.venue ?? DEFAULT_VENUE_FILE;
      const venue = await venueDocument(venueFile);
      const progress = options.json === true || !options.progress ? undefined : progressBar(context.io, 'simulate', 'steps');
      let report: SimulationReport;
      try {
        report = await simulate({
          venue,
          store: new MemoryStore(),
          path,
          accounts,
          seed,
          depth: { model: impact },
          insuranceFundShare,
          passesPerStep,
          fundUnwind,
          ...(progress === undefined ? {} : { onProgress: progress.update }),
        });
      } catch (error) {
        if (error instanceof DocumentError) throw new DocumentFileError(venueFile, error.issues);
        throw error;
      } finally {
        progress?.stop();
      }
      if (options.chart !== undefined) await writeChart(options.chart, await renderSvg(cascadeSpec(report)));
      context.io.stdout(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : simulationText(report));
      // A law the engine must keep, broken in the run: the report is printed, the exit code is 3.
      if (!report.checks.invariantsEveryStep || !report.checks.spectatorsUntouched || !report.checks.fundDrawnWithinFloor) throw new CheckFailed('simulation check failed');
    });
}

/** Two panels over the steps: marks as an index (start = 100), then the fund and cumulative bad debt. */
export function cascadeSpec(report: SimulationReport): TopLevelSpec {
  const symbols = Object.keys(report.startPrices).sort();
  const prices: { step: number; series: string; value: number }[] = [];
  const money: { step: number; series: string; value: number }[] = [{ step: 0, series: 'insurance fund', value: Number(report.fundStart) }, { step: 0, series: 'cumulative bad debt', value: 0 }];
  for (const s of symbols) prices.push({ step: 0, series: s, value: 100 });
  for (const r of report.steps) {
    for (const s of symbols) prices.push({ step: r.step, series: s, value: (100 * (r.marks[s] ?? 0)) / (report.startPrices[s] ?? 1) });
    money.push({ step: r.step, series: 'insurance fund', value: Number(r.fundEquity) }, { step: r.step, series: 'cumulative bad debt', value: Number(r.badDebtCumulative) });
  }
  const x = { field: 'step', type: 'quantitative', title: 'step', axis: { format: 'd', tickMinStep: 1 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Cascade: ${report.path.name}, ${report.population.traders + report.population.spectators} accounts, seed ${report.seed}`,
    vconcat: [
      {
        width: 720,
        height: 220,
        data: { values: prices },
        mark: { type: 'line', point: false },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: 'mark (start = 100)' }, color: { field: 'series', type: 'nominal', title: null } },
      },
      {
        width: 720,
        height: 220,
        data: { values: money },
        mark: { type: 'line' },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: 'USD' }, color: { field: 'series', type: 'nominal', title: null, scale: { range: ['#d62728', '#2ca02c'] } } },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}

const money = (text: string): string => {
  const v = Number(text);
  return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
};

const ratio = (r: number | null): string => (r === null ? '-' : r.toFixed(3));

export function simulationText(r: SimulationReport): string {
  const lines: string[] = [];
  lines.push(`path ${r.path.name}: ${r.path.description}`);
  lines.push(`seed ${r.seed}; ${r.population.traders} traders (${r.population.longs} long, ${r.population.shorts} short, median leverage ${r.population.leverageMedian.toFixed(1)}x), ${r.population.spectators} without positions`);
  lines.push(`opening notional ${money(r.population.openingNotional)}, collateral ${money(r.population.collateral)}, insurance fund ${money(r.fundStart)}; impact ${r.depth.model}, resilience half-life ${r.depth.resilienceHalfLifeSteps} steps`);
  lines.push(`fund unwind ${r.fundUnwind.kind === 'paced' ? `paced: at most ${r.fundUnwind.depthShareMax} x the 1% depth per instrument per step` : 'immediate: all of its inventory each step'}`);
  lines.push('');
  const header = ['step', 'depth', 'liqs', 'bankr', 'liq notional', 'bad debt', 'fund', 'inventory', 'ADL', 'socialised', 'touched', 'waiting', 'MR min', 'MR med', 'inv'];
  const rows = r.steps.map((s) => [
    String(s.step),
    s.depthFactor.toFixed(2),
    String(s.liquidations),
    String(s.bankruptcies),
    money(s.liquidatedNotional),
    money(s.badDebt),
    money(s.fundEquity),
    money(s.fundInventoryNotional),
    money(s.adlNotional),
    money(s.socialisedLoss),
    String(s.accountsTouched),
    String(s.waiting),
    ratio(s.marginRatioMin),
    ratio(s.marginRatioMedian),
    s.invariantsOk ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => (row[k] as string).length)));
  const format = (row: readonly string[]) => row.map((c, k) => (k === 0 ? c.padEnd(widths[k] as number) : c.padStart(widths[k] as number))).join('  ');
  lines.push(format(header));
  const every = r.steps.length > 60 ? Math.ceil(r.steps.length / 60) : 1;
  rows.forEach((row, i) => {
    if (i % every === 0 || i === rows.length - 1) lines.push(format(row));
  });
  const t = r.totals;
  lines.push('');
  lines.push(`liquidations ${t.liquidations} (${t.bankruptcies} bankrupt) over ${t.accountsLiquidated} accounts, notional ${money(t.liquidatedNotional)}`);
  lines.push(`bad debt ${money(t.badDebt)}: insurance fund ${money(t.fundDrawdown)}, ADL ${money(t.adlDeficit)} (notional ${money(t.adlNotional)}), socialised ${money(t.socialisedLoss)}`);
  lines.push(`insurance fund ${money(r.fundStart)} -> ${money(t.fundEnd)} (low ${money(t.fundMin)}; fees ${money(t.fundFees)}, trading ${money(t.fundTradingPnl)}); book volume ${money(t.bookVolume)}`);
  lines.push(
    `fund at the end: realised ${money(t.fundRealisedPnl)}, unrealised ${money(t.fundUnrealisedEnd)} on an inventory of ${money(t.fundInventoryEnd)}; ` +
      `selling it into the last book at once would cost ${money(t.fundExitCost)}: fund ${money(t.fundEndAfterExit)}`,
  );
  lines.push(`accounts touched ${t.accountsTouched}; waiting at the end ${t.waitingAtEnd}`);
  lines.push(
    `checks: invariants every step ${r.checks.invariantsEveryStep ? 'ok' : 'FAILED'}; accounts without positions untouched ${r.checks.spectatorsUntouched ? 'ok' : 'FAILED'}; waterfall within the fund floor ${r.checks.fundDrawnWithinFloor ? 'ok' : 'FAILED'}; fund above its floor throughout ${r.checks.fundAboveFloor ? 'yes' : 'no (trading losses)'}`,
  );
  return `${lines.join('\n')}\n`;
}
