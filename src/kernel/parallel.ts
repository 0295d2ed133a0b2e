/**
 * The full sweep split across worker threads (issue 8: wall time on this machine's cores). A
 * book's records move to SharedArrayBuffers when it takes workers (store.ts sharedF64); a worker
 * re-margins a range of accounts in place, on a snapshot of the instrument and asset tables, with
 * the same functions as the main thread (aggregateAccount, floatStatus), so that its figures are
 * bit-identical. Every account's valuation reads and writes only its own records, so disjoint
 * ranges never write the same record. What must stay on the main thread does: the exact
 * reference for the accounts a worker leaves UNCERTAIN (and wide ones), the status change
 * records and the liquidation queue, in account order, as a single-threaded sweep does them
 * (settleStatus).
 *
 * The main thread blocks on Atomics.wait while it waits (the sweep is synchronous, as before), so
 * a worker is a pair of hands, never a second writer of anything the main thread reads meanwhile.
 * A worker that fails (an exception) hands its range back: the main thread sweeps it itself.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { invariant } from '../risk/errors.js';
import type { RiskBook } from './book.js';
import { HaircutTable } from './tables.js';
import { settleStatus } from './valuation.js';

/** Control words (Int32Array over a SharedArrayBuffer). */
export const CONTROL_GENERATION = 0;
export const CONTROL_DONE = 1;
export const CONTROL_FROM = 2;
export const CONTROL_TO = 3;
export const CONTROL_FAILED = 4;
export const CONTROL_STOP = 5;
export const CONTROL_WORDS = 6;

/** How long the main thread waits for a worker's range (a hung worker is a bug: the wait then fails). */
const WAIT_MS = 120_000;

/** The typed arrays and numbers of a table object (nested haircut tables included), as postMessage clones them. */
export function tableSnapshot(table: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(table)) {
    if (ArrayBuffer.isView(value) || typeof value === 'number') out[key] = value;
    else if (value instanceof HaircutTable) out[key] = tableSnapshot(value);
  }
  return out;
}

/** What a worker needs to re-margin a range: the records (shared) and the tables (copied). */
export interface SweepMessage {
  readonly acc: Float64Array;
  readonly pos: Float64Array;
  readonly cold: Float64Array;
  readonly slots: Float64Array;
  readonly status: Int8Array;
  readonly instruments: Record<string, unknown>;
  readonly assets: Record<string, unknown>;
  readonly weightInitial: number;
  readonly weightMaintenance: number;
  readonly bandsPpm: Float64Array;
}

interface Hand {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly control: Int32Array;
  generation: number;
}

export class SweepWorkers {
  private readonly hands: Hand[];
  /** Float statuses of the accounts the workers value (int8; UNCERTAIN is -1), per account. */
  private status = new Int8Array(new SharedArrayBuffer(16));
  /** Workers that failed: their ranges went back to the main thread. */
  failures = 0;

  private constructor(hands: Hand[]) {
    this.hands = hands;
  }

  get count(): number {
    return this.hands.length;
  }

  /** Starts `count` workers and resolves once each is waiting for work. */
  static async start(count: number): Promise<SweepWorkers> {
    invariant(Number.isInteger(count) && count >= 1 && count <= 64, 'between 1 and 64 sweep workers');
    const source = import.meta.url.endsWith('.ts');
    const entry = new URL(source ? './sweepWorker.ts' : './sweepWorker.js', import.meta.url);
    // Run from TypeScript sources (tests, benchmarks under tsx), a worker does not inherit the
    // loader: it registers tsx's (a development dependency) before loading its entry.
    const loader = source ? import.meta.resolve('tsx/esm/api') : '';
    const code = `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
    const hands = await Promise.all(
      Array.from({ length: count }, async () => {
        const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT));
        const channel = new MessageChannel();
        const worker = new Worker(source ? code : entry, { eval: source, workerData: { control, port: channel.port2 }, transferList: [channel.port2] });
        await new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
        });
        worker.unref();
        return { worker, port: channel.port1, control, generation: 0 };
      }),
    );
    return new SweepWorkers(hands);
  }

  async stop(): Promise<void> {
    for (const hand of this.hands) {
      Atomics.store(hand.control, CONTROL_STOP, 1);
      Atomics.add(hand.control, CONTROL_GENERATION, 1);
      Atomics.notify(hand.control, CONTROL_GENERATION);
      hand.port.close();
    }
    await Promise.all(this.hands.map((hand) => hand.worker.terminate()));
    this.hands.length = 0;
  }

  /**
   * Re-margins accounts [from, to) of the book: the workers take equal shares of the upper part,
   * `main(from, split)` runs meanwhile on this thread, then every worker account is settled here in
   * order (settleStatus). A failed worker's range is run by `main` instead.
   */
  sweep(b: RiskBook, from: number, to: number, main: (from: number, to: number) => void): void {
    const n = this.hands.length;
    // The main thread also settles the workers' accounts: it takes a little less than an equal share.
    const share = Math.floor((to - from) / (n + 1));
    const split = to - n * share;
    if (this.status.length < to) this.status = new Int8Array(new SharedArrayBuffer(Math.max(to, Math.ceil(this.status.length * 1.5))));
    const message: SweepMessage = {
      acc: b.acc,
      pos: b.pos,
      cold: b.cold,
      slots: b.slots,
      status: this.status,
      instruments: tableSnapshot(b.instruments),
      assets: tableSnapshot(b.assets),
      weightInitial: b.weightInitial,
      weightMaintenance: b.weightMaintenance,
      bandsPpm: b.bandsPpm,
    };
    this.hands.forEach((hand, k) => {
      hand.port.postMessage(message);
      hand.control[CONTROL_FROM] = split + k * share;
      hand.control[CONTROL_TO] = k === n - 1 ? to : split + (k + 1) * share;
      hand.control[CONTROL_FAILED] = 0;
      hand.generation = Atomics.add(hand.control, CONTROL_GENERATION, 1) + 1;
      Atomics.notify(hand.control, CONTROL_GENERATION);
    });
    main(from, split);
    for (const hand of this.hands) {
      const start = hand.control[CONTROL_FROM]!;
      const end = hand.control[CONTROL_TO]!;
      while (Atomics.load(hand.control, CONTROL_DONE) !== hand.generation) {
        const done = Atomics.load(hand.control, CONTROL_DONE);
        // A worker that neither finishes nor fails may still write its range: not recoverable here.
        invariant(Atomics.wait(hand.control, CONTROL_DONE, done, WAIT_MS) !== 'timed-out', 'a sweep worker finishes its range');
      }
      if (hand.control[CONTROL_FAILED] !== 0) {
        // The worker caught an error and stopped before signalling: its range is the main thread's.
        this.failures++;
        main(start, end);
        continue;
      }
      const status = this.status;
      for (let a = start; a < end; a++) settleStatus(b, a, status[a]!);
    }
  }
}
