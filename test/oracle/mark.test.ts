/** Marks per instrument (METHODS.md §1.3): Binance median of three, basis average, Deribit basis EMA, mark band. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Oracle } from '../../src/oracle/index.js';
import { formatPrice, formatRate, parsePrice } from '../../src/risk/units/quantities.js';
import { HOUR, indexDoc, MINUTE, oracleOf, printAll, SECOND, sourcesDoc, T0 } from './support.js';

const S3 = ['v1', 'v2', 'v3'] as const;

function btcOracle(marks: Record<string, unknown>): Oracle {
  return oracleOf({ indexes: { BTC: indexDoc({ sources: sourcesDoc(3, MINUTE), sourcesMin: 2 }) }, marks });
}

/** Sources at `index` and a quote every minute from `fromMs` to `toMs`, ticking each minute. */
function runMinutes(oracle: Oracle, o: { fromMs: number; toMs: number; index: string; quote?: Record<string, string> }) {
  for (let t = o.fromMs; t <= o.toMs; t += MINUTE) {
    printAll(oracle, 'BTC', S3, o.index, t);
    if (o.quote !== undefined) {
      const q = Object.fromEntries(Object.entries(o.quote).map(([k, v]) => [k, parsePrice(v)]));
      assert.ok(oracle.quote({ instrument: 'BTCUSDT', timestampMs: t, ...q }, t).ok);
    }
    oracle.tick(t);
  }
  return oracle.lastTick;
}

describe('mark price', () => {
  it('reproduces the METHODS §1.3 figure: index 50,000, F 0.01%, 4h of 8h left, MA basis +10, last 50,030 -> mark 50,010', () => {
    const oracle = btcOracle({ BTCUSDT: { method: 'medianOfThree', funding: { premiumFrom: 'impact' } } });
    // Mid 50,010 (basis +10) for the 30-minute window; impact prices straddle the index (premium 0).
    const quote = { bid: '50005', ask: '50015', last: '50030', impactBid: '49990', impactAsk: '50040' };
    const tick = runMinutes(oracle, { fromMs: T0 + 3 * HOUR, toMs: T0 + 4 * HOUR, index: '50000', quote });
    const mark = tick?.marks.BTCUSDT;
    assert.equal(formatRate(mark?.fundingRate ?? (0n as never)), '0.0001');
    assert.deepEqual(
      [mark?.price1, mark?.price2, mark?.last, mark?.mark].map((x) => formatPrice(x as never)),
      ['50002.5', '50010', '50030', '50010'],
    );
    assert.equal(tick?.commands[0]?.type === 'UpdatePrices' ? formatPrice(tick.commands[0].marks?.BTCUSDT as never) : '', '50010');
  });

  it('without a fresh quote, last falls back to Price2, and the mark returns to the index once the basis samples leave the window', () => {
    const oracle = btcOracle({ BTCUSDT: { method: 'medianOfThree', quoteStalenessMs: 5 * MINUTE } });
    runMinutes(oracle, { fromMs: T0, toMs: T0 + 10 * MINUTE, index: '50000', quote: { last: '51000' } });
    const tick = runMinutes(oracle, { fromMs: T0 + 20 * MINUTE, toMs: T0 + 21 * MINUTE, index: '50000' });
    // The quote is 10 minutes old: last is Price2, the basis average still holds +1,000 from the
    // samples inside the window, so mark = median(Price1, 51,000, 51,000).
    assert.equal(formatPrice(tick?.marks.BTCUSDT?.mark as never), '51000');
    const late = runMinutes(oracle, { fromMs: T0 + 60 * MINUTE, toMs: T0 + 61 * MINUTE, index: '50000' });
    assert.equal(formatPrice(late?.marks.BTCUSDT?.mark as never), '50000');
  });

  it('keeps the mark within the mark band when the venue book is pumped 24x (Mango, Oct 2022)', () => {
    const oracle = btcOracle({ BTCUSDT: { method: 'medianOfThree', markBandRate: '0.05' } });
    const tick = runMinutes(oracle, { fromMs: T0, toMs: T0 + 30 * MINUTE, index: '50000', quote: { bid: '1199000', ask: '1201000', last: '1200000' } });
    assert.equal(formatPrice(tick?.marks.BTCUSDT?.mark as never), '52500');
  });

  it('follows a basis step with the Deribit 30-second EMA: 1 - 1/e of the step after 30 s', () => {
    const oracle = oracleOf({
      indexes: { BTC: indexDoc({ sources: sourcesDoc(3, SECOND), sourcesMin: 2 }) },
      marks: { 'BTCUSDT-FUT': { method: 'basisEma', emaMs: 30 * SECOND } },
    });
    const at = (t: number, mid: string) => {
      printAll(oracle, 'BTC', S3, '50000', t);
      assert.ok(oracle.quote({ instrument: 'BTCUSDT-FUT', timestampMs: t, last: parsePrice(mid) }, t).ok);
      return oracle.tick(t).marks['BTCUSDT-FUT']?.mark;
    };
    assert.equal(formatPrice(at(T0, '50000') as never), '50000');
    let mark;
    for (let s = 1; s <= 30; s++) mark = at(T0 + s * SECOND, '50100');
    const expected = 50000 + 100 * (1 - Math.exp(-1));
    assert.ok(Math.abs(Number(formatPrice(mark as never)) - expected) < 0.01, `mark ${formatPrice(mark as never)} vs ${expected}`);
  });

  it('marks a dated future at index + MA(basis) without a funding term', () => {
    const oracle = btcOracle({ 'BTCUSDT-FUT': { method: 'basisAverage', basisWindowMs: 10 * MINUTE } });
    for (let m = 0; m <= 10; m++) {
      const t = T0 + m * MINUTE;
      printAll(oracle, 'BTC', S3, '50000', t);
      assert.ok(oracle.quote({ instrument: 'BTCUSDT-FUT', timestampMs: t, bid: parsePrice(String(50000 + 10 * m)), ask: parsePrice(String(50000 + 10 * m)) }, t).ok);
      oracle.tick(t);
    }
    // Basis samples 10, 20, ..., 100 in the last 10 one-minute slots: MA 55.
    assert.equal(formatPrice(oracle.lastTick?.marks['BTCUSDT-FUT']?.mark as never), '50055');
  });
});
