/**
 * The index of one symbol from its sources: worked cases from RELIABILITY.md R8 and the laws of
 * aggregation (fast-check, fixed seeds): the index lies within the range of the fresh non-outlier
 * sources; the order of sources never changes it; a stale source never moves it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { aggregateIndex, loadOracleParams, type IndexParams, type Observation } from '../../src/oracle/index.js';
import { formatPrice, parsePrice, price } from '../../src/risk/units/quantities.js';
import { absBig } from '../../src/risk/units/rounding.js';
import { indexDoc, observation, SECOND, sourcesDoc, T0, V7, VENUE_PARAMS } from './support.js';

function btcIndex(options: Parameters<typeof indexDoc>[0] = {}): IndexParams {
  const params = loadOracleParams({ indexes: { BTC: indexDoc(options) } }, VENUE_PARAMS);
  return params.indexes.get('BTC') as IndexParams;
}

const latestOf = (os: readonly Observation[]): Map<string, Observation> => new Map(os.map((o) => [o.source, o]));

describe('index aggregation (R8 outlier source, Deribit Oct 2019)', () => {
  const index = btcIndex();

  it('drops a source printing 7,700 among six within 0.2% of 9,150: the index moves < 0.5% and the source is flagged', () => {
    const prices = ['9150', '9162', '9141', '9155', '9137', '9168'];
    const os = [...prices.map((x, i) => observation(V7[i] as string, 'BTC', x, T0)), observation('v7', 'BTC', '7700', T0)];
    const a = aggregateIndex(index, latestOf(os), T0 + SECOND);
    assert.equal(a.status, 'ok');
    assert.equal(a.sources.v7, 'outlier');
    assert.equal(a.usedCount, 6);
    const moved = Number(absBig((a.candidate as bigint) - parsePrice('9150'))) / Number(parsePrice('9150'));
    assert.ok(moved < 0.005, `index moved ${moved}`);
    assert.equal(formatPrice(a.candidate as never), '9152.5');
  });

  it('reports insufficient sources when 3 of 7 are stale (degraded), and stale when none is fresh', () => {
    const os = V7.map((id, i) => observation(id, 'BTC', '9150', i < 3 ? T0 - 10 * SECOND : T0));
    const a = aggregateIndex(index, latestOf(os), T0 + SECOND);
    assert.equal(a.status, 'degraded');
    assert.equal(a.reason, 'sources_insufficient');
    assert.deepEqual([a.sources.v1, a.sources.v4], ['stale', 'fresh']);
    assert.equal(formatPrice(a.candidate as never), '9150');
    const none = aggregateIndex(index, latestOf(os), T0 + 10 * SECOND);
    assert.deepEqual([none.status, none.reason, none.candidate], ['stale', 'sources_stale', undefined]);
    assert.equal(aggregateIndex(index, new Map(), T0).sources.v1, 'missing');
  });

  it('counts a source fresh for exactly its staleness limit (3 x cadence by default)', () => {
    const os = V7.map((id) => observation(id, 'BTC', '9150', T0));
    assert.equal(aggregateIndex(index, latestOf(os), T0 + 3 * SECOND).status, 'ok');
    assert.equal(aggregateIndex(index, latestOf(os), T0 + 3 * SECOND + 1).status, 'stale');
  });

  it('leaves out a print whose confidence interval is wider than its source allows', () => {
    const withConfidence = btcIndex({ sources: sourcesDoc(3, SECOND, { confidenceRateMax: '0.001' }), sourcesMin: 2 });
    const os = [observation('v1', 'BTC', '9150', T0), observation('v2', 'BTC', '9152', T0), { ...observation('v3', 'BTC', '9500', T0), confidence: parsePrice('50') }];
    const a = aggregateIndex(withConfidence, latestOf(os), T0);
    assert.equal(a.sources.v3, 'low_confidence');
    assert.equal(formatPrice(a.candidate as never), '9151');
  });

  it('vouches for no price when two camps split the weight evenly far apart', () => {
    const two = btcIndex({ sources: sourcesDoc(2, SECOND), sourcesMin: 1 });
    const a = aggregateIndex(two, latestOf([observation('v1', 'BTC', '100', T0), observation('v2', 'BTC', '200', T0)]), T0);
    assert.deepEqual([a.status, a.reason], ['stale', 'sources_disagree']);
  });
});

// ---- laws ----

const FC = { seed: 1570000000, numRuns: 300 } as const;

/** 1-9 sources, each fresh or stale, prices around 10,000 with occasional wild ones. */
const scenario = fc.array(
  fc.record({
    units: fc.oneof(fc.bigInt({ min: 9_800n, max: 10_200n }), fc.bigInt({ min: 1n, max: 50_000n })),
    ageMs: fc.oneof(fc.integer({ min: 0, max: 3 * SECOND }), fc.integer({ min: 3 * SECOND + 1, max: 60 * SECOND })),
    weight: fc.integer({ min: 1, max: 5 }),
  }),
  { minLength: 1, maxLength: 9 },
);

function indexFor(weights: readonly number[], sourcesMin: number): IndexParams {
  const sources = Object.fromEntries(weights.map((w, i) => [`s${i}`, { cadenceMs: SECOND, weight: String(w) }]));
  return btcIndex({ sources, sourcesMin: Math.min(sourcesMin, weights.length) });
}

function observationsFor(s: readonly { units: bigint; ageMs: number }[]): Observation[] {
  return s.map((x, i) => ({ source: `s${i}`, symbol: 'BTC', price: price(x.units * 10n ** 8n), timestampMs: T0 - x.ageMs }));
}

describe('laws of the index', () => {
  it('lies within the range of the fresh sources that are not outliers', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const a = aggregateIndex(indexFor(s.map((x) => x.weight), 3), latestOf(observationsFor(s)), T0);
        if (a.candidate === undefined) return;
        const used = observationsFor(s).filter((o) => a.sources[o.source] === 'fresh').map((o) => o.price);
        assert.equal(used.length, a.usedCount);
        assert.ok(a.candidate >= used.reduce((x, y) => (x < y ? x : y)) && a.candidate <= used.reduce((x, y) => (x > y ? x : y)));
      }),
      FC,
    );
  });

  it('does not change when the sources are listed or delivered in another order', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 1_000 }), (s, rotation) => {
        const index = indexFor(s.map((x) => x.weight), 3);
        const os = observationsFor(s);
        const a = aggregateIndex(index, latestOf(os), T0);
        const k = rotation % os.length;
        const permuted: IndexParams = { ...index, sources: [...index.sources.slice(k), ...index.sources.slice(0, k)].reverse() };
        const b = aggregateIndex(permuted, latestOf([...os].reverse()), T0);
        assert.deepEqual([b.status, b.candidate, b.usedCount], [a.status, a.candidate, a.usedCount]);
        assert.deepEqual({ ...b.sources }, { ...a.sources });
      }),
      FC,
    );
  });

  it('never moves because of a stale source, whatever it printed', () => {
    fc.assert(
      fc.property(scenario, fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.integer({ min: 3 * SECOND + 1, max: 3_600 * SECOND }), (s, stalePrice, ageMs) => {
        const fresh = aggregateIndex(indexFor(s.map((x) => x.weight), 3), latestOf(observationsFor(s)), T0);
        const withStale = indexFor([...s.map((x) => x.weight), 5], 3);
        const os = [...observationsFor(s), { source: `s${s.length}`, symbol: 'BTC', price: price(stalePrice), timestampMs: T0 - ageMs }];
        const b = aggregateIndex(withStale, latestOf(os), T0);
        assert.equal(b.candidate, fresh.candidate);
        assert.equal(b.sources[`s${s.length}`], 'stale');
      }),
      FC,
    );
  });

  it('keeps a single wild source among three or more from moving the index outside the honest range', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 9_990n, max: 10_010n }), { minLength: 3, maxLength: 8 }), fc.bigInt({ min: 1n, max: 10n ** 9n }), (honest, wild) => {
        const s = [...honest.map((units) => ({ units, ageMs: 0, weight: 1 })), { units: wild, ageMs: 0, weight: 1 }];
        const a = aggregateIndex(indexFor(s.map((x) => x.weight), 1), latestOf(observationsFor(s)), T0);
        const ref = price(10_000n * 10n ** 8n);
        assert.ok(absBig((a.candidate as bigint) - ref) * 1_000n <= ref, 'within 0.1% of 10,000, as the honest sources are');
      }),
      FC,
    );
  });
});
