/**
 * Number formatting shared by the analytics reports. Analytics figures are float64 risk measures,
 * not ledger amounts: they print with two decimals for money and as percentages for rates, and go
 * to JSON as numbers (Infinity and NaN as null, which JSON cannot hold).
 */
import Table from 'cli-table3';
import type { GarchShocks } from '../risk/analytics/garch.js';
import { groupDigits } from './accountTable.js';

export const PLAIN_STYLE = { head: [] as string[], border: [] as string[], compact: true };

/** "1,234,567.89"; "-" for a missing figure. */
export function money(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '-';
  // -0.00 reads as a loss that is not there.
  const text = x.toFixed(2);
  return groupDigits(text === '-0.00' ? '0.00' : text);
}

/** A fraction as a percentage: 0.0123 -> "1.23%". */
export function percent(x: number | null, decimals = 2): string {
  if (x === null || !Number.isFinite(x)) return '-';
  const text = (x * 100).toFixed(decimals);
  return `${groupDigits(text.startsWith('-') && Number(text) === 0 ? text.slice(1) : text)}%`;
}

/** A signed move: -0.15 -> "-15.00%", 0.2 -> "+20.00%". */
export function signedPercent(x: number, decimals = 2): string {
  const text = percent(x, decimals);
  return x > 0 ? `+${text}` : text;
}

export function confidenceText(confidence: number): string {
  return `${Number((confidence * 100).toPrecision(6))}%`;
}

/** A finite number, or null: what JSON can hold. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function table(head: readonly string[], rows: readonly (readonly string[])[], aligns?: readonly ('left' | 'right')[]): string {
  const t = new Table({
    style: PLAIN_STYLE,
    ...(head.length === 0 ? {} : { head: [...head] }),
    colAligns: [...(aligns ?? head.map((_, i) => (i === 0 ? 'left' : 'right')))],
  });
  for (const row of rows) t.push([...row]);
  return t.toString();
}

/** A shock distribution as the CLI spells it: "normal" or "t:8". */
export function shocksText(shocks: GarchShocks): string {
  return shocks.kind === 'normal' ? 'normal' : `t:${shocks.degreesOfFreedom}`;
}
