/**
 * `solvent stress PATH`: the named scenarios of real events (METHODS.md section 6) and the user's
 * own, as joint price shocks, on one account (a risk document) or venue-wide (a venue document
 * with many accounts, or a directory of risk documents): losses, accounts below MM, bad debt, and
 * whether the insurance fund survives the default of the two accounts with the largest shortfall.
 * `--reverse` finds the smallest uniform move that liquidates or bankrupts each account (and the
 * venue, against its fund). Table, `--json`, `--chart out.svg`.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Book } from '../../analytics/factors.js';
import { HISTORICAL_SCENARIOS, loadScenarioFile, type StressScenario } from '../../analytics/scenarios.js';
import { moveCurve, reverseStressAccount, reverseStressVenue, stressVenue, type ReverseStressFinding } from '../../analytics/stress.js';
import { isVenueDocument, loadVenueDocument } from '../../analytics/venue.js';
import { VENUE_ACCOUNTS_MAX } from '../../config/analyticsSchema.js';
import { DocumentError } from '../../config/issues.js';
import { DOCUMENT_BYTES_MAX, loadRiskDocument, parseDocumentText } from '../../config/load.js';
import { reverseJson, stressJson } from '../../analytics/wire.js';
import { reverseTable, stressTable } from '../../report/analyticsStress.js';
import { moveCurveSpec, renderSvg, stressBarsSpec } from '../../report/charts.js';
import { CliInputError, type CommandContext } from '../context.js';
import { DocumentFileError, readDocumentText } from '../documents.js';
import { listOption, numberOption, readTextFile, writeChart } from './var.js';

interface StressOptions {
  readonly scenarios?: string;
  readonly only?: string;
  readonly insuranceFund?: string;
  readonly cover?: string;
  readonly reverse?: boolean;
  readonly pegged?: string;
  readonly json?: boolean;
  readonly chart?: string;
}

interface LoadedBooks {
  readonly books: readonly Book[];
  readonly insuranceFund: number | null;
  readonly venueWide: boolean;
}

/** A document the loaders reject, reported against its file (exit 2, each issue with its path). */
function loadOrReport<T>(file: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof DocumentError) throw new DocumentFileError(file, error.issues);
    throw error;
  }
}

async function readBooks(path: string): Promise<LoadedBooks> {
  let directory = false;
  try {
    directory = (await stat(path)).isDirectory();
  } catch {
    // readDocumentText reports the missing file with its stable code.
  }
  if (directory) {
    const names = (await readdir(path)).filter((n) => /\.(ya?ml|json)$/i.test(n)).sort();
    if (names.length === 0) throw new CliInputError('directory_without_documents', `${path} holds no .yaml, .yml or .json risk documents`);
    if (names.length > VENUE_ACCOUNTS_MAX) throw new CliInputError('too_many_documents', `${path} holds ${names.length} documents, more than the ${VENUE_ACCOUNTS_MAX} allowed`);
    const books: Book[] = [];
    for (const name of names) {
      const file = join(path, name);
      const text = await readDocumentText(file);
      books.push(loadOrReport(file, () => loadRiskDocument(parseDocumentText(text, file))));
    }
    return { books, insuranceFund: null, venueWide: true };
  }
  const text = await readDocumentText(path);
  const parsed = loadOrReport(path, () => parseDocumentText(text, path));
  if (isVenueDocument(parsed)) {
    const venue = loadOrReport(path, () => loadVenueDocument(parsed));
    return { ...venue, venueWide: true };
  }
  return { books: [loadOrReport(path, () => loadRiskDocument(parsed))], insuranceFund: null, venueWide: false };
}

async function scenariosOf(options: StressOptions): Promise<{ readonly scenarios: readonly StressScenario[]; readonly pegged: readonly string[] }> {
  let scenarios: StressScenario[] = [...HISTORICAL_SCENARIOS];
  let pegged: string[] = listOption(options.pegged);
  if (options.scenarios !== undefined) {
    const file = options.scenarios;
    const text = await readTextFile(file, DOCUMENT_BYTES_MAX);
    const loaded = loadOrReport(file, () => loadScenarioFile(parseDocumentText(text, file)));
    scenarios = [...scenarios, ...loaded.scenarios];
    pegged = [...pegged, ...loaded.pegged];
  }
  const only = listOption(options.only);
  if (only.length > 0) {
    const unknown = only.filter((id) => !scenarios.some((s) => s.id === id));
    if (unknown.length > 0) throw new CliInputError('scenario_unknown', `no scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.id).join(', ')}`);
    scenarios = scenarios.filter((s) => only.includes(s.id));
  }
  return { scenarios, pegged };
}

export function registerStressCommand(program: Command, context: CommandContext): void {
  program
    .command('stress')
    .description('stress an account or a venue with historical and user scenarios; --reverse for the breaking move')
    .argument('<path>', 'risk document, venue document (many accounts), or a directory of risk documents')
    .option('--scenarios <file>', 'user-defined scenarios (JSON or YAML, format: docs/formats.md), added to the built-in ones')
    .option('--only <ids>', 'run only these scenarios (comma-separated ids)')
    .option('--insurance-fund <amount>', 'insurance fund in the valuation asset (overrides the venue document\'s)')
    .option('--cover <n>', 'defaults the fund must survive: the N accounts with the largest shortfall', '2')
    .option('--reverse', 'reverse stress: the smallest uniform move that liquidates or bankrupts each account')
    .option('--pegged <A,B>', 'assets that "every other price" moves leave alone, beyond the built-in stablecoins')
    .option('--json', 'print the report as JSON')
    .option('--chart <out.svg>', 'write the results as an SVG chart')
    .action(async (path: string, options: StressOptions) => {
      const cover = numberOption('cover', options.cover, 2, { min: 1, max: 1000, integer: true });
      const fundOption = options.insuranceFund === undefined ? undefined : numberOption('insurance-fund', options.insuranceFund, 0, { min: 0 });
      const { scenarios, pegged } = await scenariosOf(options);
      const loaded = await readBooks(path);
      const fund = fundOption ?? loaded.insuranceFund;
      const venueWide = loaded.venueWide || fund !== null;
      const currency = loaded.books[0]?.params.valuationAsset ?? '';
      if (options.reverse === true) {
        const accounts = loaded.books.map((b) => reverseStressAccount(b, pegged));
        const json = reverseJson({ valuationAsset: currency, accounts, venue: venueWide ? reverseStressVenue(loaded.books, fund, pegged) : null });
        if (options.chart !== undefined) await writeChart(options.chart, await renderSvg(reverseChart(loaded.books, accounts.flatMap((a) => a.findings), venueWide, fund, currency, pegged)));
        context.io.stdout(options.json === true ? `${JSON.stringify(json, null, 2)}\n` : reverseTable(json));
        return;
      }
      const venue = stressVenue({ books: loaded.books, scenarios, insuranceFund: fund, coverAccounts: cover, pegged });
      const json = stressJson({ valuationAsset: currency, scenarios, venue, venueWide });
      if (options.chart !== undefined) {
        const bars = venueWide
          ? venue.scenarios.flatMap((s) => [
              { scenario: s.scenario, measure: 'venue loss', value: s.venueLoss },
              { scenario: s.scenario, measure: 'shortfall (bad debt)', value: s.venueShortfall },
              { scenario: s.scenario, measure: `cover ${cover} shortfall`, value: s.cover.shortfall },
            ])
          : (venue.accounts[0]?.results ?? []).flatMap((r) => [
              { scenario: r.scenario, measure: 'loss', value: Math.max(0, -r.pnl) },
              { scenario: r.scenario, measure: 'shortfall (bad debt)', value: r.shortfall },
            ]);
        const title = venueWide ? `Venue stress: ${loaded.books.length} accounts` : `Stress of account ${loaded.books[0]?.account.id}`;
        await writeChart(options.chart, await renderSvg(stressBarsSpec({ title, currency, bars, ...(fund === null ? {} : { rule: { label: `insurance fund ${fund}`, value: fund } }) })));
      }
      context.io.stdout(options.json === true ? `${JSON.stringify(json, null, 2)}\n` : stressTable(json));
    });
}

function reverseChart(books: readonly Book[], findings: readonly ReverseStressFinding[], venueWide: boolean, fund: number | null, currency: string, pegged: readonly string[]) {
  const found = findings.flatMap((f) => (f.result.kind === 'found' ? [f.result.move] : []));
  const low = Math.max(-0.99, Math.min(-0.5, ...found.map((m) => m * 1.2)));
  const high = Math.min(10, Math.max(0.5, ...found.map((m) => m * 1.2)));
  const moves = Array.from({ length: 161 }, (_, k) => low + ((high - low) * k) / 160);
  const curve = moveCurve(books, moves, pegged);
  const points = venueWide
    ? curve.flatMap((p) => [
        { move: p.move, series: 'total equity', value: p.equity },
        { move: p.move, series: 'total shortfall', value: p.shortfall },
      ])
    : curve.flatMap((p) => [
        { move: p.move, series: 'equity', value: p.equity },
        { move: p.move, series: 'MM collateral', value: p.collateralMaintenance },
        { move: p.move, series: 'MM', value: p.maintenanceMargin },
      ]);
  const marks = venueWide
    ? []
    : findings.flatMap((f) => (f.result.kind === 'found' ? [{ move: f.result.move, label: `${f.threshold} ${(f.result.move * 100).toFixed(1)}%` }] : []));
  if (venueWide && fund !== null) points.push(...curve.map((p) => ({ move: p.move, series: 'insurance fund', value: fund })));
  const title = venueWide ? `Reverse stress: ${books.length} accounts under a uniform move` : `Reverse stress of account ${books[0]?.account.id}`;
  return moveCurveSpec({ title, currency, points, marks });
}
