/**
 * A progress bar on the CLI's stderr writer, for long commands (backtest, simulate). cli-progress
 * wants a stream: this one writes through `io.stderr` and claims a terminal only when the
 * process's stderr is one (then the bar redraws in place); otherwise cli-progress prints a plain
 * line at the start, every second and at the end.
 */
import cliProgress from 'cli-progress';
import type { CliIo } from './context.js';

export interface Progress {
  readonly update: (done: number, total: number) => Promise<void>;
  readonly stop: () => void;
}

/** `unit` names what is counted, e.g. "steps": the bar reads `label [====] 3/10 unit`. */
export function progressBar(io: CliIo, label: string, unit: string): Progress {
  const tty = process.stderr.isTTY === true;
  const stream = {
    isTTY: tty,
    columns: process.stderr.columns ?? 80,
    write: (chunk: string | Uint8Array): boolean => {
      io.stderr(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
  };
  const bar = new cliProgress.SingleBar(
    { stream: stream as unknown as NodeJS.WritableStream, noTTYOutput: true, notTTYSchedule: 1000, hideCursor: tty, gracefulExit: false, format: `${label} [{bar}] {value}/{total} ${unit}` },
    cliProgress.Presets.legacy,
  );
  let started = false;
  return {
    update: async (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
      // The work between updates is synchronous: yield so that a terminal bar can redraw.
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
