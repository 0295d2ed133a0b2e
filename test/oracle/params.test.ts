/** Oracle parameters are validated whole against the venue, and inputs are refused with stable codes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DocumentError } from '../../src/config/issues.js';
import { loadOracleParams } from '../../src/oracle/index.js';
import { parsePrice, parseRate } from '../../src/risk/units/quantities.js';
import { HOUR, indexDoc, MINUTE, observation, oracleOf, SECOND, sourcesDoc, T0, twoMarketDoc, VENUE_PARAMS } from './support.js';

function issuesOf(doc: unknown): string[] {
  try {
    loadOracleParams(doc, VENUE_PARAMS);
  } catch (error) {
    assert.ok(error instanceof DocumentError);
    return error.issues.map((i) => `${i.path} ${i.code}`).sort();
  }
  assert.fail('the document was accepted');
}

describe('oracle parameters', () => {
  it('loads a document with its defaults: staleness 3 x cadence, a majority of sources, Binance sampling', () => {
    const params = loadOracleParams(
      { indexes: { BTC: { sources: sourcesDoc(4, 2 * SECOND), outlierBandRate: '0.02', band: { rate: '0.05', intervalMs: MINUTE } } }, marks: { BTCUSDT: { method: 'medianOfThree', funding: {} } } },
      VENUE_PARAMS,
    );
    const btc = params.indexes.get('BTC');
    assert.equal(params.commandIdPrefix, 'oracle');
    assert.deepEqual(btc?.sources.map((s) => [s.id, s.stalenessMs, s.weight]), [
      ['v1', 6 * SECOND, parseRate('1')],
      ['v2', 6 * SECOND, parseRate('1')],
      ['v3', 6 * SECOND, parseRate('1')],
      ['v4', 6 * SECOND, parseRate('1')],
    ]);
    assert.deepEqual([btc?.sourcesMin, btc?.band.onBreach, btc?.onDegraded, btc?.recoveryMs], [3, 'halt', 'guard', 6 * SECOND]);
    const mark = params.marks.get('BTCUSDT');
    assert.deepEqual(mark?.method, { kind: 'medianOfThree', basisWindowMs: 30 * MINUTE, basisSamplePeriodMs: MINUTE });
    assert.deepEqual(
      [mark?.funding?.samplePeriodMs, mark?.funding?.premiumFrom, mark?.funding?.weighting, mark?.funding?.samplesMin, mark?.funding?.schedule.intervalMs],
      [MINUTE, 'impact', 'timeWeighted', 240, 8 * HOUR],
    );
  });

  it('refuses a document whole, naming every problem with its path', () => {
    assert.deepEqual(
      issuesOf({
        commandIdPrefix: 'engine',
        indexes: {
          DOGE: indexDoc(),
          BTC: { ...indexDoc({ sourcesMin: 9, outlierBandRate: '1.5' }), extra: true },
          ETH: indexDoc({ sources: { v1: { cadenceMs: 1000, stalenessMs: 500, weight: '0' } }, sourcesMin: 1, band: { rate: '0.05', intervalMs: 0, onBreach: 'pause' } }),
        },
        marks: {
          'BTCUSDT-FUT': { method: 'medianOfThree' },
          'BTC-PERP': { method: 'basisEma', funding: {} },
          ETHUSDT: { method: 'basisAverage', funding: { samplePeriodMs: 7 * MINUTE } },
          NOPE: { method: 'basisEma' },
        },
      }),
      [
        '/commandIdPrefix command_id_prefix_invalid',
        '/indexes/BTC/extra field_unknown',
        '/indexes/BTC/outlierBandRate fraction_out_of_range',
        '/indexes/BTC/sourcesMin sources_min_exceeds_sources',
        '/indexes/DOGE index_symbol_unknown',
        '/indexes/ETH/band/intervalMs duration_invalid',
        '/indexes/ETH/band/onBreach band_action_unknown',
        '/indexes/ETH/sources/v1/stalenessMs staleness_below_cadence',
        '/indexes/ETH/sources/v1/weight weight_not_positive',
        '/marks/BTC-PERP/funding funding_schedule_missing',
        '/marks/BTCUSDT-FUT/method mark_method_needs_funding',
        '/marks/ETHUSDT/funding/samplePeriodMs sample_period_misaligned',
        '/marks/NOPE instrument_unknown',
      ],
    );
  });

  it('refuses numbers written as floats and fields of the wrong type', () => {
    assert.deepEqual(issuesOf({ indexes: { BTC: indexDoc({ outlierBandRate: 0.02 as never, sources: { v1: { cadenceMs: '1000' } }, sourcesMin: 1 }) } }), [
      '/indexes/BTC/outlierBandRate decimal_not_a_string',
      '/indexes/BTC/sources/v1/cadenceMs duration_invalid',
    ]);
    assert.deepEqual(issuesOf(null), [' object_expected']);
    const prototypeKey = JSON.parse('{"method":"medianOfThree","__proto__":{"method":"basisEma"}}') as unknown;
    assert.deepEqual(issuesOf({ indexes: { BTC: indexDoc() }, marks: { BTCUSDT: prototypeKey } }), ['/marks/BTCUSDT/__proto__ field_unknown']);
  });

  it('needs a mark index for the underlying of every marked instrument', () => {
    assert.deepEqual(issuesOf({ indexes: { ETH: indexDoc() }, marks: { BTCUSDT: { method: 'basisEma' } } }), ['/marks/BTCUSDT mark_index_missing']);
  });
});

describe('inputs refused with stable codes', () => {
  it('refuses unknown symbols and sources, prices out of range, times from the future or out of order', () => {
    const oracle = oracleOf(twoMarketDoc());
    const codeOf = (r: { ok: boolean; code?: string; duplicate?: boolean }) => (r.ok ? (r.duplicate === true ? 'duplicate' : 'ok') : r.code);
    assert.equal(codeOf(oracle.observe(observation('v1', 'BTC', '9150', T0), T0)), 'ok');
    assert.equal(codeOf(oracle.observe(observation('v1', 'BTC', '9150', T0), T0)), 'duplicate');
    assert.equal(codeOf(oracle.observe(observation('v1', 'BTC', '9151', T0), T0)), 'observation_conflicting');
    assert.equal(codeOf(oracle.observe(observation('v1', 'BTC', '9150', T0 - 1), T0)), 'observation_out_of_order');
    assert.equal(codeOf(oracle.observe(observation('v1', 'BTC', '9150', T0 + 5 * SECOND), T0)), 'observation_from_future');
    assert.equal(codeOf(oracle.observe(observation('v9', 'BTC', '9150', T0), T0)), 'source_unknown');
    assert.equal(codeOf(oracle.observe(observation('v1', 'DOGE', '1', T0), T0)), 'index_unknown');
    assert.equal(codeOf(oracle.observe({ ...observation('v2', 'BTC', '1', T0), price: 0n as never }, T0)), 'price_not_positive');
    assert.equal(codeOf(oracle.observe({ ...observation('v2', 'BTC', '1', T0), price: (10n ** 24n) as never }, T0)), 'price_too_large');
    assert.equal(codeOf(oracle.observe({ ...observation('v2', 'BTC', '1', T0), timestampMs: 1.5 }, T0)), 'observation_time_invalid');
    assert.equal(codeOf(oracle.quote({ instrument: 'BTCUSDT', timestampMs: T0 }, T0)), 'quote_empty');
    assert.equal(codeOf(oracle.quote({ instrument: 'BTC-PERP', timestampMs: T0, last: parsePrice('1') }, T0)), 'instrument_unknown');
    assert.equal(codeOf(oracle.quote({ instrument: 'BTCUSDT', timestampMs: T0, last: parsePrice('9150') }, T0)), 'ok');
    assert.equal(codeOf(oracle.quote({ instrument: 'BTCUSDT', timestampMs: T0 - 1, last: parsePrice('9150') }, T0)), 'observation_out_of_order');
  });
});
