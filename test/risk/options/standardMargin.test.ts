import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { OptionKind } from '../../../src/risk/pricing/blackScholes.js';
import { standardOptionMargin } from '../../../src/risk/options/standardMargin.js';
import type { StandardOptionMarginInput, StandardOptionMarginParams } from '../../../src/risk/options/standardMargin.js';

/** Deribit's BTC standard-margin triple (METHODS.md section 3.2), with a 10% IM haircut on longs. */
const DERIBIT_BTC: StandardOptionMarginParams = { initialBase: 0.15, initialMin: 0.1, maintenance: 0.075, longInitialHaircut: 0.1 };

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: expected ${expected}, got ${actual}`);
}

function short(kind: OptionKind, strike: number, markCoin: number, size = 1): StandardOptionMarginInput {
  return { kind, side: 'short', strike, size, indexPrice: 100_000, markCoin, params: DERIBIT_BTC };
}

describe('standard option margin: worked figures (METHODS.md section 3.2, S 100,000)', () => {
  const table: [OptionKind, number, number, number, number][] = [
    // kind, strike, mark, IM, MM
    ['call', 110_000, 0.02, 0.12, 0.095],
    ['call', 100_000, 0.05, 0.2, 0.125],
    ['call', 150_000, 0.001, 0.101, 0.076],
    ['put', 90_000, 0.015, 0.115, 0.09],
  ];
  for (const [kind, strike, mark, initial, maintenance] of table) {
    test(`short ${kind} K ${strike} mark ${mark}: IM ${initial}, MM ${maintenance}`, () => {
      const margin = standardOptionMargin(short(kind, strike, mark));
      close(margin.initialCoin, initial, 'IM');
      close(margin.maintenanceCoin, maintenance, 'MM');
      close(margin.valueCoin, -mark, 'value');
    });
  }

  test('the rule names the formula and its figures', () => {
    assert.equal(
      standardOptionMargin(short('call', 110_000, 0.02)).rule,
      'short call: IM = max(0.15 - OTM/S 0.1000, 0.10) + mark 0.0200 = 0.1200; MM = 0.075 + mark 0.0200 = 0.0950',
    );
    assert.equal(
      standardOptionMargin(short('put', 90_000, 0.015)).rule,
      'short put: MM = max(0.075, 0.075 * mark) + mark 0.0150 = 0.0900;' +
        ' IM = max(max(0.15 - OTM/S 0.1000, 0.10) + mark 0.0150, MM) = 0.1150',
    );
  });

  test('a deep in-the-money short put pays the 0.075 * mark maintenance floor once the mark exceeds one coin', () => {
    // S 100,000, K 250,000: a put worth about 1.5 coin. MM = max(0.075, 0.1125) + 1.5 = 1.6125.
    const margin = standardOptionMargin(short('put', 250_000, 1.5));
    close(margin.maintenanceCoin, 1.6125, 'MM');
    close(margin.initialCoin, 1.65, 'IM'); // max(max(0.15 - 0, 0.10) + 1.5, 1.6125)
  });

  test('a long needs no margin; its value counts in equity, haircut for initial margin', () => {
    const margin = standardOptionMargin({ ...short('call', 100_000, 0.05, 2), side: 'long' });
    assert.equal(margin.initialCoin, 0);
    assert.equal(margin.maintenanceCoin, 0);
    close(margin.valueCoin, 0.1, 'value');
    close(margin.valueForInitialCoin, 0.09, 'value for IM');
    assert.equal(margin.rule, 'long call: IM = MM = 0; mark 0.0500 counts in equity, x 0.90 for IM (per unit; size 2)');
  });
});

const positionArb = fc.record({
  kind: fc.constantFrom<OptionKind>('call', 'put'),
  side: fc.constantFrom('long' as const, 'short' as const),
  strike: fc.double({ min: 1_000, max: 1_000_000, noNaN: true }),
  size: fc.double({ min: 0.1, max: 1_000, noNaN: true }),
  indexPrice: fc.double({ min: 1_000, max: 1_000_000, noNaN: true }),
  markCoin: fc.double({ min: 0, max: 3, noNaN: true }),
  params: fc
    .record({
      maintenance: fc.double({ min: 0, max: 0.2, noNaN: true }),
      minExtra: fc.double({ min: 0, max: 0.1, noNaN: true }),
      baseExtra: fc.double({ min: 0, max: 0.2, noNaN: true }),
      longInitialHaircut: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ maintenance, minExtra, baseExtra, longInitialHaircut }) => ({
      maintenance,
      initialMin: maintenance + minExtra,
      initialBase: maintenance + minExtra + baseExtra,
      longInitialHaircut,
    })),
});

describe('standard option margin: laws', () => {
  test('IM >= MM >= 0, and a short needs at least its mark on top of the maintenance rate', () => {
    fc.assert(
      fc.property(positionArb, (position) => {
        const margin = standardOptionMargin(position);
        assert.ok(margin.initialCoin >= margin.maintenanceCoin, `IM ${margin.initialCoin} < MM ${margin.maintenanceCoin}`);
        assert.ok(margin.maintenanceCoin >= 0);
        if (position.side === 'short') {
          const floor = (position.params.maintenance + position.markCoin) * position.size;
          assert.ok(margin.maintenanceCoin >= floor * (1 - 1e-15), `MM ${margin.maintenanceCoin} < ${floor}`);
        }
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  test('margin and value scale linearly with size', () => {
    fc.assert(
      fc.property(positionArb, fc.double({ min: 1, max: 50, noNaN: true }), (position, factor) => {
        const one = standardOptionMargin(position);
        const many = standardOptionMargin({ ...position, size: position.size * factor });
        for (const key of ['initialCoin', 'maintenanceCoin', 'valueCoin', 'valueForInitialCoin'] as const) {
          assert.ok(Math.abs(many[key] - one[key] * factor) <= 1e-12 * Math.max(1, Math.abs(many[key])), key);
        }
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  test('a short further out of the money never needs more initial margin at the same mark', () => {
    fc.assert(
      fc.property(positionArb, fc.double({ min: 0, max: 0.5, noNaN: true }), (position, move) => {
        const shortPosition = { ...position, side: 'short' as const };
        const strike = shortPosition.kind === 'call' ? position.strike * (1 + move) : position.strike * (1 - move);
        const further = { ...shortPosition, strike };
        assert.ok(standardOptionMargin(further).initialCoin <= standardOptionMargin(shortPosition).initialCoin + 1e-12);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  test('a long never counts for more than its mark value, and never needs margin', () => {
    fc.assert(
      fc.property(positionArb, (position) => {
        const margin = standardOptionMargin({ ...position, side: 'long' });
        assert.equal(margin.initialCoin, 0);
        assert.ok(margin.valueForInitialCoin <= margin.valueCoin && margin.valueForInitialCoin >= 0);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('standard option margin: rejections', () => {
  test('inputs and parameters that would break IM >= MM are rejected with a stable code', () => {
    const good = short('call', 110_000, 0.02);
    const cases: [Partial<StandardOptionMarginInput>, string][] = [
      [{ size: 0 }, 'size must be > 0'],
      [{ indexPrice: 0 }, 'indexPrice must be > 0'],
      [{ markCoin: -0.01 }, 'markCoin must be >= 0'],
      [{ strike: Number.NaN }, 'strike must be >= 0'],
      [{ params: { ...DERIBIT_BTC, initialMin: 0.05 } }, 'initialMin must be >= maintenance'],
      [{ params: { ...DERIBIT_BTC, initialBase: 0.09 } }, 'initialBase must be >= initialMin'],
      [{ params: { ...DERIBIT_BTC, longInitialHaircut: 1.5 } }, 'longInitialHaircut must be in [0, 1]'],
    ];
    for (const [change, detail] of cases) {
      assert.throws(
        () => standardOptionMargin({ ...good, ...change }),
        (error: unknown) => error instanceof RangeError && error.message === `option_margin_input_invalid: ${detail}`,
        detail,
      );
    }
  });
});
