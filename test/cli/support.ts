/**
 * Running the CLI in process, as a user would from a shell: arguments in, exit code and the
 * exact text of stdout and stderr out. Documents for failure cases are written to a fresh
 * temporary directory, built from a valid example so that each case breaks exactly one thing.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { run, type RegisterCommand } from '../../src/cli/main.js';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: readonly string[], commands?: readonly RegisterCommand[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (text: string) => void (stdout += text), stderr: (text: string) => void (stderr += text) };
  const code = commands === undefined ? await run(argv, io) : await run(argv, io, commands);
  return { code, stdout, stderr };
}

/** Every example document, sorted by name. */
export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((name) => /\.(ya?ml|json)$/.test(name))
    .sort()
    .map((name) => join(EXAMPLES_DIR, name));
}

export function exampleDocument(name: string): Record<string, unknown> {
  return parseYaml(readFileSync(join(EXAMPLES_DIR, name), 'utf8')) as Record<string, unknown>;
}

let scratch: string | undefined;

/** Write `text` to a new file in this process's temporary directory and return its path. */
export function writeScratch(name: string, text: string): string {
  if (scratch === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'solvent-cli-test-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}
