/**
 * The liquidation pass (DESIGN.md "life of a tick"): after a price update, the shell runs
 * `liquidationPass` and journals its events as their own record (`engine:liquidation:<seq>`), so
 * that replay applies the recorded events and never recomputes a float (D2).
 *
 * 1. Liquidation orders past their time-to-live are cancelled; their accounts go to the backstop.
 * 2. Detection: exactly the accounts the update touches (positions in an instrument whose mark,
 *    underlying, quote or settlement price changed, or balances in a re-priced asset), plus the
 *    accounts already waiting (recorded liquidatable or bankrupt), are re-valued; every change of
 *    status band is an `AccountStatusChanged` event (a margin call is one).
 * 3. Liquidation: the liquidatable, worst margin ratio first, at most `accountsPerTickMax` per
 *    pass; the rest wait for the next pass. The waiting set is the recorded statuses: one entry
 *    per account at most, so it is bounded by the accounts holding positions, and nothing is
 *    forgotten (each pass re-checks all of it).
 * Accounts depending on a stale price are never liquidated (R9). Accounts depending on a halted
 * market wait (policy `pause`), or are liquidated on the guarded price the engine held when the
 * breaker tripped (`guarded`).
 *
 * Pure: it plans on a scratch copy (scratch.ts) and returns the events.
 */
import { LIQUIDATION_DEFAULTS, SYSTEM_ACCOUNT_PREFIX, type LiquidationParams } from '../../risk/liquidation/params.js';
import type { Status } from '../../risk/account/types.js';
import type { AccountMargin } from '../../risk/account/account.js';
import { settlementAssetOf, type LinearInstrument } from '../../risk/instruments/types.js';
import { apply } from '../apply.js';
import type { Command } from '../commands.js';
import { accept, reject, type Decision, type Rejection, type Stamp } from '../decide/result.js';
import type { EngineEvent } from '../events.js';
import type { AccountState, EngineState } from '../state.js';
import { auctionOf, settleAuctions } from './auction.js';
import { isLiquidatable, marginIn } from './ledger.js';
import { marketBlocked } from './markets.js';
import { scratchOf, type Scratch } from './scratch.js';
import { liquidateAccount } from './step.js';
import type { PlanContext } from './waterfall.js';

type Of<T extends Command['type']> = Extract<Command, { type: T }>;

export const isSystemAccount = (id: string): boolean => id.startsWith(SYSTEM_ACCOUNT_PREFIX);

/** The parameters in force: the document's, or the defaults for an operator's command. */
export function liquidationParamsIn(state: EngineState): LiquidationParams {
  return state.params?.liquidation ?? LIQUIDATION_DEFAULTS;
}

/** The symbols of a price update that call for an automatic pass, or undefined when none is due. */
export function automaticPassSymbols(state: EngineState, events: readonly EngineEvent[]): string[] | undefined {
  if (state.params?.liquidation?.automatic !== true) return undefined;
  const symbols = new Set<string>();
  let priced = false;
  for (const e of events) {
    if (e.type !== 'PricesUpdated') continue;
    priced = true;
    for (const record of [e.prices, e.marks, e.laggedPrices, e.statuses ?? {}]) for (const k of Object.keys(record)) symbols.add(k);
  }
  return priced ? [...symbols].sort() : undefined;
}

function planContext(state: EngineState, stamp: Stamp): { ctx: PlanContext; events: EngineEvent[]; s: Scratch } {
  const s = scratchOf(state);
  const events: EngineEvent[] = [];
  let counter = 0;
  const ctx: PlanContext = {
    s,
    lp: liquidationParamsIn(state),
    stamp,
    emit: (e) => {
      apply(s, e);
      events.push(e);
    },
    nextOrderId: () => `liq:${stamp.seq}:${++counter}`,
  };
  return { ctx, events, s };
}

/**
 * `candidates`, when given, is a superset of the accounts touched by `symbols` whose status could
 * differ from the recorded one or that are liquidatable (the engine's columnar mirror computes it:
 * mirror.ts); each is still checked to depend on the symbols, so the pass decides exactly what the
 * full scan would. Without it, every account is scanned.
 */
export function liquidationPass(
  state: EngineState,
  stamp: Stamp,
  input: { readonly symbols: readonly string[]; readonly candidates?: readonly string[] | undefined },
): EngineEvent[] {
  const { ctx, events, s } = planContext(state, stamp);
  const expired = new Set<string>();
  for (const o of [...s.liquidation.orders.values()].sort((a, b) => (a.orderId < b.orderId ? -1 : 1))) {
    if (o.expiresMs > stamp.timestampMs) continue;
    ctx.emit({ type: 'OrderCancelled', accountId: o.accountId, orderId: o.orderId, reason: 'liquidation_order_expired' });
    expired.add(o.accountId);
  }
  for (const id of settleAuctions(ctx)) expired.add(id); // mode (d): timed-out and insolvent auctions go to the backstop
  const symbols = new Set(input.symbols);
  const candidates = new Set<string>(input.candidates === undefined ? touchedAccounts(s, symbols) : touchedAmong(s, input.candidates, symbols));
  for (const [id, status] of s.liquidation.statuses) if (isLiquidatable(status)) candidates.add(id);
  for (const id of expired) candidates.add(id);
  const due: { id: string; ratio: number }[] = [];
  for (const id of [...candidates].sort()) {
    if (isSystemAccount(id)) continue;
    const account = s.accounts.peek(id);
    const m = account === undefined ? undefined : marginIn(s, account);
    if (account === undefined || m === undefined) continue;
    recordStatus(ctx, id, m);
    if (isLiquidatable(m.status) && eligible(s, ctx.lp, account) === undefined) due.push({ id, ratio: m.marginRatio ?? Number.NEGATIVE_INFINITY });
  }
  due.sort((a, b) => a.ratio - b.ratio || (a.id < b.id ? -1 : 1));
  for (const { id } of due.slice(0, ctx.lp.accountsPerTickMax)) {
    liquidateAccount(ctx, id, { forceBackstop: expired.has(id) });
    const after = marginIn(s, s.accounts.peek(id) as AccountState);
    if (after !== undefined) recordStatus(ctx, id, after);
  }
  recheckAffected(ctx, [...events]);
  return events;
}

/**
 * Accounts the pass itself moved (ADL counterparties, payers of a socialised loss, the liquidator)
 * are re-valued too, so that one pushed below MM waits in the queue rather than until its own
 * market ticks: no check is skipped.
 */
function recheckAffected(ctx: PlanContext, events: readonly EngineEvent[]): void {
  const affected = new Set<string>();
  for (const e of events) {
    if (e.type === 'PositionLiquidated') affected.add(e.takerId);
    else if (e.type === 'LossSocialised') for (const p of e.payments) affected.add(p.accountId);
    else if (e.type === 'LiquidationFeesCharged') affected.add(e.liquidatorId);
  }
  for (const id of [...affected].sort()) {
    if (isSystemAccount(id)) continue;
    const account = ctx.s.accounts.peek(id);
    const m = account === undefined ? undefined : marginIn(ctx.s, account);
    if (m !== undefined) recordStatus(ctx, id, m);
  }
}

function recordStatus(ctx: PlanContext, accountId: string, m: AccountMargin): void {
  const from: Status = ctx.s.liquidation.statuses.get(accountId) ?? 'healthy';
  if (from !== m.status) ctx.emit({ type: 'AccountStatusChanged', accountId, from, to: m.status, marginRatio: m.marginRatio });
}

/** Accounts holding positions or liabilities that depend on one of the symbols. */
function touchedAccounts(s: Scratch, symbols: ReadonlySet<string>): string[] {
  return touchedAmong(s, s.accounts.values(), symbols);
}

function touchedAmong(s: Scratch, accounts: Iterable<AccountState | string>, symbols: ReadonlySet<string>): string[] {
  if (symbols.size === 0) return [];
  const instruments = s.params?.risk.instruments;
  const touched: string[] = [];
  for (const entry of accounts) {
    const a = typeof entry === 'string' ? s.accounts.peek(entry) : entry;
    if (a === undefined) continue;
    if (a.positions.size === 0 && ![...a.balances.values()].some((v) => v < 0n)) continue;
    if (dependsOn(a, instruments, (symbol) => symbols.has(symbol))) touched.push(a.id);
  }
  return touched;
}

function dependsOn(a: AccountState, instruments: ReadonlyMap<string, LinearInstrument> | undefined, hit: (symbol: string) => boolean): boolean {
  for (const [symbol, p] of a.positions) {
    if (p.size === 0n && (p.isolatedMargin ?? 0n) === 0n) continue;
    if (hit(symbol)) return true;
    const i = instruments?.get(symbol);
    if (i !== undefined && (hit(i.underlying) || hit(i.quoteAsset) || hit(settlementAssetOf(i)))) return true;
  }
  for (const [asset, v] of a.balances) if (v !== 0n && hit(asset)) return true;
  return false;
}

/** Why the account cannot be liquidated now, or undefined when it can. */
function eligible(s: EngineState, lp: LiquidationParams, a: AccountState): Rejection | undefined {
  if (a.mode !== 'cross' && a.mode !== 'isolated') {
    return reject('liquidation_mode_unsupported', `account ${a.id} is ${String(a.mode)}: only cross and isolated accounts are liquidated (docs/methodology/liquidation.md)`);
  }
  // A collateral-only account is liquidated when it owes something (collateral.ts).
  if (a.positions.size === 0 && ![...a.balances.values()].some((v) => v < 0n)) return reject('account_not_liquidatable', `account ${a.id} holds no position and owes nothing`);
  for (const symbol of a.positions.keys()) {
    if (!(s.params?.risk.instruments.has(symbol) ?? false)) {
      return reject('liquidation_mode_unsupported', `account ${a.id} holds ${symbol}, which is not a linear instrument: liquidate it by hand (docs/methodology/liquidation.md)`);
    }
  }
  for (const o of s.liquidation.orders.values()) {
    if (o.accountId === a.id) return reject('liquidation_in_progress', `liquidation order ${o.orderId} of ${a.id} is still working`);
  }
  const auction = auctionOf(s, a.id);
  if (auction !== undefined) return reject('liquidation_in_progress', `auction ${auction.auctionId} of ${a.id} is running`);
  return marketBlocked(s, lp, a);
}

/** `Liquidate`: an operator liquidates one account now, one step, as the pass would. */
export function decideLiquidate(state: EngineState, c: Of<'Liquidate'>, stamp: Stamp): Decision {
  if (state.params === undefined) return reject('engine_not_initialised', 'the engine has no parameters yet');
  const account = state.accounts.get(c.accountId);
  if (account === undefined) return reject('account_unknown', `no account ${c.accountId}`);
  if (isSystemAccount(account.id)) return reject('account_id_reserved', `${account.id} is the venue's own account`);
  const m = marginIn(state, account);
  if (m === undefined) return reject('price_missing', `account ${account.id} cannot be valued: a price is missing`);
  if (!isLiquidatable(m.status)) return reject('account_not_liquidatable', `account ${account.id} is ${m.status}`);
  const blocked = eligible(state, liquidationParamsIn(state), account);
  if (blocked !== undefined) return blocked;
  const { ctx, events, s } = planContext(state, stamp);
  recordStatus(ctx, account.id, m);
  liquidateAccount(ctx, account.id, { forceBackstop: false });
  const after = marginIn(s, s.accounts.peek(account.id) as AccountState);
  if (after !== undefined) recordStatus(ctx, account.id, after);
  recheckAffected(ctx, [...events]);
  return accept(...events);
}

/** `LiquidationPass` from an operator: symbols must be known assets or instruments. */
export function decideLiquidationPass(state: EngineState, c: Of<'LiquidationPass'>, stamp: Stamp): Decision {
  const params = state.params;
  if (params === undefined) return reject('engine_not_initialised', 'the engine has no parameters yet');
  const symbols = c.symbols ?? [];
  if (!Array.isArray(symbols) || symbols.length > 10_000) return reject('price_symbol_unknown', 'symbols is a list of at most 10,000 symbols');
  const known = (symbol: unknown): boolean =>
    typeof symbol === 'string' &&
    (params.risk.assets.has(symbol) || params.risk.instruments.has(symbol) || symbol === params.risk.valuationAsset || [...params.risk.instruments.values()].some((i) => i.underlying === symbol));
  for (const symbol of symbols) if (!known(symbol)) return reject('price_symbol_unknown', `no asset or instrument ${String(symbol)}`);
  return accept(...liquidationPass(state, stamp, { symbols }));
}
