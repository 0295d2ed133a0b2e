/**
 * Float64 risk figures printed as decimal strings for the wire. A float such as an average entry
 * price (entry value / size) is printed from its shortest round-trip form ("57444.444444444445"),
 * then rounded half to even at a fixed scale in decimal, so the result never depends on the
 * binary expansion: 57444.444444444445 -> "57444.44444444".
 */
import { invariant } from '../risk/errors.js';
import { formatDecimal } from '../risk/units/decimal.js';

const SHORTEST_FORM = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

export function decimalOfNumber(value: number, decimals: number): string {
  invariant(Number.isFinite(value), `decimalOfNumber: not finite: ${value}`);
  invariant(Number.isInteger(decimals) && decimals >= 0 && decimals <= 20, `decimalOfNumber: scale ${decimals}`);
  const match = SHORTEST_FORM.exec(Math.abs(value).toString());
  invariant(match !== null, `decimalOfNumber: unexpected form of ${value}`);
  const [, whole = '0', fraction = '', exponentText = '0'] = match;
  // Move the decimal point by the exponent: digits "12345" with the point after index 3 ...
  const digits = whole + fraction;
  const point = whole.length + Number(exponentText);
  const padded = point <= 0 ? '0'.repeat(1 - point) + digits : digits.padEnd(point, '0');
  const pointAt = point <= 0 ? 1 : point;
  const integerPart = padded.slice(0, pointAt);
  const fractionPart = padded.slice(pointAt);
  const kept = fractionPart.slice(0, decimals).padEnd(decimals, '0');
  const dropped = fractionPart.slice(decimals);
  let units = BigInt(integerPart + kept);
  if (roundsUp(dropped, units)) units += 1n;
  return formatDecimal(value < 0 ? -units : units, decimals);
}

/** Half to even on the dropped digits: above one half rounds up, exactly one half goes to even. */
function roundsUp(dropped: string, kept: bigint): boolean {
  const first = dropped.charAt(0);
  if (first === '' || first < '5') return false;
  if (first > '5' || /[1-9]/.test(dropped.slice(1))) return true;
  return kept % 2n === 1n;
}
