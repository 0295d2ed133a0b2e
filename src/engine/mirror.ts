/**
 * The engine's columnar mirror (DESIGN.md D5, issue 8): the kernel's RiskBook kept in step with
 * the exact state, so that the hot questions are answered on typed arrays instead of Maps and
 * bigints:
 * - which accounts a price update moved into another status band (the liquidation pass's
 *   detection: a walk over the instrument's holders reading one status each, instead of valuing
 *   every account that depends on the update);
 * - the pre-trade check (`engine.checkOrder`, `maxOrderSize`).
 *
 * The state stays the truth. The mirror is derived from it and never decides anything the
 * reference would decide differently: the kernel's statuses and pre-trade answers equal the
 * reference's by construction (certified float figures, the exact reference when a bound
 * straddles a threshold: src/kernel/status.ts) and by test (test/kernel, test/engine/mirror).
 * Liquidation itself, and every figure that goes into an event, still comes from the reference.
 *
 * Keeping in step: after each applied event the shell hands it to `note`, which marks the
 * accounts it names; `sync` (called before each use) rebuilds the book when the parameters or the
 * state object changed (start-up, a fail-closed reload, a parameter activation), pushes market
 * values that differ from what the book holds, and reloads each marked account whole from the
 * state. Accounts the kernel cannot hold (an asset without collateral parameters, more positions
 * than its records take) are kept aside and answered by the reference, as are all accounts when
 * the book cannot be built.
 */
import type { RiskParams } from '../risk/account/types.js';
import { InputError } from '../risk/errors.js';
import type { Size } from '../risk/units/quantities.js';
import { checkOrder as kernelCheckOrder, layout, RiskBook, STATUS_BANKRUPT, STATUS_HEALTHY, STATUS_LIQUIDATABLE, statusName } from '../kernel/index.js';
import type { EngineEvent } from './events.js';
import { riskAccountOf, riskMarketOf } from './riskView.js';
import type { AccountState, EngineState } from './state.js';
import { marketGuard, type CheckResult, type OrderIntent } from './pretrade.js';

/** How deep `note` looks into an event for account ids (FillLeg, payments, nested legs). */
const EVENT_DEPTH_MAX = 4;

interface Loaded {
  readonly assets: Set<string>;
  readonly instruments: Set<string>;
  readonly leverage: Set<string>;
  /** Instruments with resting orders that may raise the requirement. */
  readonly ordered: Set<string>;
}

const NOTHING_LOADED: Loaded = { assets: new Set(), instruments: new Set(), leverage: new Set(), ordered: new Set() };
const NO_ORDERS = 0n as Size;

export class RiskMirror {
  private book: RiskBook | undefined;
  private state: EngineState | undefined;
  private risk: RiskParams | undefined;
  /** Accounts named by events since the last sync. */
  private readonly dirty = new Set<string>();
  /** What was pushed per account, to clear what the state no longer holds. */
  private readonly loaded = new Map<string, Loaded>();
  /** Accounts the book cannot hold: answered by the reference. */
  readonly unsupported = new Set<string>();
  /** The oracle statuses pushed (the book keeps its own privately). */
  private readonly statuses = new Map<string, string>();
  /** Set by any event: market values (prices, statuses, open interest) may have moved. */
  private marketDirty = true;
  /** The state and parameters the book failed on: the reference answers until either changes. */
  private failedOn: { readonly state: EngineState; readonly risk: RiskParams } | undefined;
  /** Full rebuilds so far (tests and metrics). */
  rebuilds = 0;

  constructor(private readonly onFailure?: (message: string) => void) {}

  /** Marks the accounts an applied event names. */
  note(event: EngineEvent): void {
    if (this.book === undefined) return;
    this.marketDirty = true;
    switch (event.type) {
      case 'EngineInitialised':
      case 'ParamsChanged':
      case 'ParamsActivated':
        this.book = undefined;
        return;
      case 'PricesUpdated':
        return;
      default:
        collectIds(event, this.dirty, 0);
    }
  }

  /** The book in step with `state`, or undefined when the engine has no parameters or the book failed. */
  sync(state: EngineState): RiskBook | undefined {
    const params = state.params;
    if (params === undefined) return undefined;
    // Not a rebuild per call after a failure (a full rebuild costs O(accounts)): wait for a change.
    if (this.failedOn !== undefined && this.failedOn.state === state && this.failedOn.risk === params.risk) return undefined;
    this.failedOn = undefined;
    try {
      if (this.book === undefined || this.state !== state || this.risk !== params.risk) this.rebuild(state, params.risk);
      const book = this.book as RiskBook;
      if (this.marketDirty) this.pushMarket(state, book);
      for (const id of this.dirty) {
        const account = state.accounts.get(id);
        if (account !== undefined) this.pushAccount(book, account);
      }
      this.dirty.clear();
      if (book.hasPendingWork) book.remargin();
      return book;
    } catch (error) {
      // A bug in the mirror must never cost a decision: drop it and let the reference answer.
      this.book = undefined;
      this.failedOn = { state, risk: params.risk };
      this.onFailure?.(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }

  /**
   * The accounts of a price update worth the liquidation pass's attention: those holding a
   * position in a moved instrument or a balance in a moved asset whose status differs from the
   * recorded one, or that are liquidatable; plus every account the book cannot hold. Undefined
   * when the book is unavailable (the pass then values every dependent account itself).
   *
   * Equivalence with the full scan: an account left out has the status the pass recorded and is
   * not liquidatable, so valuing it would emit nothing and liquidate nothing.
   */
  candidates(state: EngineState, symbols: readonly string[]): string[] | undefined {
    const book = this.sync(state);
    if (book === undefined) return undefined;
    const recorded = state.liquidation.statuses;
    const out = new Set<string>(this.unsupported);
    const consider = (a: number): void => {
      const status = book.status(a);
      const id = book.ids[a] as string;
      const was = recorded.get(id);
      if (status === STATUS_HEALTHY && was === undefined) return;
      if (status === STATUS_LIQUIDATABLE || status === STATUS_BANKRUPT || statusName(status) !== (was ?? 'healthy')) out.add(id);
    };
    const wanted = new Set(symbols);
    const t = book.instruments;
    const members = book.members;
    for (let i = 0; i < t.index.size; i++) {
      const spec = t.specs[i]!;
      // The settlement asset is the quote (linear) or the underlying (inverse): both are listed.
      if (!(wanted.has(spec.symbol) || wanted.has(spec.underlying) || wanted.has(spec.quoteAsset))) continue;
      const list = members.lists[i];
      if (list === undefined) continue;
      for (let k = 0; k < members.counts[i]!; k++) consider(book.pos[list[k]! * layout.P_STRIDE + layout.P_ACCOUNT]!);
    }
    for (const symbol of wanted) {
      const asset = book.assets.index.indexOf(symbol);
      if (asset === undefined) continue;
      const list = book.holders.lists[asset];
      if (list === undefined) continue;
      for (let k = 0; k < book.holders.counts[asset]!; k++) consider(list[k]!);
    }
    return [...out];
  }

  /**
   * The margin part of the pre-trade check (steps after the engine's limits and caps) on the
   * book, or undefined when the reference must answer (no book, an account it cannot hold).
   */
  checkMargin(state: EngineState, order: OrderIntent): CheckResult | undefined {
    if (this.unsupported.has(order.accountId)) return undefined;
    const book = this.sync(state);
    if (book === undefined) return undefined;
    const account = book.accountIndex(order.accountId);
    const instrument = book.instruments.index.indexOf(order.instrument);
    if (account === undefined || instrument === undefined) return undefined;
    const answer = kernelCheckOrder(book, {
      account,
      instrument,
      side: order.side,
      size: order.size,
      price: order.price,
      ...(order.reduceOnly === undefined ? {} : { reduceOnly: order.reduceOnly }),
    });
    if (answer.ok) return answer;
    if (answer.code === 'market_halted' || answer.code === 'oracle_price_stale') {
      // The same refusal, worded as the engine words it (which symbol, which status).
      const spec = book.instruments.specs[instrument]!;
      const guarded = marketGuard(state, [spec.symbol, spec.underlying]);
      if (guarded !== undefined) return guarded;
    }
    return { ok: false, code: answer.code, message: answer.message } as CheckResult;
  }

  private rebuild(state: EngineState, risk: RiskParams): void {
    this.rebuilds++;
    this.state = state;
    this.risk = risk;
    this.loaded.clear();
    this.unsupported.clear();
    this.dirty.clear();
    this.statuses.clear();
    let positions = 0;
    for (const a of state.accounts.values()) positions += a.positions.size + a.orders.size;
    const book = new RiskBook(risk, { accounts: state.accounts.size + 16, positions: positions + 16 });
    this.book = book;
    this.pushMarket(state, book);
    for (const account of state.accounts.values()) this.pushAccount(book, account);
    book.sweep();
  }

  /** Pushes what moved: the book's own market maps (RiskBook.market) say what it holds. */
  private pushMarket(state: EngineState, book: RiskBook): void {
    this.marketDirty = false;
    const m = state.market;
    const held = book.market;
    for (const [asset, value] of m.prices) if (held.prices.get(asset) !== value) book.setPrice(asset, value);
    for (const [symbol, value] of m.marks) if (held.marks.get(symbol) !== value) book.setMark(symbol, value);
    for (const [symbol, value] of m.laggedPrices) if (held.laggedPrices.get(symbol) !== value) book.setLagged(symbol, value);
    for (const symbol of [...held.laggedPrices.keys()]) if (!m.laggedPrices.has(symbol)) book.setLagged(symbol, undefined);
    // A price or mark the state dropped (it never does today) would leave the book stale: rebuild.
    if (held.prices.size !== m.prices.size || held.marks.size !== m.marks.size) throw new Error('a price left the market: the mirror is rebuilt');
    for (const [symbol, status] of m.statuses) {
      if (this.statuses.get(symbol) === status) continue;
      this.statuses.set(symbol, status);
      book.setMarketStatus(symbol, status);
    }
    for (const symbol of [...this.statuses.keys()]) {
      if (m.statuses.has(symbol)) continue;
      this.statuses.delete(symbol);
      book.setMarketStatus(symbol, 'ok');
    }
    // Open interest as the reference sees it (riskMarketOf); only open-interest-scaled margin
    // reads it, so only those instruments are re-margined when it moves.
    const risk = state.params?.risk as RiskParams;
    const openInterest = riskMarketOf(m, state.openInterest, risk).openInterest ?? new Map<string, number>();
    for (const [symbol, instrument] of risk.instruments) {
      const notional = openInterest.get(symbol);
      if (held.openInterest.get(symbol) === notional) continue;
      if (instrument.margin.model === 'openInterestScaled') book.setOpenInterest(symbol, notional ?? 0);
      if (notional === undefined) held.openInterest.delete(symbol);
      else held.openInterest.set(symbol, notional);
    }
  }

  /** Reloads one account whole from the state (what `loadAccount` would give a fresh book). */
  private pushAccount(book: RiskBook, account: AccountState): void {
    if (this.unsupported.has(account.id)) return;
    try {
      const view = riskAccountOf(account);
      let a = book.accountIndex(account.id);
      if (a === undefined) {
        a = book.addAccount(account.id, account.mode);
        book.reserve(a, view.positions.length, view.balances.size);
      } else if (book.isolatedMode(a) !== (account.mode === 'isolated')) book.setMode(a, account.mode);
      const was = this.loaded.get(account.id) ?? NOTHING_LOADED;
      const now: Loaded = { assets: new Set(), instruments: new Set(), leverage: new Set(), ordered: new Set() };
      for (const [asset, value] of view.balances) {
        book.setBalance(a, asset, value);
        now.assets.add(asset);
      }
      for (const asset of was.assets) if (!now.assets.has(asset)) book.setBalance(a, asset, 0n);
      for (const [instrument, leverage] of account.leverage) {
        book.setLeverage(a, instrument, leverage);
        now.leverage.add(instrument);
      }
      for (const instrument of was.leverage) if (!now.leverage.has(instrument)) book.setLeverage(a, instrument, undefined);
      for (const p of view.positions) {
        book.setPosition(a, p.instrument, p);
        if (p.openOrders !== undefined) {
          book.setOrders(a, p.instrument, p.openOrders.buy, p.openOrders.sell);
          now.ordered.add(p.instrument);
        } else if (was.ordered.has(p.instrument)) book.setOrders(a, p.instrument, NO_ORDERS, NO_ORDERS);
        now.instruments.add(p.instrument);
      }
      for (const instrument of was.instruments) {
        if (now.instruments.has(instrument)) continue;
        if (was.ordered.has(instrument)) book.setOrders(a, instrument, NO_ORDERS, NO_ORDERS);
        book.setPosition(a, instrument, undefined);
      }
      this.loaded.set(account.id, now);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      // The book cannot hold this account (say, a balance in an asset without collateral
      // parameters: the reference cannot value it either). Its figures in the book are stale from
      // here on, so it is answered by the reference until the next rebuild.
      this.unsupported.add(account.id);
    }
  }
}

function collectIds(value: unknown, into: Set<string>, depth: number): void {
  if (depth > EVENT_DEPTH_MAX || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collectIds(item, into, depth + 1);
    return;
  }
  // for..in rather than Object.entries: this runs for every event on the commit path.
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const field = record[key];
    if (typeof field === 'string') {
      if (key !== 'orderId' && key.endsWith('Id')) into.add(field);
    } else if (typeof field === 'object') collectIds(field, into, depth + 1);
  }
}
