/**
 * The oracle: observations and quotes in, engine commands out, time an argument (DESIGN.md D4).
 *
 * Each `tick(nowMs)`, in this order:
 *   1. per index (symbol order): aggregate the sources (aggregate.ts), pass the aggregate through
 *      the circuit breaker (guard.ts), advance the lagged price when a price is published;
 *   2. per marked instrument (symbol order): close a funding interval that ended (funding.ts),
 *      compute the mark from the published index (mark.ts), and, when the index is ok, take
 *      the basis and premium samples (a degraded index has no quote: the mark is its index
 *      plus the basis sampled while it was ok);
 *   3. emit one `UpdatePrices` (id `<prefix>:prices:<nowMs>`) with the published index prices,
 *      marks, lagged prices and the status of every index, then one `SettleFunding` per closed
 *      interval (id `<prefix>:funding:<instrument>:<boundary ms>`).
 *
 * Ids depend only on the time and the parameters, so delivering a tick's commands twice (a retry,
 * a restarted driver) changes nothing in the engine (R7). A second tick at the same time returns
 * the first tick's output. Time never runs backwards here: a `nowMs` below the last tick's is
 * taken as the last tick's.
 *
 * While the guard holds an index above a falling market (onBreach 'guard'), the market price is
 * sent as the lagged price: the engine values assets for initial margin at the lower of live and
 * lagged, so nobody withdraws or adds risk against the guarded price, while maintenance margin,
 * and so liquidation, follows the guarded price through the band.
 *
 * Statuses are sent for index symbols only (an asset or underlying): the engine refuses
 * risk-increasing orders on every instrument of a non-ok underlying and withdrawals that depend
 * on a stale or halted one. Instrument symbols are left to the venue (a trading halt).
 */
import { fundingRateOf } from '../risk/funding/funding.js';
import { rate as asRate, type Price } from '../risk/units/quantities.js';
import { aggregateIndex, type SourceState } from './aggregate.js';
import { FundingSampler, premiumSampleOf, type FundingReport } from './funding.js';
import { PriceGuard, type GuardReason } from './guard.js';
import { laggedPriceOf, type LaggedPrice } from './lagged.js';
import { MarkState, type MarkReport } from './mark.js';
import type { IndexParams, MarkParams, OracleParams } from './params.js';
import { SourceBook } from './sources.js';
import type { InputResult, InstrumentQuote, MarketStatus, Observation, OracleCommand, SettleFundingCommand, UpdatePricesCommand } from './types.js';

export interface IndexReport {
  readonly status: MarketStatus;
  readonly reason?: GuardReason;
  /** The price forwarded to the engine this tick, if any. */
  readonly published?: Price;
  /** The weighted median of fresh non-outlier sources, before the guard. */
  readonly candidate?: Price;
  readonly lagged?: Price;
  readonly sources: Readonly<Record<string, SourceState>>;
}

export interface OracleTick {
  readonly nowMs: number;
  readonly commands: readonly OracleCommand[];
  readonly indexes: Readonly<Record<string, IndexReport>>;
  /** Marks forwarded this tick (an instrument whose index published nothing has none). */
  readonly marks: Readonly<Record<string, MarkReport & { readonly lagged?: Price }>>;
  /** Funding intervals closed this tick, settled or not. */
  readonly funding: readonly FundingReport[];
}

interface IndexSlot {
  readonly params: IndexParams;
  readonly guard: PriceGuard;
  readonly lagged: LaggedPrice | undefined;
}

/** What one tick gathers before it becomes commands and a report. */
interface Draft {
  readonly prices: Record<string, Price>;
  readonly laggedPrices: Record<string, Price>;
  readonly statuses: Record<string, MarketStatus>;
  readonly indexes: Record<string, IndexReport>;
  readonly marks: Record<string, MarkReport & { readonly lagged?: Price }>;
  readonly funding: FundingReport[];
}

interface MarkSlot {
  readonly params: MarkParams;
  readonly state: MarkState;
  readonly funding: FundingSampler | undefined;
  readonly lagged: LaggedPrice | undefined;
}

export class Oracle {
  private readonly book: SourceBook;
  private readonly indexSlots = new Map<string, IndexSlot>();
  private readonly markSlots = new Map<string, MarkSlot>();
  private last: OracleTick | undefined;

  constructor(readonly params: OracleParams) {
    this.book = new SourceBook(params);
    for (const symbol of [...params.indexes.keys()].sort()) {
      const index = params.indexes.get(symbol);
      if (index !== undefined) this.indexSlots.set(symbol, { params: index, guard: new PriceGuard(index), lagged: index.lagged && laggedPriceOf(index.lagged) });
    }
    for (const symbol of [...params.marks.keys()].sort()) {
      const mark = params.marks.get(symbol);
      if (mark === undefined) continue;
      this.markSlots.set(symbol, {
        params: mark,
        state: new MarkState(mark),
        funding: mark.funding && new FundingSampler(symbol, mark.funding),
        lagged: mark.lagged && laggedPriceOf(mark.lagged),
      });
    }
  }

  /** A source's price (pushed by the venue's API, a replay, a feed). */
  observe(observation: Observation, nowMs: number): InputResult {
    return this.book.observe(observation, nowMs);
  }

  /** The venue's book and last trade of an instrument. */
  quote(quote: InstrumentQuote, nowMs: number): InputResult {
    return this.book.quote(quote, nowMs);
  }

  get lastTick(): OracleTick | undefined {
    return this.last;
  }

  tick(nowMsIn: number): OracleTick {
    const nowMs = Math.max(nowMsIn, this.last?.nowMs ?? -Infinity);
    if (this.last !== undefined && this.last.nowMs === nowMs) return this.last;
    const draft: Draft = { prices: {}, laggedPrices: {}, statuses: {}, indexes: {}, marks: {}, funding: [] };
    for (const [symbol, slot] of this.indexSlots) this.tickIndex(symbol, slot, nowMs, draft);
    for (const [symbol, slot] of this.markSlots) this.tickMark(symbol, slot, nowMs, draft);
    const { indexes, marks, funding } = draft;
    const tick: OracleTick = { nowMs, commands: this.commandsOf(nowMs, draft), indexes, marks, funding };
    this.last = tick;
    return tick;
  }

  private tickIndex(symbol: string, slot: IndexSlot, nowMs: number, draft: Draft): void {
    const aggregate = aggregateIndex(slot.params, this.book.latestOf(symbol), nowMs);
    const step = slot.guard.step(nowMs, aggregate);
    draft.statuses[symbol] = step.status;
    let lagged: Price | undefined;
    if (step.published !== undefined) {
      draft.prices[symbol] = step.published;
      lagged = slot.lagged?.update(nowMs, step.published);
      // The guard holds the price above a falling market: initial margin (withdrawals, new
      // risk) values the asset at the market, maintenance (liquidation) at the guarded price.
      const market = aggregate.candidate;
      if (step.reason === 'band_guard' && market !== undefined && market < step.published && (lagged === undefined || market < lagged)) lagged = market;
      if (lagged !== undefined) draft.laggedPrices[symbol] = lagged;
    }
    draft.indexes[symbol] = {
      status: step.status,
      ...(step.reason === undefined ? {} : { reason: step.reason }),
      ...(step.published === undefined ? {} : { published: step.published }),
      ...(aggregate.candidate === undefined ? {} : { candidate: aggregate.candidate }),
      ...(lagged === undefined ? {} : { lagged }),
      sources: aggregate.sources,
    };
  }

  private tickMark(symbol: string, slot: MarkSlot, nowMs: number, draft: Draft): void {
    const params = slot.params;
    const closed = slot.funding?.roll(nowMs);
    if (closed !== undefined) draft.funding.push(closed);
    const index = draft.prices[params.underlying];
    if (index === undefined) return;
    const fundingRate = slot.funding?.predictedRate() ?? (params.schedule && fundingRateOf(asRate(0n), params.schedule));
    // Basis and premium are sampled only against an index the oracle vouches for: against a
    // guarded or thinned index they would measure the guard, not the market.
    const trusted = draft.statuses[params.underlying] === 'ok';
    const quote = trusted ? this.book.freshQuote(symbol, nowMs, params.quoteStalenessMs) : undefined;
    const report = slot.state.update({ nowMs, index, quote, ...(fundingRate === undefined ? {} : { fundingRate }) });
    if (trusted && slot.funding !== undefined && params.funding !== undefined) {
      const premium = premiumSampleOf(params.funding, { index, mark: report.mark, quote });
      if (premium !== undefined) slot.funding.sample(nowMs, premium);
    }
    const lagged = slot.lagged?.update(nowMs, report.mark);
    if (lagged !== undefined) draft.laggedPrices[symbol] = lagged;
    draft.marks[symbol] = { ...report, ...(lagged === undefined ? {} : { lagged }) };
  }

  private commandsOf(nowMs: number, draft: Draft): OracleCommand[] {
    const { prices, marks, laggedPrices, statuses, funding } = draft;
    const prefix = this.params.commandIdPrefix;
    const markPrices = Object.fromEntries(Object.entries(marks).map(([symbol, m]) => [symbol, m.mark]));
    const update: UpdatePricesCommand = {
      type: 'UpdatePrices',
      id: `${prefix}:prices:${nowMs}`,
      ...(Object.keys(prices).length === 0 ? {} : { prices: sortedRecord(prices) }),
      ...(Object.keys(markPrices).length === 0 ? {} : { marks: sortedRecord(markPrices) }),
      ...(Object.keys(laggedPrices).length === 0 ? {} : { laggedPrices: sortedRecord(laggedPrices) }),
      ...(Object.keys(statuses).length === 0 ? {} : { statuses: sortedRecord(statuses) }),
      asOfMs: nowMs,
    };
    const settlements: SettleFundingCommand[] = funding
      .filter((f) => f.settled)
      .map((f) => ({
        type: 'SettleFunding',
        id: `${prefix}:funding:${f.instrument}:${f.intervalEndMs}`,
        instrument: f.instrument,
        rate: f.rate,
        intervalEndMs: f.intervalEndMs,
      }));
    return [update, ...settlements];
  }
}

export function createOracle(params: OracleParams): Oracle {
  return new Oracle(params);
}

function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
