import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  fundingPaymentOf,
  fundingRateOf,
  perpetualMarkOf,
  premiumAverageOf,
  premiumIndexOf,
} from '../../../src/risk/funding/index.js';
import type { LinearInstrument } from '../../../src/risk/instruments/types.js';
import { formatAmount, formatPrice, formatRate, parsePrice, parseRate, parseSize, size, type Rate } from '../../../src/risk/units/index.js';

const pct = (text: string): Rate => parseRate(String(Number(text) / 100));
const binance = { interest: pct('0.01'), clamp: pct('0.05'), cap: pct('0.3') };

const linear: LinearInstrument = {
  kind: 'perpetual',
  symbol: 'BTCUSDT',
  underlying: 'BTC',
  quoteAsset: 'USDT',
  settlement: 'linear',
  contractSize: parseSize('1'),
  tick: parsePrice('0.1'),
  lot: parseSize('0.001'),
  margin: { model: 'linearInSize', initialRate: 0.02, maintenanceRate: 0.01, initialRatePerUnit: 0, maintenanceRatePerUnit: 0 },
};
const inverse: LinearInstrument = { ...linear, symbol: 'BTC-PERP', quoteAsset: 'USD', settlement: 'inverse', contractSize: parseSize('10') };

describe('funding rate (Binance method, METHODS.md §1.3)', () => {
  it('reproduces the published clamp figures', () => {
    assert.equal(formatRate(fundingRateOf(pct('0.03'), binance)), '0.0001');
    assert.equal(formatRate(fundingRateOf(pct('0'), binance)), '0.0001');
    assert.equal(formatRate(fundingRateOf(pct('0.10'), binance)), '0.0005');
    assert.equal(formatRate(fundingRateOf(pct('-0.10'), binance)), '-0.0005');
  });

  it('caps the rate at the symbol cap', () => {
    assert.equal(formatRate(fundingRateOf(pct('1.2'), binance)), '0.003');
    assert.equal(formatRate(fundingRateOf(pct('-1.2'), binance)), '-0.003');
  });

  it('premium index is zero inside the impact spread and signed outside it', () => {
    const index = parsePrice('50000');
    assert.equal(premiumIndexOf({ impactBid: parsePrice('49990'), impactAsk: parsePrice('50010'), index }), 0n);
    assert.equal(formatRate(premiumIndexOf({ impactBid: parsePrice('50025'), impactAsk: parsePrice('50030'), index })), '0.0005');
    assert.equal(formatRate(premiumIndexOf({ impactBid: parsePrice('49970'), impactAsk: parsePrice('49975'), index })), '-0.0005');
  });

  it('time-weighted premium average weights later samples more', () => {
    const samples = [pct('0'), pct('0.03')];
    assert.equal(formatRate(premiumAverageOf(samples, 'equal')), '0.00015');
    assert.equal(formatRate(premiumAverageOf(samples, 'timeWeighted')), '0.0002');
    assert.equal(premiumAverageOf([], 'equal'), 0n);
  });
});

describe('funding payment', () => {
  it('a long of 2 BTC at 50,000 pays 50 at a rate of 0.05%', () => {
    const paid = fundingPaymentOf(linear, parseSize('2'), parsePrice('50000'), pct('0.05'));
    assert.equal(formatAmount(paid), '-50');
    const received = fundingPaymentOf(linear, parseSize('-2'), parsePrice('50000'), pct('0.05'));
    assert.equal(formatAmount(received), '50');
  });

  it('inverse positions pay in coin: 1,000 USD of contracts at 50,000 and 0.01% pay 0.000002 BTC', () => {
    const paid = fundingPaymentOf(inverse, parseSize('100'), parsePrice('50000'), pct('0.01'));
    assert.equal(formatAmount(paid), '-0.000002');
  });

  it('is never more favourable to either side than the exact figure, and sums to at most zero', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 14n }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.bigInt({ min: -(10n ** 10n), max: 10n ** 10n }),
        fc.constantFrom(linear, inverse),
        (contracts, markUnits, rateUnits, instrument) => {
          const mark = parsePrice(formatPrice(markUnits as never));
          const f = rateUnits as Rate;
          const long = fundingPaymentOf(instrument, size(contracts), mark, f);
          const short = fundingPaymentOf(instrument, size(-contracts), mark, f);
          // Both rounded down: the pair never creates money, and loses at most one unit each way.
          assert.ok(long + short <= 0n);
          assert.ok(long + short >= -1n);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe('perpetual mark price (Binance method)', () => {
  it('reproduces the worked median: mark 50,010', () => {
    const result = perpetualMarkOf({
      index: parsePrice('50000'),
      fundingRate: pct('0.01'),
      timeLeftMs: 4 * 3600_000,
      intervalMs: 8 * 3600_000,
      basisAverage: parsePrice('10'),
      last: parsePrice('50030'),
    });
    assert.equal(formatPrice(result.price1), '50002.5');
    assert.equal(formatPrice(result.price2), '50010');
    assert.equal(formatPrice(result.mark), '50010');
  });
});
