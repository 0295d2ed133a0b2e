/**
 * A small driver for demos, the simulator and tests: replays feed events into an oracle on a
 * fixed tick and submits the oracle's commands to an engine (or any CommandSink), in order,
 * each awaited (the engine acknowledges only durable commands).
 *
 * Each tick at time t: the events with atMs <= t are delivered (observe/quote at their arrival
 * time), the engine's clock is set to t (when given), the oracle ticks at t, and its commands are
 * submitted. Refused inputs and rejected commands are counted and the first few kept, never an
 * unbounded list (STYLE.md habit 10).
 */
import { InputError } from '../risk/errors.js';
import type { Oracle, OracleTick } from './oracle.js';
import type { CommandSink, FeedEvent, OracleCommand } from './types.js';

export interface SubmitOutcome {
  readonly command: OracleCommand;
  readonly ok: boolean;
  readonly code?: string;
}

export interface RunOracleOptions {
  /** Any order: delivered by arrival time, ties in the given order. */
  readonly events: readonly FeedEvent[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly tickMs: number;
  /** The engine's clock, moved to each tick's time before its commands are submitted. */
  readonly clock?: { set(timeMs: number): void };
  /** Called after each tick's commands are answered (assertions, metrics, a UI). */
  readonly onTick?: (tick: OracleTick, outcomes: readonly SubmitOutcome[]) => void | Promise<void>;
}

export interface RunSummary {
  readonly ticks: number;
  readonly commands: number;
  readonly rejectedCount: number;
  /** The first RUN_KEEP_MAX rejections. */
  readonly rejected: readonly { readonly id: string; readonly code: string }[];
  readonly refusedCount: number;
  readonly refused: readonly { readonly atMs: number; readonly code: string }[];
}

export const RUN_LIMITS = { ticksMax: 10_000_000, keepMax: 100 } as const;

export async function runOracleInto(sink: CommandSink, oracle: Oracle, options: RunOracleOptions): Promise<RunSummary> {
  const { fromMs, toMs, tickMs } = options;
  if (!(Number.isSafeInteger(tickMs) && tickMs > 0 && Number.isSafeInteger(fromMs) && Number.isSafeInteger(toMs) && toMs >= fromMs)) {
    throw new InputError('run_window_invalid', 'tickMs > 0 and fromMs <= toMs, integers');
  }
  if ((toMs - fromMs) / tickMs + 1 > RUN_LIMITS.ticksMax) throw new InputError('run_too_long', `at most ${RUN_LIMITS.ticksMax} ticks`);
  const events = options.events.map((e, i) => ({ e, i })).sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i);
  let next = 0;
  let ticks = 0;
  let commands = 0;
  let rejectedCount = 0;
  let refusedCount = 0;
  const rejected: { id: string; code: string }[] = [];
  const refused: { atMs: number; code: string }[] = [];
  for (let t = fromMs; t <= toMs; t += tickMs) {
    for (; next < events.length && (events[next]?.e.atMs ?? Infinity) <= t; next++) {
      const e = (events[next] as { e: FeedEvent }).e;
      const result = e.kind === 'observation' ? oracle.observe(e.observation, e.atMs) : oracle.quote(e.quote, e.atMs);
      if (!result.ok) {
        refusedCount++;
        if (refused.length < RUN_LIMITS.keepMax) refused.push({ atMs: e.atMs, code: result.code });
      }
    }
    options.clock?.set(t);
    const tick = oracle.tick(t);
    const outcomes: SubmitOutcome[] = [];
    for (const command of tick.commands) {
      const result = await sink.submit(command);
      commands++;
      outcomes.push({ command, ok: result.ok, ...(result.code === undefined ? {} : { code: result.code }) });
      if (!result.ok) {
        rejectedCount++;
        if (rejected.length < RUN_LIMITS.keepMax) rejected.push({ id: command.id, code: result.code ?? 'unknown' });
      }
    }
    ticks++;
    await options.onTick?.(tick, outcomes);
  }
  return { ticks, commands, rejectedCount, rejected, refusedCount, refused };
}
