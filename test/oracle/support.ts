/**
 * Fixtures for oracle tests, built through the production loaders: the engine's test venue with
 * a second, unrelated market (ETH) and a stablecoin collateral (USDE), oracle documents, and an
 * engine with two traders holding BTCUSDT and ETHUSDT. For the liquidation scenarios the venue
 * opts in with a `liquidation` section and the engine gets traders who sit just above MM, each
 * built so that it falls below MM at a known price.
 */
import assert from 'node:assert/strict';
import { loadVenueParams } from '../../src/config/load.js';
import { bodyOf, createEngine, ManualClock, type Command, type Engine, type EngineEvent } from '../../src/engine/index.js';
import { createOracle, loadOracleParams, type FeedEvent, type Observation, type Oracle } from '../../src/oracle/index.js';
import { parsePrice, parseSize, type Price } from '../../src/risk/units/quantities.js';
import { MemoryStore } from '../../src/store/memory.js';
import { cmd, VENUE } from '../engine/fixtures.js';

/** 2023-11-15T00:00:00Z: a multiple of 8 hours, so funding intervals start here. */
export const T0 = 1_700_006_400_000;
export const SECOND = 1_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

export const ORACLE_VENUE = {
  ...VENUE,
  assets: {
    ...VENUE.assets,
    ETH: { kind: 'preset', preset: 'drift-spot' },
    USDE: { kind: 'collateral', initial: { kind: 'flat', weight: '0.9' }, maintenance: { kind: 'flat', weight: '0.95' } },
  },
  instruments: {
    ...VENUE.instruments,
    ETHUSDT: {
      kind: 'perpetual',
      underlying: 'ETH',
      quoteAsset: 'USDT',
      settlement: 'linear',
      contractSize: '1',
      tick: '0.01',
      lot: '0.001',
      margin: { model: 'preset', preset: 'binance-btcusdt' },
      fees: { maker: '0.0002', taker: '0.0005' },
      funding: { interestRate: '0.0001', clamp: '0.0005', cap: '0.003', intervalHours: '8' },
    },
  },
} as const;

export const VENUE_PARAMS = loadVenueParams(ORACLE_VENUE);

/** `count` sources named v1..vN with one cadence. */
export function sourcesDoc(count: number, cadenceMs: number, extra: Record<string, unknown> = {}): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`v${i + 1}`, { cadenceMs, ...extra }]));
}

export interface IndexOptions {
  readonly sources?: Record<string, Record<string, unknown>>;
  readonly sourcesMin?: number;
  readonly outlierBandRate?: string;
  readonly band?: Record<string, unknown>;
  readonly onDegraded?: 'guard' | 'halt';
  readonly recoveryMs?: number;
  readonly lagged?: Record<string, unknown>;
}

export function indexDoc(o: IndexOptions = {}): Record<string, unknown> {
  return {
    sources: o.sources ?? sourcesDoc(7, SECOND),
    sourcesMin: o.sourcesMin ?? 5,
    outlierBandRate: o.outlierBandRate ?? '0.02',
    band: o.band ?? { rate: '0.05', intervalMs: MINUTE, onBreach: 'halt' },
    recoveryMs: o.recoveryMs ?? 10 * SECOND,
    ...(o.onDegraded === undefined ? {} : { onDegraded: o.onDegraded }),
    ...(o.lagged === undefined ? {} : { lagged: o.lagged }),
  };
}

/** BTC and ETH indexes of seven 1-second sources, BTCUSDT and ETHUSDT marked by the median of three. */
export function twoMarketDoc(overrides: { btc?: IndexOptions; eth?: IndexOptions; marks?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    indexes: { BTC: indexDoc(overrides.btc), ETH: indexDoc(overrides.eth) },
    marks: overrides.marks ?? {
      BTCUSDT: { method: 'medianOfThree', markBandRate: '0.05' },
      ETHUSDT: { method: 'medianOfThree', markBandRate: '0.05' },
    },
  };
}

export function oracleOf(doc: unknown): Oracle {
  return createOracle(loadOracleParams(doc, VENUE_PARAMS));
}

export const p = (text: string): Price => parsePrice(text);

export function observation(source: string, symbol: string, price: string, timestampMs: number): Observation {
  return { source, symbol, price: parsePrice(price), timestampMs };
}

/** Every listed source prints `price` at `timestampMs`. */
export function printAll(oracle: Oracle, symbol: string, sources: readonly string[], price: string, timestampMs: number): void {
  for (const source of sources) {
    const r = oracle.observe(observation(source, symbol, price, timestampMs), timestampMs);
    assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.message}`);
  }
}

export const V7 = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7'] as const;

/** Deliver the events with atMs <= t, in order, and return how many were delivered. */
export function deliver(oracle: Oracle, events: readonly FeedEvent[], from: number, t: number): number {
  let i = from;
  for (; i < events.length && (events[i]?.atMs ?? Infinity) <= t; i++) {
    const e = events[i] as FeedEvent;
    if (e.kind === 'observation') oracle.observe(e.observation, e.atMs);
    else oracle.quote(e.quote, e.atMs);
  }
  return i;
}

export interface EngineFixture {
  readonly engine: Engine;
  readonly clock: ManualClock;
  /** The engine's journal: every record, the liquidation passes' (`engine:liquidation:<seq>`) included. */
  readonly store: MemoryStore;
}

/** A trader of the liquidation scenarios: one deposit, then longs bought from `maker` (aggressor buy: the taker fee is paid). */
export interface TraderSpec {
  readonly id: string;
  readonly deposit: { readonly asset: string; readonly amount: string };
  readonly longs: readonly { readonly instrument: 'BTCUSDT' | 'ETHUSDT'; readonly size: string; readonly price: string }[];
}

export interface EngineOptions {
  /** The venue's `liquidation` section; absent: no automatic liquidation (the venue as before). */
  readonly liquidation?: Record<string, unknown>;
  /** Traders created after the base book, in order. */
  readonly traders?: readonly TraderSpec[];
}

/** BTCUSDT and ETHUSDT (preset binance-btcusdt): MM 0.4% of notional below 50,000, taker fee 0.05%. */
export const MM_RATE = 0.004;
export const TAKER_FEE_RATE = 0.0005;
/** The account that sells the traders their longs. */
export const MAKER = 'maker';
export const FUND = 'system:insurance-fund';

/**
 * The liquidation section of the oracle scenarios (docs/methodology/liquidation.md §10), scaled to
 * a 0.4% MMR (Drift's 2% buffer and 1% + 1% fees would exceed the whole MM and close every account
 * whole at zero equity): buffer 0.4% of notional, fees 0.1% + 0.1%, a whole position per step at
 * most, three accounts per pass, pause on halted or stale prices (the default).
 */
export function liquidationSection(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accountsPerTickMax: '3',
    buffer: '0.004',
    liquidatorFee: '0.001',
    insuranceFee: '0.001',
    stepLimits: { fractionMax: '1', notionalMinPerStep: '0', notionalMaxPerAccountStep: '1000000000', remainderMin: '0' },
    ...extra,
  };
}

const cents = (x: number): string => (Math.ceil(x * 100 - 1e-6) / 100).toFixed(2);

/**
 * A long of `size` at `entry` on USDT that falls below MM when the mark is `dropRate` below
 * `entry`: equity D - fee + size x (P - entry) < MM x size x P. The deposit is rounded up to the
 * cent, so the account falls below MM a hair lower (see `usdtLongLiquidationPrice`).
 */
export function usdtLongNearMm(id: string, dropRate: number, instrument: 'BTCUSDT' | 'ETHUSDT' = 'BTCUSDT', size = 1, entry = instrument === 'BTCUSDT' ? 9_150 : 200): TraderSpec {
  const notional = size * entry;
  const deposit = notional * (1 + TAKER_FEE_RATE) - size * entry * (1 - dropRate) * (1 - MM_RATE);
  return { id, deposit: { asset: 'USDT', amount: cents(deposit) }, longs: [{ instrument, size: String(size), price: String(entry) }] };
}

/** The mark below which a `usdtLongNearMm` account (one long) is below MM. */
export function usdtLongLiquidationPrice(t: TraderSpec): number {
  const [long] = t.longs;
  const size = Number(long?.size);
  const entry = Number(long?.price);
  return (size * entry * (1 + TAKER_FEE_RATE) - Number(t.deposit.amount)) / (size * (1 - MM_RATE));
}

/** USDE's maintenance weight in ORACLE_VENUE. */
export const USDE_MM_WEIGHT = 0.95;

/**
 * A long of 1 BTCUSDT, bought at `entry` while the mark is 9,150, on USDE collateral only: its
 * unrealised PnL and fee are a USDT amount, so its collateral is 0.95 x D x USDE - (fee + 9,150 -
 * entry) x USDT against MM 36.6 x USDT. It falls below MM when USDE falls under `usdeAt` (USDT
 * at 1), or when USDT rises over `usdtAt` (USDE at 1).
 */
export function usdeBackedLong(id: string, at: { usdeAt: number } | { usdtAt: number }, entry = 9_150): TraderSpec {
  const loss = entry * TAKER_FEE_RATE + (entry - 9_150);
  const mm = 9_150 * MM_RATE;
  const deposit = 'usdeAt' in at ? (mm + loss) / (USDE_MM_WEIGHT * at.usdeAt) : ((mm + loss) * at.usdtAt) / USDE_MM_WEIGHT;
  return { id, deposit: { asset: 'USDE', amount: cents(deposit) }, longs: [{ instrument: 'BTCUSDT', size: '1', price: String(entry) }] };
}

/** The USDE price (USDT at 1) below which, or the USDT price (USDE at 1) above which, a `usdeBackedLong` is below MM. */
export function usdeBackedThreshold(t: TraderSpec, of: 'USDE' | 'USDT'): number {
  const entry = Number(t.longs[0]?.price);
  const loss = entry * TAKER_FEE_RATE + (entry - 9_150);
  const weighted = USDE_MM_WEIGHT * Number(t.deposit.amount);
  return of === 'USDE' ? (9_150 * MM_RATE + loss) / weighted : weighted / (9_150 * MM_RATE + loss);
}

/**
 * An engine on ORACLE_VENUE at T0 with alice long 1 BTCUSDT against bob, and carol long 10
 * ETHUSDT against dave; USDT priced at 1 by the venue; BTC at 9,150 and ETH at 200. With
 * `liquidation`, the venue opts in, the insurance fund holds 100,000 USDT and `maker` (10,000,000
 * USDT) sells the `traders` their longs.
 */
export async function engineWithMarkets(options: EngineOptions = {}): Promise<EngineFixture> {
  const clock = new ManualClock(T0);
  const store = new MemoryStore();
  const params = options.liquidation === undefined ? ORACLE_VENUE : { ...ORACLE_VENUE, liquidation: options.liquidation };
  const engine = await createEngine({ store, clock, params, invariants: 'event' });
  const traders = options.traders ?? [];
  const setup: Command[] = [
    ...['alice', 'bob', 'carol', 'dave'].map((a) => cmd.create(a)),
    ...['alice', 'bob', 'carol', 'dave'].map((a) => cmd.deposit(a, 'USDT', '100000')),
    cmd.prices({ BTC: '9150', ETH: '200', USDT: '1', USDE: '1' }, { BTCUSDT: '9150', ETHUSDT: '200', 'BTC-PERP': '9150' }),
    cmd.fill('BTCUSDT', 'alice', 'bob', '1', '9150'),
    cmd.fill('ETHUSDT', 'carol', 'dave', '10', '200'),
  ];
  if (options.liquidation !== undefined || traders.length > 0) {
    setup.push(cmd.create(MAKER), cmd.deposit(MAKER, 'USDT', '10000000'), cmd.deposit(FUND, 'USDT', '100000'));
  }
  for (const t of traders) {
    setup.push(cmd.create(t.id), cmd.deposit(t.id, t.deposit.asset, t.deposit.amount));
    for (const long of t.longs) setup.push(cmd.fill(long.instrument, t.id, MAKER, long.size, long.price));
  }
  for (const c of setup) {
    const r = await engine.submit(c);
    assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.message}`);
  }
  return { engine, clock, store };
}

/** One journal record, decoded. */
export interface JournalEntry {
  readonly seq: number;
  readonly commandId: string;
  readonly events: readonly EngineEvent[];
}

export const isPassRecord = (r: JournalEntry): boolean => r.commandId.startsWith('engine:liquidation:');

/** Reads the journal as it grows: each `next()` returns the records appended since the last call. */
export function journalReader(store: MemoryStore): { next(): JournalEntry[]; all(): JournalEntry[] } {
  let read = store.records.length;
  const decode = (from: number): JournalEntry[] => store.records.slice(from).map((r) => ({ seq: r.seq, commandId: r.commandId, events: bodyOf(r).events }));
  return {
    next: () => {
      const out = decode(read);
      read = store.records.length;
      return out;
    },
    all: () => decode(0),
  };
}

/** Events that act on an account: a liquidation step, a takeover (backstop, liquidator, ADL, socialised), fees, seizures, liquidation orders. */
export const LIQUIDATION_ACTIONS: ReadonlySet<string> = new Set([
  'LiquidationStarted',
  'PositionLiquidated',
  'LiquidationFeesCharged',
  'CollateralSeized',
  'LossSocialised',
  'InsuranceFundPaid',
  'LiquidationOrderEmitted',
]);

/** The liquidation actions of the records, and the accounts that turned liquidatable or bankrupt, as short strings for messages. */
export function liquidationsIn(records: readonly JournalEntry[]): { readonly actions: string[]; readonly turnedLiquidatable: string[] } {
  const actions: string[] = [];
  const turnedLiquidatable: string[] = [];
  for (const r of records) {
    for (const e of r.events) {
      if (LIQUIDATION_ACTIONS.has(e.type) || (e.type === 'OrderCancelled' && e.reason === 'liquidation')) actions.push(`seq ${r.seq} ${e.type} ${'accountId' in e ? e.accountId : ''}`);
      if (e.type === 'AccountStatusChanged' && (e.to === 'liquidatable' || e.to === 'bankrupt')) turnedLiquidatable.push(`seq ${r.seq} ${e.accountId} ${e.from} -> ${e.to} (ratio ${e.marginRatio})`);
    }
  }
  return { actions, turnedLiquidatable };
}

/** The accounts the engine holds as liquidatable or bankrupt (the liquidation queue). */
export function waiting(engine: Engine): string[] {
  return [...engine.state.liquidation.statuses.entries()]
    .filter(([, s]) => s === 'liquidatable' || s === 'bankrupt')
    .map(([id]) => id)
    .sort();
}

/** A 0.1 buy that raises risk on the instrument, as the pre-trade check sees it. */
export function riskIncreasingOrder(accountId: string, instrument: string, price: string) {
  return { accountId, instrument, side: 'buy' as const, size: parseSize('0.1'), price: parsePrice(price) };
}

export function codeOf(result: { ok: boolean; code?: string }): string {
  return result.ok ? 'ok' : (result.code ?? 'unknown');
}
