/**
 * Comparing the kernel with the reference: one account's kernel figures against `marginOf`, with
 * the tolerances the kernel documents (src/kernel/book.ts):
 * - status: equal, always;
 * - IM and MM: equal (per-position requirements are bit-identical, their sums exact below 2^53);
 * - equity, collateral and unrealised PnL: equal when no position of the account is open (PnL is
 *   then exact), else within 1e-9 relative or one unit (1e-8) per open position plus two;
 * - margin ratio: within 1e-9 relative, or the collateral's tolerance divided by MM.
 */
import assert from 'node:assert/strict';
import { marginOf, type AccountMargin } from '../../src/risk/account/account.js';
import type { Account, Market, RiskParams } from '../../src/risk/account/types.js';
import { InputError } from '../../src/risk/errors.js';
import { accountFigures, type RiskBook } from '../../src/kernel/index.js';

export type Reference = { readonly ok: true; readonly margin: AccountMargin } | { readonly ok: false; readonly code: string };

export function referenceOf(account: Account, market: Market, params: RiskParams): Reference {
  try {
    return { ok: true, margin: marginOf(account, market, params) };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, code: error.code };
    throw error;
  }
}

const EXACT = 2 ** 53;

function close(what: string, kernel: number, reference: bigint, units: number): void {
  const r = Number(reference);
  const tolerance = Math.max(1e-9 * Math.abs(r), units);
  assert.ok(Math.abs(kernel - r) <= tolerance, `${what}: kernel ${kernel}, reference ${reference} (tolerance ${tolerance})`);
}

/** Asserts the kernel's figures of account `a` against the reference's valuation of `account`. */
export function assertAgrees(book: RiskBook, a: number, account: Account, market: Market, params: RiskParams): Reference {
  const reference = referenceOf(account, market, params);
  const kernel = accountFigures(book, a);
  const where = `account ${account.id}`;
  if (!reference.ok) {
    assert.equal(kernel.status, 'unvalued', `${where}: the reference rejects it (${reference.code})`);
    assert.equal(book.unvalued.get(a), reference.code, `${where}: same code`);
    return reference;
  }
  const m = reference.margin;
  assert.equal(kernel.status, m.status, `${where}: status`);
  const exactSum = (x: bigint): boolean => x < BigInt(EXACT / 2) && x > -BigInt(EXACT / 2);
  if (exactSum(m.initialMargin)) assert.equal(kernel.initialMargin, Number(m.initialMargin), `${where}: IM`);
  else close(`${where}: IM`, kernel.initialMargin, m.initialMargin, 1);
  if (exactSum(m.maintenanceMargin)) assert.equal(kernel.maintenanceMargin, Number(m.maintenanceMargin), `${where}: MM`);
  else close(`${where}: MM`, kernel.maintenanceMargin, m.maintenanceMargin, 1);
  const open = account.positions.filter((p) => p.size !== 0n).length;
  const units = open === 0 ? 0 : open + 2;
  close(`${where}: equity`, kernel.equity, m.equity, units);
  close(`${where}: IM collateral`, kernel.collateralInitial, m.collateralInitial, units);
  close(`${where}: MM collateral`, kernel.collateralMaintenance, m.collateralMaintenance, units);
  close(`${where}: unrealised PnL`, kernel.unrealisedPnl, m.unrealisedPnl, units);
  close(`${where}: free collateral`, kernel.freeCollateral, m.freeCollateral, units);
  if (m.marginRatio === null) assert.equal(kernel.marginRatio, null, `${where}: no margin ratio`);
  else {
    assert.ok(kernel.marginRatio !== null, `${where}: a margin ratio`);
    const mm = Math.max(1, Number(m.maintenanceMargin));
    const tolerance = Math.max(1e-9 * Math.abs(m.marginRatio), (units + 1) / mm);
    assert.ok(Math.abs(kernel.marginRatio - m.marginRatio) <= tolerance, `${where}: margin ratio ${kernel.marginRatio} vs ${m.marginRatio}`);
  }
  return reference;
}
