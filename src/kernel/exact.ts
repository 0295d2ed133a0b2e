/**
 * The exact path: an account of the book as the reference's input (`materialise`), and its
 * valuation by the reference `marginOf` (src/risk/account/account.ts). The kernel takes this path
 * for wide accounts (a ledger value beyond 2^53 units) and for accounts whose float figures are
 * too close to a status threshold to decide; it is also how a caller gets the exact figures and
 * their explanation for any account (a liquidation event carries exact figures, DESIGN.md D2).
 */
import { marginOf, type AccountMargin } from '../risk/account/account.js';
import type { Account, Position } from '../risk/account/types.js';
import { InputError } from '../risk/errors.js';
import { amount, size, type Amount } from '../risk/units/quantities.js';
import type { RiskBook } from './book.js';
import { EXACT_HALF, SUM_SLACK } from './float.js';
import {
  A_ASSET_COUNT,
  A_ASSET_OFFSET,
  A_COLLATERAL_INITIAL,
  A_COLLATERAL_MAINTENANCE,
  A_COVER_ERROR,
  A_CROSS_COLLATERAL,
  A_CROSS_INITIAL,
  A_EQUITY,
  A_INITIAL,
  A_ISOLATED_SHORTFALL,
  A_MAINTENANCE,
  A_POSITION_COUNT,
  A_POSITION_OFFSET,
  A_RATIO,
  A_STRIDE,
  P_BITS,
  P_BUY,
  P_ENTRY,
  P_INSTRUMENT,
  P_ISOLATED,
  P_LEVERAGE,
  P_SELL,
  P_SIZE,
  P_STRIDE,
  POSITION_ISOLATED,
  S_BALANCE,
  S_PACKED,
  S_STRIDE,
} from './layout.js';
import { STATUS_UNVALUED, statusCode } from './status.js';

/** The account as the reference's `Account`: non-zero balances, positions in instrument order. */
export function materialise(b: RiskBook, a: number): Account {
  const shadow = b.wide.get(a);
  const ra = a * A_STRIDE;
  const balances = new Map<string, Amount>();
  const first = (b.acc[ra + A_ASSET_OFFSET]! | 0);
  for (let k = first; k < first + (b.acc[ra + A_ASSET_COUNT]! | 0); k++) {
    const asset = (b.slots[k * S_STRIDE + S_PACKED]! >>> 24) & 0xff;
    const value = shadow?.balances.get(asset) ?? BigInt(b.slots[k * S_STRIDE + S_BALANCE]!);
    if (value !== 0n) balances.set(b.assets.index.symbols[asset]!, amount(value));
  }
  const positions: Position[] = [];
  const offset = (b.acc[ra + A_POSITION_OFFSET]! | 0);
  for (let p = offset; p < offset + (b.acc[ra + A_POSITION_COUNT]! | 0); p++) {
    const r = p * P_STRIDE;
    const i = (b.pos[r + P_INSTRUMENT]! | 0);
    const exact = shadow?.positions.get(i);
    const isolated = (b.pos[r + P_BITS]! & POSITION_ISOLATED) !== 0;
    const buy = exact?.buy ?? BigInt(b.cold[r + P_BUY]!);
    const sell = exact?.sell ?? BigInt(b.cold[r + P_SELL]!);
    const leverage = b.cold[r + P_LEVERAGE]!;
    positions.push({
      instrument: b.instruments.index.symbols[i]!,
      size: size(exact?.size ?? BigInt(b.cold[r + P_SIZE]!)),
      entryValue: amount(exact?.entryValue ?? BigInt(b.pos[r + P_ENTRY]!)),
      ...(Number.isNaN(leverage) ? {} : { leverage }),
      ...(isolated ? { isolatedMargin: amount(exact?.isolatedMargin ?? BigInt(b.cold[r + P_ISOLATED]!)) } : {}),
      ...(buy > 0n || sell > 0n ? { openOrders: { buy: size(buy), sell: size(sell) } } : {}),
    });
  }
  positions.sort((x, y) => (x.instrument < y.instrument ? -1 : x.instrument > y.instrument ? 1 : 0));
  return { id: b.ids[a]!, mode: b.isolatedMode(a) ? 'isolated' : 'cross', balances, positions };
}

/** The reference's figures of account `a` in the book's market. Throws the reference's InputError. */
export function exactMarginOf(b: RiskBook, a: number): AccountMargin {
  return marginOf(materialise(b, a), b.market, b.params);
}

const FIGURES = [A_EQUITY, A_INITIAL, A_MAINTENANCE, A_COLLATERAL_INITIAL, A_COLLATERAL_MAINTENANCE, A_CROSS_INITIAL, A_CROSS_COLLATERAL, A_ISOLATED_SHORTFALL, A_COVER_ERROR, A_RATIO];

/** Writes the reference's figures into the account record; returns the status code. */
export function valueAccountExact(b: RiskBook, a: number): number {
  const ra = a * A_STRIDE;
  let margin: AccountMargin;
  try {
    margin = exactMarginOf(b, a);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    b.unvalued.set(a, error.code);
    for (const f of FIGURES) b.acc[ra + f] = Number.NaN;
    return STATUS_UNVALUED;
  }
  b.unvalued.delete(a);
  const [cross, ...isolated] = margin.pools;
  let shortfall = 0n;
  for (const pool of isolated) if (pool.initialMargin > pool.collateralInitial) shortfall += pool.initialMargin - pool.collateralInitial;
  const crossIm = cross?.initialMargin ?? 0n;
  const crossCollateral = cross?.collateralInitial ?? 0n;
  b.acc[ra + A_EQUITY] = Number(margin.equity);
  b.acc[ra + A_INITIAL] = Number(margin.initialMargin);
  b.acc[ra + A_MAINTENANCE] = Number(margin.maintenanceMargin);
  b.acc[ra + A_COLLATERAL_INITIAL] = Number(margin.collateralInitial);
  b.acc[ra + A_COLLATERAL_MAINTENANCE] = Number(margin.collateralMaintenance);
  b.acc[ra + A_CROSS_INITIAL] = Number(crossIm);
  b.acc[ra + A_CROSS_COLLATERAL] = Number(crossCollateral);
  b.acc[ra + A_ISOLATED_SHORTFALL] = Number(shortfall);
  // Exact in float64 below 2^52; beyond, each conversion rounds by half an ulp at most.
  const magnitude = Math.abs(Number(crossCollateral)) + Math.abs(Number(crossIm)) + Number(shortfall);
  b.acc[ra + A_COVER_ERROR] = magnitude < EXACT_HALF ? 0 : SUM_SLACK * magnitude + 1;
  b.acc[ra + A_RATIO] = margin.marginRatio ?? Number.NaN;
  return statusCode(margin.status);
}
