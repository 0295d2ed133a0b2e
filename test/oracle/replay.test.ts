/**
 * Replay files (NDJSON and CSV): the examples in examples/oracle replayed through the oracle,
 * every problem of a bad file reported with its line, and parse(format(events)) = events.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DocumentError } from '../../src/config/issues.js';
import { formatReplay, parseReplay, syntheticFeed, type FeedEvent } from '../../src/oracle/index.js';
import { readReplayFile, replayFormatOf } from '../../src/oracle/feeds/replayFile.js';
import { createRandom } from '../../src/risk/analytics/random.js';
import { formatPrice, parsePrice } from '../../src/risk/units/quantities.js';
import { absBig } from '../../src/risk/units/rounding.js';
import { deliver, indexDoc, MINUTE, oracleOf, SECOND, sourcesDoc, T0 } from './support.js';

function issuesOf(text: string, format: 'ndjson' | 'csv'): string[] {
  try {
    parseReplay(text, format);
  } catch (error) {
    assert.ok(error instanceof DocumentError);
    return error.issues.map((i) => `${i.path} ${i.code}`);
  }
  assert.fail('the file was accepted');
}

describe('replay files', () => {
  it('replays the R8 example (one of seven sources silent, then at 7,700 for 2.5 minutes): the index stays within 0.5% of 9,150', async () => {
    const events = await readReplayFile('examples/oracle/btc-outlier-source.ndjson');
    assert.equal(events.length, 247);
    const oracle = oracleOf({ indexes: { BTC: indexDoc({ sources: sourcesDoc(7, 10 * SECOND), sourcesMin: 5 }) } });
    let next = 0;
    const flaggedAt: number[] = [];
    // Sources print on 10-second cadences offset by 0-6 s: all have printed by +10 s.
    for (let t = T0 + 10 * SECOND; t <= T0 + 6 * MINUTE; t += SECOND) {
      next = deliver(oracle, events, next, t);
      const btc = oracle.tick(t).indexes.BTC;
      assert.equal(btc?.status, 'ok', `status at +${(t - T0) / SECOND}s`);
      const moved = Number(absBig((btc?.published ?? 0n) - parsePrice('9150'))) / Number(parsePrice('9150'));
      assert.ok(moved < 0.005, `index ${formatPrice(btc?.published as never)} at +${(t - T0) / SECOND}s`);
      if (btc?.sources.v7 === 'outlier') flaggedAt.push(t);
    }
    // v7 prints 7,700 from +126 s (its cadence offset is 6 s): flagged on that very tick.
    assert.equal(flaggedAt[0], T0 + 126 * SECOND);
    assert.equal(next, events.length);
  });

  it('replays the R10 example (one of five venues at 1.30 for an hour): the stablecoin index stays within 1% of 1', async () => {
    const events = await readReplayFile('examples/oracle/stablecoin-spike.csv');
    const oracle = oracleOf({ indexes: { USDT: indexDoc({ sources: sourcesDoc(5, MINUTE), sourcesMin: 3, outlierBandRate: '0.01' }) } });
    let next = 0;
    let outlierTicks = 0;
    for (let t = T0 + 10 * SECOND; t <= T0 + 70 * MINUTE; t += 10 * SECOND) {
      next = deliver(oracle, events, next, t);
      const usdt = oracle.tick(t).indexes.USDT;
      assert.equal(usdt?.status, 'ok');
      assert.ok(absBig((usdt?.published ?? 0n) - parsePrice('1')) * 100n < parsePrice('1'), `index ${formatPrice(usdt?.published as never)}`);
      if (usdt?.sources.v3 === 'outlier') outlierTicks++;
    }
    assert.ok(outlierTicks >= 6 * 60 - 6, `v3 flagged for ${outlierTicks} ticks of the hour`);
  });

  it('chooses the format by extension', () => {
    assert.deepEqual(['a.ndjson', 'b.JSONL', 'c.csv'].map(replayFormatOf), ['ndjson', 'ndjson', 'csv']);
    assert.throws(() => replayFormatOf('d.json'), /replay_format_unknown/);
  });

  it('refuses a bad NDJSON file whole, naming each problem and its line', () => {
    const text = [
      '{"timestampMs":1,"source":"v1","symbol":"BTC","price":"9150"}',
      '',
      '{"timestampMs":2,"source":"v1","symbol":"BTC","price":9150}',
      '{"timestampMs":3,"source":"v1","symbol":"BTC","price":"9.15e3"}',
      '{"timestampMs":-4,"source":"v 1","symbol":"BTC","price":"NaN"}',
      '{"kind":"quote","timestampMs":5,"instrument":"BTCUSDT"}',
      '{"kind":"trade","timestampMs":6}',
      '{"timestampMs":7,"source":"v1","symbol":"BTC","price":"1","__proto__":{"x":1}}',
      'not json',
      '[1,2]',
      '{"timestampMs":9007199254740993,"source":"v1","symbol":"BTC","price":"-1"}',
    ].join('\n');
    assert.deepEqual(issuesOf(text, 'ndjson'), [
      '/lines/3/price decimal_not_a_string',
      '/lines/4/price decimal_malformed',
      '/lines/5/timestampMs time_invalid',
      '/lines/5/source name_invalid',
      '/lines/5/price decimal_malformed',
      '/lines/6 quote_empty',
      '/lines/7/kind event_kind_unknown',
      '/lines/8/__proto__ field_unknown',
      '/lines/9 line_not_json',
      '/lines/10 line_not_object',
      '/lines/11/timestampMs time_invalid',
      '/lines/11/price price_not_positive',
    ]);
  });

  it('refuses a bad CSV file whole, naming each problem and its line', () => {
    assert.deepEqual(issuesOf('# only a comment\n', 'csv'), ['/lines/1 header_missing']);
    const text = ['timestampMs,source,symbol,price,colour', '1,v1,BTC,9150,red', '2,v1,BTC', '1.5,v1,BTC,9150,'].join('\n');
    assert.deepEqual(issuesOf(text, 'csv'), ['/lines/1/colour column_unknown', '/lines/2/colour field_unknown', '/lines/3 row_width_mismatch', '/lines/4/timestampMs time_invalid']);
  });

  it('parses what it prints: parse(format(events)) = events, for NDJSON and CSV', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 0, max: 4 }), fc.boolean(), (seed, decimals, delayed) => {
        const events = syntheticFeed(
          {
            symbol: 'BTC',
            sources: [{ id: 'v1', cadenceMs: SECOND, noiseRate: 0.01 }, { id: 'v2', cadenceMs: 3 * SECOND }],
            fromMs: T0,
            toMs: T0 + 20 * SECOND,
            startPrice: 9150,
            volatilityPerHour: 0.05,
            priceDecimals: decimals,
            ...(delayed ? { faults: [{ kind: 'delay' as const, source: 'v2', fromMs: T0, toMs: T0 + 10 * SECOND, delayMs: 2 * SECOND }] } : {}),
          },
          createRandom(seed),
        );
        const quotes: FeedEvent[] = syntheticFeed(
          { symbol: 'BTC', sources: [], quotes: [{ instrument: 'BTCUSDT', cadenceMs: SECOND, premiumRate: 0.001, spreadRate: 0.0002, impactSpreadRate: 0.001 }], fromMs: T0, toMs: T0 + 5 * SECOND, startPrice: 9150 },
          createRandom(seed),
        );
        assert.deepEqual(parseReplay(formatReplay(events, 'csv'), 'csv'), events);
        assert.deepEqual(parseReplay(formatReplay(quotes, 'csv'), 'csv'), quotes);
        assert.deepEqual(parseReplay(formatReplay([...events, ...quotes], 'ndjson'), 'ndjson'), [...events, ...quotes]);
      }),
      { seed: 7, numRuns: 40 },
    );
  });
});
