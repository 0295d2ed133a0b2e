/**
 * The price CSV parser: both forms, header detection, and errors with stable codes and line numbers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CSV_ISSUES_MAX, parsePriceCsv, type CsvParseResult, type PriceSeries } from '../../../src/risk/analytics/index.js';

fc.configureGlobal({ includeErrorInReport: true });

function series(result: CsvParseResult): PriceSeries {
  if (!result.ok) assert.fail(`expected a series, got ${JSON.stringify(result.issues)}`);
  return result.series;
}

function issues(result: CsvParseResult): { code: string; line: number }[] {
  if (result.ok) assert.fail('expected issues, got a series');
  return result.issues.map(({ code, line }) => ({ code, line }));
}

describe('accepted forms', () => {
  test('OHLC with a header, extra columns ignored, CRLF line ends', () => {
    const text = 'Date,Open,High,Low,Close,Volume\r\n2024-03-11,100,110,95,105,1200\r\n2024-03-12,105,106,60,61,9000\r\n';
    const result = parsePriceCsv(text);
    const s = series(result);
    assert.equal(s.kind, 'ohlc');
    if (s.kind !== 'ohlc') return;
    assert.deepEqual(s.dates, ['2024-03-11', '2024-03-12']);
    assert.deepEqual([...s.open], [100, 105]);
    assert.deepEqual([...s.high], [110, 106]);
    assert.deepEqual([...s.low], [95, 60]);
    assert.deepEqual([...s.close], [105, 61]);
    assert.equal(result.ok && result.headerDetected, true);
  });

  test('the simple date,price form, with and without a header, quotes, comments and blank lines', () => {
    const withHeader = series(parsePriceCsv('# BTC daily close\ndate,price\n\n"2020-03-11",7900.5\n"2020-03-12",4970.79\n'));
    assert.equal(withHeader.kind, 'close');
    assert.deepEqual([...withHeader.close], [7900.5, 4970.79]);
    const bare = parsePriceCsv('2020-03-11,7900.5\n2020-03-12,4.97079e3\n');
    assert.deepEqual([...series(bare).close], [7900.5, 4970.79]);
    assert.equal(bare.ok && bare.headerDetected, false);
  });

  test('headerless OHLC, tab-separated, with epoch dates', () => {
    const s = series(parsePriceCsv('1710115200\t100\t110\t95\t105\n1710201600\t105\t106\t60\t61\n'));
    assert.equal(s.kind, 'ohlc');
    assert.deepEqual(s.dates, ['1710115200', '1710201600']);
  });

  test('a header may name the close "adj close" and the date "timestamp", in any column order', () => {
    const s = series(parsePriceCsv('Adj Close;Timestamp\n10;2024-01-01T00:00:00Z\n11;2024-01-02T00:00:00Z\n'));
    assert.deepEqual([...s.close], [10, 11]);
  });

  test('any series of positive prices on increasing dates round-trips through text', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 50 }), (prices) => {
        const text = ['date,close', ...prices.map((p, i) => `${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-15,${p}`)].join('\n');
        assert.deepEqual([...series(parsePriceCsv(text)).close], prices);
      }),
      { seed: 1601, numRuns: 200 },
    );
  });
});

describe('errors with stable codes and line numbers', () => {
  test('empty text and a header without rows', () => {
    assert.deepEqual(issues(parsePriceCsv('')), [{ code: 'csv_empty', line: 1 }]);
    assert.deepEqual(issues(parsePriceCsv('\n# nothing\n')), [{ code: 'csv_empty', line: 1 }]);
    assert.deepEqual(issues(parsePriceCsv('date,close\n')), [{ code: 'csv_no_data_rows', line: 1 }]);
  });

  test('bad numbers, non-positive prices and bad dates are reported on their lines', () => {
    const text = 'date,close\n2024-01-01,100\n2024-01-02,1,000\n2024-01-03,abc\n2024-01-04,-5\n2024-02-30,10\n2024-01-06,\n';
    assert.deepEqual(issues(parsePriceCsv(text)), [
      { code: 'csv_column_count_mismatch', line: 3 },
      { code: 'csv_number_invalid', line: 4 },
      { code: 'csv_price_not_positive', line: 5 },
      { code: 'csv_date_invalid', line: 6 },
      { code: 'csv_number_invalid', line: 7 },
    ]);
  });

  test('a first row with a date and a bad price is a data row, not a header', () => {
    assert.deepEqual(issues(parsePriceCsv('2024-01-01,n/a\n2024-01-02,5\n')), [{ code: 'csv_number_invalid', line: 1 }]);
  });

  test('OHLC rows must be consistent: low <= open, close <= high', () => {
    assert.deepEqual(issues(parsePriceCsv('date,open,high,low,close\n2024-01-01,100,99,95,98\n')), [{ code: 'csv_ohlc_inconsistent', line: 2 }]);
  });

  test('dates must increase, in one form', () => {
    assert.deepEqual(issues(parsePriceCsv('2024-01-02,1\n2024-01-01,2\n')), [{ code: 'csv_dates_not_increasing', line: 2 }]);
    assert.deepEqual(issues(parsePriceCsv('2024-01-02,1\n2024-01-02,2\n')), [{ code: 'csv_dates_not_increasing', line: 2 }]);
    assert.deepEqual(issues(parsePriceCsv('2024-01-02,1\n1710115200,2\n')), [{ code: 'csv_date_format_mixed', line: 2 }]);
  });

  test('headers that miss a column, name half of OHLC, or rows with the wrong width', () => {
    assert.deepEqual(issues(parsePriceCsv('when,close\nx,1\n')), [{ code: 'csv_header_column_missing', line: 1 }]);
    assert.deepEqual(issues(parsePriceCsv('date,open,close\n2024-01-01,1,1\n')), [{ code: 'csv_header_ohlc_incomplete', line: 1 }]);
    assert.deepEqual(issues(parsePriceCsv('2024-01-01,1,2\n')), [{ code: 'csv_column_count_invalid', line: 1 }]);
  });

  test(`at most ${CSV_ISSUES_MAX} issues are collected, then the parser stops and says so`, () => {
    const text = ['date,close', ...Array.from({ length: 50 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')},x`)].join('\n');
    const result = parsePriceCsv(text);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.issues.length, CSV_ISSUES_MAX);
    assert.equal(result.truncated, true);
    assert.match(result.issues[0]?.message ?? '', /close "x" is not a decimal number/);
  });
});
