/**
 * The engine's hot path with and without its columnar mirror (src/engine/mirror.ts): the same
 * engine, the same book, `riskKernel: true` against `riskKernel: false` (the reference valuing
 * every account a tick touches, what the engine did before the mirror).
 *
 * Book (deterministic): `accounts` accounts in 20 linear perpetuals settled in USDT, each with
 * USDT at about 5x leverage and three positions; HOT is held by `holders` of them. Measured:
 * - a tick on HOT: `submit(UpdatePrices)` to its acknowledgement on a MemoryStore (decide, apply,
 *   the liquidation pass over what the tick touches, the journal record), the mark moving by a few
 *   basis points so that statuses rarely change: the steady state of a busy market;
 * - the pre-trade check `engine.checkOrder` on random accounts, p50 and p99;
 * - the mirror's first build (what start-up pays on the first tick or check).
 */
import type { Command } from '../src/engine/commands.js';
import { createEngine, type Engine } from '../src/engine/shell.js';
import { ManualClock } from '../src/engine/clock.js';
import { parseAmount, parsePrice, parseSize } from '../src/risk/units/quantities.js';
import { MemoryStore } from '../src/store/memory.js';
import { Deadline, fmt, log, median } from './lib.js';

const INSTRUMENTS = 20;
const symbolOf = (i: number): string => (i === 0 ? 'HOT-PERP' : `I${i}-PERP`);

function venue(): Record<string, unknown> {
  const instruments: Record<string, unknown> = {};
  for (let i = 0; i < INSTRUMENTS; i++) {
    instruments[symbolOf(i)] = {
      kind: 'perpetual',
      underlying: i === 0 ? 'HOT' : `U${i}`,
      quoteAsset: 'USDT',
      settlement: 'linear',
      contractSize: '1',
      tick: '0.01',
      lot: '0.001',
      margin: { model: 'linearInSize', initialRate: '0.1', maintenanceRate: '0.05', initialRatePerUnit: '0', maintenanceRatePerUnit: '0' },
    };
  }
  return {
    version: 1,
    valuationAsset: 'USD',
    assets: { USDT: { kind: 'collateral', initial: { kind: 'flat', weight: '1' }, maintenance: { kind: 'flat', weight: '1' } } },
    instruments,
    liquidation: { execution: 'backstop' },
  };
}

function mix(n: number): number {
  let x = (n + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The book's commands: accounts, deposits, prices, then pairs of fills giving each account three positions. */
function* bookCommands(accounts: number, holders: number): Generator<Command> {
  let n = 0;
  const id = () => `s${++n}`;
  const marks = Object.fromEntries(Array.from({ length: INSTRUMENTS }, (_, i) => [symbolOf(i), parsePrice('100')]));
  yield { type: 'UpdatePrices', id: id(), prices: { USDT: parsePrice('1') }, marks };
  for (let k = 0; k < accounts; k++) {
    yield { type: 'CreateAccount', id: id(), accountId: `a${k}`, mode: 'cross' };
    yield { type: 'Deposit', id: id(), accountId: `a${k}`, asset: 'USDT', amount: parseAmount(String(600 + (mix(k) % 400))) };
  }
  // Account k trades with k+1 (even k buys): each fill gives two accounts opposite positions.
  for (let slot = 0; slot < 3; slot++) {
    for (let k = 0; k + 1 < accounts; k += 2) {
      const hot = slot === 0 && k < holders;
      const instrument = hot ? 0 : 1 + (mix(k * 3 + slot) % (INSTRUMENTS - 1));
      const lots = 5_000 + (mix(k * 7 + slot) % 5_000);
      yield {
        type: 'ApplyFill',
        id: id(),
        instrument: symbolOf(instrument),
        price: parsePrice('100'),
        size: parseSize((lots / 1_000).toFixed(3)),
        buyer: { accountId: `a${slot % 2 === 0 ? k : k + 1}` },
        seller: { accountId: `a${slot % 2 === 0 ? k + 1 : k}` },
        aggressor: 'buy',
      };
    }
  }
}

async function build(accounts: number, holders: number, riskKernel: boolean): Promise<Engine> {
  const engine = await createEngine({ store: new MemoryStore(), clock: new ManualClock(Date.parse('2026-11-22T00:00:00Z')), params: venue(), riskKernel, invariants: 'off' });
  let pending: Promise<unknown>[] = [];
  for (const command of bookCommands(accounts, holders)) {
    pending.push(
      engine.submit(command).then((r) => {
        if (!r.ok) throw new Error(`${command.type} ${command.id}: ${r.code} ${r.message}`);
      }),
    );
    if (pending.length >= 5_000) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  return engine;
}

export interface EngineTickResult {
  readonly accounts: number;
  readonly holders: number;
  readonly ticks: number;
  readonly tickMs: { readonly kernel: number; readonly reference: number };
  readonly checks: number;
  readonly checkMicros: { readonly kernel: { p50: number; p99: number }; readonly reference: { p50: number; p99: number } };
  readonly mirrorBuildMs: number;
  readonly liquidationRecords: { readonly kernel: number; readonly reference: number };
}

async function tickTimes(engine: Engine, ticks: number, deadline: Deadline): Promise<number[]> {
  const times: number[] = [];
  for (let t = 0; t < ticks; t++) {
    if (t > 3 && deadline.spent) break;
    const mark = (100 + ((t % 2 === 0 ? 1 : -1) * (1 + (t % 5))) / 100).toFixed(2);
    const started = performance.now();
    const r = await engine.submit({ type: 'UpdatePrices', id: `tick${t}`, marks: { 'HOT-PERP': parsePrice(mark) } });
    if (!r.ok) throw new Error(`tick ${t}: ${r.code}`);
    if (t > 0) times.push(performance.now() - started); // the first tick builds the mirror
  }
  return times;
}

function checkTimes(engine: Engine, accounts: number, checks: number): { p50: number; p99: number } {
  const times = new Float64Array(checks);
  for (let c = 0; c < checks; c++) {
    const h = mix(c + 1_000_003);
    const intent = {
      accountId: `a${h % accounts}`,
      instrument: symbolOf(h % INSTRUMENTS),
      side: (h & 1) === 0 ? ('buy' as const) : ('sell' as const),
      size: parseSize(((1 + ((h >>> 8) % 5_000)) / 1_000).toFixed(3)),
      price: parsePrice('100'),
    };
    const started = performance.now();
    engine.checkOrder(intent);
    times[c] = performance.now() - started;
  }
  times.sort();
  return { p50: (times[checks >> 1] ?? 0) * 1_000, p99: (times[Math.floor(checks * 0.99)] ?? 0) * 1_000 };
}

const liquidationRecords = (engine: Engine): number => engine.lastSeq();

export async function runEngineTickBench(options: { quick: boolean }): Promise<EngineTickResult> {
  const accounts = options.quick ? 20_000 : 100_000;
  const holders = options.quick ? 10_000 : 50_000;
  const ticks = options.quick ? 20 : 60;
  const checks = options.quick ? 20_000 : 200_000;
  const deadline = new Deadline(options.quick ? 40 : 300);
  log(`engine tick: building ${fmt(accounts)} accounts, HOT held by ${fmt(holders)} (kernel)`);
  const kernel = await build(accounts, holders, true);
  let started = performance.now();
  kernel.checkOrder({ accountId: 'a0', instrument: 'HOT-PERP', side: 'buy', size: parseSize('0.001'), price: parsePrice('100') });
  const mirrorBuildMs = performance.now() - started;
  const kernelSeqBefore = liquidationRecords(kernel);
  const kernelTicks = await tickTimes(kernel, ticks, deadline);
  const kernelChecks = checkTimes(kernel, accounts, checks);
  const kernelRecords = liquidationRecords(kernel) - kernelSeqBefore;
  await kernel.close();
  log('engine tick: the same book without the mirror (reference)');
  const reference = await build(accounts, holders, false);
  started = performance.now();
  const referenceSeqBefore = liquidationRecords(reference);
  const referenceTicks = await tickTimes(reference, ticks, deadline);
  const referenceChecks = checkTimes(reference, accounts, Math.min(checks, options.quick ? 5_000 : 20_000));
  const referenceRecords = liquidationRecords(reference) - referenceSeqBefore;
  await reference.close();
  return {
    accounts,
    holders,
    ticks: kernelTicks.length,
    tickMs: { kernel: median(kernelTicks), reference: median(referenceTicks) },
    checks,
    checkMicros: { kernel: kernelChecks, reference: referenceChecks },
    mirrorBuildMs,
    liquidationRecords: { kernel: kernelRecords, reference: referenceRecords },
  };
}

export function engineTickMarkdown(r: EngineTickResult): string {
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(1) : 'n/a');
  return [
    `Book: ${fmt(r.accounts)} accounts x 3 linear positions, HOT held by ${fmt(r.holders)}; ticks move HOT's mark by 1-5 bp.`,
    '',
    '| figure | with the mirror | reference (no mirror) | faster by |',
    '|---|---:|---:|---:|',
    `| tick on HOT, submit to acknowledgement (median of ${r.ticks}) | ${r.tickMs.kernel.toFixed(2)} ms | ${r.tickMs.reference.toFixed(2)} ms | ${ratio(r.tickMs.reference, r.tickMs.kernel)}x |`,
    `| engine.checkOrder p50 | ${r.checkMicros.kernel.p50.toFixed(2)} µs | ${r.checkMicros.reference.p50.toFixed(2)} µs | ${ratio(r.checkMicros.reference.p50, r.checkMicros.kernel.p50)}x |`,
    `| engine.checkOrder p99 | ${r.checkMicros.kernel.p99.toFixed(2)} µs | ${r.checkMicros.reference.p99.toFixed(2)} µs | ${ratio(r.checkMicros.reference.p99, r.checkMicros.kernel.p99)}x |`,
    `| mirror's first build (${fmt(r.accounts)} accounts) | ${r.mirrorBuildMs.toFixed(0)} ms | | |`,
    `| records journaled by the ticks (commands + liquidation passes) | ${r.liquidationRecords.kernel} | ${r.liquidationRecords.reference} | |`,
  ].join('\n');
}
