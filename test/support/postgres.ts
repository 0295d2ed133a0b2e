/**
 * A throwaway PostgreSQL cluster for tests (STACK.md): initdb into a fresh temporary directory,
 * start it on a free loopback port with trust authentication, stop it (pg_ctl stop -m fast) and
 * delete it afterwards. PostgreSQL refuses to run as root, so as root the server runs as the
 * `postgres` user through runuser.
 *
 * When PostgreSQL is not installed the tests FAIL with a message that says how to get it
 * (`.ci/run` installs it), unless SOLVENT_SKIP_POSTGRES=1 is set, which skips them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SKIP_ENV = 'SOLVENT_SKIP_POSTGRES';

export interface PostgresCluster {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  readonly binDir: string;
  /** Stop the server (fast shutdown) and delete its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** The directory holding initdb and pg_ctl: the newest /usr/lib/postgresql/N/bin, else PATH. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const initdb = join(dir, 'initdb');
    if (!existsSync(initdb)) continue;
    const real = dirname(realpathSync(initdb));
    if (existsSync(join(real, 'pg_ctl'))) return real;
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/** Why the PostgreSQL tests are skipped, or undefined when they run (and must pass). */
export function postgresSkipReason(): string | undefined {
  return process.env[SKIP_ENV] === '1' ? `${SKIP_ENV}=1` : undefined;
}

export const NOT_INSTALLED_MESSAGE =
  'PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin nor on PATH). ' +
  'Run `.ci/run` (it installs the Debian postgresql package), or `apt-get install -y postgresql`; ' +
  `or set ${SKIP_ENV}=1 to skip the PostgreSQL tests.`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const isRoot = () => process.getuid?.() === 0;

/** The command line, run as the postgres user when we are root. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function logTail(dir: string): string {
  try {
    return readFileSync(join(dir, 'log'), 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no server log)';
  }
}

/** Clusters still running, stopped synchronously if the process exits without `stop()`. */
const running = new Map<string, { binDir: string; dir: string }>();
let exitHookInstalled = false;

function stopSync(binDir: string, dir: string): void {
  const [cmd, args] = asServerUser(join(binDir, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', '-t', '20', 'stop']);
  spawnSync(cmd, args, { stdio: 'ignore', timeout: 25_000 });
  rmSync(dir, { recursive: true, force: true });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const { binDir, dir } of running.values()) stopSync(binDir, dir);
    running.clear();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const { binDir, dir } of running.values()) stopSync(binDir, dir);
      running.clear();
      process.kill(process.pid, signal);
    });
  }
}

/** initdb and start a cluster; throws NOT_INSTALLED_MESSAGE when PostgreSQL is missing. */
export async function startPostgres(): Promise<PostgresCluster> {
  const binDir = postgresBinDir();
  if (binDir === undefined) throw new Error(NOT_INSTALLED_MESSAGE);
  if (isRoot() && spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('running as root, and there is no `postgres` user to run the server as (PostgreSQL refuses root). ' + NOT_INSTALLED_MESSAGE);
  }
  const dir = mkdtempSync(join(tmpdir(), 'solvent-pg-'));
  try {
    if (isRoot()) {
      const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      chownSync(dir, uid, gid);
    }
    const initdb = asServerUser(join(binDir, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await run(initdb[0], initdb[1], { timeout: 60_000 });
    installExitHook();
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const start = asServerUser(join(binDir, 'pg_ctl'), [
        '-D', join(dir, 'data'),
        '-l', join(dir, 'log'),
        '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
        '-w', '-t', '30',
        'start',
      ]);
      try {
        running.set(dir, { binDir, dir });
        await run(start[0], start[1], { timeout: 40_000 });
      } catch (error) {
        running.delete(dir);
        lastError = error;
        continue; // most likely the port was taken in between: try another one
      }
      let stopped = false;
      return {
        host: '127.0.0.1',
        port,
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        binDir,
        stop: async () => {
          if (stopped) return;
          stopped = true;
          running.delete(dir);
          const stop = asServerUser(join(binDir, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', '-t', '20', 'stop']);
          try {
            await run(stop[0], stop[1], { timeout: 25_000 });
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      };
    }
    throw new Error(`PostgreSQL did not start: ${lastError instanceof Error ? lastError.message : String(lastError)}\n${logTail(dir)}`);
  } catch (error) {
    if (!running.has(dir)) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
