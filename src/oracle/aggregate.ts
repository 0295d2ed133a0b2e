/**
 * The index of one symbol from its sources, pure: time is an argument.
 *
 *   1. fresh sources: printed within their staleness limit (default 3 x cadence), with a
 *      confidence interval no wider than their limit;
 *   2. m0 = weighted median of the fresh sources;
 *   3. outliers: fresh sources further than `outlierBandRate` from m0; they are flagged on the
 *      first evaluation after their print, so within one cadence when the oracle ticks at least
 *      once per cadence;
 *   4. index = weighted median of the fresh sources that are not outliers;
 *   5. status: `ok` with at least `sourcesMin` such sources, `degraded` with fewer but at least
 *      one, `stale` with no fresh source, or when no source is within the band of m0 (an even
 *      split between two camps: no price to vouch for).
 *
 * Worked (RELIABILITY.md R8): seven sources at 9,150 +/- 0.2%, one prints 7,700: m0 is within
 * 0.2% of 9,150, 7,700 is 16% away and is dropped, the index stays within 0.2% of 9,150.
 *
 * Laws (test/oracle/aggregate.test.ts): the index lies within the range of the fresh non-outlier
 * sources; the order of sources never changes it; a stale source never moves it.
 */
import { RATE_ONE, type Price } from '../risk/units/quantities.js';
import { absBig } from '../risk/units/rounding.js';
import { weightedMedianOf, type Weighted } from './median.js';
import type { IndexParams, SourceParams } from './params.js';
import type { Observation } from './types.js';

export type SourceState = 'fresh' | 'outlier' | 'stale' | 'low_confidence' | 'missing';

export interface IndexAggregate {
  readonly status: 'ok' | 'degraded' | 'stale';
  /** The weighted median of fresh non-outlier sources (absent when stale). */
  readonly candidate?: Price;
  /** Each source's state, keyed by source id in id order. */
  readonly sources: Readonly<Record<string, SourceState>>;
  /** Fresh sources that are not outliers. */
  readonly usedCount: number;
  /** Why the status is not ok. */
  readonly reason?: 'sources_stale' | 'sources_disagree' | 'sources_insufficient';
}

export function aggregateIndex(index: IndexParams, latest: ReadonlyMap<string, Observation>, nowMs: number): IndexAggregate {
  const states: Record<string, SourceState> = {};
  const fresh: { source: SourceParams; price: Price }[] = [];
  for (const source of index.sources) {
    const state = freshnessOf(source, latest.get(source.id), nowMs);
    states[source.id] = state;
    const o = latest.get(source.id);
    if (state === 'fresh' && o !== undefined) fresh.push({ source, price: o.price });
  }
  if (fresh.length === 0) return { status: 'stale', sources: states, usedCount: 0, reason: 'sources_stale' };
  const m0 = weightedMedianOf(fresh.map(weighted));
  const kept = fresh.filter(({ price }) => absBig(price - m0) * RATE_ONE <= index.outlierBandRate * m0);
  for (const { source } of fresh) if (!kept.some((k) => k.source === source)) states[source.id] = 'outlier';
  // Only an even split whose two middle prices both lie beyond the band leaves nothing.
  if (kept.length === 0) return { status: 'stale', sources: states, usedCount: 0, reason: 'sources_disagree' };
  const candidate = weightedMedianOf(kept.map(weighted));
  if (kept.length < index.sourcesMin) return { status: 'degraded', candidate, sources: states, usedCount: kept.length, reason: 'sources_insufficient' };
  return { status: 'ok', candidate, sources: states, usedCount: kept.length };
}

function freshnessOf(source: SourceParams, o: Observation | undefined, nowMs: number): SourceState {
  if (o === undefined) return 'missing';
  if (nowMs - o.timestampMs > source.stalenessMs) return 'stale';
  if (source.confidenceRateMax !== undefined && o.confidence !== undefined && o.confidence * RATE_ONE > source.confidenceRateMax * o.price) {
    return 'low_confidence';
  }
  return 'fresh';
}

function weighted({ source, price }: { source: SourceParams; price: Price }): Weighted {
  return { price, weight: source.weight };
}
