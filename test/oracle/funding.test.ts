/**
 * Funding through the oracle (METHODS.md §1.3): one premium sample a minute, the time-weighted
 * average over the 8-hour interval, the rate with clamp and cap from src/risk/funding, and one
 * SettleFunding per boundary with an id that makes redelivery harmless.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Oracle, OracleTick, SettleFundingCommand } from '../../src/oracle/index.js';
import { formatRate, parsePrice } from '../../src/risk/units/quantities.js';
import { HOUR, indexDoc, MINUTE, oracleOf, printAll, sourcesDoc, T0 } from './support.js';

const S3 = ['v1', 'v2', 'v3'] as const;
const INTERVAL = 8 * HOUR;

function fundingOracle(funding: Record<string, unknown> = {}): Oracle {
  return oracleOf({
    indexes: { BTC: indexDoc({ sources: sourcesDoc(3, MINUTE), sourcesMin: 2 }) },
    marks: { BTCUSDT: { method: 'medianOfThree', funding } },
  });
}

/** Index 50,000 every minute; impact prices from `impact(t)`; returns the settlements seen. */
function runInterval(oracle: Oracle, o: { fromMs: number; toMs: number; impact?: (t: number) => [string, string] | undefined }): SettleFundingCommand[] {
  const settled: SettleFundingCommand[] = [];
  for (let t = o.fromMs; t <= o.toMs; t += MINUTE) {
    printAll(oracle, 'BTC', S3, '50000', t);
    const impact = o.impact?.(t);
    if (impact !== undefined) {
      assert.ok(oracle.quote({ instrument: 'BTCUSDT', timestampMs: t, impactBid: parsePrice(impact[0]), impactAsk: parsePrice(impact[1]), last: parsePrice('50000') }, t).ok);
    }
    for (const c of oracle.tick(t).commands) if (c.type === 'SettleFunding') settled.push(c);
  }
  return settled;
}

describe('funding from premium samples', () => {
  const cases: [string, [string, string], string][] = [
    ['0.03%', ['50015', '50020'], '0.0001'],
    ['0', ['49990', '50010'], '0.0001'],
    ['0.10%', ['50050', '50060'], '0.0005'],
    ['-0.10%', ['49940', '49950'], '-0.0005'],
    ['1.2% (capped at 0.3%)', ['50600', '50610'], '0.003'],
  ];
  for (const [premium, impact, expected] of cases) {
    it(`a constant premium of ${premium} settles at ${expected} (METHODS §1.3 clamp figures)`, () => {
      const oracle = fundingOracle();
      const settled = runInterval(oracle, { fromMs: T0, toMs: T0 + INTERVAL, impact: () => impact });
      assert.equal(settled.length, 1);
      assert.deepEqual({ ...settled[0], rate: formatRate(settled[0]?.rate as never) }, {
        type: 'SettleFunding',
        id: `oracle:funding:BTCUSDT:${T0 + INTERVAL}`,
        instrument: 'BTCUSDT',
        intervalEndMs: T0 + INTERVAL,
        rate: expected,
      });
      assert.equal(oracle.lastTick?.funding[0]?.samples, 480);
    });
  }

  it('weighs later samples more: 0 for four hours then 0.10% gives P_avg 0.0749480249% and F 0.0249480249%', () => {
    const oracle = fundingOracle();
    const settled = runInterval(oracle, { fromMs: T0, toMs: T0 + INTERVAL, impact: (t) => (t < T0 + 4 * HOUR ? ['49990', '50010'] : ['50050', '50060']) });
    assert.equal(formatRate(oracle.lastTick?.funding[0]?.premiumAverage as never), '0.000749480249');
    assert.equal(formatRate(settled[0]?.rate as never), '0.000249480249');
  });

  it('samples the premium from the mark when configured: a mark 0.03% over the index settles at 0.01%', () => {
    const oracle = oracleOf({
      indexes: { BTC: indexDoc({ sources: sourcesDoc(3, MINUTE), sourcesMin: 2 }) },
      marks: { BTCUSDT: { method: 'basisEma', funding: { premiumFrom: 'mark' } } },
    });
    let settled: SettleFundingCommand[] = [];
    for (let t = T0; t <= T0 + INTERVAL; t += MINUTE) {
      printAll(oracle, 'BTC', S3, '50000', t);
      assert.ok(oracle.quote({ instrument: 'BTCUSDT', timestampMs: t, last: parsePrice('50015') }, t).ok);
      settled = [...settled, ...oracle.tick(t).commands.filter((c): c is SettleFundingCommand => c.type === 'SettleFunding')];
    }
    assert.deepEqual(settled.map((c) => formatRate(c.rate)), ['0.0001']);
  });

  it('settles each boundary once, with the same id however often the tick is delivered', () => {
    const oracle = fundingOracle();
    runInterval(oracle, { fromMs: T0, toMs: T0 + INTERVAL - MINUTE, impact: () => ['50015', '50020'] });
    const first = oracle.tick(T0 + INTERVAL);
    const again = oracle.tick(T0 + INTERVAL);
    assert.equal(again, first);
    assert.deepEqual(
      first.commands.map((c) => c.id),
      [`oracle:prices:${T0 + INTERVAL}`, `oracle:funding:BTCUSDT:${T0 + INTERVAL}`],
    );
    const next: OracleTick = oracle.tick(T0 + INTERVAL + MINUTE);
    assert.deepEqual(next.commands.map((c) => c.type), ['UpdatePrices']);
  });

  it('does not settle an interval with too few samples (the index was stale: an outage is not a zero premium)', () => {
    const oracle = fundingOracle({ samplesMin: 240 });
    runInterval(oracle, { fromMs: T0, toMs: T0 + HOUR, impact: () => ['50015', '50020'] });
    const settled = runInterval(oracle, { fromMs: T0 + INTERVAL, toMs: T0 + INTERVAL, impact: () => ['50015', '50020'] });
    assert.deepEqual(settled, []);
    assert.deepEqual(
      oracle.lastTick?.funding.map((f) => [f.intervalEndMs, f.samples, f.settled, f.reason]),
      [[T0 + INTERVAL, 61, false, 'samples_insufficient']],
    );
  });

  it('predicts the current rate for Price1 from the samples so far', () => {
    const oracle = fundingOracle();
    runInterval(oracle, { fromMs: T0, toMs: T0 + HOUR, impact: () => ['50050', '50060'] });
    assert.equal(formatRate(oracle.lastTick?.marks.BTCUSDT?.fundingRate as never), '0.0005');
  });
});
