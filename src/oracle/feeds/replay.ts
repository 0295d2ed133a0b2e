/**
 * Replay files: recorded source prints and venue quotes, parsed from text into feed events
 * (pure: reading the file is feeds/replayFile.ts). Prices are decimal strings (DESIGN.md D7), times
 * integer milliseconds since the epoch. A file is accepted whole or refused with every problem
 * and its line (`/lines/3/price`).
 *
 * NDJSON, one object per line (blank lines allowed):
 *   {"kind":"observation","timestampMs":1570000000000,"source":"bitstamp","symbol":"BTC","price":"9150.5"}
 *   {"kind":"quote","timestampMs":1570000000000,"instrument":"BTCUSDT","bid":"9150","ask":"9151","last":"9150.5"}
 * `kind` defaults to "observation"; optional: `confidence` (observation), `impactBid`, `impactAsk`
 * (quote), and `atMs`, the arrival time (default `timestampMs`; a later arrival models a delayed
 * feed).
 *
 * CSV, a header naming the columns, then one row per event; '#' starts a comment line, an empty
 * cell is an absent field. Observations: timestampMs,source,symbol,price[,confidence][,atMs].
 * Quotes (a header with `instrument`): timestampMs,instrument[,bid][,ask][,last][,impactBid]
 * [,impactAsk][,atMs].
 */
import { IssueCollector } from '../../config/issues.js';
import { InputError } from '../../risk/errors.js';
import { formatPrice, parsePrice, type Price } from '../../risk/units/quantities.js';
import type { FeedEvent, InstrumentQuote, Observation } from '../types.js';

export type ReplayFormat = 'ndjson' | 'csv';

export const REPLAY_LIMITS = { textLengthMax: 64 * 1024 * 1024, linesMax: 1_000_000, lineLengthMax: 4_096 } as const;

const OBSERVATION_FIELDS = ['kind', 'timestampMs', 'atMs', 'source', 'symbol', 'price', 'confidence'] as const;
const QUOTE_FIELDS = ['kind', 'timestampMs', 'atMs', 'instrument', 'bid', 'ask', 'last', 'impactBid', 'impactAsk'] as const;
const QUOTE_PRICES = ['bid', 'ask', 'last', 'impactBid', 'impactAsk'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/;

/** Parse a replay file's text; throws DocumentError listing every problem. */
export function parseReplay(text: string, format: ReplayFormat): FeedEvent[] {
  const c = new IssueCollector();
  if (text.length > REPLAY_LIMITS.textLengthMax) {
    c.add('', 'replay_too_large', `at most ${REPLAY_LIMITS.textLengthMax} characters`);
    c.throwIfAny();
  }
  const lines = text.split(/\r?\n/);
  if (lines.length > REPLAY_LIMITS.linesMax) {
    c.add('', 'replay_too_many_lines', `at most ${REPLAY_LIMITS.linesMax} lines`);
    c.throwIfAny();
  }
  const events = format === 'ndjson' ? ndjsonEvents(c, lines) : csvEvents(c, lines);
  c.throwIfAny();
  return events;
}

function ndjsonEvents(c: IssueCollector, lines: readonly string[]): FeedEvent[] {
  const events: FeedEvent[] = [];
  lines.forEach((line, i) => {
    const path = `/lines/${i + 1}`;
    if (line.trim() === '') return;
    if (line.length > REPLAY_LIMITS.lineLengthMax) return c.add(path, 'line_too_long', `at most ${REPLAY_LIMITS.lineLengthMax} characters`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return c.add(path, 'line_not_json', 'each line is one JSON object');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return c.add(path, 'line_not_object', 'each line is one JSON object');
    const event = eventOf(c, path, value as Record<string, unknown>);
    if (event !== undefined) events.push(event);
  });
  return events;
}

function csvEvents(c: IssueCollector, lines: readonly string[]): FeedEvent[] {
  const events: FeedEvent[] = [];
  let header: string[] | undefined;
  lines.forEach((line, i) => {
    const path = `/lines/${i + 1}`;
    if (line.trim() === '' || line.startsWith('#')) return;
    if (line.length > REPLAY_LIMITS.lineLengthMax) return c.add(path, 'line_too_long', `at most ${REPLAY_LIMITS.lineLengthMax} characters`);
    const cells = line.split(',').map((cell) => cell.trim());
    if (header === undefined) {
      header = cells;
      const kind = cells.includes('instrument') ? 'quote' : 'observation';
      const known: readonly string[] = kind === 'quote' ? QUOTE_FIELDS : OBSERVATION_FIELDS;
      for (const name of cells) if (name === 'kind' || !known.includes(name)) c.add(`${path}/${name}`, 'column_unknown', `expected columns among ${known.filter((k) => k !== 'kind').join(', ')}`);
      if (new Set(cells).size !== cells.length) c.add(path, 'column_repeated', 'each column once');
      return;
    }
    if (cells.length !== header.length) return c.add(path, 'row_width_mismatch', `expected ${header.length} cells, got ${cells.length}`);
    const record: Record<string, unknown> = { kind: header.includes('instrument') ? 'quote' : 'observation' };
    header.forEach((name, k) => {
      const cell = cells[k] ?? '';
      if (cell === '') return;
      record[name] = name === 'timestampMs' || name === 'atMs' ? integerCell(cell) : cell;
    });
    const event = eventOf(c, path, record);
    if (event !== undefined) events.push(event);
  });
  if (header === undefined) c.add('/lines/1', 'header_missing', 'a CSV replay starts with a header row');
  return events;
}

/** A cell of digits is a number; anything else stays text so that the time check refuses it. */
function integerCell(cell: string): unknown {
  return /^(0|[1-9][0-9]{0,15})$/.test(cell) ? Number(cell) : cell;
}

function eventOf(c: IssueCollector, path: string, r: Record<string, unknown>): FeedEvent | undefined {
  const kind = r.kind ?? 'observation';
  if (kind !== 'observation' && kind !== 'quote') {
    c.add(`${path}/kind`, 'event_kind_unknown', 'one of "observation", "quote"');
    return undefined;
  }
  const fields: readonly string[] = kind === 'quote' ? QUOTE_FIELDS : OBSERVATION_FIELDS;
  let bad = false;
  for (const key of Object.keys(r)) {
    if (!fields.includes(key)) {
      c.add(`${path}/${key}`, 'field_unknown', `a ${kind} has ${fields.join(', ')}`);
      bad = true;
    }
  }
  const timestampMs = timeAt(c, `${path}/timestampMs`, r.timestampMs);
  const atMs = r.atMs === undefined ? timestampMs : timeAt(c, `${path}/atMs`, r.atMs);
  if (kind === 'observation') {
    const source = nameAt(c, `${path}/source`, r.source);
    const symbol = nameAt(c, `${path}/symbol`, r.symbol);
    const price = c.try(`${path}/price`, () => parsePrice(r.price, `${path}/price`));
    const confidence = r.confidence === undefined ? undefined : c.try(`${path}/confidence`, () => parsePrice(r.confidence, `${path}/confidence`));
    if (bad || timestampMs === undefined || atMs === undefined || source === undefined || symbol === undefined || price === undefined) return undefined;
    if (r.confidence !== undefined && confidence === undefined) return undefined;
    const observation: Observation = { source, symbol, price, timestampMs, ...(confidence === undefined ? {} : { confidence }) };
    return { kind: 'observation', atMs, observation };
  }
  const instrument = nameAt(c, `${path}/instrument`, r.instrument);
  const prices: Partial<Record<(typeof QUOTE_PRICES)[number], Price>> = {};
  for (const name of QUOTE_PRICES) {
    if (r[name] === undefined) continue;
    const p = c.try(`${path}/${name}`, () => parsePrice(r[name], `${path}/${name}`));
    if (p === undefined) bad = true;
    else prices[name] = p;
  }
  if (Object.keys(prices).length === 0 && !bad) {
    c.add(path, 'quote_empty', 'a quote carries at least one of bid, ask, last, impactBid, impactAsk');
    bad = true;
  }
  if (bad || timestampMs === undefined || atMs === undefined || instrument === undefined) return undefined;
  const quote: InstrumentQuote = { instrument, timestampMs, ...prices };
  return { kind: 'quote', atMs, quote };
}

function timeAt(c: IssueCollector, path: string, value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  c.add(path, 'time_invalid', 'an integer number of ms since the epoch');
  return undefined;
}

function nameAt(c: IssueCollector, path: string, value: unknown): string | undefined {
  if (typeof value === 'string' && NAME.test(value)) return value;
  c.add(path, 'name_invalid', 'letters, digits and _.:/- , at most 64 characters');
  return undefined;
}

/** Print feed events in a replay format; `parseReplay(formatReplay(e, f), f)` gives `e` back. */
export function formatReplay(events: readonly FeedEvent[], format: ReplayFormat): string {
  if (format === 'ndjson') return events.map((e) => JSON.stringify(recordOf(e)) + '\n').join('');
  const kinds = new Set(events.map((e) => e.kind));
  if (kinds.size > 1) throw new InputError('replay_csv_mixed', 'a CSV replay holds observations or quotes, not both');
  const records = events.map(recordOf);
  const required = kinds.has('quote') ? ['timestampMs', 'instrument'] : ['timestampMs', 'source', 'symbol', 'price'];
  // Optional columns only when some event fills them.
  const columns = (kinds.has('quote') ? QUOTE_FIELDS : OBSERVATION_FIELDS).filter(
    (name) => name !== 'kind' && (required.includes(name) || records.some((r) => r[name] !== undefined)),
  );
  const rows = records.map((r) => columns.map((name) => (r[name] === undefined ? '' : String(r[name]))).join(','));
  return [columns.join(','), ...rows].join('\n') + '\n';
}

function recordOf(e: FeedEvent): Record<string, string | number> {
  const r: Record<string, string | number> = { kind: e.kind, timestampMs: e.kind === 'observation' ? e.observation.timestampMs : e.quote.timestampMs };
  if (e.atMs !== r.timestampMs) r.atMs = e.atMs;
  if (e.kind === 'observation') {
    const o = e.observation;
    Object.assign(r, { source: o.source, symbol: o.symbol, price: formatPrice(o.price) });
    if (o.confidence !== undefined) r.confidence = formatPrice(o.confidence);
    return r;
  }
  r.instrument = e.quote.instrument;
  for (const name of QUOTE_PRICES) {
    const value = e.quote[name];
    if (value !== undefined) r[name] = formatPrice(value);
  }
  return r;
}
