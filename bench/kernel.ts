/**
 * Risk kernel benchmark (DESIGN.md D5, issue 8): the columnar kernel side by side, in the same run,
 * with a naive baseline (plain objects and decimal.js, bench/kernelNaive.ts) and, where it is the
 * straightforward implementation, the reference functions of src/risk. Medians of repeated runs.
 *
 *   full re-margin        every account and position of the book (sweep), on the main thread, then
 *                         split with worker threads (parallel.ts)
 *   tick                  one instrument's mark moves: re-margin its holders, update the liquidation queue
 *   pre-trade check       per-call latency, p50 and p99, in process
 *   PM risk arrays        2,000 options x the Deribit-like grid (35 scenarios)
 *   PM accounts           accounts x 20 legs on those arrays
 *   memory                bytes per position and per account (typed arrays, and the measured RSS)
 *   soak                  ticks, checks, ledger changes and a chunked full sweep for a bounded time,
 *                         with event-loop stalls measured by perf_hooks monitorEventLoopDelay
 *
 * Naive figures for large books are measured on a sample of accounts and scaled linearly (said so in
 * the table). `tsx bench/kernel.ts [--quick] [--json]`, or through bench/index.ts. Results go to
 * stdout; progress to stderr. Every loop is bounded in count and in time.
 */
import { Decimal } from 'decimal.js';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { checkOrder, SweepWorkers, type KernelOrder } from '../src/kernel/index.js';
import { exactMarginOf } from '../src/kernel/exact.js';
import { buildRiskMatrix, PortfolioBook } from '../src/kernel/portfolio.js';
import { buildRiskArrays, DERIBIT_LIKE_PM, makeScenarioGrid, portfolioMarginFromArrays, type PmInstrument, type PmPosition } from '../src/risk/portfolio/index.js';
import { makeVolSurface } from '../src/risk/pricing/volSurface.js';
import { amount, price, size } from '../src/risk/units/quantities.js';
import { buildBook, INSTRUMENT_COUNT, markUnits, mix, positionOf, POSITIONS_PER_ACCOUNT, symbolOf, type BuiltBook } from './kernelBook.js';
import { naiveAccount, naiveCheck, naiveInstruments, naiveMargin, naiveMarket, type NaiveAccount } from './kernelNaive.js';
import { Deadline, fmt, log, machine, median, type Machine } from './lib.js';

export interface KernelSizes {
  readonly accounts: number;
  readonly hotHolders: number;
  /** Accounts the naive baseline and the reference are timed on (then scaled). */
  readonly sample: number;
  readonly runs: number;
  readonly pretradeChecks: number;
  readonly pmOptions: number;
  readonly pmAccounts: number;
  readonly pmLegs: number;
  readonly soakSeconds: number;
  readonly budgetSeconds: number;
}

export const QUICK: KernelSizes = {
  accounts: 100_000,
  hotHolders: 10_000,
  sample: 2_000,
  runs: 3,
  pretradeChecks: 100_000,
  pmOptions: 2_000,
  pmAccounts: 20_000,
  pmLegs: 20,
  soakSeconds: 5,
  budgetSeconds: 45,
};

export const FULL: KernelSizes = {
  accounts: 1_000_000,
  hotHolders: 50_000,
  sample: 10_000,
  runs: 7,
  pretradeChecks: 1_000_000,
  pmOptions: 2_000,
  pmAccounts: 100_000,
  pmLegs: 20,
  soakSeconds: 30,
  budgetSeconds: 600,
};

export interface Figure {
  readonly name: string;
  /** What one run measures, e.g. "1,000,000 accounts x 10 positions". */
  readonly work: string;
  readonly runs: number;
  readonly kernel: number;
  readonly baseline: number | null;
  readonly baselineName: string;
  readonly unit: 'ms' | 'µs';
  /** baseline / kernel. */
  readonly ratio: number | null;
  readonly goal: number | null;
  readonly met: boolean | null;
  readonly note: string;
}

export interface KernelBenchResult {
  readonly date: string;
  readonly mode: 'quick' | 'full';
  readonly machine: Machine;
  readonly sizes: KernelSizes;
  readonly seconds: number;
  readonly figures: readonly Figure[];
  readonly memory: {
    readonly positions: number;
    readonly accounts: number;
    readonly bytesPerPosition: number;
    readonly bytesPerAccount: number;
    readonly typedArrayBytes: number;
    readonly rssDeltaBytes: number;
    readonly rssPerPosition: number;
    readonly naiveBytesPerAccount: number;
  };
  readonly soak: {
    readonly accounts: number;
    readonly seconds: number;
    readonly turns: number;
    readonly ticks: number;
    readonly checks: number;
    readonly ledgerChanges: number;
    readonly sweptAccounts: number;
    /** Turns that only continued an unfinished re-margin (remarginSlice). */
    readonly remarginSlices: number;
    readonly stallMaxMs: number;
    readonly stallP99Ms: number;
    readonly turnMaxMs: number;
    readonly heapAfterWarmupMiB: number;
    readonly heapEndMiB: number;
    readonly rssAfterWarmupMiB: number;
    readonly rssEndMiB: number;
  };
  readonly statuses: Readonly<Record<string, number>>;
  readonly exactValuations: number;
}

const now = (): number => performance.now();

/**
 * Units of re-margin work per turn of the soak's event loop (remarginSlice: a position moved or an
 * account valued is one unit): about 3 ms here, so a tick on 50,000 holders takes several turns.
 */
const REMARGIN_SLICE = 12_000;

/**
 * Median wall time in ms of `run` after one untimed warm-up run (the JIT compiles the hot code on
 * its first passes), at least once, at most `runs` times or until the deadline.
 */
function timed(runs: number, deadline: Deadline, run: (k: number) => void): { median: number; runs: number } {
  run(runs);
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    if (k > 0 && deadline.spent) break;
    const start = now();
    run(k);
    times.push(now() - start);
  }
  return { median: median(times), runs: times.length };
}

/** Goals are stated for the full sizes: a quick run shows them without claiming met or missed. */
let quickRun = false;

function figure(f: Omit<Figure, 'ratio' | 'met'>): Figure {
  const ratio = f.baseline === null ? null : f.baseline / f.kernel;
  const met = f.goal === null || quickRun ? null : f.kernel <= f.goal;
  return { name: f.name, work: f.work, runs: f.runs, kernel: f.kernel, baseline: f.baseline, baselineName: f.baselineName, unit: f.unit, ratio, goal: f.goal, met, note: f.note };
}

function statusCounts(b: BuiltBook): Record<string, number> {
  const names = ['healthy', 'margin_call', 'reduce_only', 'liquidatable', 'bankrupt', 'unvalued'];
  const counts: Record<string, number> = {};
  for (let a = 0; a < b.accounts; a++) {
    const name = names[b.book.status(a)] as string;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** Naive accounts of the book, a sample spread over it (every n-th), optionally only HOT holders. */
function naiveSample(b: BuiltBook, sample: number, hotOnly: boolean): NaiveAccount[] {
  const instruments = naiveInstruments(b.params);
  const out: NaiveAccount[] = [];
  const step = Math.max(1, Math.floor(b.accounts / sample));
  for (let a = 0; a < b.accounts && out.length < sample; a += hotOnly ? 1 : step) {
    if (hotOnly && positionOf(a, 0, b.accounts, b.hotHolders).instrument !== 0) continue;
    out.push(naiveAccount(a, b.accounts, b.hotHolders, instruments));
  }
  return out;
}

function fullRemargin(b: BuiltBook, s: KernelSizes, deadline: Deadline): Figure {
  log(`kernel: full re-margin of ${fmt(b.accounts)} accounts`);
  const kernel = timed(s.runs, deadline, () => b.book.sweep());
  const naive = naiveSample(b, s.sample, false);
  const market = naiveMarket();
  const perAccount = timed(s.runs, deadline, () => {
    for (const account of naive) naiveMargin(account, market);
  });
  const reference = timed(Math.min(3, s.runs), deadline, () => {
    for (let k = 0; k < Math.min(2_000, s.sample); k++) exactMarginOf(b.book, Math.floor((k * b.accounts) / Math.min(2_000, s.sample)));
  });
  const naiveMs = (perAccount.median / naive.length) * b.accounts;
  const referenceMs = (reference.median / Math.min(2_000, s.sample)) * b.accounts;
  return figure({
    name: 'full re-margin',
    work: `${fmt(b.accounts)} accounts x ${POSITIONS_PER_ACCOUNT} linear positions`,
    runs: kernel.runs,
    kernel: kernel.median,
    baseline: naiveMs,
    baselineName: `naive (decimal.js), ${fmt(naive.length)} accounts timed, scaled`,
    unit: 'ms',
    goal: 100,
    note: `reference marginOf (bigint, Maps) scaled the same way: ${fmt(referenceMs)} ms; stretch goal 50 ms`,
  });
}

/** The same full re-margin with the sweep split across worker threads (one per further core). */
async function parallelRemargin(b: BuiltBook, s: KernelSizes, deadline: Deadline, single: Figure): Promise<Figure> {
  const threads = Math.max(1, availableParallelism() - 1);
  log(`kernel: full re-margin of ${fmt(b.accounts)} accounts, main thread + ${threads} worker${threads === 1 ? '' : 's'}`);
  const workers = await SweepWorkers.start(threads);
  b.book.useWorkers(workers);
  const kernel = timed(s.runs, deadline, () => b.book.sweep());
  b.book.useWorkers(null);
  await workers.stop();
  return figure({
    name: 'full re-margin, parallel',
    work: `the same, main thread + ${threads} worker thread${threads === 1 ? '' : 's'} on shared records`,
    runs: kernel.runs,
    kernel: kernel.median,
    baseline: single.kernel,
    baselineName: 'the kernel on the main thread alone (row above)',
    unit: 'ms',
    goal: 100,
    note: `bit-identical to the single-thread sweep (test/kernel/parallel.test.ts); ${workers.failures} ranges handed back`,
  });
}

function tick(b: BuiltBook, s: KernelSizes, deadline: Deadline): Figure {
  log(`kernel: ticks on HOTUSDT (${fmt(b.hotHolders)} holders)`);
  const moves = [0.02, -0.03, 0.05, -0.08, 0.01, -0.02, 0.06, -0.04];
  let changed = 0;
  let queued = 0;
  const kernel = timed(s.runs * 3, deadline, (k) => {
    b.book.setMark(symbolOf(0), price(BigInt(markUnits(0, moves[k % moves.length] as number))));
    b.book.remargin();
    if (k < s.runs * 3) changed += b.book.changedCount; // not the warm-up tick
    queued = b.book.queue.size;
  });
  const holders = naiveSample(b, Math.min(s.sample, b.hotHolders), true);
  let k = 0;
  const naive = timed(s.runs, deadline, () => {
    const market = naiveMarket(moves[k++ % moves.length] as number);
    for (const account of holders) naiveMargin(account, market);
  });
  return figure({
    name: 'tick, one instrument',
    work: `${fmt(b.hotHolders)} positions (their accounts re-margined, queue updated)`,
    runs: kernel.runs,
    kernel: kernel.median,
    baseline: (naive.median / holders.length) * b.hotHolders,
    baselineName: `naive (decimal.js), ${fmt(holders.length)} holders timed, scaled`,
    unit: 'ms',
    goal: 5,
    note: `${fmt(changed)} status changes over ${kernel.runs} ticks; liquidation queue ${fmt(queued)} (capacity ${fmt(b.book.queue.capacity)})`,
  });
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function pretrade(b: BuiltBook, s: KernelSizes, deadline: Deadline): Figure[] {
  log(`kernel: ${fmt(s.pretradeChecks)} pre-trade checks`);
  const n = s.pretradeChecks;
  const orders: KernelOrder[] = [];
  for (let k = 0; k < Math.min(n, 100_000); k++) {
    const h = mix(k * 31 + 7);
    const a = h % b.accounts;
    const position = positionOf(a, (h >>> 8) % POSITIONS_PER_ACCOUNT, b.accounts, b.hotHolders);
    orders.push({
      account: a,
      instrument: position.instrument,
      side: (h >>> 20) % 2 === 0 ? 'buy' : 'sell',
      size: size(BigInt(1 + ((h >>> 12) % 50)) * 100_000n),
      price: price(BigInt(markUnits(position.instrument))),
    });
  }
  // Timer overhead: a pair of performance.now() calls around nothing.
  const overhead = new Float64Array(10_000);
  for (let k = 0; k < overhead.length; k++) {
    const t = now();
    overhead[k] = now() - t;
  }
  overhead.sort();
  const timer = percentile(overhead, 0.5) * 1000;
  const latencies = new Float64Array(n);
  let accepted = 0;
  let done = 0;
  for (let k = 0; k < n; k++) {
    if ((k & 0xfff) === 0 && deadline.spent && k > 10_000) break;
    const order = orders[k % orders.length] as KernelOrder;
    const t = now();
    const result = checkOrder(b.book, order);
    latencies[k] = (now() - t) * 1000;
    if (result.ok) accepted++;
    done++;
  }
  const kernel = latencies.subarray(0, done).sort();
  const naive = naiveSample(b, Math.min(2_000, s.sample), false);
  const market = naiveMarket();
  const naiveLatencies = new Float64Array(Math.min(20_000, done));
  for (let k = 0; k < naiveLatencies.length; k++) {
    if ((k & 0xff) === 0 && deadline.spent && k > 2_000) {
      naiveLatencies.fill(Number.NaN, k);
      break;
    }
    const account = naive[k % naive.length] as NaiveAccount;
    const t = now();
    naiveCheck(account, market, k % POSITIONS_PER_ACCOUNT, k % 2 === 0 ? 'buy' : 'sell', new Decimal(0.001 * (1 + (k % 50))));
    naiveLatencies[k] = (now() - t) * 1000;
  }
  const naiveSorted = naiveLatencies.filter((x) => !Number.isNaN(x)).sort();
  const note = `${fmt(done)} checks, ${fmt(accepted)} accepted; raw timings including a performance.now() pair of ${timer.toFixed(2)} µs`;
  return [
    figure({ name: 'pre-trade check p50', work: 'one order, in process', runs: done, kernel: percentile(kernel, 0.5), baseline: percentile(naiveSorted, 0.5), baselineName: `naive (decimal.js), ${fmt(naiveSorted.length)} checks`, unit: 'µs', goal: null, note }),
    figure({ name: 'pre-trade check p99', work: 'one order, in process', runs: done, kernel: percentile(kernel, 0.99), baseline: percentile(naiveSorted, 0.99), baselineName: `naive (decimal.js), ${fmt(naiveSorted.length)} checks`, unit: 'µs', goal: 2, note }),
  ];
}

/** A BTC option chain: `count` options over 5 expiries, strikes 40%..250% of the index. */
function optionChain(count: number, indexPrice: number): { instruments: PmInstrument[]; market: Parameters<typeof buildRiskArrays>[0]['market'] } {
  const expiries = [1 / 365, 7 / 365, 30 / 365, 90 / 365, 180 / 365];
  const surface = makeVolSurface({
    slices: expiries.map((t) => ({
      expiryYears: t,
      forward: indexPrice * Math.exp(0.05 * t),
      smile: { kind: 'svi' as const, params: { a: 0.04 * t + 0.001, b: 0.1 * Math.sqrt(t) + 0.01, rho: -0.3, m: 0, sigma: 0.2 } },
    })),
  });
  const instruments: PmInstrument[] = [];
  const perExpiry = Math.ceil(count / expiries.length / 2);
  for (let k = 0; instruments.length < count; k++) {
    const t = expiries[k % expiries.length] as number;
    const step = Math.floor(k / expiries.length);
    const strike = Math.round(indexPrice * (0.4 + (2.1 * (step % perExpiry)) / perExpiry));
    const kind = step < perExpiry ? 'call' : 'put';
    instruments.push({ kind: 'option', id: `BTC-${(t * 365).toFixed(0)}D-${strike}-${kind === 'call' ? 'C' : 'P'}`, underlying: 'BTC', optionKind: kind, strike, expiryYears: t, settlement: 'inverse', contractSize: 1 });
  }
  for (const t of expiries) instruments.push({ kind: 'future', id: `BTC-F-${(t * 365).toFixed(0)}D`, underlying: 'BTC', expiryYears: t, settlement: 'inverse', contractSize: 10 });
  return { instruments, market: { underlying: 'BTC', indexPrice, rate: 0, surface } };
}

function portfolio(s: KernelSizes, deadline: Deadline): Figure[] {
  log(`kernel: PM risk arrays for ${fmt(s.pmOptions)} options, then ${fmt(s.pmAccounts)} accounts x ${s.pmLegs} legs`);
  const { instruments, market } = optionChain(s.pmOptions, 60_000);
  const grid = makeScenarioGrid(DERIBIT_LIKE_PM.grid);
  const options = { instruments, market, grid, currency: DERIBIT_LIKE_PM.currency };
  const kernelArrays = timed(s.runs, deadline, () => buildRiskMatrix(options));
  const referenceArrays = timed(Math.min(3, s.runs), deadline, () => buildRiskArrays(options));
  const matrix = buildRiskMatrix(options);
  const reference = buildRiskArrays(options);
  const book = new PortfolioBook(matrix, { accounts: s.pmAccounts, legs: s.pmAccounts * s.pmLegs });
  const portfolios: PmPosition[][] = [];
  for (let a = 0; a < s.pmAccounts; a++) {
    const legs: PmPosition[] = [];
    for (let k = 0; k < s.pmLegs; k++) {
      const h = mix(a * 101 + k);
      legs.push({ instrument: instruments[h % instruments.length] as PmInstrument, quantity: ((h >>> 16) % 21) - 10 || 1 });
    }
    if (a < s.sample) portfolios.push(legs);
    book.addAccount(legs);
  }
  const kernelAccounts = timed(s.runs, deadline, () => book.marginAll(DERIBIT_LIKE_PM.rule));
  const sample = portfolios.slice(0, Math.min(2_000, portfolios.length));
  const referenceAccounts = timed(Math.min(3, s.runs), deadline, () => {
    for (const positions of sample) portfolioMarginFromArrays({ positions, arrays: reference, rule: DERIBIT_LIKE_PM.rule });
  });
  return [
    figure({
      name: 'PM risk arrays',
      work: `${fmt(s.pmOptions)} options + 5 futures x ${grid.scenarios.length} scenarios`,
      runs: kernelArrays.runs,
      kernel: kernelArrays.median,
      baseline: referenceArrays.median,
      baselineName: 'reference buildRiskArrays (objects, full Greeks per scenario)',
      unit: 'ms',
      goal: 15,
      note: 'rows bit-identical to the reference (test/kernel/portfolio.test.ts)',
    }),
    figure({
      name: 'PM accounts',
      work: `${fmt(s.pmAccounts)} accounts x ${s.pmLegs} legs x ${grid.scenarios.length} scenarios`,
      runs: kernelAccounts.runs,
      kernel: kernelAccounts.median,
      baseline: (referenceAccounts.median / sample.length) * s.pmAccounts,
      baselineName: `reference portfolioMarginFromArrays, ${fmt(sample.length)} accounts timed, scaled`,
      unit: 'ms',
      goal: 400,
      note: 'requirements equal to the reference (test/kernel/portfolio.test.ts)',
    }),
  ];
}

/**
 * The soak: for `soakSeconds`, turns of the event loop each doing one piece of work in rotation, as
 * a shell would schedule them: a tick on one instrument and the first bounded slice of its
 * re-margin (HOT, the heaviest, every tenth tick), 20 ledger changes and their re-margin, 200
 * pre-trade checks, and a 5,000-account slice of a continuous full sweep; while a re-margin is
 * unfinished, each turn does its next slice instead (remarginSlice), as a shell would give
 * re-margin priority over new work. Stalls are measured by monitorEventLoopDelay after a warm-up
 * fifth of the time; memory is sampled after warm-up and at the end.
 */
async function soak(b: BuiltBook, s: KernelSizes): Promise<KernelBenchResult['soak']> {
  log(`kernel: soak on ${fmt(b.accounts)} accounts for ${s.soakSeconds} s`);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const end = now() + s.soakSeconds * 1000;
  const warm = now() + s.soakSeconds * 200;
  let turns = 0;
  let ticks = 0;
  let checks = 0;
  let ledgerChanges = 0;
  let swept = 0;
  let cursor = 0;
  let turnMax = 0;
  let heapWarm = 0;
  let rssWarm = 0;
  const slice = 5_000;
  let rotation = 0;
  let remarginSlices = 0;
  const work = [
    (h: number): void => {
      const i = ticks % 10 === 0 ? 0 : 1 + (h % (INSTRUMENT_COUNT - 1));
      b.book.setMark(symbolOf(i), price(BigInt(markUnits(i, (((h >>> 8) % 200) - 100) / 2_000))));
      b.book.remarginSlice(REMARGIN_SLICE);
      ticks++;
    },
    (h: number): void => {
      for (let k = 0; k < 20; k++) {
        const a = mix(h + k) % b.accounts;
        const p = positionOf(a, k % POSITIONS_PER_ACCOUNT, b.accounts, b.hotHolders);
        const sizeUnits = BigInt(p.sizeUnits + (k % 2 === 0 ? 100_000 : -100_000));
        b.book.setPosition(a, symbolOf(p.instrument), { size: size(sizeUnits), entryValue: amount(BigInt(p.entryUnits)) });
        ledgerChanges++;
      }
      b.book.remargin();
    },
    (h: number): void => {
      for (let k = 0; k < 200; k++) {
        const a = mix(h ^ (k * 7919)) % b.accounts;
        const p = positionOf(a, k % POSITIONS_PER_ACCOUNT, b.accounts, b.hotHolders);
        checkOrder(b.book, { account: a, instrument: p.instrument, side: k % 2 === 0 ? 'buy' : 'sell', size: size(100_000n), price: price(BigInt(markUnits(p.instrument))) });
        checks++;
      }
    },
    (): void => {
      swept += b.book.sweep(cursor, cursor + slice);
      cursor = cursor + slice >= b.accounts ? 0 : cursor + slice;
    },
  ];
  histogram.enable();
  await new Promise<void>((resolve) => {
    const turn = (): void => {
      const start = now();
      if (start > end || turns > 10_000_000) {
        resolve();
        return;
      }
      if (heapWarm === 0 && start > warm) {
        heapWarm = process.memoryUsage().heapUsed;
        rssWarm = process.memoryUsage().rss;
        histogram.reset();
        turnMax = 0;
      }
      // A re-margin left unfinished by the last turn goes first, one bounded slice per turn.
      if (b.book.hasPendingWork) {
        b.book.remarginSlice(REMARGIN_SLICE);
        remarginSlices++;
      } else (work[rotation++ % work.length] as (h: number) => void)(mix(turns));
      turns++;
      turnMax = Math.max(turnMax, now() - start);
      setImmediate(turn);
    };
    setImmediate(turn);
  });
  histogram.disable();
  const memory = process.memoryUsage();
  return {
    accounts: b.accounts,
    seconds: s.soakSeconds,
    turns,
    ticks,
    checks,
    ledgerChanges,
    sweptAccounts: swept,
    remarginSlices,
    stallMaxMs: histogram.max / 1e6,
    stallP99Ms: histogram.percentile(99) / 1e6,
    turnMaxMs: turnMax,
    heapAfterWarmupMiB: heapWarm / 2 ** 20,
    heapEndMiB: memory.heapUsed / 2 ** 20,
    rssAfterWarmupMiB: rssWarm / 2 ** 20,
    rssEndMiB: memory.rss / 2 ** 20,
  };
}

export async function runKernelBench(options: { quick: boolean }): Promise<KernelBenchResult> {
  const s = options.quick ? QUICK : FULL;
  quickRun = options.quick;
  const started = now();
  const deadline = new Deadline(s.budgetSeconds);
  log(`kernel: building ${fmt(s.accounts)} accounts x ${POSITIONS_PER_ACCOUNT} positions`);
  const rssBefore = process.memoryUsage().rss;
  const b = buildBook(s.accounts, s.hotHolders);
  b.book.sweep();
  const rssDelta = process.memoryUsage().rss - rssBefore;
  const memory = b.book.memory();
  const positions = s.accounts * POSITIONS_PER_ACCOUNT;
  const naiveBytes = (() => {
    const before = process.memoryUsage().heapUsed;
    const sample = naiveSample(b, 2_000, false);
    const after = process.memoryUsage().heapUsed;
    return sample.length > 0 ? (after - before) / sample.length : 0;
  })();
  const figures: Figure[] = [fullRemargin(b, s, deadline)];
  const statuses = statusCounts(b);
  const exactValuations = b.book.exactValuations;
  figures.push(tick(b, s, deadline), ...pretrade(b, s, deadline), ...portfolio(s, deadline));
  const soakResult = await soak(b, s);
  // Last: taking workers moves the book's records to shared buffers (see store.ts sharedF64).
  figures.splice(1, 0, await parallelRemargin(b, s, deadline, figures[0] as Figure));
  return {
    date: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    machine: machine(),
    sizes: s,
    seconds: (now() - started) / 1000,
    figures,
    memory: {
      positions,
      accounts: s.accounts,
      bytesPerPosition: memory.positionBytes / positions,
      bytesPerAccount: (memory.accountBytes + memory.assetSlotBytes + memory.indexBytes) / s.accounts,
      typedArrayBytes: memory.total,
      rssDeltaBytes: rssDelta,
      rssPerPosition: rssDelta / positions,
      naiveBytesPerAccount: naiveBytes,
    },
    soak: soakResult,
    statuses,
    exactValuations,
  };
}

const cell = (x: number | null, unit: string): string => (x === null ? '' : `${unit === 'µs' ? x.toFixed(2) : fmt(x)} ${unit}`);

export function kernelMarkdown(r: KernelBenchResult): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push(
    `Kernel bench, ${r.mode} mode, ${r.date.slice(0, 10)}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}, ` +
      `load average ${m.loadAverage} at start; ${r.seconds.toFixed(0)} s.`,
  );
  lines.push('');
  if (r.mode === 'quick') lines.push('Quick sizes are smaller than the goals\' sizes: the goal column is shown, not judged.', '');
  lines.push('| figure | work | runs | kernel (median) | baseline | baseline is | kernel faster by | goal | met | note |');
  lines.push('|---|---|---:|---:|---:|---|---:|---:|---|---|');
  for (const f of r.figures) {
    const ratio = f.ratio === null ? '' : `${fmt(f.ratio)}x`;
    const goal = f.goal === null ? '' : `<= ${f.goal} ${f.unit}`;
    const met = f.met === null ? '' : f.met ? 'yes' : '**no**';
    lines.push(`| ${f.name} | ${f.work} | ${fmt(f.runs)} | ${cell(f.kernel, f.unit)} | ${cell(f.baseline, f.unit)} | ${f.baselineName} | ${ratio} | ${goal} | ${met} | ${f.note} |`);
  }
  const x = r.memory;
  lines.push('');
  lines.push(
    `Memory: ${fmt(x.bytesPerPosition)} bytes per position and ${fmt(x.bytesPerAccount)} bytes per account in typed arrays ` +
      `(${fmt(x.typedArrayBytes / 2 ** 20)} MiB for ${fmt(x.accounts)} accounts and ${fmt(x.positions)} positions, allocated capacity); ` +
      `RSS grew by ${fmt(x.rssDeltaBytes / 2 ** 20)} MiB while building (${fmt(x.rssPerPosition)} bytes per position, ids and maps included). ` +
      `The naive objects take ${fmt(x.naiveBytesPerAccount)} bytes of heap per account (10 positions).`,
  );
  const k = r.soak;
  lines.push('');
  lines.push(
    `Soak: ${fmt(k.accounts)} accounts for ${k.seconds} s: ${fmt(k.turns)} turns of the event loop, each one piece of work in rotation ` +
      `(a tick and the first ${fmt(REMARGIN_SLICE)}-unit slice of its re-margin, HOT every tenth tick; 20 ledger changes and their re-margin; ` +
      `200 pre-trade checks; a 5,000-account slice of the continuous full sweep; an unfinished re-margin's next slice goes first): ` +
      `${fmt(k.ticks)} ticks, ${fmt(k.remarginSlices)} further re-margin slices, ${fmt(k.ledgerChanges)} ledger changes, ` +
      `${fmt(k.checks)} checks, ${fmt(k.sweptAccounts)} accounts swept. Event-loop delay after warm-up (monitorEventLoopDelay): ` +
      `max ${k.stallMaxMs.toFixed(1)} ms, p99 ${k.stallP99Ms.toFixed(1)} ms (goal: no stall over 20 ms); longest turn ${k.turnMaxMs.toFixed(1)} ms. ` +
      `Heap ${fmt(k.heapAfterWarmupMiB)} MiB after warm-up, ${fmt(k.heapEndMiB)} MiB at the end; RSS ${fmt(k.rssAfterWarmupMiB)} -> ${fmt(k.rssEndMiB)} MiB.`,
  );
  lines.push('');
  lines.push(
    `Book statuses after the first sweep: ${Object.entries(r.statuses).map(([s, n]) => `${s} ${fmt(n)}`).join(', ')}; ` +
      `accounts the float path left to the exact reference in that sweep: ${fmt(r.exactValuations)}.`,
  );
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const json = process.argv.includes('--json');
  const result = await runKernelBench({ quick });
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${kernelMarkdown(result)}\n`);
}
