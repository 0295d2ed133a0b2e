/**
 * The last word of every source and of the venue's own market: one observation per (index,
 * source) and one quote per instrument, the newest by the source's timestamp. Bounded by the
 * parameters (sources per index, instruments), never by the input rate.
 *
 * Refusals are values (STYLE.md habit 6). An observation older than the one held is refused
 * (`observation_out_of_order`), so a delayed or replayed print never rolls a source back; the
 * same observation twice is a duplicate and changes nothing.
 */
import { price as asPrice, type Price } from '../risk/units/quantities.js';
import type { OracleParams } from './params.js';
import type { InputResult, InstrumentQuote, Observation } from './types.js';

/** The engine's largest price (10^15), in Price units. */
export const PRICE_MAX = asPrice(10n ** 23n);

const QUOTE_PRICES = ['bid', 'ask', 'last', 'impactBid', 'impactAsk'] as const;

export class SourceBook {
  private readonly observations = new Map<string, Map<string, Observation>>();
  private readonly quotes = new Map<string, InstrumentQuote>();

  constructor(private readonly params: OracleParams) {
    for (const symbol of params.indexes.keys()) this.observations.set(symbol, new Map());
  }

  observe(o: Observation, nowMs: number): InputResult {
    const index = this.params.indexes.get(o.symbol);
    if (index === undefined) return refuse('index_unknown', `no index ${String(o.symbol)}`);
    if (!index.sources.some((s) => s.id === o.source)) return refuse('source_unknown', `${String(o.source)} is not a source of ${o.symbol}`);
    const bad = checkTime(o.timestampMs, nowMs, this.params.clockSkewMaxMs) ?? checkPrice(o.price);
    if (bad) return bad;
    if (o.confidence !== undefined && (typeof o.confidence !== 'bigint' || o.confidence < 0n || o.confidence > PRICE_MAX)) {
      return refuse('confidence_invalid', 'a confidence is a price >= 0');
    }
    const held = this.observations.get(o.symbol) as Map<string, Observation>;
    const previous = held.get(o.source);
    if (previous !== undefined) {
      if (o.timestampMs < previous.timestampMs) return refuse('observation_out_of_order', `${o.source} already printed at ${previous.timestampMs}`);
      if (o.timestampMs === previous.timestampMs) {
        if (previous.price === o.price && previous.confidence === o.confidence) return { ok: true, duplicate: true };
        return refuse('observation_conflicting', `${o.source} printed another price at ${o.timestampMs}`);
      }
    }
    held.set(o.source, { source: o.source, symbol: o.symbol, price: o.price, timestampMs: o.timestampMs, ...(o.confidence === undefined ? {} : { confidence: o.confidence }) });
    return { ok: true, duplicate: false };
  }

  quote(q: InstrumentQuote, nowMs: number): InputResult {
    if (!this.params.marks.has(q.instrument)) return refuse('instrument_unknown', `no mark is configured for ${String(q.instrument)}`);
    const timeBad = checkTime(q.timestampMs, nowMs, this.params.clockSkewMaxMs);
    if (timeBad) return timeBad;
    const fields = QUOTE_PRICES.map((k) => q[k]).filter((p): p is Price => p !== undefined);
    if (fields.length === 0) return refuse('quote_empty', 'a quote carries at least one price');
    for (const p of fields) {
      const bad = checkPrice(p);
      if (bad) return bad;
    }
    const previous = this.quotes.get(q.instrument);
    if (previous !== undefined) {
      if (q.timestampMs < previous.timestampMs) return refuse('observation_out_of_order', `${q.instrument} already quoted at ${previous.timestampMs}`);
      if (q.timestampMs === previous.timestampMs) {
        const same = QUOTE_PRICES.every((k) => q[k] === previous[k]);
        return same ? { ok: true, duplicate: true } : refuse('observation_conflicting', `${q.instrument} was quoted otherwise at ${q.timestampMs}`);
      }
    }
    const { instrument, timestampMs, bid, ask, last, impactBid, impactAsk } = q;
    const fieldsHeld = Object.entries({ bid, ask, last, impactBid, impactAsk }).filter(([, v]) => v !== undefined);
    this.quotes.set(instrument, { instrument, timestampMs, ...Object.fromEntries(fieldsHeld) });
    return { ok: true, duplicate: false };
  }

  /** The last print of each source of an index that has printed (look up by id; no order). */
  latestOf(symbol: string): ReadonlyMap<string, Observation> {
    return this.observations.get(symbol) ?? new Map();
  }

  /** The instrument's quote when it is no older than `stalenessMs`. */
  freshQuote(instrument: string, nowMs: number, stalenessMs: number): InstrumentQuote | undefined {
    const q = this.quotes.get(instrument);
    return q !== undefined && nowMs - q.timestampMs <= stalenessMs ? q : undefined;
  }
}

function checkTime(timestampMs: number, nowMs: number, skewMaxMs: number): InputResult | undefined {
  if (typeof timestampMs !== 'number' || !Number.isSafeInteger(timestampMs) || timestampMs < 0) {
    return refuse('observation_time_invalid', 'a timestamp is an integer number of ms since the epoch');
  }
  if (timestampMs > nowMs + skewMaxMs) return refuse('observation_from_future', `stamped ${timestampMs - nowMs} ms ahead of the oracle's clock`);
  return undefined;
}

function checkPrice(p: Price): InputResult | undefined {
  if (typeof p !== 'bigint' || p <= 0n) return refuse('price_not_positive', 'a price is > 0');
  if (p > PRICE_MAX) return refuse('price_too_large', 'a price is at most 10^15');
  return undefined;
}

function refuse(code: Extract<InputResult, { ok: false }>['code'], message: string): InputResult {
  return { ok: false, code, message };
}
