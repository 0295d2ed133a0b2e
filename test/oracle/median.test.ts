import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { weightedMedianOf, type Weighted } from '../../src/oracle/index.js';
import { formatPrice, price } from '../../src/risk/units/quantities.js';
import { p } from './support.js';

const entries = (pairs: readonly [string, bigint][]): Weighted[] => pairs.map(([text, weight]) => ({ price: p(text), weight }));

const arbitraryEntries = fc.array(
  fc.record({ price: fc.bigInt({ min: 1n, max: 10n ** 16n }).map(price), weight: fc.bigInt({ min: 1n, max: 1_000n }) }),
  { minLength: 1, maxLength: 12 },
);
const FC = { seed: 20191001, numRuns: 300 } as const;

describe('weighted median', () => {
  it('takes the midpoint of an even split and the heavier side otherwise (worked figures)', () => {
    assert.equal(formatPrice(weightedMedianOf(entries([['100', 1n], ['101', 1n], ['102', 1n], ['110', 1n]]))), '101.5');
    assert.equal(formatPrice(weightedMedianOf(entries([['100', 1n], ['101', 1n], ['102', 3n], ['110', 1n]]))), '102');
    assert.equal(formatPrice(weightedMedianOf(entries([['9150', 1n]]))), '9150');
    assert.equal(formatPrice(weightedMedianOf(entries([['7700', 1n], ['9150', 1n], ['9151', 1n]]))), '9150');
  });

  it('a source holding more than half the weight sets the median alone', () => {
    assert.equal(formatPrice(weightedMedianOf(entries([['1.30', 51n], ['1', 20n], ['1.001', 29n]]))), '1.3');
  });

  it('lies within the range of its prices', () => {
    fc.assert(
      fc.property(arbitraryEntries, (es) => {
        const m = weightedMedianOf(es);
        const prices = es.map((e) => e.price);
        assert.ok(m >= prices.reduce((a, b) => (a < b ? a : b)) && m <= prices.reduce((a, b) => (a > b ? a : b)));
      }),
      FC,
    );
  });

  it('does not depend on the order of its entries, nor on the scale of the weights', () => {
    fc.assert(
      fc.property(arbitraryEntries, fc.integer({ min: 0, max: 1_000 }), fc.bigInt({ min: 2n, max: 1_000n }), (es, rotation, factor) => {
        const m = weightedMedianOf(es);
        const k = rotation % es.length;
        assert.equal(weightedMedianOf([...es.slice(k), ...es.slice(0, k)].reverse()), m);
        assert.equal(weightedMedianOf(es.map((e) => ({ ...e, weight: e.weight * factor }))), m);
      }),
      FC,
    );
  });

  it('refuses an empty list or a weight that is not positive as programmer errors', () => {
    assert.throws(() => weightedMedianOf([]), /Invariant/);
    assert.throws(() => weightedMedianOf(entries([['1', 0n]])), /Invariant/);
  });
});
