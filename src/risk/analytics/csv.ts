/**
 * A parser for daily price files, from text (reading the file stays outside risk/):
 * - OHLC: `date,open,high,low,close` (extra columns such as volume are ignored);
 * - close only: `date,price`.
 * A header is detected when the first line's first field is not a date and its second is not a
 * number; its names pick the columns (case-insensitive: date|time|timestamp|datetime|day; open; high; low; close|price|last|
 * adj close). Without a header, 2 columns mean date,price and 5 or more mean date,open,high,low,
 * close. Fields are separated by commas (or tabs or semicolons, whichever the first line uses) and
 * may be wrapped in double quotes; blank lines and lines starting with `#` are skipped.
 *
 * Dates are kept as text, never parsed into a clock: an ISO date (2024-03-12, with an optional
 * time part) or an integer epoch, one form per file, strictly increasing. Prices are plain decimals
 * (`1234.5`, `1.2e3`; no thousands separators) and must be > 0; OHLC rows need
 * low <= open, close <= high.
 *
 * Errors are values with a stable code and a 1-based line number; up to 20 are collected.
 */

/** Most data rows in one file: 1 million (4,000 years of daily data). */
export const CSV_ROWS_MAX = 1_000_000;
/** Most issues reported before the parser stops. */
export const CSV_ISSUES_MAX = 20;

export type PriceSeries =
  | {
      readonly kind: 'ohlc';
      readonly dates: readonly string[];
      readonly open: Float64Array;
      readonly high: Float64Array;
      readonly low: Float64Array;
      readonly close: Float64Array;
    }
  | { readonly kind: 'close'; readonly dates: readonly string[]; readonly close: Float64Array };

export type CsvIssueCode =
  | 'csv_empty'
  | 'csv_no_data_rows'
  | 'csv_too_many_rows'
  | 'csv_header_column_missing'
  | 'csv_header_ohlc_incomplete'
  | 'csv_column_count_invalid'
  | 'csv_column_count_mismatch'
  | 'csv_number_invalid'
  | 'csv_price_not_positive'
  | 'csv_ohlc_inconsistent'
  | 'csv_date_invalid'
  | 'csv_date_format_mixed'
  | 'csv_dates_not_increasing';

export interface CsvIssue {
  readonly code: CsvIssueCode;
  /** 1-based line number in the text. */
  readonly line: number;
  readonly message: string;
}

export type CsvParseResult =
  | { readonly ok: true; readonly series: PriceSeries; readonly headerDetected: boolean }
  | { readonly ok: false; readonly issues: readonly CsvIssue[]; readonly truncated: boolean };

interface Columns {
  readonly date: number;
  readonly close: number;
  readonly ohlc: { readonly open: number; readonly high: number; readonly low: number } | 'none';
  readonly count: number;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})([T ](\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const EPOCH = /^\d{1,16}$/;

const DATE_NAMES = new Set(['date', 'time', 'timestamp', 'datetime', 'day']);
const CLOSE_NAMES = ['close', 'price', 'last', 'adj close', 'adj_close', 'adjclose'];

class IssueList {
  readonly issues: CsvIssue[] = [];
  truncated = false;
  add(code: CsvIssueCode, line: number, message: string): void {
    if (this.issues.length >= CSV_ISSUES_MAX) this.truncated = true;
    else this.issues.push({ code, line, message });
  }
  get full(): boolean {
    return this.issues.length >= CSV_ISSUES_MAX;
  }
}

function splitFields(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((f) => {
    const t = f.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
}

function delimiterOf(line: string): string {
  for (const d of [',', '\t', ';']) if (line.includes(d)) return d;
  return ',';
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

type DateForm = 'iso' | 'epoch';

/** The form of a date field, or a reason it is not one. */
function dateForm(text: string): DateForm | { readonly invalid: string } {
  if (EPOCH.test(text)) return 'epoch';
  const m = ISO_DATE.exec(text);
  if (m === null) return { invalid: `"${text}" is neither an ISO date (YYYY-MM-DD) nor an integer epoch` };
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { invalid: `"${text}" is not a calendar date` };
  if (m[4] !== undefined && (Number(m[5]) > 23 || Number(m[6]) > 59 || Number(m[8] ?? 0) > 59)) return { invalid: `"${text}" has an invalid time` };
  return 'iso';
}

function headerColumns(fields: readonly string[], line: number, issues: IssueList): Columns | 'invalid' {
  const names = fields.map((f) => f.toLowerCase());
  const date = names.findIndex((n) => DATE_NAMES.has(n));
  const close = CLOSE_NAMES.map((c) => names.indexOf(c)).find((i) => i >= 0) ?? -1;
  if (date < 0) issues.add('csv_header_column_missing', line, 'the header names no date column (date, time, timestamp, datetime or day)');
  if (close < 0) issues.add('csv_header_column_missing', line, 'the header names no close column (close, price, last or adj close)');
  const open = names.indexOf('open');
  const high = names.indexOf('high');
  const low = names.indexOf('low');
  const present = [open, high, low].filter((i) => i >= 0).length;
  if (present > 0 && present < 3) issues.add('csv_header_ohlc_incomplete', line, 'the header names some of open, high, low but not all three');
  if (date < 0 || close < 0 || (present > 0 && present < 3)) return 'invalid';
  return { date, close, ohlc: present === 3 ? { open, high, low } : 'none', count: fields.length };
}

function positionalColumns(count: number, line: number, issues: IssueList): Columns | 'invalid' {
  if (count === 2) return { date: 0, close: 1, ohlc: 'none', count };
  if (count >= 5) return { date: 0, close: 4, ohlc: { open: 1, high: 2, low: 3 }, count };
  issues.add('csv_column_count_invalid', line, `${count} columns without a header: expected 2 (date,price) or 5 (date,open,high,low,close)`);
  return 'invalid';
}

interface Row {
  readonly line: number;
  readonly date: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

function priceField(text: string, name: string, line: number, issues: IssueList): number | 'invalid' {
  if (!NUMBER.test(text)) {
    issues.add('csv_number_invalid', line, `${name} "${text}" is not a decimal number`);
    return 'invalid';
  }
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) {
    issues.add('csv_price_not_positive', line, `${name} ${text} must be a finite number > 0`);
    return 'invalid';
  }
  return value;
}

function parseRow(fields: readonly string[], columns: Columns, line: number, issues: IssueList): Row | 'invalid' {
  if (fields.length !== columns.count) {
    issues.add('csv_column_count_mismatch', line, `${fields.length} fields, expected ${columns.count}`);
    return 'invalid';
  }
  const date = fields[columns.date] ?? '';
  const form = dateForm(date);
  if (typeof form !== 'string') issues.add('csv_date_invalid', line, form.invalid);
  const close = priceField(fields[columns.close] ?? '', 'close', line, issues);
  if (columns.ohlc === 'none') {
    return typeof form !== 'string' || close === 'invalid' ? 'invalid' : { line, date, open: close, high: close, low: close, close };
  }
  const open = priceField(fields[columns.ohlc.open] ?? '', 'open', line, issues);
  const high = priceField(fields[columns.ohlc.high] ?? '', 'high', line, issues);
  const low = priceField(fields[columns.ohlc.low] ?? '', 'low', line, issues);
  if (typeof form !== 'string' || close === 'invalid' || open === 'invalid' || high === 'invalid' || low === 'invalid') return 'invalid';
  if (!(low <= Math.min(open, close) && high >= Math.max(open, close))) {
    issues.add('csv_ohlc_inconsistent', line, `needs low <= open, close <= high (open ${open}, high ${high}, low ${low}, close ${close})`);
    return 'invalid';
  }
  return { line, date, open, high, low, close };
}

function checkDateOrder(rows: readonly Row[], issues: IssueList): void {
  const forms = rows.map((r) => dateForm(r.date));
  rows.forEach((row, i) => {
    if (i === 0 || issues.full) return;
    const previous = rows[i - 1] as Row;
    if (forms[i] !== forms[0]) {
      issues.add('csv_date_format_mixed', row.line, `"${row.date}" does not have the form of the first date "${rows[0]?.date}"`);
      return;
    }
    const ordered = forms[0] === 'epoch' ? BigInt(row.date) > BigInt(previous.date) : row.date > previous.date;
    if (!ordered) issues.add('csv_dates_not_increasing', row.line, `"${row.date}" does not come after "${previous.date}" (line ${previous.line}); sort the file by date, oldest first`);
  });
}

export function parsePriceCsv(text: string): CsvParseResult {
  const issues = new IssueList();
  const lines = text.split(/\r\n|\n|\r/);
  const content = lines.map((l, i) => ({ line: i + 1, text: l.replace(/^\uFEFF/, '') })).filter((l) => l.text.trim() !== '' && !l.text.trimStart().startsWith('#'));
  const first = content[0];
  if (first === undefined) return { ok: false, issues: [{ code: 'csv_empty', line: 1, message: 'the text holds no data' }], truncated: false };
  const delimiter = delimiterOf(first.text);
  const firstFields = splitFields(first.text, delimiter);
  // A header's first field is not a date and its second is not a number; a data row with a bad price
  // still starts with a date, and is reported as a data row.
  const headerDetected = typeof dateForm(firstFields[0] ?? '') !== 'string' && !NUMBER.test(firstFields[1] ?? '');
  const columns = headerDetected ? headerColumns(firstFields, first.line, issues) : positionalColumns(firstFields.length, first.line, issues);
  if (columns === 'invalid') return { ok: false, issues: issues.issues, truncated: issues.truncated };
  const dataLines = headerDetected ? content.slice(1) : content;
  if (dataLines.length === 0) return { ok: false, issues: [{ code: 'csv_no_data_rows', line: first.line, message: 'a header but no data rows' }], truncated: false };
  if (dataLines.length > CSV_ROWS_MAX) {
    const over = dataLines[CSV_ROWS_MAX] as { line: number };
    return { ok: false, issues: [{ code: 'csv_too_many_rows', line: over.line, message: `more than ${CSV_ROWS_MAX} data rows` }], truncated: false };
  }
  const rows: Row[] = [];
  for (const l of dataLines) {
    if (issues.full) {
      issues.truncated = true;
      break;
    }
    const row = parseRow(splitFields(l.text, delimiter), columns, l.line, issues);
    if (row !== 'invalid') rows.push(row);
  }
  if (issues.issues.length === 0) checkDateOrder(rows, issues);
  if (issues.issues.length > 0) return { ok: false, issues: issues.issues, truncated: issues.truncated };
  const dates = rows.map((r) => r.date);
  const close = Float64Array.from(rows, (r) => r.close);
  if (columns.ohlc === 'none') return { ok: true, series: { kind: 'close', dates, close }, headerDetected };
  return {
    ok: true,
    headerDetected,
    series: {
      kind: 'ohlc',
      dates,
      open: Float64Array.from(rows, (r) => r.open),
      high: Float64Array.from(rows, (r) => r.high),
      low: Float64Array.from(rows, (r) => r.low),
      close,
    },
  };
}
