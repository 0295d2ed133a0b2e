/**
 * The engine's state: accounts, market, venue parameters and the venue's own ledgers. It is
 * changed only by `apply`, one event at a time, deterministically. (It is mutated in place: a
 * persistent copy per event costs too much at a million accounts; `decide` never mutates it.)
 *
 * Conservation, per asset, exactly (DESIGN.md invariants):
 *   sum of account cash + insurance fund + fee pool + rounding = deposits - withdrawals,
 * where an account's cash is its balances, its isolated margins, and its positions' "position
 * cash" (-entryValue for linear, +entryValue for inverse positions: what the fills moved).
 */
import type { MarginMode } from '../risk/account/types.js';
import type { RiskParams, Status } from '../risk/account/types.js';
import type { LiquidationParams } from '../risk/liquidation/params.js';
import type { LiquidationAuctionState, LiquidationOrderState } from './liquidation/events.js';
import type { Amount, Price, Size } from '../risk/units/quantities.js';
import type { MarketStatus } from './commands.js';
import type { OrderState } from './events.js';

export interface PositionState {
  readonly instrument: string;
  size: Size;
  entryValue: Amount;
  /** Present exactly when the account is in isolated mode. */
  isolatedMargin?: Amount;
}

export interface AccountState {
  readonly id: string;
  readonly parentId?: string;
  mode: MarginMode;
  readonly balances: Map<string, Amount>;
  readonly positions: Map<string, PositionState>;
  readonly orders: Map<string, OrderState>;
  readonly leverage: Map<string, number>;
}

export interface MarketState {
  readonly prices: Map<string, Price>;
  readonly marks: Map<string, Price>;
  readonly laggedPrices: Map<string, Price>;
  /** Price symbols whose oracle status is not `ok` (absent means ok). */
  readonly statuses: Map<string, MarketStatus>;
  /** Per price symbol, the observation time of the newest update applied (updates with asOfMs). */
  readonly asOfMs: Map<string, number>;
  /** Per perpetual, the end of the last funding interval settled (commands with intervalEndMs). */
  readonly fundingSettledToMs: Map<string, number>;
}

export interface VenueLedgers {
  readonly insuranceFund: Map<string, Amount>;
  readonly feePool: Map<string, Amount>;
  readonly rounding: Map<string, Amount>;
  readonly deposits: Map<string, Amount>;
  readonly withdrawals: Map<string, Amount>;
}

export interface ParamsState {
  version: number;
  document: unknown;
  risk: RiskParams;
  /** From the document's optional `liquidation` section; undefined: no automatic liquidation (issue 6). */
  liquidation: LiquidationParams | undefined;
  /** Accepted changes waiting for their effective time, in version order. */
  readonly pending: { version: number; effectiveMs: number; document: unknown }[];
}

export interface EngineState {
  params: ParamsState | undefined;
  readonly market: MarketState;
  readonly accounts: Map<string, AccountState>;
  readonly ledgers: VenueLedgers;
  /** Per instrument, the total long size (equal to the total short size). */
  readonly openInterest: Map<string, Size>;
  /** Expired instruments and their settlement price: no orders or fills after this. */
  readonly settled: Map<string, Price>;
  readonly liquidation: LiquidationState;
}

/**
 * What liquidation remembers between ticks (issue 6). The insurance fund itself is the system
 * account `system:insurance-fund` (its balances and positions are the fund), so
 * `ledgers.insuranceFund` stays empty; this holds only bookkeeping that moves no money.
 */
export interface LiquidationState {
  /** The last recorded status of each account that is not healthy (absent: healthy). */
  readonly statuses: Map<string, Status>;
  /** Per instrument, what the insurance fund has paid above mark for its deficits (settlement asset). */
  readonly fundDrawdown: Map<string, Amount>;
  /** Outstanding liquidation orders (mode c), by order id. */
  readonly orders: Map<string, LiquidationOrderState>;
  /** Running Dutch auctions (mode d), by auction id. */
  readonly auctions: Map<string, LiquidationAuctionState>;
}

export function emptyState(): EngineState {
  return {
    params: undefined,
    market: { prices: new Map(), marks: new Map(), laggedPrices: new Map(), statuses: new Map(), asOfMs: new Map(), fundingSettledToMs: new Map() },
    accounts: new Map(),
    ledgers: { insuranceFund: new Map(), feePool: new Map(), rounding: new Map(), deposits: new Map(), withdrawals: new Map() },
    openInterest: new Map(),
    settled: new Map(),
    liquidation: { statuses: new Map(), fundDrawdown: new Map(), orders: new Map(), auctions: new Map() },
  };
}

export function addTo(map: Map<string, Amount>, key: string, delta: bigint): void {
  const next = (map.get(key) ?? 0n) + delta;
  if (next === 0n) map.delete(key);
  else map.set(key, next as Amount);
}
