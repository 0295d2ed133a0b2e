/**
 * Notional brackets with a maintenance amount: Binance USD-M, Bybit, Hyperliquid (METHODS.md §1.1).
 *
 *   MM = notional x MMR_k - cum_k,  cum_1 = 0,  cum_k = cum_(k-1) + floor_k x (MMR_k - MMR_(k-1))
 *
 * The maintenance amount keeps MM continuous across bracket floors. IM = notional / leverage with the
 * leverage bounded by the bracket's maximum; the user's own leverage is applied by `requirementOf`.
 * Worked: Binance BTCUSDT, 10 BTC at 60,000 = 600,000 notional lands in bracket 250k (MMR 1%,
 * cum 1,300): MM = 6,000 - 1,300 = 4,700.
 */
import { invariant } from '../errors.js';
import type { Bracket, LinearMarginModel } from './types.js';

export interface ResolvedBracket extends Bracket {
  readonly index: number;
  readonly maintenanceAmount: number;
}

export function resolveBrackets(brackets: readonly Bracket[]): readonly ResolvedBracket[] {
  invariant(brackets.length > 0, 'brackets: at least one bracket');
  const resolved: ResolvedBracket[] = [];
  let cum = 0;
  brackets.forEach((b, index) => {
    const previous = resolved[index - 1];
    if (previous !== undefined) cum += b.notionalFloor * (b.maintenanceRate - previous.maintenanceRate);
    resolved.push({ ...b, index, maintenanceAmount: cum });
  });
  return resolved;
}

/** The bracket a notional falls in: the last whose floor is at or below it. */
export function bracketOf(brackets: readonly ResolvedBracket[], notional: number): ResolvedBracket {
  let found = brackets[0];
  invariant(found !== undefined, 'brackets: at least one bracket');
  for (const b of brackets) {
    if (b.notionalFloor <= notional) found = b;
    else break;
  }
  return found;
}

export function bracketsModel(brackets: readonly Bracket[]): LinearMarginModel {
  const resolved = resolveBrackets(brackets);
  return ({ notional }) => {
    const b = bracketOf(resolved, notional);
    const maintenance = Math.max(0, notional * b.maintenanceRate - b.maintenanceAmount);
    return {
      initial: notional / b.leverageMax,
      maintenance,
      rule:
        `bracket ${b.index + 1} (notional >= ${b.notionalFloor}): MMR ${pct(b.maintenanceRate)}, ` +
        `maintenance amount ${round2(b.maintenanceAmount)}, leverage max ${b.leverageMax}x`,
    };
  };
}

export function pct(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(10))}%`;
}

export function round2(value: number): string {
  return String(Math.round(value * 100) / 100);
}
