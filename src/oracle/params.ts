/**
 * Oracle parameters (DESIGN.md D6: parameters are data). A document of plain JSON, rates as
 * decimal strings and times as integer milliseconds, validated whole against the venue's
 * parameters: every problem is reported with its path, and nothing is built unless there is none.
 *
 *   {
 *     "commandIdPrefix": "oracle",
 *     "indexes": {
 *       "BTC": {
 *         "sources": { "bitstamp": { "weight": "1", "cadenceMs": 1000 }, ... },
 *         "sourcesMin": 5, "outlierBandRate": "0.02",
 *         "band": { "rate": "0.05", "intervalMs": 60000, "onBreach": "halt" },
 *         "onDegraded": "guard", "recoveryMs": 10000,
 *         "lagged": { "kind": "rateLimited", "moveRatePerHour": "0.1" }
 *       }
 *     },
 *     "marks": {
 *       "BTCUSDT": { "method": "medianOfThree", "funding": { "premiumFrom": "impact" } },
 *       "BTCUSDT-FUT": { "method": "basisEma", "emaMs": 30000 }
 *     }
 *   }
 *
 * docs/methodology/oracle.md lists every field, its default and where the default comes from.
 */
import { IssueCollector } from '../config/issues.js';
import type { RiskParams } from '../risk/account/types.js';
import type { FundingSchedule } from '../risk/instruments/types.js';
import { parseRate, RATE_ONE, type Rate } from '../risk/units/quantities.js';

export interface SourceParams {
  readonly id: string;
  /** Weight in the weighted median, an exact positive fraction (any scale: only ratios count). */
  readonly weight: Rate;
  /** The interval at which the source is expected to print. */
  readonly cadenceMs: number;
  /** Age beyond which the source's last print no longer counts (default 3 x cadence). */
  readonly stalenessMs: number;
  /** Widest confidence half-width, as a fraction of the price, that still counts (optional). */
  readonly confidenceRateMax?: Rate;
}

export interface BandParams {
  /** The largest move of the published price within `intervalMs`, as a fraction. */
  readonly rate: Rate;
  readonly intervalMs: number;
  /** A move beyond the band halts the market, or publishes the price clamped to the band. */
  readonly onBreach: 'halt' | 'guard';
}

export type LaggedParams =
  | { readonly kind: 'rateLimited'; readonly moveRatePerHour: Rate }
  | { readonly kind: 'twap'; readonly windowMs: number; readonly samplePeriodMs: number };

export interface IndexParams {
  readonly symbol: string;
  /** Sorted by id: the order sources are listed in never matters. */
  readonly sources: readonly SourceParams[];
  readonly sourcesMin: number;
  /** A source further than this fraction from the median of fresh sources is an outlier. */
  readonly outlierBandRate: Rate;
  readonly band: BandParams;
  /** Too few usable sources: publish the guarded price as `degraded`, or halt the market. */
  readonly onDegraded: 'guard' | 'halt';
  /** How long prices must be fresh and consistent before a non-ok index returns to ok. */
  readonly recoveryMs: number;
  readonly lagged?: LaggedParams;
}

export type MarkMethod =
  | { readonly kind: 'medianOfThree'; readonly basisWindowMs: number; readonly basisSamplePeriodMs: number }
  | { readonly kind: 'basisAverage'; readonly basisWindowMs: number; readonly basisSamplePeriodMs: number }
  | { readonly kind: 'basisEma'; readonly emaMs: number };

export interface FundingParams {
  readonly schedule: FundingSchedule;
  readonly samplePeriodMs: number;
  /** Premium from impact bid/ask (Binance), or from mark vs index. */
  readonly premiumFrom: 'impact' | 'mark';
  readonly weighting: 'equal' | 'timeWeighted';
  /** An interval with fewer samples is not settled (an outage is not a premium of zero); default half an interval's. */
  readonly samplesMin: number;
}

export interface MarkParams {
  readonly instrument: string;
  readonly underlying: string;
  readonly kind: 'perpetual' | 'future';
  readonly method: MarkMethod;
  /** The venue's funding schedule of a perpetual (Price1 of the median of three uses it). */
  readonly schedule?: FundingSchedule;
  readonly quoteStalenessMs: number;
  /** The mark stays within index x (1 +/- this fraction) (optional). */
  readonly markBandRate?: Rate;
  readonly lagged?: LaggedParams;
  readonly funding?: FundingParams;
}

export interface OracleParams {
  readonly commandIdPrefix: string;
  /** Observations stamped further than this in the future are refused. */
  readonly clockSkewMaxMs: number;
  readonly indexes: ReadonlyMap<string, IndexParams>;
  readonly marks: ReadonlyMap<string, MarkParams>;
}

/** Limits (STYLE.md habit 10). */
export const ORACLE_LIMITS = {
  indexesMax: 1_024,
  sourcesPerIndexMax: 64,
  marksMax: 4_096,
  /** No time parameter exceeds a year. */
  durationMsMax: 366 * 24 * 3_600_000,
  /** Samples kept per window (basis average, TWAP): window / sample period. */
  samplesPerWindowMax: 100_000,
} as const;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/;
const PREFIX_PATTERN = /^[\x21-\x7e]{1,32}$/;

type Doc = Readonly<Record<string, unknown>>;

/** Validate an oracle document against the venue it prices; throws DocumentError listing every problem. */
export function loadOracleParams(document: unknown, venue: RiskParams): OracleParams {
  const c = new IssueCollector();
  const doc = objectAt(c, '', document, ['commandIdPrefix', 'clockSkewMaxMs', 'indexes', 'marks']);
  if (doc === undefined) c.throwIfAny();
  const d = doc as Doc;
  const commandIdPrefix = d.commandIdPrefix === undefined ? 'oracle' : String(d.commandIdPrefix);
  c.check(
    typeof (d.commandIdPrefix ?? 'oracle') === 'string' && PREFIX_PATTERN.test(commandIdPrefix) && !commandIdPrefix.startsWith('engine'),
    '/commandIdPrefix',
    'command_id_prefix_invalid',
    '1-32 printable ASCII characters, not starting with "engine"',
  );
  const clockSkewMaxMs = durationAt(c, '/clockSkewMaxMs', d.clockSkewMaxMs, 1_000, { zero: true });
  const indexes = new Map<string, IndexParams>();
  const indexDocs = recordAt(c, '/indexes', d.indexes, ORACLE_LIMITS.indexesMax);
  for (const [symbol, value] of indexDocs) {
    const path = `/indexes/${symbol}`;
    const known = venue.assets.has(symbol) || symbol === venue.valuationAsset || [...venue.instruments.values()].some((i) => i.underlying === symbol);
    c.check(known, path, 'index_symbol_unknown', `the venue has no asset or underlying ${symbol}`);
    const index = indexOf(c, path, symbol, value);
    if (index !== undefined) indexes.set(symbol, index);
  }
  const marks = new Map<string, MarkParams>();
  for (const [symbol, value] of recordAt(c, '/marks', d.marks ?? {}, ORACLE_LIMITS.marksMax)) {
    const path = `/marks/${symbol}`;
    const instrument = venue.instruments.get(symbol);
    if (instrument === undefined) {
      c.add(path, 'instrument_unknown', `the venue has no instrument ${symbol}`);
      continue;
    }
    c.check(indexDocs.some(([s]) => s === instrument.underlying), path, 'mark_index_missing', `no index for the underlying ${instrument.underlying}`);
    const schedule = instrument.kind === 'perpetual' ? instrument.funding : undefined;
    const mark = markOf(c, path, { instrument: symbol, underlying: instrument.underlying, kind: instrument.kind, schedule }, value);
    if (mark !== undefined) marks.set(symbol, mark);
  }
  c.throwIfAny();
  return { commandIdPrefix, clockSkewMaxMs, indexes, marks };
}

function indexOf(c: IssueCollector, path: string, symbol: string, value: unknown): IndexParams | undefined {
  const d = objectAt(c, path, value, ['sources', 'sourcesMin', 'outlierBandRate', 'band', 'onDegraded', 'recoveryMs', 'lagged']);
  if (d === undefined) return undefined;
  const sources: SourceParams[] = [];
  const sourceDocs = recordAt(c, `${path}/sources`, d.sources, ORACLE_LIMITS.sourcesPerIndexMax);
  c.check(sourceDocs.length > 0, `${path}/sources`, 'sources_empty', 'an index needs at least one source');
  for (const [id, sourceDoc] of sourceDocs) {
    const source = sourceOf(c, `${path}/sources/${id}`, id, sourceDoc);
    if (source !== undefined) sources.push(source);
  }
  const majority = Math.floor(sourceDocs.length / 2) + 1;
  const sourcesMin = countAt(c, `${path}/sourcesMin`, d.sourcesMin, majority);
  c.check(sourcesMin <= Math.max(1, sourceDocs.length), `${path}/sourcesMin`, 'sources_min_exceeds_sources', `at most the ${sourceDocs.length} sources listed`);
  const outlierBandRate = fractionAt(c, `${path}/outlierBandRate`, d.outlierBandRate, undefined);
  const band = bandOf(c, `${path}/band`, d.band);
  const onDegraded = d.onDegraded ?? 'guard';
  c.check(onDegraded === 'guard' || onDegraded === 'halt', `${path}/onDegraded`, 'degraded_action_unknown', 'one of "guard", "halt"');
  const cadenceMax = Math.max(1, ...sources.map((s) => s.cadenceMs));
  const recoveryMs = durationAt(c, `${path}/recoveryMs`, d.recoveryMs, 3 * cadenceMax, { zero: true });
  const lagged = d.lagged === undefined ? undefined : laggedOf(c, `${path}/lagged`, d.lagged);
  if (outlierBandRate === undefined || band === undefined) return undefined;
  return { symbol, sources, sourcesMin, outlierBandRate, band, onDegraded: onDegraded === 'halt' ? 'halt' : 'guard', recoveryMs, ...(lagged === undefined ? {} : { lagged }) };
}

function sourceOf(c: IssueCollector, path: string, id: string, value: unknown): SourceParams | undefined {
  const d = objectAt(c, path, value, ['weight', 'cadenceMs', 'stalenessMs', 'confidenceRateMax']);
  if (d === undefined) return undefined;
  const weight = c.try(`${path}/weight`, () => parseRate(d.weight ?? '1', `${path}/weight`));
  c.check(weight === undefined || weight > 0n, `${path}/weight`, 'weight_not_positive', 'a weight is > 0');
  const cadenceMs = durationAt(c, `${path}/cadenceMs`, d.cadenceMs, undefined);
  const stalenessMs = durationAt(c, `${path}/stalenessMs`, d.stalenessMs, 3 * cadenceMs);
  c.check(stalenessMs >= cadenceMs, `${path}/stalenessMs`, 'staleness_below_cadence', 'a source may not go stale before it is due to print');
  const confidenceRateMax = d.confidenceRateMax === undefined ? undefined : fractionAt(c, `${path}/confidenceRateMax`, d.confidenceRateMax, undefined);
  if (weight === undefined || weight <= 0n) return undefined;
  return { id, weight, cadenceMs, stalenessMs, ...(confidenceRateMax === undefined ? {} : { confidenceRateMax }) };
}

function bandOf(c: IssueCollector, path: string, value: unknown): BandParams | undefined {
  const d = objectAt(c, path, value, ['rate', 'intervalMs', 'onBreach']);
  if (d === undefined) return undefined;
  const rate = fractionAt(c, `${path}/rate`, d.rate, undefined);
  const intervalMs = durationAt(c, `${path}/intervalMs`, d.intervalMs, undefined);
  const onBreach = d.onBreach ?? 'halt';
  c.check(onBreach === 'halt' || onBreach === 'guard', `${path}/onBreach`, 'band_action_unknown', 'one of "halt", "guard"');
  if (rate === undefined) return undefined;
  return { rate, intervalMs, onBreach: onBreach === 'guard' ? 'guard' : 'halt' };
}

function laggedOf(c: IssueCollector, path: string, value: unknown): LaggedParams | undefined {
  const d = objectAt(c, path, value, ['kind', 'moveRatePerHour', 'windowMs', 'samplePeriodMs']);
  if (d === undefined) return undefined;
  if (d.kind === 'rateLimited') {
    c.check(d.windowMs === undefined && d.samplePeriodMs === undefined, path, 'field_unexpected', 'a rate-limited price has only moveRatePerHour');
    const moveRatePerHour = fractionAt(c, `${path}/moveRatePerHour`, d.moveRatePerHour, undefined);
    return moveRatePerHour === undefined ? undefined : { kind: 'rateLimited', moveRatePerHour };
  }
  if (d.kind === 'twap') {
    c.check(d.moveRatePerHour === undefined, path, 'field_unexpected', 'a TWAP has only windowMs and samplePeriodMs');
    const windowMs = durationAt(c, `${path}/windowMs`, d.windowMs, undefined);
    const samplePeriodMs = durationAt(c, `${path}/samplePeriodMs`, d.samplePeriodMs, 60_000);
    checkWindow(c, path, windowMs, samplePeriodMs);
    return { kind: 'twap', windowMs, samplePeriodMs };
  }
  c.add(`${path}/kind`, 'lagged_kind_unknown', 'one of "rateLimited", "twap"');
  return undefined;
}

interface InstrumentFacts {
  readonly instrument: string;
  readonly underlying: string;
  readonly kind: 'perpetual' | 'future';
  readonly schedule: FundingSchedule | undefined;
}

function markOf(c: IssueCollector, path: string, facts: InstrumentFacts, value: unknown): MarkParams | undefined {
  const d = objectAt(c, path, value, ['method', 'basisWindowMs', 'basisSamplePeriodMs', 'emaMs', 'quoteStalenessMs', 'markBandRate', 'lagged', 'funding']);
  if (d === undefined) return undefined;
  const method = methodOf(c, path, facts, d);
  const quoteStalenessMs = durationAt(c, `${path}/quoteStalenessMs`, d.quoteStalenessMs, 10_000);
  const markBandRate = d.markBandRate === undefined ? undefined : fractionAt(c, `${path}/markBandRate`, d.markBandRate, undefined);
  const lagged = d.lagged === undefined ? undefined : laggedOf(c, `${path}/lagged`, d.lagged);
  const funding = d.funding === undefined ? undefined : fundingOf(c, `${path}/funding`, facts, d.funding);
  if (method === undefined) return undefined;
  return {
    instrument: facts.instrument,
    underlying: facts.underlying,
    kind: facts.kind,
    method,
    ...(facts.schedule === undefined ? {} : { schedule: facts.schedule }),
    quoteStalenessMs,
    ...(markBandRate === undefined ? {} : { markBandRate }),
    ...(lagged === undefined ? {} : { lagged }),
    ...(funding === undefined ? {} : { funding }),
  };
}

function methodOf(c: IssueCollector, path: string, facts: InstrumentFacts, d: Doc): MarkMethod | undefined {
  const kind = d.method;
  if (kind === 'medianOfThree' || kind === 'basisAverage') {
    c.check(d.emaMs === undefined, `${path}/emaMs`, 'field_unexpected', `${kind} takes basisWindowMs, not emaMs`);
    c.check(
      kind !== 'medianOfThree' || facts.schedule !== undefined,
      `${path}/method`,
      'mark_method_needs_funding',
      'the median of three uses the funding rate: only a perpetual with a funding schedule',
    );
    const basisWindowMs = durationAt(c, `${path}/basisWindowMs`, d.basisWindowMs, 30 * 60_000);
    const basisSamplePeriodMs = durationAt(c, `${path}/basisSamplePeriodMs`, d.basisSamplePeriodMs, 60_000);
    checkWindow(c, path, basisWindowMs, basisSamplePeriodMs);
    return { kind, basisWindowMs, basisSamplePeriodMs };
  }
  if (kind === 'basisEma') {
    c.check(d.basisWindowMs === undefined && d.basisSamplePeriodMs === undefined, path, 'field_unexpected', 'basisEma takes emaMs only');
    return { kind, emaMs: durationAt(c, `${path}/emaMs`, d.emaMs, 30_000) };
  }
  c.add(`${path}/method`, 'mark_method_unknown', 'one of "medianOfThree", "basisAverage", "basisEma"');
  return undefined;
}

function fundingOf(c: IssueCollector, path: string, facts: InstrumentFacts, value: unknown): FundingParams | undefined {
  const d = objectAt(c, path, value, ['samplePeriodMs', 'premiumFrom', 'weighting', 'samplesMin']);
  if (d === undefined) return undefined;
  if (facts.schedule === undefined) {
    c.add(path, 'funding_schedule_missing', `${facts.instrument} has no funding schedule in the venue parameters`);
    return undefined;
  }
  const samplePeriodMs = durationAt(c, `${path}/samplePeriodMs`, d.samplePeriodMs, 60_000);
  c.check(facts.schedule.intervalMs % samplePeriodMs === 0, `${path}/samplePeriodMs`, 'sample_period_misaligned', 'must divide the funding interval');
  const premiumFrom = d.premiumFrom ?? 'impact';
  c.check(premiumFrom === 'impact' || premiumFrom === 'mark', `${path}/premiumFrom`, 'premium_source_unknown', 'one of "impact", "mark"');
  const weighting = d.weighting ?? 'timeWeighted';
  c.check(weighting === 'equal' || weighting === 'timeWeighted', `${path}/weighting`, 'weighting_unknown', 'one of "equal", "timeWeighted"');
  // By default half an interval of samples: an oracle started a minute before a boundary, or
  // down for most of an interval, does not settle on a handful of samples.
  const samplesMin = countAt(c, `${path}/samplesMin`, d.samplesMin, Math.max(1, Math.ceil(facts.schedule.intervalMs / samplePeriodMs / 2)));
  c.check(samplesMin <= facts.schedule.intervalMs / samplePeriodMs, `${path}/samplesMin`, 'samples_min_unreachable', 'more than an interval holds');
  return {
    schedule: facts.schedule,
    samplePeriodMs,
    premiumFrom: premiumFrom === 'mark' ? 'mark' : 'impact',
    weighting: weighting === 'equal' ? 'equal' : 'timeWeighted',
    samplesMin,
  };
}

function checkWindow(c: IssueCollector, path: string, windowMs: number, periodMs: number): void {
  c.check(periodMs <= windowMs, path, 'sample_period_exceeds_window', 'the sample period must fit in the window');
  c.check(windowMs / periodMs <= ORACLE_LIMITS.samplesPerWindowMax, path, 'window_samples_too_many', `at most ${ORACLE_LIMITS.samplesPerWindowMax} samples per window`);
}

// ---- field readers: each records an issue and returns a harmless placeholder on failure ----

function objectAt(c: IssueCollector, path: string, value: unknown, keys: readonly string[]): Doc | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    c.add(path, 'object_expected', 'expected an object');
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) c.add(`${path}/${key}`, 'field_unknown', `unknown field; expected one of ${keys.join(', ')}`);
  }
  return value as Doc;
}

function recordAt(c: IssueCollector, path: string, value: unknown, max: number): [string, unknown][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    c.add(path, 'object_expected', 'expected an object keyed by symbol or id');
    return [];
  }
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length > max) {
    c.add(path, 'too_many_entries', `at most ${max} entries`);
    return [];
  }
  const valid: [string, unknown][] = [];
  for (const [key, v] of entries) {
    if (ID_PATTERN.test(key)) valid.push([key, v]);
    else c.add(`${path}/${key}`, 'symbol_invalid', 'letters, digits and _.:/- , at most 64 characters');
  }
  return valid;
}

function durationAt(c: IssueCollector, path: string, value: unknown, fallback: number | undefined, options: { zero?: boolean } = {}): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const min = options.zero === true ? 0 : 1;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > ORACLE_LIMITS.durationMsMax) {
    c.add(path, 'duration_invalid', `an integer number of milliseconds in [${min}, ${ORACLE_LIMITS.durationMsMax}]`);
    return 1;
  }
  return value;
}

function countAt(c: IssueCollector, path: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    c.add(path, 'count_invalid', 'an integer >= 1');
    return fallback;
  }
  return value;
}

/** A fraction strictly between 0 and 1, as a decimal string. */
function fractionAt(c: IssueCollector, path: string, value: unknown, fallback: Rate | undefined): Rate | undefined {
  if (value === undefined && fallback !== undefined) return fallback;
  const parsed = c.try(path, () => parseRate(value, path));
  if (parsed === undefined) return undefined;
  if (parsed <= 0n || parsed >= RATE_ONE) {
    c.add(path, 'fraction_out_of_range', 'a fraction strictly between 0 and 1');
    return undefined;
  }
  return parsed;
}
