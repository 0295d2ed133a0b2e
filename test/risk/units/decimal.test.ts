/**
 * Decimal strings in and out of the ledger types (src/risk/units/decimal.ts): exact round trips,
 * one canonical printed form, and stable codes for every malformed input.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../../src/risk/errors.js';
import {
  AMOUNT_DECIMALS,
  DECIMAL_LENGTH_MAX,
  PRICE_DECIMALS,
  RATE_DECIMALS,
  SIZE_DECIMALS,
  amount,
  formatAmount,
  formatDecimal,
  formatPrice,
  formatRate,
  formatSize,
  parseAmount,
  parseDecimal,
  parsePrice,
  parseRate,
  parseSize,
  price,
  rate,
  size,
} from '../../../src/risk/units/index.js';
import { Exact } from '../../support/exact.js';

// Report the failing assertion's message with the counterexample.
fc.configureGlobal({ includeErrorInReport: true });

/** The canonical form: no leading zeros, no trailing fractional zeros, no "-0", no "+". */
const CANONICAL = /^(0|-?(0\.[0-9]*[1-9]|[1-9][0-9]*(\.[0-9]*[1-9])?))$/;

// Scaled integers up to 10^40 units, well past any ledger value but inside DECIMAL_LENGTH_MAX.
const units = fc.oneof(
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
  fc.bigInt({ min: -1_000_000n, max: 1_000_000n }),
);

function rejects(input: unknown, code: string, parse: (input: unknown) => unknown = (i) => parseAmount(i)): void {
  assert.throws(
    () => parse(input),
    (error: unknown) => error instanceof InputError && error.code === code,
    `${JSON.stringify(String(input))} (${typeof input}) should be rejected with ${code}`,
  );
}

describe('decimal strings', () => {
  test('parse(format(x)) = x for amounts, prices, sizes and rates', () => {
    fc.assert(
      fc.property(units, (u) => {
        assert.equal(parseAmount(formatAmount(amount(u))), u);
        assert.equal(parseSize(formatSize(size(u))), u);
        assert.equal(parseRate(formatRate(rate(u))), u);
        if (u > 0n) assert.equal(parsePrice(formatPrice(price(u))), u);
      }),
      { seed: 101, numRuns: 2000 },
    );
  });

  test('format always prints the canonical form, and the same value as decimal.js', () => {
    fc.assert(
      fc.property(units, fc.constantFrom(AMOUNT_DECIMALS, RATE_DECIMALS, 0, 2), (u, decimals) => {
        const printed = formatDecimal(u, decimals);
        assert.match(printed, CANONICAL);
        assert.equal(printed, new Exact(u.toString()).div(new Exact(10).pow(decimals)).toFixed());
      }),
      { seed: 102, numRuns: 2000 },
    );
  });

  test('format(parse(s)) is canonical: trailing zeros and a negative zero are dropped', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 12 });
    const whole = fc.oneof(fc.constant('0'), digits.map((d) => `1${d}`), fc.constantFrom('1', '9', '42'));
    const decimal = fc
      .tuple(fc.boolean(), whole, fc.option(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 8 })), fc.nat(4))
      .map(([negative, w, fraction, zeros]) => `${negative ? '-' : ''}${w}${fraction === null ? '' : `.${fraction}${'0'.repeat(zeros)}`}`);
    fc.assert(
      fc.property(decimal, (s) => {
        const printed = formatAmount(parseAmount(s));
        assert.match(printed, CANONICAL);
        // decimal.js prints the same number in the same canonical way (and "-0" as "0").
        assert.equal(printed, new Exact(s).toFixed());
        if (CANONICAL.test(s)) assert.equal(printed, s);
        assert.equal(formatAmount(parseAmount(printed)), printed);
      }),
      { seed: 103, numRuns: 2000 },
    );
  });

  test('examples parse to their scaled integers', () => {
    assert.equal(parseAmount('84000'), 8_400_000_000_000n);
    assert.equal(parseAmount('-0.00000001'), -1n);
    assert.equal(parseAmount('1.50000000000'), 150_000_000n); // zeros beyond the scale are exact
    assert.equal(parseAmount('-0'), 0n);
    assert.equal(parseRate('0.000000000001'), 1n);
    assert.equal(formatAmount(parseAmount('1.50')), '1.5');
    assert.equal(formatDecimal(5n, 8, { minDecimals: 2 }), '0.00000005');
    assert.equal(formatDecimal(150_000_000n, 8, { minDecimals: 2 }), '1.50');
  });

  test('non-strings are rejected with decimal_not_a_string', () => {
    for (const input of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, 0, 84000.5, 1n, null, undefined, true, {}, ['1']]) {
      rejects(input, 'decimal_not_a_string');
    }
  });

  test('the empty string is rejected with decimal_empty', () => {
    rejects('', 'decimal_empty');
  });

  test('NaN, Infinity, exponents, signs, stray dots, spaces and leading zeros are rejected with decimal_malformed', () => {
    const malformed = [
      'NaN', 'Infinity', '-Infinity', '1e5', '1E5', '1e-5', '+1', '.5', '-.5', '5.', '-', '.', ' 1', '1 ', '1 000',
      '\t1', '1\n', '01', '00', '-01', '0x10', '1,5', '1.2.3', '--1', '1-', 'abc', '١', '1_000', '0.5.', '٫5',
    ];
    for (const input of malformed) rejects(input, 'decimal_malformed');
  });

  test('more fractional digits than the scale is rejected with decimal_excess_precision', () => {
    rejects('0.000000001', 'decimal_excess_precision');
    rejects('-84000.123456789', 'decimal_excess_precision', (i) => parseSize(i));
    rejects('1.0000000010', 'decimal_excess_precision', (i) => parsePrice(i));
    rejects('0.0000000000001', 'decimal_excess_precision', (i) => parseRate(i));
    assert.equal(parseRate('0.000000000001'), 1n, 'rates keep twelve places');
    fc.assert(
      fc.property(fc.nat({ max: 10 ** 6 }), fc.integer({ min: 1, max: 9 }), (whole, excessDigit) => {
        const s = `${whole}.${'0'.repeat(PRICE_DECIMALS)}${excessDigit}`;
        rejects(s, 'decimal_excess_precision');
      }),
      { seed: 104, numRuns: 200 },
    );
  });

  test('strings longer than DECIMAL_LENGTH_MAX are rejected with decimal_too_long, even if well formed', () => {
    const longest = `1${'0'.repeat(DECIMAL_LENGTH_MAX - 1)}`;
    assert.equal(parseAmount(longest), 10n ** BigInt(DECIMAL_LENGTH_MAX - 1 + AMOUNT_DECIMALS));
    rejects(`${longest}0`, 'decimal_too_long');
    rejects(`0.${'0'.repeat(DECIMAL_LENGTH_MAX)}`, 'decimal_too_long');
    rejects(' '.repeat(DECIMAL_LENGTH_MAX + 1), 'decimal_too_long');
  });

  test('prices must be positive: price_not_positive', () => {
    rejects('0', 'price_not_positive', (i) => parsePrice(i));
    rejects('-0', 'price_not_positive', (i) => parsePrice(i));
    rejects('-84000', 'price_not_positive', (i) => parsePrice(i));
    rejects('0.00000000', 'price_not_positive', (i) => parsePrice(i));
    assert.equal(parsePrice('0.00000001'), 1n);
    rejects('1e3', 'decimal_malformed', (i) => parsePrice(i));
  });

  test('every random string either parses to what decimal.js reads or is rejected with a stable code', () => {
    const codes = new Set(['decimal_empty', 'decimal_malformed', 'decimal_excess_precision', 'decimal_too_long']);
    const pattern = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789.-+e ,'), maxLength: 20 }),
      fc.string({ maxLength: 70 }),
    );
    fc.assert(
      fc.property(text, (s) => {
        let parsed: bigint | undefined;
        try {
          parsed = parseDecimal(s, SIZE_DECIMALS);
        } catch (error) {
          assert.ok(error instanceof InputError && codes.has(error.code), `unexpected error for ${JSON.stringify(s)}`);
          assert.ok(!pattern.test(s) || s.length > DECIMAL_LENGTH_MAX || (s.split('.')[1] ?? '').replace(/0+$/, '').length > SIZE_DECIMALS);
          return;
        }
        assert.ok(pattern.test(s), `${JSON.stringify(s)} was accepted`);
        assert.equal(parsed, BigInt(new Exact(s).times(1e8).toFixed(0)));
      }),
      { seed: 105, numRuns: 3000 },
    );
  });

  test('the error names the path of the offending value', () => {
    assert.throws(
      () => parseAmount('1e5', '/account/balances/USDT'),
      (error: unknown) => error instanceof InputError && error.path === '/account/balances/USDT' && error.code === 'decimal_malformed',
    );
  });
});
