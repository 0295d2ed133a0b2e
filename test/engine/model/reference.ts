/**
 * A tiny, slow, obviously-correct reference model of the engine's ledger (RELIABILITY.md R2,
 * STYLE.md habit 14). Plain bigints and Maps, no import from src/: it is re-derived from the
 * venue's rules, so that the engine and the model agreeing means something.
 *
 * Scales: amounts, prices and sizes carry 8 decimals (S = 1e8), rates 12 (R = 1e12). A value
 * "x units" below means x / S of the real quantity.
 *
 * Rules:
 * - A fill of q contracts at price p exchanges V = round_half_even(q x cs x p) (linear, quote
 *   asset) or round_half_even(q x cs / p) (inverse, coin). The buyer's entry value rises by V and
 *   the seller's falls by V; the entry value is signed like the size.
 * - Fees are on V: a charge rounds up (ceil(V x rate)), a rebate down (-floor(V x |rate|)); the
 *   aggressor pays the taker rate, the other side the maker rate; the fee pool receives them.
 * - A fill that reduces a position keeps its average entry: the remaining entry value is
 *   round_half_even(e x s' / s); the closed share is realised into the balance (linear PnL =
 *   value - entry value, inverse PnL = entry value - value). A fill through zero closes the old
 *   side whole with its share round_half_even(V x |s| / q) of the value and opens the rest.
 * - Funding pays each holder floor(-(s x cs x mark x F)) (linear) or floor(-(s x cs / mark x F))
 *   (inverse); the rounding account takes what is left, so funding is zero-sum.
 * - Expiry settles each holder at the final price P: value floor(s x cs x P) (linear) or
 *   ceil(s x cs / P) (inverse), both against the holder; the holder's position cash becomes
 *   that value; the rounding account takes what is left; positions and orders of the future go.
 * - Conservation per asset: balances + position cash (-e linear, +e inverse) + fee pool +
 *   rounding = deposits - withdrawals.
 *
 * The model predicts every decision that does not depend on margin maths (floats); where it does
 * (withdrawals, transfers and orders that may be refused for margin), the engine's verdict is
 * followed, and only the codes that margin can produce are allowed.
 */

export const S = 10n ** 8n;
export const R = 10n ** 12n;

// ---------------------------------------------------------------- rounding, written out

export function floorDiv(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new Error('model: division by zero');
  if (d < 0n) return floorDiv(-n, -d);
  const q = n / d; // truncates toward zero
  return n < 0n && q * d !== n ? q - 1n : q;
}

export function ceilDiv(n: bigint, d: bigint): bigint {
  return -floorDiv(-n, d);
}

/** Nearest integer to n / d; exactly half-way goes to the even neighbour. */
export function halfEvenDiv(n: bigint, d: bigint): bigint {
  if (d < 0n) return halfEvenDiv(-n, -d);
  const lower = floorDiv(n, d);
  const twice = 2n * (n - lower * d); // 2 x remainder, in [0, 2d)
  if (twice < d) return lower;
  if (twice > d) return lower + 1n;
  return lower % 2n === 0n ? lower : lower + 1n;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** "12.5" -> 1250000000n at 8 decimals; exact, or it throws. */
export function parseFixed(text: string, decimals: number): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null) throw new Error(`model: not a decimal: ${text}`);
  const fraction = match[3] ?? '';
  if (fraction.length > decimals) throw new Error(`model: too many decimals: ${text}`);
  const units = BigInt(match[2] + fraction.padEnd(decimals, '0'));
  return match[1] === '-' ? -units : units;
}

// ---------------------------------------------------------------- venue

export interface RefInstrument {
  readonly symbol: string;
  readonly kind: 'perpetual' | 'future';
  readonly settlement: 'linear' | 'inverse';
  /** Linear: the quote asset; inverse: the underlying. */
  readonly asset: string;
  readonly underlying: string;
  readonly contractSize: bigint;
  readonly tick: bigint;
  readonly lot: bigint;
  readonly makerRate: bigint;
  readonly takerRate: bigint;
  readonly fundingCap?: bigint;
  readonly expiryMs?: number;
}

export interface RefVenue {
  readonly assets: ReadonlySet<string>;
  readonly valuationAsset: string;
  readonly instruments: ReadonlyMap<string, RefInstrument>;
}

interface VenueDocumentShape {
  readonly valuationAsset: string;
  readonly assets: Readonly<Record<string, unknown>>;
  readonly instruments: Readonly<
    Record<
      string,
      {
        readonly kind: string;
        readonly underlying: string;
        readonly quoteAsset: string;
        readonly settlement: string;
        readonly contractSize: string;
        readonly tick: string;
        readonly lot: string;
        readonly fees?: { readonly maker: string; readonly taker: string };
        readonly funding?: { readonly cap?: string };
        readonly expiry?: string;
      }
    >
  >;
}

/** The venue as the model sees it, read straight from the parameters document. */
export function venueOf(document: VenueDocumentShape): RefVenue {
  const instruments = new Map<string, RefInstrument>();
  for (const [symbol, d] of Object.entries(document.instruments)) {
    const settlement = d.settlement === 'inverse' ? 'inverse' : 'linear';
    const cap = d.funding?.cap;
    instruments.set(symbol, {
      symbol,
      kind: d.kind === 'future' ? 'future' : 'perpetual',
      settlement,
      asset: settlement === 'linear' ? d.quoteAsset : d.underlying,
      underlying: d.underlying,
      contractSize: parseFixed(d.contractSize, 8),
      tick: parseFixed(d.tick, 8),
      lot: parseFixed(d.lot, 8),
      makerRate: d.fees === undefined ? 0n : parseFixed(d.fees.maker, 12),
      takerRate: d.fees === undefined ? 0n : parseFixed(d.fees.taker, 12),
      ...(cap === undefined ? {} : { fundingCap: parseFixed(cap, 12) }),
      ...(d.expiry === undefined ? {} : { expiryMs: Date.parse(d.expiry) }),
    });
  }
  return { assets: new Set(Object.keys(document.assets)), valuationAsset: document.valuationAsset, instruments };
}

// ---------------------------------------------------------------- arithmetic of the rules

export function fillValue(i: RefInstrument, contracts: bigint, fillPrice: bigint): bigint {
  const q = abs(contracts);
  return i.settlement === 'linear' ? halfEvenDiv(q * i.contractSize * fillPrice, S * S) : halfEvenDiv(q * i.contractSize, fillPrice);
}

export function feeOn(value: bigint, rateUnits: bigint): bigint {
  return rateUnits >= 0n ? ceilDiv(abs(value) * rateUnits, R) : -floorDiv(abs(value) * -rateUnits, R);
}

export function fundingPayment(i: RefInstrument, contracts: bigint, mark: bigint, rateUnits: bigint): bigint {
  return i.settlement === 'linear'
    ? floorDiv(-(contracts * i.contractSize * mark * rateUnits), S * S * R)
    : floorDiv(-(contracts * i.contractSize * rateUnits), mark * R);
}

/** What the holder's position is worth at the final price, rounded against the holder. */
export function settlementValue(i: RefInstrument, contracts: bigint, finalPrice: bigint): bigint {
  return i.settlement === 'linear' ? floorDiv(contracts * i.contractSize * finalPrice, S * S) : ceilDiv(contracts * i.contractSize, finalPrice);
}

/** The cash a position holds: what its fills moved out of (linear) or into (inverse) the wallet. */
export function positionCash(i: RefInstrument, entryValue: bigint): bigint {
  return i.settlement === 'linear' ? -entryValue : entryValue;
}

export interface TradeResult {
  readonly size: bigint;
  readonly entryValue: bigint;
  readonly realised: bigint;
}

/** A position of (size, entryValue) trades `delta` contracts that exchanged `value` (>= 0). */
export function trade(i: RefInstrument, size: bigint, entryValue: bigint, delta: bigint, value: bigint): TradeResult {
  const signedValue = delta > 0n ? value : -value;
  const pnl = (closedEntry: bigint, closedValue: bigint): bigint =>
    // closedValue is signed like the trade; closing a long is a sale (closedValue < 0).
    i.settlement === 'linear' ? -closedValue - closedEntry : closedEntry + closedValue;
  if (size === 0n || size > 0n === delta > 0n) return { size: size + delta, entryValue: entryValue + signedValue, realised: 0n };
  if (abs(delta) <= abs(size)) {
    const after = size + delta;
    const kept = halfEvenDiv(entryValue * after, size);
    return { size: after, entryValue: kept, realised: pnl(entryValue - kept, signedValue) };
  }
  const closingValue = halfEvenDiv(value * abs(size), abs(delta));
  const signedClosing = delta > 0n ? closingValue : -closingValue;
  return { size: size + delta, entryValue: signedValue - signedClosing, realised: pnl(entryValue, signedClosing) };
}

// ---------------------------------------------------------------- the model's state

export interface RefOrder {
  readonly instrument: string;
  readonly side: 'buy' | 'sell';
  size: bigint;
  readonly reduceOnly: boolean;
}

export interface RefAccount {
  readonly id: string;
  readonly parentId: string | undefined;
  readonly balances: Map<string, bigint>;
  readonly positions: Map<string, { size: bigint; entryValue: bigint }>;
  readonly orders: Map<string, RefOrder>;
}

/** The commands the model understands (structurally the engine's, for cross accounts). */
export type RefCommand =
  | { readonly type: 'CreateAccount'; readonly id: string; readonly accountId: string; readonly mode: string; readonly parentId?: string }
  | { readonly type: 'Deposit' | 'Withdraw'; readonly id: string; readonly accountId: string; readonly asset: string; readonly amount: bigint }
  | { readonly type: 'Transfer'; readonly id: string; readonly fromAccountId: string; readonly toAccountId: string; readonly asset: string; readonly amount: bigint }
  | {
      readonly type: 'UpdatePrices';
      readonly id: string;
      readonly prices?: Readonly<Record<string, bigint>>;
      readonly marks?: Readonly<Record<string, bigint>>;
      readonly laggedPrices?: Readonly<Record<string, bigint>>;
    }
  | {
      readonly type: 'ApplyFill';
      readonly id: string;
      readonly instrument: string;
      readonly price: bigint;
      readonly size: bigint;
      readonly buyer: { readonly accountId: string; readonly orderId?: string };
      readonly seller: { readonly accountId: string; readonly orderId?: string };
      readonly aggressor: 'buy' | 'sell';
    }
  | {
      readonly type: 'PlaceOrder';
      readonly id: string;
      readonly accountId: string;
      readonly orderId: string;
      readonly instrument: string;
      readonly side: 'buy' | 'sell';
      readonly size: bigint;
      readonly price: bigint;
      readonly reduceOnly?: boolean;
    }
  | { readonly type: 'CancelOrder'; readonly id: string; readonly accountId: string; readonly orderId: string }
  | { readonly type: 'SettleFunding'; readonly id: string; readonly instrument: string; readonly rate: bigint }
  | { readonly type: 'SettleExpiry'; readonly id: string; readonly instrument: string; readonly price: bigint };

/**
 * What the model expects of a command: acceptance; a rejection with one of `codes` (several
 * faults at once may be reported in any order); or, when the ledger allows it, margin's verdict:
 * acceptance or one of the margin codes.
 */
export type Expected =
  | { readonly kind: 'accept' }
  | { readonly kind: 'reject'; readonly codes: readonly string[] }
  | { readonly kind: 'margin'; readonly codes: readonly string[] };

const MARGIN_CODES = ['withdrawal_exceeds_free_collateral', 'price_missing', 'mark_price_missing'] as const;
const ORDER_MARGIN_CODES = ['initial_margin_insufficient', 'account_reduce_only', 'price_missing', 'mark_price_missing'] as const;

export interface LedgerView {
  readonly balances: readonly string[];
  readonly positions: readonly string[];
  readonly orders: readonly string[];
  readonly feePool: readonly string[];
  readonly rounding: readonly string[];
  readonly deposits: readonly string[];
  readonly withdrawals: readonly string[];
  readonly openInterest: readonly string[];
}

export class ReferenceLedger {
  readonly accounts = new Map<string, RefAccount>();
  readonly feePool = new Map<string, bigint>();
  readonly rounding = new Map<string, bigint>();
  readonly deposits = new Map<string, bigint>();
  readonly withdrawals = new Map<string, bigint>();
  readonly marks = new Map<string, bigint>();
  readonly prices = new Map<string, bigint>();
  readonly settled = new Map<string, bigint>();

  constructor(readonly venue: RefVenue) {}

  /** The model's expectation of `c` at time `nowMs`, without changing anything. */
  expect(c: RefCommand, nowMs: number): Expected {
    const faults: string[] = [];
    const fault = (code: string, when: boolean): void => {
      if (when) faults.push(code);
    };
    const knownAsset = (a: string) => this.venue.assets.has(a);
    switch (c.type) {
      case 'CreateAccount':
        fault('account_exists', this.accounts.has(c.accountId));
        fault('account_parent_unknown', c.parentId !== undefined && !this.accounts.has(c.parentId));
        if (c.mode !== 'cross') throw new Error('model: cross accounts only');
        return verdict(faults);
      case 'Deposit':
        fault('account_unknown', !this.accounts.has(c.accountId));
        fault('asset_unknown', !knownAsset(c.asset));
        fault('amount_not_positive', c.amount <= 0n);
        return verdict(faults);
      case 'Withdraw': {
        const a = this.accounts.get(c.accountId);
        fault('account_unknown', a === undefined);
        fault('asset_unknown', !knownAsset(c.asset));
        fault('amount_not_positive', c.amount <= 0n);
        if (faults.length > 0 || a === undefined) return verdict(faults);
        fault('withdrawal_exceeds_balance', (a.balances.get(c.asset) ?? 0n) < c.amount);
        if (faults.length > 0) return verdict(faults);
        return this.surelyCovered(a, c.asset, c.amount) ? { kind: 'accept' } : { kind: 'margin', codes: MARGIN_CODES };
      }
      case 'Transfer': {
        const from = this.accounts.get(c.fromAccountId);
        const to = this.accounts.get(c.toAccountId);
        fault('account_unknown', from === undefined || to === undefined);
        if (from === undefined || to === undefined) return verdict(faults);
        fault('transfer_to_self', from.id === to.id);
        fault('transfer_between_owners_forbidden', from.id !== to.id && (from.parentId ?? from.id) !== (to.parentId ?? to.id));
        fault('asset_unknown', !knownAsset(c.asset));
        fault('amount_not_positive', c.amount <= 0n);
        if (faults.length > 0) return verdict(faults);
        fault('withdrawal_exceeds_balance', (from.balances.get(c.asset) ?? 0n) < c.amount);
        if (faults.length > 0) return verdict(faults);
        return this.surelyCovered(from, c.asset, c.amount) ? { kind: 'accept' } : { kind: 'margin', codes: MARGIN_CODES };
      }
      case 'UpdatePrices': {
        const underlyings = new Set([...this.venue.instruments.values()].map((i) => i.underlying));
        const priced = (s: string) => knownAsset(s) || s === this.venue.valuationAsset || underlyings.has(s);
        for (const s of Object.keys(c.prices ?? {})) fault('price_symbol_unknown', !priced(s));
        for (const s of Object.keys(c.marks ?? {})) fault('price_symbol_unknown', !this.venue.instruments.has(s));
        for (const s of Object.keys(c.laggedPrices ?? {})) fault('price_symbol_unknown', !priced(s) && !this.venue.instruments.has(s));
        const all = [...Object.values(c.prices ?? {}), ...Object.values(c.marks ?? {}), ...Object.values(c.laggedPrices ?? {})];
        fault('price_missing', all.some((p) => p <= 0n));
        return verdict(faults);
      }
      case 'ApplyFill':
        return verdict(this.fillFaults(c));
      case 'PlaceOrder': {
        const a = this.accounts.get(c.accountId);
        const i = this.venue.instruments.get(c.instrument);
        fault('account_unknown', a === undefined);
        fault('order_exists', a?.orders.has(c.orderId) === true);
        fault('instrument_settled', this.settled.has(c.instrument));
        fault('instrument_unknown', i === undefined);
        if (i !== undefined) {
          fault('size_not_positive', c.size <= 0n);
          fault('size_not_multiple_of_lot', c.size > 0n && c.size % i.lot !== 0n);
          fault('price_not_multiple_of_tick', c.price % i.tick !== 0n || c.price <= 0n);
        }
        if (faults.length > 0 || a === undefined) return verdict(faults);
        if (c.reduceOnly === true) {
          const held = a.positions.get(c.instrument)?.size ?? 0n;
          const reduces = (c.side === 'sell' ? held > 0n : held < 0n) && c.size <= abs(held);
          return reduces ? { kind: 'accept' } : { kind: 'reject', codes: ['reduce_only_would_increase'] };
        }
        return { kind: 'margin', codes: ORDER_MARGIN_CODES };
      }
      case 'CancelOrder': {
        const a = this.accounts.get(c.accountId);
        fault('account_unknown', a === undefined);
        fault('order_unknown', a !== undefined && !a.orders.has(c.orderId));
        return verdict(faults);
      }
      case 'SettleFunding': {
        const i = this.venue.instruments.get(c.instrument);
        fault('instrument_unknown', i === undefined);
        if (i === undefined) return verdict(faults);
        fault('funding_instrument_not_perpetual', i.kind !== 'perpetual');
        fault('funding_rate_exceeds_cap', i.fundingCap !== undefined && abs(c.rate) > i.fundingCap);
        fault('mark_price_missing', !this.marks.has(c.instrument));
        return verdict(faults);
      }
      case 'SettleExpiry': {
        const i = this.venue.instruments.get(c.instrument);
        fault('instrument_unknown', i === undefined);
        if (i === undefined) return verdict(faults);
        fault('expiry_instrument_not_future', i.kind !== 'future');
        fault('instrument_settled', this.settled.has(c.instrument));
        fault('expiry_not_reached', i.expiryMs !== undefined && nowMs < i.expiryMs);
        fault('price_missing', c.price <= 0n);
        return verdict(faults);
      }
    }
  }

  /**
   * Without positions, resting orders or debts, and with every held asset priced, taking `amount`
   * out leaves non-negative balances and no requirement: any margin rule must allow it.
   */
  private surelyCovered(a: RefAccount, asset: string, amountUnits: bigint): boolean {
    if (a.positions.size > 0 || [...a.orders.values()].some((o) => !o.reduceOnly)) return false;
    for (const [held, value] of a.balances) if (value - (held === asset ? amountUnits : 0n) < 0n) return false;
    const priced = (s: string) => s === this.venue.valuationAsset || this.prices.has(s);
    return priced(asset) && [...a.balances.keys()].every(priced);
  }

  private fillFaults(c: Extract<RefCommand, { type: 'ApplyFill' }>): string[] {
    const faults: string[] = [];
    const i = this.venue.instruments.get(c.instrument);
    if (i === undefined) return ['instrument_unknown'];
    if (this.settled.has(c.instrument)) return ['instrument_settled'];
    if (c.size <= 0n) faults.push('size_not_positive');
    else if (c.size % i.lot !== 0n) faults.push('size_not_multiple_of_lot');
    // A fill at a price <= 0 is malformed: no market trades at it (the engine's code for it is open).
    if (c.price % i.tick !== 0n || c.price <= 0n) faults.push('price_not_multiple_of_tick', 'price_missing', 'price_not_positive');
    const buyer = this.accounts.get(c.buyer.accountId);
    const seller = this.accounts.get(c.seller.accountId);
    if (buyer === undefined || seller === undefined) faults.push('account_unknown');
    if (faults.length > 0 || buyer === undefined || seller === undefined) return faults;
    if (buyer.id === seller.id) return ['fill_same_account'];
    const value = fillValue(i, c.size, c.price);
    for (const [account, party, side] of [
      [buyer, c.buyer, 'buy'],
      [seller, c.seller, 'sell'],
    ] as const) {
      if (party.orderId === undefined) continue;
      const order = account.orders.get(party.orderId);
      if (order === undefined || order.instrument !== c.instrument || order.side !== side) return ['fill_order_mismatch'];
      if (order.size < c.size) return ['fill_exceeds_order'];
      const before = account.positions.get(c.instrument)?.size ?? 0n;
      const after = trade(i, before, 0n, side === 'buy' ? c.size : -c.size, value).size;
      if (order.reduceOnly && abs(after) > abs(before)) return ['fill_violates_reduce_only'];
    }
    return [];
  }

  /** Apply an accepted command's effect. */
  apply(c: RefCommand): void {
    switch (c.type) {
      case 'CreateAccount':
        this.accounts.set(c.accountId, { id: c.accountId, parentId: c.parentId, balances: new Map(), positions: new Map(), orders: new Map() });
        return;
      case 'Deposit':
        add(this.account(c.accountId).balances, c.asset, c.amount);
        add(this.deposits, c.asset, c.amount);
        return;
      case 'Withdraw':
        add(this.account(c.accountId).balances, c.asset, -c.amount);
        add(this.withdrawals, c.asset, c.amount);
        return;
      case 'Transfer':
        add(this.account(c.fromAccountId).balances, c.asset, -c.amount);
        add(this.account(c.toAccountId).balances, c.asset, c.amount);
        return;
      case 'UpdatePrices':
        for (const [s, p] of Object.entries(c.prices ?? {})) this.prices.set(s, p);
        for (const [s, p] of Object.entries(c.marks ?? {})) this.marks.set(s, p);
        return;
      case 'ApplyFill':
        return this.applyFill(c);
      case 'PlaceOrder':
        this.account(c.accountId).orders.set(c.orderId, { instrument: c.instrument, side: c.side, size: c.size, reduceOnly: c.reduceOnly === true });
        return;
      case 'CancelOrder':
        this.account(c.accountId).orders.delete(c.orderId);
        return;
      case 'SettleFunding': {
        const i = this.instrument(c.instrument);
        const mark = this.marks.get(c.instrument);
        if (mark === undefined) throw new Error('model: funding without a mark');
        let paid = 0n;
        for (const a of this.accounts.values()) {
          const p = a.positions.get(c.instrument);
          if (p === undefined || p.size === 0n) continue;
          const payment = fundingPayment(i, p.size, mark, c.rate);
          add(a.balances, i.asset, payment);
          paid += payment;
        }
        add(this.rounding, i.asset, -paid);
        return;
      }
      case 'SettleExpiry': {
        const i = this.instrument(c.instrument);
        let cashOut = 0n;
        for (const a of this.accounts.values()) {
          const p = a.positions.get(c.instrument);
          if (p !== undefined && p.size !== 0n) {
            const value = settlementValue(i, p.size, c.price);
            // The position's cash becomes its settlement value: linear cash -e -> +value, so the
            // balance receives value - e; inverse cash +e -> -value (a short owes coin), e - value.
            const pnl = i.settlement === 'linear' ? value - p.entryValue : p.entryValue - value;
            add(a.balances, i.asset, pnl);
            cashOut += pnl - positionCash(i, p.entryValue);
            a.positions.delete(c.instrument);
          }
          for (const [id, o] of a.orders) if (o.instrument === c.instrument) a.orders.delete(id);
        }
        add(this.rounding, i.asset, -cashOut);
        this.settled.set(c.instrument, c.price);
        return;
      }
    }
  }

  private applyFill(c: Extract<RefCommand, { type: 'ApplyFill' }>): void {
    const i = this.instrument(c.instrument);
    const value = fillValue(i, c.size, c.price);
    for (const [party, side] of [
      [c.buyer, 'buy'],
      [c.seller, 'sell'],
    ] as const) {
      const a = this.account(party.accountId);
      const before = a.positions.get(c.instrument) ?? { size: 0n, entryValue: 0n };
      const after = trade(i, before.size, before.entryValue, side === 'buy' ? c.size : -c.size, value);
      const fee = feeOn(value, c.aggressor === side ? i.takerRate : i.makerRate);
      if (after.size === 0n && after.entryValue === 0n) a.positions.delete(c.instrument);
      else a.positions.set(c.instrument, { size: after.size, entryValue: after.entryValue });
      add(a.balances, i.asset, after.realised - fee);
      add(this.feePool, i.asset, fee);
      if (party.orderId !== undefined) {
        const order = a.orders.get(party.orderId);
        if (order !== undefined) {
          order.size -= c.size;
          if (order.size <= 0n) a.orders.delete(party.orderId);
        }
      }
    }
  }

  /** Conservation per asset, in the model's own terms: every violation as a sentence. */
  conservationViolations(): string[] {
    const held = new Map<string, bigint>();
    for (const a of this.accounts.values()) {
      for (const [asset, v] of a.balances) add(held, asset, v);
      for (const [symbol, p] of a.positions) {
        const i = this.instrument(symbol);
        add(held, i.asset, positionCash(i, p.entryValue));
      }
    }
    for (const ledger of [this.feePool, this.rounding]) for (const [asset, v] of ledger) add(held, asset, v);
    const violations: string[] = [];
    for (const asset of new Set([...held.keys(), ...this.deposits.keys(), ...this.withdrawals.keys()])) {
      const expected = (this.deposits.get(asset) ?? 0n) - (this.withdrawals.get(asset) ?? 0n);
      if ((held.get(asset) ?? 0n) !== expected) violations.push(`model conservation of ${asset}: ${held.get(asset) ?? 0n} != ${expected}`);
    }
    return violations;
  }

  view(): LedgerView {
    const balances: string[] = [];
    const positions: string[] = [];
    const orders: string[] = [];
    const longs = new Map<string, bigint>();
    for (const a of this.accounts.values()) {
      for (const [asset, v] of a.balances) if (v !== 0n) balances.push(`${a.id} ${asset} ${v}`);
      for (const [symbol, p] of a.positions) {
        positions.push(`${a.id} ${symbol} size=${p.size} entryValue=${p.entryValue}`);
        if (p.size > 0n) add(longs, symbol, p.size);
      }
      for (const [id, o] of a.orders) orders.push(`${a.id} ${id} ${o.instrument} ${o.side} ${o.size}${o.reduceOnly ? ' reduceOnly' : ''}`);
    }
    return {
      balances: balances.sort(),
      positions: positions.sort(),
      orders: orders.sort(),
      feePool: entries(this.feePool),
      rounding: entries(this.rounding),
      deposits: entries(this.deposits),
      withdrawals: entries(this.withdrawals),
      openInterest: entries(longs),
    };
  }

  private account(id: string): RefAccount {
    const a = this.accounts.get(id);
    if (a === undefined) throw new Error(`model: no account ${id}`);
    return a;
  }

  private instrument(symbol: string): RefInstrument {
    const i = this.venue.instruments.get(symbol);
    if (i === undefined) throw new Error(`model: no instrument ${symbol}`);
    return i;
  }
}

function verdict(faults: readonly string[]): Expected {
  return faults.length === 0 ? { kind: 'accept' } : { kind: 'reject', codes: faults };
}

function add(map: Map<string, bigint>, key: string, delta: bigint): void {
  const next = (map.get(key) ?? 0n) + delta;
  if (next === 0n) map.delete(key);
  else map.set(key, next);
}

export function entries(map: ReadonlyMap<string, bigint>): string[] {
  return [...map.entries()].filter(([, v]) => v !== 0n).map(([k, v]) => `${k} ${v}`).sort();
}
