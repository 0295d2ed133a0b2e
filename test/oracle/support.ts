/**
 * Fixtures for oracle tests, built through the production loaders: the engine's test venue with
 * a second, unrelated market (ETH) and a stablecoin collateral (USDE), oracle documents, and an
 * engine with two traders holding BTCUSDT and ETHUSDT.
 */
import assert from 'node:assert/strict';
import { loadVenueParams } from '../../src/config/load.js';
import { createEngine, ManualClock, type Engine } from '../../src/engine/index.js';
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
}

/**
 * An engine on ORACLE_VENUE at T0 with alice long 1 BTCUSDT against bob, and carol long 10
 * ETHUSDT against dave; USDT priced at 1 by the venue; BTC at 9,150 and ETH at 200.
 */
export async function engineWithMarkets(): Promise<EngineFixture> {
  const clock = new ManualClock(T0);
  const engine = await createEngine({ store: new MemoryStore(), clock, params: ORACLE_VENUE, invariants: 'event' });
  for (const c of [
    ...['alice', 'bob', 'carol', 'dave'].map((a) => cmd.create(a)),
    ...['alice', 'bob', 'carol', 'dave'].map((a) => cmd.deposit(a, 'USDT', '100000')),
    cmd.prices({ BTC: '9150', ETH: '200', USDT: '1', USDE: '1' }, { BTCUSDT: '9150', ETHUSDT: '200', 'BTC-PERP': '9150' }),
    cmd.fill('BTCUSDT', 'alice', 'bob', '1', '9150'),
    cmd.fill('ETHUSDT', 'carol', 'dave', '10', '200'),
  ]) {
    const r = await engine.submit(c);
    assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.message}`);
  }
  return { engine, clock };
}

/** A 0.1 buy that raises risk on the instrument, as the pre-trade check sees it. */
export function riskIncreasingOrder(accountId: string, instrument: string, price: string) {
  return { accountId, instrument, side: 'buy' as const, size: parseSize('0.1'), price: parsePrice(price) };
}

export function codeOf(result: { ok: boolean; code?: string }): string {
  return result.ok ? 'ok' : (result.code ?? 'unknown');
}
