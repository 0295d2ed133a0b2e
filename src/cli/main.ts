/**
 * The `solvent` command. Each subcommand is one file under commands/ that registers itself on the
 * program; this file wires them up and maps every failure to an exit code in one place (like the
 * server's one table from rejection codes to HTTP statuses):
 *
 *   0  success
 *   1  unexpected error: a bug, printed with its stack
 *   2  bad input: usage, an unreadable file, an invalid document (each issue as `path: code: message`)
 *   3  a check ran and failed (`verify`, `replay`)
 *
 * `run(argv, io)` is the whole CLI behind injected writers, so tests call it in process; the
 * module runs itself only when it is the entry point (`tsx src/cli/main.ts ...`), and
 * bin/solvent.js calls `main()` on the built copy.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { DocumentError, type Issue } from '../config/issues.js';
import { InputError } from '../risk/errors.js';
import { registerJournalCommands } from './commands/journal.js';
import { registerMarginCommand } from './commands/margin.js';
import { registerOptionCommand } from './commands/option.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerSimulateCommand } from './commands/simulate.js';
import { registerBacktestCommand } from './commands/backtest.js';
import { registerStressCommand } from './commands/stress.js';
import { registerVarCommand } from './commands/var.js';
import { CheckFailed, CliInputError, EXIT_CHECK_FAILED, EXIT_INPUT, EXIT_OK, EXIT_UNEXPECTED, type CliIo, type CommandContext } from './context.js';
import { DocumentFileError } from './documents.js';

export type { CliIo } from './context.js';

/** A subcommand registers itself on the program; one file per command under commands/. */
export type RegisterCommand = (program: Command, context: CommandContext) => void;

/** Every subcommand, in the order `solvent --help` lists them. Add new commands here. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerMarginCommand,
  registerOptionCommand,
  registerSchemaCommand,
  registerJournalCommands,
  registerVarCommand,
  registerStressCommand,
  registerBacktestCommand,
  registerSimulateCommand,
];

/** Help is wrapped at a fixed width so that it reads the same in tests and on any terminal. */
const HELP_WIDTH = 100;

export function createProgram(context: CommandContext, commands: readonly RegisterCommand[] = COMMANDS): Command {
  const program = new Command('solvent');
  program
    .description('Solvent: margin and liquidation engine for crypto derivatives')
    .version(packageVersion(), '-V, --version')
    // Settings made before .command() are inherited by every subcommand.
    .exitOverride()
    .configureOutput({
      writeOut: context.io.stdout,
      writeErr: context.io.stderr,
      getOutHelpWidth: () => HELP_WIDTH,
      getErrHelpWidth: () => HELP_WIDTH,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .showHelpAfterError('(run with --help for usage)');
  for (const register of commands) register(program, context);
  return program;
}

/**
 * Run the CLI on `argv` (the user's arguments, without node and the script) and return the exit
 * code. `commands` is for tests that need a command of their own (for instance one that fails).
 */
export async function run(argv: readonly string[], io: CliIo, commands: readonly RegisterCommand[] = COMMANDS): Promise<number> {
  try {
    await createProgram({ io }, commands).parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has already printed the message or the help; only the code is left to choose.
    return error.exitCode === 0 ? EXIT_OK : EXIT_INPUT;
  }
  if (error instanceof DocumentFileError) {
    io.stderr(`solvent: ${error.file} is not a valid risk document (${problems(error.issues.length)}):\n${issueLines(error.issues)}`);
    return EXIT_INPUT;
  }
  if (error instanceof DocumentError) {
    io.stderr(`solvent: not a valid risk document (${problems(error.issues.length)}):\n${issueLines(error.issues)}`);
    return EXIT_INPUT;
  }
  if (error instanceof CheckFailed) return EXIT_CHECK_FAILED;
  if (error instanceof CliInputError) {
    io.stderr(`solvent: ${error.message} (${error.code})\n`);
    return EXIT_INPUT;
  }
  if (error instanceof InputError) {
    io.stderr(`solvent: ${error.message}\n`);
    return EXIT_INPUT;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(`solvent: unexpected error (a bug: please report it with the input that caused it)\n${detail}\n`);
  return EXIT_UNEXPECTED;
}

function issueLines(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.path === '' ? '/' : i.path}: ${i.code}: ${i.message}\n`).join('');
}

function problems(count: number): string {
  return count === 1 ? '1 problem' : `${count} problems`;
}

let version: string | undefined;

/** The package's version, read once from package.json (two levels up from src/cli and dist/cli). */
function packageVersion(): string {
  if (version === undefined) {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    version = typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  }
  return version;
}

/** The process edge: real stdout and stderr, and the exit code set without cutting output short. */
export async function main(): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // `solvent margin x --json | head` closes the pipe early: that is not a failure of ours.
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
    throw error;
  });
  process.exitCode = await run(process.argv.slice(2), {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
  });
}

function isEntryModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

if (isEntryModule(import.meta.url)) await main();
