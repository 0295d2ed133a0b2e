/** Shared benchmark helpers: machine description, medians, temporary directories, a deadline. */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average when the bench started: other work on the machine skews wall times. */
  readonly loadAverage: number;
}

export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Wall and CPU (user + system, this process) seconds since the call. */
export function stopwatch(): () => { wall: number; cpu: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A fresh directory under the OS temp dir, removed by `done()`. */
export function tempDir(prefix: string): { path: string; done(): void } {
  const path = mkdtempSync(join(tmpdir(), `solvent-bench-${prefix}-`));
  return { path, done: () => rmSync(path, { recursive: true, force: true }) };
}

/** A time budget for a whole bench: repeats stop once it is spent (each measure runs at least once). */
export class Deadline {
  private readonly end: number;
  constructor(seconds: number) {
    this.end = performance.now() + seconds * 1_000;
  }
  get spent(): boolean {
    return performance.now() > this.end;
  }
}

/** Run `measure` up to `runs` times (at least once, fewer once the deadline is spent). */
export async function repeat<T>(runs: number, deadline: Deadline, measure: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let r = 0; r < runs; r++) {
    if (r > 0 && deadline.spent) break;
    results.push(await measure());
  }
  return results;
}

const processStart = performance.now();

/** Progress on stderr, with the seconds since the process started. */
export const log = (message: string): void => {
  process.stderr.write(`[${((performance.now() - processStart) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
};

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}
