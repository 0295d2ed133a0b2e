/**
 * A dry run of a parameter change (DESIGN.md D6, R20): which accounts the new parameters would
 * push into a worse status, before the change is applied. Read-only: nothing is journaled.
 */
import { DocumentError, type Issue } from '../config/issues.js';
import { loadVenueParams } from '../config/load.js';
import { marginOf } from '../risk/account/account.js';
import { STATUS_ORDER, type Status } from '../risk/account/types.js';
import { riskAccountOf, riskMarketOf } from './riskView.js';
import type { EngineState } from './state.js';

export interface StatusChange {
  readonly accountId: string;
  readonly before: Status;
  readonly after: Status;
}

export type DryRunResult =
  | { readonly ok: true; readonly worsened: readonly StatusChange[]; readonly unpriced: readonly string[] }
  | { readonly ok: false; readonly issues: readonly Issue[] };

export function dryRunParams(state: EngineState, document: unknown): DryRunResult {
  const current = state.params;
  let next;
  try {
    next = loadVenueParams(document);
  } catch (error) {
    if (error instanceof DocumentError) return { ok: false, issues: error.issues };
    throw error;
  }
  const worsened: StatusChange[] = [];
  const unpriced: string[] = [];
  const ids = [...state.accounts.keys()].sort();
  for (const id of ids) {
    const account = riskAccountOf(state.accounts.get(id) as NonNullable<ReturnType<typeof state.accounts.get>>);
    try {
      const before = current === undefined ? 'healthy' : marginOf(account, riskMarketOf(state.market, state.openInterest, current.risk), current.risk).status;
      const after = marginOf(account, riskMarketOf(state.market, state.openInterest, next), next).status;
      if (STATUS_ORDER.indexOf(after) > STATUS_ORDER.indexOf(before)) worsened.push({ accountId: id, before, after });
    } catch {
      unpriced.push(id);
    }
  }
  return { ok: true, worsened, unpriced };
}
