/**
 * The engine's invariants (DESIGN.md), checked after every event in tests and per batch in
 * production. A violation is a programmer error: it throws with the invariant's name.
 */
import { marginOf } from '../risk/account/account.js';
import { positionCashOf } from '../risk/account/trade.js';
import { settlementAssetOf } from '../risk/instruments/types.js';
import { INSURANCE_FUND_ACCOUNT_ID } from '../risk/liquidation/params.js';
import { riskAccountOf, riskMarketOf } from './riskView.js';
import type { EngineState } from './state.js';

export interface InvariantReport {
  readonly ok: boolean;
  readonly violations: readonly string[];
}

/** Conservation per asset, open interest per instrument, isolated margins non-negative. */
export function checkLedgerInvariants(state: EngineState): InvariantReport {
  const violations: string[] = [];
  const cash = new Map<string, bigint>();
  const add = (asset: string, value: bigint) => cash.set(asset, (cash.get(asset) ?? 0n) + value);
  const longs = new Map<string, bigint>();
  const shorts = new Map<string, bigint>();
  for (const account of state.accounts.values()) {
    for (const [asset, value] of account.balances) add(asset, value);
    for (const position of account.positions.values()) {
      const instrument = state.params?.risk.instruments.get(position.instrument);
      if (instrument === undefined) {
        violations.push(`position in unknown instrument ${position.instrument}`);
        continue;
      }
      const asset = settlementAssetOf(instrument);
      add(asset, positionCashOf(instrument.settlement, position.entryValue) + (position.isolatedMargin ?? 0n));
      if ((position.isolatedMargin ?? 0n) < 0n) violations.push(`isolated margin below zero: ${account.id} ${position.instrument}`);
      const side = position.size > 0n ? longs : shorts;
      side.set(position.instrument, (side.get(position.instrument) ?? 0n) + (position.size > 0n ? position.size : -position.size));
    }
  }
  const { insuranceFund, feePool, rounding, deposits, withdrawals } = state.ledgers;
  for (const ledger of [insuranceFund, feePool, rounding]) for (const [asset, value] of ledger) add(asset, value);
  const assets = new Set([...cash.keys(), ...deposits.keys(), ...withdrawals.keys()]);
  for (const asset of [...assets].sort()) {
    const expected = (deposits.get(asset) ?? 0n) - (withdrawals.get(asset) ?? 0n);
    const actual = cash.get(asset) ?? 0n;
    if (actual !== expected) violations.push(`conservation of ${asset}: held ${actual}, deposits - withdrawals ${expected}`);
  }
  for (const [asset, value] of rounding) if (value < 0n) violations.push(`rounding account of ${asset} below zero: ${value}`);
  // Liquidation (issue 6): the insurance fund is the system account (its balances count above, as
  // account cash); the old ledger stays empty, and the account exists from genesis.
  for (const [asset, value] of insuranceFund) violations.push(`the insurance fund ledger holds ${value} ${asset}: the fund is the account ${INSURANCE_FUND_ACCOUNT_ID}`);
  if (state.params !== undefined && !state.accounts.has(INSURANCE_FUND_ACCOUNT_ID)) violations.push(`no insurance fund account ${INSURANCE_FUND_ACCOUNT_ID}`);
  const instruments = new Set([...longs.keys(), ...shorts.keys(), ...state.openInterest.keys()]);
  for (const symbol of [...instruments].sort()) {
    const long = longs.get(symbol) ?? 0n;
    const short = shorts.get(symbol) ?? 0n;
    if (long !== short) violations.push(`open interest of ${symbol}: long ${long} != short ${short}`);
    if ((state.openInterest.get(symbol) ?? 0n) !== long) violations.push(`open interest of ${symbol}: tracked ${state.openInterest.get(symbol) ?? 0n} != long ${long}`);
  }
  return { ok: violations.length === 0, violations };
}

/** IM >= MM >= 0 for every account whose positions are all priced (the expensive check). */
export function checkRiskInvariants(state: EngineState): InvariantReport {
  const violations: string[] = [];
  const params = state.params;
  if (params === undefined) return { ok: true, violations };
  const market = riskMarketOf(state.market, state.openInterest, params.risk);
  for (const account of state.accounts.values()) {
    let margin;
    try {
      margin = marginOf(riskAccountOf(account), market, params.risk);
    } catch {
      continue; // unpriced: nothing to check until prices arrive
    }
    if (margin.maintenanceMargin < 0n) violations.push(`MM below zero: ${account.id}`);
    if (margin.initialMargin < margin.maintenanceMargin) violations.push(`IM below MM: ${account.id}`);
  }
  return { ok: violations.length === 0, violations };
}

export function assertInvariants(state: EngineState): void {
  const report = checkLedgerInvariants(state);
  if (!report.ok) throw new Error(`Invariant: ${report.violations.join('; ')}`);
}
