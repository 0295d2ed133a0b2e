/**
 * The columnar book (DESIGN.md D5): every account's balances and linear positions in typed arrays
 * (records of float64 fields, layout.ts), an index from instrument to the positions that hold it,
 * and the latest margin figures of every account. The engine mirrors its exact ledger into it
 * through the setters below; `remargin` re-values only what changed since the last call (the
 * positions of ticked instruments, the holders of repriced assets, the accounts whose ledger
 * changed), `sweep` re-values everything.
 *
 * What is exact and what is float (DESIGN.md D1):
 * - Ledger fields (balances, sizes, entry values, isolated margins, resting order sizes) are
 *   integer-valued float64 units of 1e-8: exact, as long as each is below 2^53 units (about 90
 *   million of an asset). An account with a larger value is "wide": its exact bigints are kept in a
 *   shadow and the reference values it (exact.ts). Nothing is ever rounded into the ledger here.
 * - Per-position IM and MM are float64 risk measures rounded up exactly as the reference rounds
 *   them: bit-identical integers. Their sums are exact below 2^53.
 * - Unrealised PnL is float64 (the exact floor(size x cs x mark / 1e16) needs 100-bit products):
 *   within 1 unit of the reference's, with an error bound (position.ts). Equity and collateral
 *   inherit bounded errors from it and are exact when a pool has no open exposure.
 * - Statuses are decisions, so they are never approximate: each pool's status is decided on the
 *   float figures only when the error bounds cannot change it (status.ts); otherwise the account
 *   is valued by the exact reference. Kernel and reference statuses are therefore equal.
 */
import { InputError, invariant } from '../risk/errors.js';
import type { Account, MarginMode, Market, RiskParams } from '../risk/account/types.js';
import type { Amount, Price, Size } from '../risk/units/quantities.js';
import { aggregateAccount, deltaPosition } from './aggregate.js';
import { fitsUnits, UNITS } from './float.js';
import {
  A_AGG_ISOLATED,
  A_ASSET_CAPACITY,
  A_ASSET_COUNT,
  A_ASSET_OFFSET,
  A_EPOCH,
  A_FLAGS,
  A_POSITION_CAPACITY,
  A_POSITION_COUNT,
  A_POSITION_OFFSET,
  A_RATIO,
  A_STATUS,
  A_STRIDE,
  ACCOUNT_ISOLATED_MODE,
  ACCOUNT_LARGE,
  ACCOUNT_PENDING,
  ACCOUNT_REAGGREGATE,
  ACCOUNT_WIDE,
  assetSlotOf,
  bracketOf,
  flagsOf,
  KERNEL_ASSETS_MAX,
  KERNEL_ASSETS_PER_ACCOUNT_MAX,
  KERNEL_POSITIONS_PER_ACCOUNT_MAX,
  P_ACCOUNT,
  P_BITS,
  P_BUY,
  P_ENTRY,
  P_INDEX_SLOT,
  P_INSTRUMENT,
  P_ISOLATED,
  P_LEVERAGE,
  P_QUANTITY,
  P_SELL,
  P_SIZE,
  P_STRIDE,
  POSITION_HELD,
  POSITION_ISOLATED,
  POSITION_LEVERAGE,
  POSITION_ORDERS,
  positionBits,
  S_BALANCE,
  S_PACKED,
  S_STRIDE,
} from './layout.js';
import { computePosition } from './position.js';
import { LiquidationQueue } from './queue.js';
import { bandsPpm, STATUS_HEALTHY } from './status.js';
import { BlockAllocator, grownBlockCapacity, growF64, growI32, IndexLists, nextCapacity, toShared } from './store.js';
import { AssetTables, GUARD_HALTED, GUARD_OK, GUARD_STALE, InstrumentTables, type MarketStatusName } from './tables.js';
import type { SweepWorkers } from './parallel.js';
import { valueAccount } from './valuation.js';

export {
  ACCOUNT_WIDE,
  KERNEL_ASSETS_PER_ACCOUNT_MAX,
  KERNEL_POSITIONS_PER_ACCOUNT_MAX,
  POSITION_HELD,
  POSITION_ISOLATED,
} from './layout.js';

/** Sweeps smaller than this stay on the main thread: a worker's hand-off costs about 0.1 ms. */
export const PARALLEL_ACCOUNTS_MIN = 16_384;

// Phases of a re-margin pass.
const PHASE_INSTRUMENTS = 0;
const PHASE_ASSETS = 1;
const PHASE_ACCOUNTS = 2;
const PHASE_TOUCHED = 3;

export interface PositionInput {
  readonly size: Size;
  readonly entryValue: Amount;
  /** Present exactly for isolated positions. */
  readonly isolatedMargin?: Amount;
}

export interface WidePosition {
  size: bigint;
  entryValue: bigint;
  isolatedMargin: bigint | undefined;
  held: boolean;
  buy: bigint;
  sell: bigint;
}

/** The exact ledger of a wide account (a value beyond 2^53 units). */
export interface WideAccount {
  readonly balances: Map<number, bigint>;
  readonly positions: Map<number, WidePosition>;
}

export interface BookOptions {
  /** Capacity hints, to allocate once. */
  readonly accounts?: number;
  readonly positions?: number;
  /** Liquidation queue capacity (default 4,096 accounts). */
  readonly queueCapacity?: number;
}

export class RiskBook {
  readonly params: RiskParams;
  readonly instruments: InstrumentTables;
  readonly assets: AssetTables;
  readonly weightInitial: number;
  readonly weightMaintenance: number;
  readonly bandsPpm: Float64Array;
  /** The market as the reference reads it (exact path), kept in step with the tables. */
  readonly market: {
    readonly prices: Map<string, Price>;
    readonly marks: Map<string, Price>;
    readonly laggedPrices: Map<string, Price>;
    readonly openInterest: Map<string, number>;
  } = { prices: new Map(), marks: new Map(), laggedPrices: new Map(), openInterest: new Map() };
  private readonly statuses = new Map<string, MarketStatusName>();

  /** Account records (layout.ts A_*), ids and the id index. */
  accountCount = 0;
  acc: Float64Array;
  readonly ids: string[] = [];
  private readonly byId = new Map<string, number>();

  /** Position records (P_*), in per-account blocks of an arena; `cold` holds their other fields at the same offsets. */
  pos: Float64Array;
  cold: Float64Array;
  readonly positionBlocks = new BlockAllocator();

  /** Asset slot records (S_*): the cross pool's assets, in per-account blocks of an arena. */
  slots: Float64Array;
  readonly assetBlocks = new BlockAllocator();

  /** Instrument -> position slots; asset -> accounts with a slot in it. */
  readonly members = new IndexLists();
  readonly holders = new IndexLists();

  readonly wide = new Map<number, WideAccount>();
  /** Leverage chosen per account and instrument, kept for instruments without a position yet. */
  readonly leverageChosen = new Map<number, Map<number, number>>();
  /** Why an account could not be valued (its status is STATUS_UNVALUED). */
  readonly unvalued = new Map<number, string>();

  // Pending work for remargin.
  private readonly instrumentPending: Uint8Array;
  private pendingInstruments: number[] = [];
  private readonly assetPending: Uint8Array;
  private pendingAssets: number[] = [];
  private pendingAccounts: Int32Array;
  private pendingAccountCount = 0;
  private touched: Int32Array;
  private epochNow = 0;
  // The re-margin pass in progress (remarginSlice): its snapshot of the pending work and cursors.
  private passActive = false;
  private passEpoch = 0;
  private passSingle = false;
  private passPhase = PHASE_INSTRUMENTS;
  private passInstruments: number[] = [];
  private passAssets: number[] = [];
  private passAccounts: Int32Array;
  private passAccountCount = 0;
  /** Index into passInstruments or passAssets, and the member of its list next to move. */
  private passList = 0;
  private passMember = 0;
  /** Accounts collected in `touched` by the pass, and the next pass account or touched account to do. */
  private passTouched = 0;
  private passCursor = 0;
  /** Instruments of the pass in progress: a holder leaving one re-queues it (its list is reordered). */
  private readonly instrumentInPass: Uint8Array;

  /** Accounts whose status changed in the last remargin or sweep, and their previous status. */
  changedAccounts: Int32Array;
  changedFrom: Int32Array;
  changedCount = 0;
  /** Accounts valued by the exact reference in the last remargin or sweep (undecided or wide). */
  exactValuations = 0;
  /** Pre-trade checks answered by the exact reference since the book was built (undecided or wide). */
  exactChecks = 0;

  readonly queue: LiquidationQueue;
  private workers: SweepWorkers | null = null;
  private parallelMinimum = PARALLEL_ACCOUNTS_MIN;

  constructor(params: RiskParams, options: BookOptions = {}) {
    this.params = params;
    this.instruments = new InstrumentTables(params);
    this.assets = new AssetTables(params, this.instruments.specs);
    invariant(this.assets.index.size <= KERNEL_ASSETS_MAX, `at most ${KERNEL_ASSETS_MAX} assets`);
    const t = this.instruments;
    t.specs.forEach((spec, i) => {
      const settle = this.assets.index.intern(spec.settlement === 'linear' ? spec.quoteAsset : spec.underlying);
      t.settlementAsset[i] = settle;
      t.quoteAsset[i] = this.assets.index.intern(spec.quoteAsset);
      t.underlyingAsset[i] = this.assets.index.intern(spec.underlying);
      this.assets.settledInstruments[settle]!.push(i);
    });
    for (let i = 0; i < t.index.size; i++) t.refreshPrices(i, this.assets);
    this.weightInitial = params.unrealisedPnlWeight.initial;
    this.weightMaintenance = params.unrealisedPnlWeight.maintenance;
    this.bandsPpm = bandsPpm(params.statusBands);
    const accounts = Math.max(16, options.accounts ?? 16);
    const positions = Math.max(16, options.positions ?? 16);
    this.acc = new Float64Array(accounts * A_STRIDE);
    this.pos = new Float64Array(positions * P_STRIDE);
    this.cold = new Float64Array(positions * P_STRIDE);
    this.slots = new Float64Array(accounts * S_STRIDE);
    this.pendingAccounts = new Int32Array(accounts);
    this.passAccounts = new Int32Array(16);
    this.touched = new Int32Array(accounts);
    this.changedAccounts = new Int32Array(accounts);
    this.changedFrom = new Int32Array(accounts);
    this.members.ensureKeys(t.index.size);
    this.holders.ensureKeys(this.assets.index.size);
    this.instrumentPending = new Uint8Array(t.index.size);
    this.instrumentInPass = new Uint8Array(t.index.size);
    this.assetPending = new Uint8Array(this.assets.index.size);
    this.queue = new LiquidationQueue(options.queueCapacity ?? 4_096, accounts);
  }

  /** A book holding `accounts` valued in `market`, swept once. */
  static fromAccounts(params: RiskParams, market: Market, accounts: Iterable<Account>, options: BookOptions = {}): RiskBook {
    const book = new RiskBook(params, options);
    book.loadMarket(market);
    for (const account of accounts) book.loadAccount(account);
    book.sweep();
    return book;
  }

  // ---------------------------------------------------------------- market

  loadMarket(market: Market): void {
    for (const [symbol, p] of market.prices) this.setPrice(symbol, p);
    for (const [symbol, p] of market.marks) this.setMark(symbol, p);
    for (const [symbol, p] of market.laggedPrices ?? []) this.setLagged(symbol, p);
    for (const [symbol, n] of market.openInterest ?? []) this.setOpenInterest(symbol, n);
  }

  setMark(symbol: string, mark: Price): void {
    this.market.marks.set(symbol, mark);
    const i = this.instruments.index.indexOf(symbol);
    if (i === undefined) return;
    this.instruments.setMarkUnits(i, Number(mark));
    this.instruments.refreshPrices(i, this.assets);
    this.instrumentChanged(i);
  }

  setPrice(asset: string, value: Price): void {
    this.market.prices.set(asset, value);
    const a = this.assets.index.indexOf(asset);
    if (a === undefined) return;
    this.assets.setPriceUnits(a, Number(value));
    const t = this.instruments;
    for (let i = 0; i < t.index.size; i++) {
      if (t.settlementAsset[i] === a || t.quoteAsset[i] === a) {
        t.refreshPrices(i, this.assets);
        this.instrumentChanged(i);
      }
    }
    this.assetChanged(a);
  }

  /** A lagged ("stable") price of an asset or mark of an instrument; undefined removes it. */
  setLagged(symbol: string, value: Price | undefined): void {
    if (value === undefined) this.market.laggedPrices.delete(symbol);
    else this.market.laggedPrices.set(symbol, value);
    const units = value === undefined ? Number.NaN : Number(value);
    const i = this.instruments.index.indexOf(symbol);
    if (i !== undefined) {
      const had = this.instruments.laggedMark[i] === this.instruments.laggedMark[i];
      this.instruments.setLaggedMark(i, units);
      // A lagged mark appearing or going changes which PnL each position contributes: re-aggregate.
      if (had !== (value !== undefined)) this.reaggregateHolders(i);
      this.instrumentChanged(i);
    }
    const a = this.assets.index.indexOf(symbol);
    if (a !== undefined) {
      this.assets.setLaggedUnits(a, units);
      this.assetChanged(a);
    }
  }

  /** Open interest notional in the quote asset (riskMarketOf's figure). */
  setOpenInterest(symbol: string, notional: number): void {
    this.market.openInterest.set(symbol, notional);
    const i = this.instruments.index.indexOf(symbol);
    if (i === undefined) return;
    this.instruments.setOpenInterest(i, notional);
    this.instrumentChanged(i);
  }

  /** The oracle's status of a price symbol (engine MarketState.statuses): pre-trade guards read it. */
  setMarketStatus(symbol: string, status: MarketStatusName): void {
    if (status === 'ok') this.statuses.delete(symbol);
    else this.statuses.set(symbol, status);
    const t = this.instruments;
    for (let i = 0; i < t.index.size; i++) {
      let guard = GUARD_OK;
      for (const s of [t.index.symbols[i]!, t.specs[i]!.underlying]) {
        const st = this.statuses.get(s);
        if (guard !== GUARD_OK || st === undefined) continue;
        if (st === 'halted') guard = GUARD_HALTED;
        else if (st === 'stale' || st === 'degraded') guard = GUARD_STALE;
      }
      t.guard[i] = guard;
    }
  }

  private instrumentChanged(i: number): void {
    if (this.instrumentPending[i] === 1) return;
    this.instrumentPending[i] = 1;
    this.pendingInstruments.push(i);
  }

  private assetChanged(a: number): void {
    if (this.assetPending[a] === 1) return;
    this.assetPending[a] = 1;
    this.pendingAssets.push(a);
    // IM and MM of positions settled in the asset are valued at its price; so are isolated pools.
    for (const i of this.assets.settledInstruments[a]!) this.instrumentChanged(i);
  }

  private reaggregateHolders(i: number): void {
    const list = this.members.lists[i]!;
    for (let k = 0; k < this.members.counts[i]!; k++) this.markPending(this.pos[list[k]! * P_STRIDE + P_ACCOUNT]!);
  }

  // -------------------------------------------------------------- accounts

  accountIndex(id: string): number | undefined {
    return this.byId.get(id);
  }

  requireAccount(id: string): number {
    const a = this.byId.get(id);
    if (a === undefined) throw new InputError('account_unknown', `no account ${id}`);
    return a;
  }

  /** An account field (layout.ts A_*). */
  field(a: number, f: number): number {
    return this.acc[a * A_STRIDE + f]!;
  }

  status(a: number): number {
    return this.acc[a * A_STRIDE + A_STATUS]!;
  }

  isolatedMode(a: number): boolean {
    return (this.acc[a * A_STRIDE + A_FLAGS]! & ACCOUNT_ISOLATED_MODE) !== 0;
  }

  addAccount(id: string, mode: MarginMode): number {
    invariant(!this.byId.has(id), `account ${id} added twice`);
    const a = this.accountCount;
    if ((a + 1) * A_STRIDE > this.acc.length) this.growAccounts(nextCapacity(this.acc.length / A_STRIDE, a + 1));
    this.accountCount = a + 1;
    this.ids.push(id);
    this.byId.set(id, a);
    const r = a * A_STRIDE;
    this.acc.fill(0, r, r + A_STRIDE);
    this.acc[r + A_FLAGS] = mode === 'isolated' ? ACCOUNT_ISOLATED_MODE : 0;
    this.acc[r + A_STATUS] = STATUS_HEALTHY;
    this.acc[r + A_RATIO] = Number.NaN;
    this.acc[r + A_EPOCH] = -1;
    this.queue.ensureAccounts(a + 1);
    this.markPending(a);
    return a;
  }

  setMode(a: number, mode: MarginMode): void {
    const r = a * A_STRIDE + A_FLAGS;
    this.acc[r] = mode === 'isolated' ? this.acc[r]! | ACCOUNT_ISOLATED_MODE : this.acc[r]! & ~ACCOUNT_ISOLATED_MODE;
    this.markPending(a);
  }

  /** The account's balance of `asset` (exact). */
  setBalance(a: number, asset: string, value: bigint): void {
    const assetIndex = this.assets.index.indexOf(asset);
    if (assetIndex === undefined || this.assets.hasSpec[assetIndex] !== 1) {
      throw new InputError('asset_unknown', `no collateral parameters for asset ${asset}`);
    }
    const relative = this.assetSlotOf(a, assetIndex); // may move the block: read the offset after
    if (!fitsUnits(value)) this.widen(a);
    this.wide.get(a)?.balances.set(assetIndex, value);
    this.slots[((this.acc[a * A_STRIDE + A_ASSET_OFFSET]! | 0) + relative) * S_STRIDE + S_BALANCE] = Number(value);
    this.markPending(a);
  }

  /**
   * The engine's position in `instrument` (undefined: none). The slot stays while resting orders
   * remain, as the reference's account view keeps an order-only position of size 0.
   */
  setPosition(a: number, instrument: string, position: PositionInput | undefined): void {
    const i = this.instruments.resolve(instrument);
    let p = this.positionSlotOf(a, i);
    const shadow = this.wide.get(a);
    if (position === undefined) {
      if (p < 0) return;
      const r = p * P_STRIDE;
      this.setPositionFlags(p, flagsOf(this.pos[r + P_BITS]!) & ~POSITION_HELD);
      this.writePosition(p, 0, 0, this.isolatedMode(a) ? 0 : Number.NaN);
      if (this.cold[r + P_BUY] === 0 && this.cold[r + P_SELL] === 0) {
        shadow?.positions.delete(i);
        this.removePosition(a, p);
      } else {
        const w = shadow?.positions.get(i);
        if (w !== undefined) Object.assign(w, { size: 0n, entryValue: 0n, isolatedMargin: this.isolatedMode(a) ? 0n : undefined, held: false });
        computePosition(this, p);
      }
      this.markPending(a);
      return;
    }
    if (!fitsUnits(position.size) || !fitsUnits(position.entryValue) || (position.isolatedMargin !== undefined && !fitsUnits(position.isolatedMargin))) {
      this.widen(a);
    }
    if (p < 0) p = this.createPosition(a, i);
    const wideAccount = this.wide.get(a);
    if (wideAccount !== undefined) {
      const w = wideAccount.positions.get(i) ?? { size: 0n, entryValue: 0n, isolatedMargin: undefined, held: true, buy: 0n, sell: 0n };
      w.size = position.size;
      w.entryValue = position.entryValue;
      w.isolatedMargin = position.isolatedMargin;
      w.held = true;
      wideAccount.positions.set(i, w);
    }
    this.setPositionFlags(p, flagsOf(this.pos[p * P_STRIDE + P_BITS]!) | POSITION_HELD);
    const isolated = position.isolatedMargin === undefined ? Number.NaN : Number(position.isolatedMargin);
    this.writePosition(p, Number(position.size), Number(position.entryValue), isolated);
    computePosition(this, p);
    this.markPending(a);
  }

  /** Resting orders that may raise the requirement (not reduce-only), summed per side. */
  setOrders(a: number, instrument: string, buy: Size, sell: Size): void {
    const i = this.instruments.resolve(instrument);
    let p = this.positionSlotOf(a, i);
    if (buy === 0n && sell === 0n && p < 0) return;
    if (!fitsUnits(buy) || !fitsUnits(sell)) this.widen(a);
    if (p < 0) {
      p = this.createPosition(a, i);
      this.writePosition(p, 0, 0, this.isolatedMode(a) ? 0 : Number.NaN);
    }
    const shadow = this.wide.get(a);
    if (shadow !== undefined) {
      const w = shadow.positions.get(i) ?? { size: 0n, entryValue: 0n, isolatedMargin: this.isolatedMode(a) ? 0n : undefined, held: false, buy: 0n, sell: 0n };
      w.buy = buy;
      w.sell = sell;
      if (!w.held && buy === 0n && sell === 0n) shadow.positions.delete(i);
      else shadow.positions.set(i, w);
    }
    const r = p * P_STRIDE;
    this.cold[r + P_BUY] = Number(buy);
    this.cold[r + P_SELL] = Number(sell);
    const flags = flagsOf(this.pos[r + P_BITS]!);
    this.setPositionFlags(p, buy > 0n || sell > 0n ? flags | POSITION_ORDERS : flags & ~POSITION_ORDERS);
    if ((flags & POSITION_HELD) === 0 && buy === 0n && sell === 0n) this.removePosition(a, p);
    else computePosition(this, p);
    this.markPending(a);
  }

  setLeverage(a: number, instrument: string, leverage: number | undefined): void {
    const i = this.instruments.resolve(instrument);
    let chosen = this.leverageChosen.get(a);
    if (leverage === undefined) chosen?.delete(i);
    else {
      if (chosen === undefined) {
        chosen = new Map();
        this.leverageChosen.set(a, chosen);
      }
      chosen.set(i, leverage);
    }
    const p = this.positionSlotOf(a, i);
    if (p < 0) return;
    this.cold[p * P_STRIDE + P_LEVERAGE] = leverage ?? Number.NaN;
    const flags = flagsOf(this.pos[p * P_STRIDE + P_BITS]!);
    this.setPositionFlags(p, leverage === undefined ? flags & ~POSITION_LEVERAGE : flags | POSITION_LEVERAGE);
    computePosition(this, p);
    this.markPending(a);
  }

  /** Adds a risk-core account (the reference's input): balances, positions, orders, leverage. */
  loadAccount(account: Account): number {
    if (account.mode === 'portfolio') {
      throw new InputError('kernel_mode_unsupported', `account ${account.id}: portfolio accounts are valued per underlying (portfolio.ts), not by this book`);
    }
    const a = this.addAccount(account.id, account.mode);
    for (const [asset, value] of account.balances) this.setBalance(a, asset, value);
    for (const position of account.positions) {
      if (position.leverage !== undefined) this.setLeverage(a, position.instrument, position.leverage);
      const held: PositionInput = {
        size: position.size,
        entryValue: position.entryValue,
        ...(position.isolatedMargin === undefined ? {} : { isolatedMargin: position.isolatedMargin }),
      };
      this.setPosition(a, position.instrument, held);
      if (position.openOrders !== undefined) this.setOrders(a, position.instrument, position.openOrders.buy, position.openOrders.sell);
    }
    return a;
  }

  /**
   * Bulk loading in units (benchmarks, snapshots): a held position of exact integer units within
   * 2^53, cross or isolated (isolatedUnits NaN for cross), no orders. Values are checked.
   */
  loadPositionUnits(a: number, instrument: number, sizeUnits: number, entryUnits: number, isolatedUnits = Number.NaN): number {
    invariant(Number.isSafeInteger(sizeUnits) && Number.isSafeInteger(entryUnits), 'position units are safe integers');
    invariant(Number.isNaN(isolatedUnits) || Number.isSafeInteger(isolatedUnits), 'isolated margin units are safe integers');
    let p = this.positionSlotOf(a, instrument);
    if (p < 0) p = this.createPosition(a, instrument);
    this.setPositionFlags(p, flagsOf(this.pos[p * P_STRIDE + P_BITS]!) | POSITION_HELD);
    this.writePosition(p, sizeUnits, entryUnits, isolatedUnits);
    computePosition(this, p);
    this.markPending(a);
    return p;
  }

  /** Bulk loading of a balance in units (a safe integer). */
  loadBalanceUnits(a: number, asset: number, units: number): void {
    invariant(Number.isSafeInteger(units) && this.assets.hasSpec[asset] === 1, 'balance units are a safe integer of a collateral asset');
    const relative = this.assetSlotOf(a, asset); // may move the block: read the offset after
    this.slots[((this.acc[a * A_STRIDE + A_ASSET_OFFSET]! | 0) + relative) * S_STRIDE + S_BALANCE] = units;
    this.markPending(a);
  }

  private setPositionFlags(p: number, flags: number): void {
    const r = p * P_STRIDE + P_BITS;
    const bits = this.pos[r]!;
    this.pos[r] = positionBits(flags, assetSlotOf(bits), bracketOf(bits));
  }

  /** Writes the ledger fields of a slot; isolatedUnits NaN for a cross position. */
  private writePosition(p: number, sizeUnits: number, entryUnits: number, isolatedUnits: number): void {
    const r = p * P_STRIDE;
    const a = (this.pos[r + P_ACCOUNT]! | 0);
    const i = (this.pos[r + P_INSTRUMENT]! | 0);
    this.cold[r + P_SIZE] = sizeUnits;
    this.pos[r + P_ENTRY] = entryUnits;
    this.pos[r + P_QUANTITY] = (sizeUnits / UNITS) * this.instruments.contractSize[i]!;
    const bits = this.pos[r + P_BITS]!;
    if (Number.isNaN(isolatedUnits)) {
      const slot = this.assetSlotOf(a, this.instruments.settlementAsset[i]!);
      this.cold[r + P_ISOLATED] = 0;
      this.pos[r + P_BITS] = positionBits(flagsOf(bits) & ~POSITION_ISOLATED, slot, bracketOf(bits));
    } else {
      this.cold[r + P_ISOLATED] = isolatedUnits;
      this.pos[r + P_BITS] = positionBits(flagsOf(bits) | POSITION_ISOLATED, -1, bracketOf(bits));
    }
  }

  // ------------------------------------------------------------ re-margin

  private markPending(a: number): void {
    const r = a * A_STRIDE + A_FLAGS;
    const flags = this.acc[r]!;
    this.acc[r] = flags | ACCOUNT_REAGGREGATE | ACCOUNT_PENDING;
    if ((flags & ACCOUNT_PENDING) !== 0) return;
    if (this.pendingAccountCount === this.pendingAccounts.length) {
      this.pendingAccounts = growI32(this.pendingAccounts, nextCapacity(this.pendingAccounts.length, this.pendingAccountCount + 1));
    }
    this.pendingAccounts[this.pendingAccountCount++] = a;
  }

  /** Work is waiting: changes since the last pass, or a pass that remarginSlice has not finished. */
  get hasPendingWork(): boolean {
    return this.passActive || this.pendingInstruments.length > 0 || this.pendingAssets.length > 0 || this.pendingAccountCount > 0;
  }

  /**
   * Re-values what changed since the last call: the positions of instruments whose mark, lagged
   * mark, open interest or settlement price moved, then every account they belong to, the holders
   * of repriced assets and the accounts whose ledger changed. Returns the number of accounts
   * valued; `changedCount` / `changedAccounts` say whose status moved. The work is one position
   * per touched position plus one account valuation per touched account (aggregate.ts). A pass
   * that remarginSlice left unfinished is finished first.
   */
  remargin(): number {
    this.changedCount = 0;
    this.exactValuations = 0;
    let valued = 0;
    // A pass in progress, then the work that arrived while it was in progress (at most two passes).
    do valued += this.advance(Number.POSITIVE_INFINITY);
    while (this.hasPendingWork);
    return valued;
  }

  /**
   * Does at most `budget` units of re-margin work (a position moved to the market, or an account
   * valued, is one unit) and returns true when nothing is left, so that a shell can spread the
   * re-margin of a tick on a widely held instrument over turns of its event loop (R26) instead of
   * stalling it. `changedCount` / `changedAccounts` cover this slice. Between slices the book may
   * change freely: a pass works on the changes pending when it started, and later changes wait for
   * the next pass. Slices until true leave every figure bit-identical to one remargin() call
   * (test/kernel/slices.test.ts); remargin() finishes whatever a slice left.
   */
  remarginSlice(budget: number): boolean {
    invariant(budget >= 1, 'a re-margin slice has a budget of at least one unit');
    this.changedCount = 0;
    this.exactValuations = 0;
    this.advance(Math.floor(budget));
    return !this.hasPendingWork;
  }

  /** Takes the pending work as a new pass: its own lists, epoch and cursors. */
  private startPass(): void {
    this.epochNow = (this.epochNow + 1) % 2_000_000_000;
    this.passEpoch = this.epochNow;
    this.passActive = true;
    this.passInstruments = this.pendingInstruments;
    this.pendingInstruments = [];
    for (const i of this.passInstruments) {
      this.instrumentPending[i] = 0;
      this.instrumentInPass[i] = 1;
    }
    this.passAssets = this.pendingAssets;
    this.pendingAssets = [];
    for (const asset of this.passAssets) this.assetPending[asset] = 0;
    const accounts = this.passAccounts;
    this.passAccounts = this.pendingAccounts;
    this.passAccountCount = this.pendingAccountCount;
    this.pendingAccounts = accounts;
    this.pendingAccountCount = 0;
    // One instrument moved and nothing else: each holder is touched once, so it is valued right
    // after its position, while its records are in cache. Otherwise all moves first, then values.
    this.passSingle = this.passInstruments.length === 1 && this.passAssets.length === 0;
    this.passPhase = PHASE_INSTRUMENTS;
    this.passList = 0;
    this.passMember = 0;
    this.passTouched = 0;
    this.passCursor = 0;
  }

  /** Advances the pass (starting one if work is pending) by at most `budget` units; returns the accounts valued. */
  private advance(budget: number): number {
    if (!this.passActive) {
      if (this.pendingInstruments.length === 0 && this.pendingAssets.length === 0 && this.pendingAccountCount === 0) return 0;
      this.startPass();
    }
    const epoch = this.passEpoch;
    const acc = this.acc;
    const pos = this.pos;
    let left = budget;
    let valued = 0;
    if (this.passPhase === PHASE_INSTRUMENTS) {
      const single = this.passSingle;
      while (this.passList < this.passInstruments.length) {
        const i = this.passInstruments[this.passList]!;
        const list = this.members.lists[i]!;
        const count = this.members.counts[i]!;
        let k = this.passMember;
        for (; k < count && left > 0; k++) {
          left--;
          const p = list[k]!;
          const a = pos[p * P_STRIDE + P_ACCOUNT]! | 0;
          const r = a * A_STRIDE;
          const flags = acc[r + A_FLAGS]!;
          // A cross position of an account whose sums are exact moves by a delta; otherwise the
          // account is re-aggregated from its position records.
          let reaggregate = (flags & (ACCOUNT_REAGGREGATE | ACCOUNT_LARGE)) !== 0 || acc[r + A_AGG_ISOLATED] !== 0;
          if (!reaggregate) reaggregate = !deltaPosition(this, p, a);
          else computePosition(this, p);
          if (acc[r + A_EPOCH] === epoch) {
            if (reaggregate) acc[r + A_FLAGS] = acc[r + A_FLAGS]! | ACCOUNT_REAGGREGATE;
            continue;
          }
          acc[r + A_EPOCH] = epoch;
          if (single && (flags & ACCOUNT_PENDING) === 0) {
            if (reaggregate) aggregateAccount(this, a, false);
            acc[r + A_FLAGS] = acc[r + A_FLAGS]! & ~ACCOUNT_REAGGREGATE;
            valueAccount(this, a);
            valued++;
            left--;
          } else {
            if (reaggregate) acc[r + A_FLAGS] = acc[r + A_FLAGS]! | ACCOUNT_REAGGREGATE;
            this.touched[this.passTouched++] = a;
          }
        }
        this.passMember = k;
        if (k < count) return valued;
        this.instrumentInPass[i] = 0;
        this.passList++;
        this.passMember = 0;
      }
      this.passPhase = PHASE_ASSETS;
      this.passList = 0;
    }
    if (this.passPhase === PHASE_ASSETS) {
      while (this.passList < this.passAssets.length) {
        const list = this.holders.lists[this.passAssets[this.passList]!]!;
        const count = this.holders.counts[this.passAssets[this.passList]!]!;
        let k = this.passMember;
        for (; k < count && left > 0; k++) {
          left--;
          const a = list[k]!;
          if (acc[a * A_STRIDE + A_EPOCH] === epoch) continue;
          acc[a * A_STRIDE + A_EPOCH] = epoch;
          this.touched[this.passTouched++] = a;
        }
        this.passMember = k;
        if (k < count) return valued;
        this.passList++;
        this.passMember = 0;
      }
      this.passPhase = PHASE_ACCOUNTS;
    }
    if (this.passPhase === PHASE_ACCOUNTS) {
      let k = this.passCursor;
      for (; k < this.passAccountCount && left > 0; k++) {
        left--;
        const a = this.passAccounts[k]!;
        const r = a * A_STRIDE;
        acc[r + A_FLAGS] = acc[r + A_FLAGS]! & ~ACCOUNT_PENDING;
        if (acc[r + A_EPOCH] === epoch) continue;
        acc[r + A_EPOCH] = epoch;
        this.touched[this.passTouched++] = a;
      }
      this.passCursor = k;
      if (k < this.passAccountCount) return valued;
      this.passAccountCount = 0;
      this.passPhase = PHASE_TOUCHED;
      this.passCursor = 0;
    }
    let k = this.passCursor;
    for (; k < this.passTouched && left > 0; k++) {
      left--;
      const a = this.touched[k]!;
      const r = a * A_STRIDE;
      if ((acc[r + A_FLAGS]! & (ACCOUNT_REAGGREGATE | ACCOUNT_LARGE)) !== 0 || acc[r + A_AGG_ISOLATED] !== 0) {
        aggregateAccount(this, a, false);
        acc[r + A_FLAGS] = acc[r + A_FLAGS]! & ~ACCOUNT_REAGGREGATE;
      }
      valueAccount(this, a);
      valued++;
    }
    this.passCursor = k;
    if (k < this.passTouched) return valued;
    this.passActive = false;
    this.passInstruments = [];
    this.passAssets = [];
    return valued;
  }

  /**
   * Recomputes every position and account in [from, to) from scratch (the full re-margin). A sweep
   * of all accounts also settles all pending work. Chunked calls (from, to) let a shell spread a
   * sweep over several turns of the event loop.
   */
  sweep(from = 0, to = this.accountCount): number {
    const end = Math.min(to, this.accountCount);
    if (from === 0 && end === this.accountCount) this.clearPending();
    this.beginPass();
    if (this.workers !== null && this.workers.count > 0 && end - from >= this.parallelMinimum) this.workers.sweep(this, from, end, (x, y) => this.sweepRange(x, y));
    else this.sweepRange(from, end);
    return Math.max(0, end - from);
  }

  private sweepRange(from: number, end: number): void {
    const acc = this.acc;
    for (let a = from; a < end; a++) {
      const r = a * A_STRIDE;
      aggregateAccount(this, a, true);
      acc[r + A_FLAGS] = acc[r + A_FLAGS]! & ~ACCOUNT_REAGGREGATE;
      valueAccount(this, a);
    }
  }

  /**
   * Splits sweeps of at least `minimumAccounts` accounts with these worker threads from now on
   * (parallel.ts; null: this thread only). The results are bit-identical to a sweep on this thread
   * (test/kernel/parallel.test.ts). A pool may serve several books; its owner stops it. The first
   * call with workers moves the records to shared buffers (a copy, once; store.ts sharedF64).
   */
  useWorkers(workers: SweepWorkers | null, minimumAccounts = PARALLEL_ACCOUNTS_MIN): void {
    invariant(minimumAccounts >= 1, 'a parallel sweep has at least one account');
    if (workers !== null) {
      this.acc = toShared(this.acc);
      this.pos = toShared(this.pos);
      this.cold = toShared(this.cold);
      this.slots = toShared(this.slots);
    }
    this.workers = workers;
    this.parallelMinimum = minimumAccounts;
  }

  private clearPending(): void {
    // A pass in progress is dropped: the sweep recomputes everything it would have.
    for (const i of this.passInstruments) this.instrumentInPass[i] = 0;
    for (let k = 0; k < this.passAccountCount; k++) {
      const r = this.passAccounts[k]! * A_STRIDE + A_FLAGS;
      this.acc[r] = this.acc[r]! & ~ACCOUNT_PENDING;
    }
    this.passActive = false;
    this.passInstruments = [];
    this.passAssets = [];
    this.passAccountCount = 0;
    for (const i of this.pendingInstruments) this.instrumentPending[i] = 0;
    for (const asset of this.pendingAssets) this.assetPending[asset] = 0;
    for (let k = 0; k < this.pendingAccountCount; k++) {
      const r = this.pendingAccounts[k]! * A_STRIDE + A_FLAGS;
      this.acc[r] = this.acc[r]! & ~ACCOUNT_PENDING;
    }
    this.pendingInstruments = [];
    this.pendingAssets = [];
    this.pendingAccountCount = 0;
  }

  private beginPass(): void {
    this.changedCount = 0;
    this.exactValuations = 0;
    this.epochNow = (this.epochNow + 1) % 2_000_000_000;
  }

  /**
   * Requeues the liquidatable and bankrupt accounts the bounded queue left out (O(accounts)); call
   * when `queue.overflowed` and the liquidation planner has made room.
   */
  refillQueue(): void {
    this.queue.refill(this.accountCount, (a) => this.status(a), (a) => this.acc[a * A_STRIDE + A_RATIO]!);
  }

  /** Called by valueAccount when an account's status moves. */
  recordChange(a: number, from: number): void {
    if (this.changedCount === this.changedAccounts.length) {
      // remargin() finishing a sliced pass and then the work that came meanwhile may value an account twice.
      const capacity = nextCapacity(this.changedAccounts.length, this.changedCount + 1);
      this.changedAccounts = growI32(this.changedAccounts, capacity);
      this.changedFrom = growI32(this.changedFrom, capacity);
    }
    this.changedAccounts[this.changedCount] = a;
    this.changedFrom[this.changedCount] = from;
    this.changedCount++;
  }

  // ----------------------------------------------------------- slots

  /** The account's position slot for instrument i, or -1. */
  positionSlotOf(a: number, i: number): number {
    const r = a * A_STRIDE;
    const first = (this.acc[r + A_POSITION_OFFSET]! | 0);
    const last = first + (this.acc[r + A_POSITION_COUNT]! | 0);
    for (let p = first; p < last; p++) if (this.pos[p * P_STRIDE + P_INSTRUMENT] === i) return p;
    return -1;
  }

  /** The account's asset slot (relative) for `asset`, created with a zero balance if missing. */
  assetSlotOf(a: number, asset: number): number {
    const r = a * A_STRIDE;
    const offset = (this.acc[r + A_ASSET_OFFSET]! | 0);
    const count = (this.acc[r + A_ASSET_COUNT]! | 0);
    for (let k = 0; k < count; k++) if (((this.slots[(offset + k) * S_STRIDE + S_PACKED]! >>> 24) & 0xff) === asset) return k;
    invariant(count < KERNEL_ASSETS_PER_ACCOUNT_MAX, `at most ${KERNEL_ASSETS_PER_ACCOUNT_MAX} assets per account`);
    if (count === this.acc[r + A_ASSET_CAPACITY]) this.moveAssetBlock(a, grownBlockCapacity(count));
    const s = ((this.acc[r + A_ASSET_OFFSET]! | 0) + count) * S_STRIDE;
    this.slots.fill(0, s, s + S_STRIDE);
    this.slots[s + S_PACKED] = asset * 2 ** 24;
    this.acc[r + A_ASSET_COUNT] = count + 1;
    this.acc[r + A_FLAGS] = this.acc[r + A_FLAGS]! | ACCOUNT_REAGGREGATE;
    this.holders.add(asset, a);
    return count;
  }

  private createPosition(a: number, i: number): number {
    const r = a * A_STRIDE;
    const count = (this.acc[r + A_POSITION_COUNT]! | 0);
    invariant(count < KERNEL_POSITIONS_PER_ACCOUNT_MAX, `at most ${KERNEL_POSITIONS_PER_ACCOUNT_MAX} positions per account`);
    if (count === this.acc[r + A_POSITION_CAPACITY]) this.movePositionBlock(a, grownBlockCapacity(count));
    const p = (this.acc[r + A_POSITION_OFFSET]! | 0) + count;
    this.acc[r + A_POSITION_COUNT] = count + 1;
    const s = p * P_STRIDE;
    this.pos.fill(0, s, s + P_STRIDE);
    this.cold.fill(0, s, s + P_STRIDE);
    this.pos[s + P_ACCOUNT] = a;
    this.pos[s + P_INSTRUMENT] = i;
    const leverage = this.leverageChosen.get(a)?.get(i);
    this.cold[s + P_LEVERAGE] = leverage ?? Number.NaN;
    this.pos[s + P_BITS] = positionBits(leverage === undefined ? 0 : POSITION_LEVERAGE, -1, 0);
    this.cold[s + P_INDEX_SLOT] = this.members.add(i, p);
    return p;
  }

  private removePosition(a: number, p: number): void {
    const s = p * P_STRIDE;
    const i = (this.pos[s + P_INSTRUMENT]! | 0);
    const moved = this.members.remove(i, (this.cold[s + P_INDEX_SLOT]! | 0));
    // The last holder moved into the hole, perhaps behind a pass's cursor: the next pass redoes the list.
    if (this.instrumentInPass[i] === 1) this.instrumentChanged(i);
    if (moved >= 0) this.cold[moved * P_STRIDE + P_INDEX_SLOT] = (this.cold[s + P_INDEX_SLOT]! | 0);
    const r = a * A_STRIDE;
    const last = (this.acc[r + A_POSITION_OFFSET]! | 0) + (this.acc[r + A_POSITION_COUNT]! | 0) - 1;
    if (p !== last) {
      this.pos.copyWithin(s, last * P_STRIDE, (last + 1) * P_STRIDE);
      this.cold.copyWithin(s, last * P_STRIDE, (last + 1) * P_STRIDE);
      this.members.lists[(this.pos[s + P_INSTRUMENT]! | 0)]![(this.cold[s + P_INDEX_SLOT]! | 0)] = p;
    }
    this.acc[r + A_POSITION_COUNT] = (this.acc[r + A_POSITION_COUNT]! | 0) - 1;
  }

  /** Moves the account's positions to a new block of `capacity` slots (a full block, or a reservation). */
  movePositionBlock(a: number, capacity: number): void {
    const r = a * A_STRIDE;
    const offset = (this.acc[r + A_POSITION_OFFSET]! | 0);
    const count = (this.acc[r + A_POSITION_COUNT]! | 0);
    const target = this.positionBlocks.allocate(capacity);
    if (this.positionBlocks.top * P_STRIDE > this.pos.length) {
      const capacity = nextCapacity(this.pos.length / P_STRIDE, this.positionBlocks.top) * P_STRIDE;
      this.pos = growF64(this.pos, capacity);
      this.cold = growF64(this.cold, capacity);
    }
    this.pos.copyWithin(target * P_STRIDE, offset * P_STRIDE, (offset + count) * P_STRIDE);
    this.cold.copyWithin(target * P_STRIDE, offset * P_STRIDE, (offset + count) * P_STRIDE);
    for (let k = 0; k < count; k++) {
      const s = (target + k) * P_STRIDE;
      this.members.lists[(this.pos[s + P_INSTRUMENT]! | 0)]![(this.cold[s + P_INDEX_SLOT]! | 0)] = target + k;
    }
    this.positionBlocks.release(offset, (this.acc[r + A_POSITION_CAPACITY]! | 0));
    this.acc[r + A_POSITION_OFFSET] = target;
    this.acc[r + A_POSITION_CAPACITY] = capacity;
  }

  private moveAssetBlock(a: number, capacity: number): void {
    const r = a * A_STRIDE;
    const offset = (this.acc[r + A_ASSET_OFFSET]! | 0);
    const count = (this.acc[r + A_ASSET_COUNT]! | 0);
    const target = this.assetBlocks.allocate(capacity);
    if (this.assetBlocks.top * S_STRIDE > this.slots.length) {
      this.slots = growF64(this.slots, nextCapacity(this.slots.length / S_STRIDE, this.assetBlocks.top) * S_STRIDE);
    }
    this.slots.copyWithin(target * S_STRIDE, offset * S_STRIDE, (offset + count) * S_STRIDE);
    this.assetBlocks.release(offset, (this.acc[r + A_ASSET_CAPACITY]! | 0));
    this.acc[r + A_ASSET_OFFSET] = target;
    this.acc[r + A_ASSET_CAPACITY] = capacity;
  }

  /** Reserves tight blocks for an account about to be loaded with this many positions and assets. */
  reserve(a: number, positions: number, assets: number): void {
    const r = a * A_STRIDE;
    if (positions > (this.acc[r + A_POSITION_CAPACITY]! | 0)) this.movePositionBlock(a, positions);
    if (assets > (this.acc[r + A_ASSET_CAPACITY]! | 0)) this.moveAssetBlock(a, assets);
  }

  private growAccounts(n: number): void {
    this.acc = growF64(this.acc, n * A_STRIDE);
    this.touched = growI32(this.touched, n);
    this.changedAccounts = growI32(this.changedAccounts, n);
    this.changedFrom = growI32(this.changedFrom, n);
  }

  /** Keeps the account's exact ledger in a shadow from now on (a value beyond 2^53 units). */
  private widen(a: number): void {
    if (this.wide.has(a)) return;
    const shadow: WideAccount = { balances: new Map(), positions: new Map() };
    const r = a * A_STRIDE;
    const offset = (this.acc[r + A_ASSET_OFFSET]! | 0);
    for (let k = 0; k < (this.acc[r + A_ASSET_COUNT]! | 0); k++) {
      const s = (offset + k) * S_STRIDE;
      shadow.balances.set((this.slots[s + S_PACKED]! >>> 24) & 0xff, BigInt(this.slots[s + S_BALANCE]!));
    }
    const first = (this.acc[r + A_POSITION_OFFSET]! | 0);
    for (let p = first; p < first + (this.acc[r + A_POSITION_COUNT]! | 0); p++) {
      const s = p * P_STRIDE;
      const flags = flagsOf(this.pos[s + P_BITS]!);
      shadow.positions.set((this.pos[s + P_INSTRUMENT]! | 0), {
        size: BigInt(this.cold[s + P_SIZE]!),
        entryValue: BigInt(this.pos[s + P_ENTRY]!),
        isolatedMargin: (flags & POSITION_ISOLATED) !== 0 ? BigInt(this.cold[s + P_ISOLATED]!) : undefined,
        held: (flags & POSITION_HELD) !== 0,
        buy: BigInt(this.cold[s + P_BUY]!),
        sell: BigInt(this.cold[s + P_SELL]!),
      });
    }
    this.wide.set(a, shadow);
    this.acc[r + A_FLAGS] = this.acc[r + A_FLAGS]! | ACCOUNT_WIDE;
  }

  // ------------------------------------------------------------ memory

  /** Bytes held by the records and indices (allocated capacity, typed arrays only). */
  memory(): { positionBytes: number; accountBytes: number; assetSlotBytes: number; indexBytes: number; total: number } {
    const positionBytes = this.pos.byteLength + this.cold.byteLength;
    const accountBytes = this.acc.byteLength + this.pendingAccounts.byteLength + this.touched.byteLength + this.changedAccounts.byteLength + this.changedFrom.byteLength + this.queue.bytes();
    const assetSlotBytes = this.slots.byteLength;
    const indexBytes = this.members.bytes() + this.holders.bytes();
    return { positionBytes, accountBytes, assetSlotBytes, indexBytes, total: positionBytes + accountBytes + assetSlotBytes + indexBytes };
  }
}
