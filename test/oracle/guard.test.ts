/**
 * Circuit breakers and lagged prices: the price band per interval, halting or guarding on a
 * breach, hysteresis on the way back, one market's trouble never another's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Oracle, OracleTick } from '../../src/oracle/index.js';
import { formatPrice, RATE_ONE } from '../../src/risk/units/quantities.js';
import { indexDoc, MINUTE, oracleOf, printAll, SECOND, sourcesDoc, T0, V7 } from './support.js';

const S3 = ['v1', 'v2', 'v3'] as const;

function oracleWith(onBreach: 'halt' | 'guard', extra: { lagged?: Record<string, unknown>; recoveryMs?: number } = {}): Oracle {
  const btc = indexDoc({
    sources: sourcesDoc(3, SECOND),
    sourcesMin: 2,
    band: { rate: '0.05', intervalMs: MINUTE, onBreach },
    recoveryMs: extra.recoveryMs ?? 10 * SECOND,
    ...(extra.lagged === undefined ? {} : { lagged: extra.lagged }),
  });
  return oracleOf({ indexes: { BTC: btc, ETH: indexDoc() } });
}

/** All three BTC sources (and seven ETH sources at 200) print, then the oracle ticks. */
function step(oracle: Oracle, t: number, btc: string | undefined): OracleTick {
  if (btc !== undefined) printAll(oracle, 'BTC', S3, btc, t);
  printAll(oracle, 'ETH', V7, '200', t);
  return oracle.tick(t);
}

const btcPrice = (tick: OracleTick): string | undefined => {
  const c = tick.commands[0];
  const p = c?.type === 'UpdatePrices' ? c.prices?.BTC : undefined;
  return p === undefined ? undefined : formatPrice(p);
};
const btcStatus = (tick: OracleTick) => tick.indexes.BTC?.status;

/** Every price published within a minute of an earlier one lies within 5% of it. */
function assertWithinBand(published: readonly { t: number; p: bigint }[]): void {
  published.forEach((a, i) => {
    for (const b of published.slice(i + 1)) {
      if (b.t - a.t > MINUTE) break;
      const move = b.p > a.p ? b.p - a.p : a.p - b.p;
      assert.ok(move * RATE_ONE <= (a.p * RATE_ONE) / 20n, `${formatPrice(a.p as never)} then ${formatPrice(b.p as never)} within a minute`);
    }
  });
}

describe('circuit breaker: halt', () => {
  it('halts on a move beyond the band within the interval and forwards no price until fresh, consistent prices have lasted recoveryMs', () => {
    const oracle = oracleWith('halt');
    for (let s = 0; s <= 10; s++) step(oracle, T0 + s * SECOND, '9150');
    const breach = step(oracle, T0 + 11 * SECOND, '8000');
    assert.deepEqual([btcStatus(breach), breach.indexes.BTC?.reason, btcPrice(breach)], ['halted', 'band_breach', undefined]);
    assert.equal(breach.commands[0]?.type === 'UpdatePrices' ? breach.commands[0].statuses?.BTC : '', 'halted');
    // The unrelated market keeps publishing.
    assert.deepEqual([breach.indexes.ETH?.status, breach.indexes.ETH?.published], ['ok', 200n * 10n ** 8n]);
    for (let s = 12; s < 21; s++) assert.equal(btcStatus(step(oracle, T0 + s * SECOND, '8000')), 'halted', `second ${s}`);
    const resumed = step(oracle, T0 + 21 * SECOND, '8000');
    assert.deepEqual([btcStatus(resumed), btcPrice(resumed)], ['ok', '8000']);
    // The band restarts from the confirmed level.
    assert.deepEqual([btcStatus(step(oracle, T0 + 22 * SECOND, '8100')), btcPrice(oracle.lastTick as OracleTick)], ['ok', '8100']);
  });

  it('stays halted while the new level keeps jumping: the confirmation restarts on every inconsistent price', () => {
    const oracle = oracleWith('halt');
    step(oracle, T0, '9150');
    for (let s = 1; s <= 30; s++) assert.equal(btcStatus(step(oracle, T0 + s * SECOND, s % 2 === 0 ? '7600' : '8400')), 'halted');
    for (let s = 31; s < 41; s++) assert.equal(btcStatus(step(oracle, T0 + s * SECOND, '8000')), 'halted');
    assert.equal(btcStatus(step(oracle, T0 + 41 * SECOND, '8000')), 'ok');
  });

  it('forwards no stale price, and needs recoveryMs of fresh prices within the band to return to ok (degraded meanwhile)', () => {
    const oracle = oracleWith('halt');
    step(oracle, T0, '9150');
    const stale = step(oracle, T0 + 4 * SECOND, undefined);
    assert.deepEqual([btcStatus(stale), stale.indexes.BTC?.reason, btcPrice(stale)], ['stale', 'sources_stale', undefined]);
    const back = step(oracle, T0 + 60 * SECOND, '9160');
    assert.deepEqual([btcStatus(back), back.indexes.BTC?.reason, btcPrice(back)], ['degraded', 'recovering', '9160']);
    for (let s = 61; s < 70; s++) assert.equal(btcStatus(step(oracle, T0 + s * SECOND, '9160')), 'degraded');
    assert.equal(btcStatus(step(oracle, T0 + 70 * SECOND, '9160')), 'ok');
  });
});

describe('circuit breaker: too few sources', () => {
  it('with onDegraded "halt", three of seven sources stale halt the market, and fresh sources for recoveryMs resume it', () => {
    const oracle = oracleOf({ indexes: { BTC: indexDoc({ onDegraded: 'halt' }) } });
    printAll(oracle, 'BTC', V7, '9150', T0);
    assert.equal(btcStatus(oracle.tick(T0)), 'ok');
    printAll(oracle, 'BTC', V7.slice(3), '9150', T0 + 4 * SECOND);
    const thin = oracle.tick(T0 + 4 * SECOND);
    assert.deepEqual([btcStatus(thin), thin.indexes.BTC?.reason, btcPrice(thin)], ['halted', 'sources_insufficient', undefined]);
    for (let s = 5; s < 15; s++) {
      printAll(oracle, 'BTC', V7, '9160', T0 + s * SECOND);
      assert.equal(btcStatus(oracle.tick(T0 + s * SECOND)), 'halted', `second ${s}`);
    }
    printAll(oracle, 'BTC', V7, '9160', T0 + 15 * SECOND);
    const back = oracle.tick(T0 + 15 * SECOND);
    assert.deepEqual([btcStatus(back), btcPrice(back)], ['ok', '9160']);
  });
});

describe('circuit breaker: guard', () => {
  it('walks the published price through the band, at most one band per interval, then returns to ok', () => {
    const oracle = oracleWith('guard');
    step(oracle, T0, '1');
    const published: { t: number; p: bigint }[] = [];
    let tick = step(oracle, T0 + SECOND, '0.65');
    assert.deepEqual([btcStatus(tick), tick.indexes.BTC?.reason, btcPrice(tick)], ['degraded', 'band_guard', '0.95']);
    published.push({ t: T0 + SECOND, p: tick.indexes.BTC?.published as bigint });
    for (let s = 2; s <= 20 * 60; s++) {
      tick = step(oracle, T0 + s * SECOND, '0.65');
      const p = tick.indexes.BTC?.published;
      assert.ok(p !== undefined, 'the guard always publishes');
      published.push({ t: T0 + s * SECOND, p });
    }
    assert.deepEqual([btcStatus(tick), btcPrice(tick)], ['ok', '0.65']);
    assertWithinBand(published);
    const minutesToArrive = (published.findIndex((x) => x.p === 65_000_000n) + 1) / 60;
    assert.ok(minutesToArrive > 7 && minutesToArrive < 10, `arrived after ${minutesToArrive} minutes`);
  });
});

describe('laws of the band', () => {
  const walk = fc.array(fc.oneof(fc.constant(0), fc.double({ min: -0.3, max: 0.3, noNaN: true }), fc.constant(Number.NaN)), { minLength: 5, maxLength: 120 });

  for (const mode of ['halt', 'guard'] as const) {
    it(`${mode}: no two prices published within an interval, and not separated by a halt, differ by more than the band`, () => {
      fc.assert(
        fc.property(walk, (moves) => {
          const oracle = oracleWith(mode, { recoveryMs: 3 * SECOND });
          let level = 10_000;
          const published: { t: number; p: bigint; epoch: number }[] = [];
          let epoch = 0;
          moves.forEach((move, i) => {
            const t = T0 + i * 5 * SECOND;
            // NaN: the sources fall silent for a step.
            if (!Number.isNaN(move)) level = Math.max(1, level * (1 + move));
            const tick = step(oracle, t, Number.isNaN(move) ? undefined : level.toFixed(2));
            if (btcStatus(tick) === 'halted') epoch++;
            const p = tick.indexes.BTC?.published;
            if (p !== undefined) published.push({ t, p, epoch });
          });
          for (let e = 0; e <= epoch; e++) assertWithinBand(published.filter((x) => x.epoch === e));
        }),
        { seed: 20200312, numRuns: 60 },
      );
    });
  }
});

describe('lagged prices', () => {
  it('a rate-limited stable price moves 2%/h x 30 min = 1% in one step toward a spike (1.00 -> 1.01) while the spike is published', () => {
    const oracle = oracleWith('guard', { lagged: { kind: 'rateLimited', moveRatePerHour: '0.02' } });
    assert.equal(formatPrice(step(oracle, T0, '1').indexes.BTC?.lagged as never), '1');
    const spike = step(oracle, T0 + 30 * MINUTE, '1.04');
    assert.deepEqual([btcPrice(spike), formatPrice(spike.indexes.BTC?.lagged as never)], ['1.04', '1.01']);
    const later = step(oracle, T0 + 60 * MINUTE, '1.04');
    assert.equal(formatPrice(later.indexes.BTC?.lagged as never), '1.0201');
    const command = later.commands[0];
    assert.equal(command?.type === 'UpdatePrices' ? formatPrice(command.laggedPrices?.BTC as never) : '', '1.0201');
  });

  it('a TWAP lags a step by the window: half way after half the window', () => {
    const oracle = oracleWith('guard', { lagged: { kind: 'twap', windowMs: 10 * MINUTE, samplePeriodMs: MINUTE } });
    for (let m = 0; m < 10; m++) step(oracle, T0 + m * MINUTE, '100');
    let tick: OracleTick | undefined;
    for (let m = 10; m < 15; m++) tick = step(oracle, T0 + m * MINUTE, '104');
    assert.equal(formatPrice(tick?.indexes.BTC?.lagged as never), '102');
  });
});
