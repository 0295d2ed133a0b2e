/**
 * Benchmarks: `npm run bench -- [--quick] [--json] [--only journal,...]` (tsx bench/index.ts).
 *   --quick  small sizes, under a minute in all (the default is the full run, a few minutes);
 *   --json   one JSON document on stdout instead of Markdown tables;
 *   --only   a comma-separated list of bench names.
 * Progress goes to stderr. docs/PERFORMANCE.md says how to read the figures.
 */
import { engineTickMarkdown, runEngineTickBench } from './engineTick.js';
import { journalMarkdown, runJournalBench } from './journal.js';
import { kernelMarkdown, runKernelBench } from './kernel.js';
import { machine } from './lib.js';

interface Bench {
  readonly name: string;
  /** Run, and return the result (for --json) with its Markdown rendering. */
  run(options: { quick: boolean }): Promise<{ result: unknown; markdown: string }>;
}

function bench<R>(name: string, run: (options: { quick: boolean }) => Promise<R>, markdown: (result: R) => string): Bench {
  return {
    name,
    run: async (options) => {
      const result = await run(options);
      return { result, markdown: markdown(result) };
    },
  };
}

/** Every bench, in the order they run. New benches are added here. */
const BENCHES: readonly Bench[] = [
  bench('journal', runJournalBench, journalMarkdown),
  bench('kernel', runKernelBench, kernelMarkdown),
  bench('engine', runEngineTickBench, engineTickMarkdown),
];

function parse(argv: readonly string[]): { quick: boolean; json: boolean; only: readonly string[] | undefined } {
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--only') only = (argv[++i] ?? '').split(',').filter((s) => s.length > 0);
    else if (arg.startsWith('--only=')) only = arg.slice('--only='.length).split(',').filter((s) => s.length > 0);
    else if (arg !== '--quick' && arg !== '--json') throw new Error(`unknown argument ${arg} (known: --quick, --json, --only <names>)`);
  }
  return { quick: argv.includes('--quick'), json: argv.includes('--json'), only };
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const selected = BENCHES.filter((b) => options.only === undefined || options.only.includes(b.name));
  const unknown = (options.only ?? []).filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`);
  const results: Record<string, unknown> = {};
  const sections: string[] = [];
  for (const b of selected) {
    const { result, markdown } = await b.run({ quick: options.quick });
    results[b.name] = result;
    sections.push(`## ${b.name}\n\n${markdown}\n`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), quick: options.quick, machine: machine(), benches: results }, null, 2)}\n`);
  } else {
    process.stdout.write(sections.join('\n'));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
