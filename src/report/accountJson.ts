/**
 * The wire form of an account's figures: what `solvent margin --json` prints and what the API
 * will return. It is a public contract (DESIGN.md D7), documented in docs/formats.md:
 * - ledger values (amounts, prices, sizes) are exact decimal strings, trailing zeros trimmed;
 * - ratios (margin ratio, effective leverage) are JSON numbers, or null when undefined;
 * - an average entry price, a float, is a decimal string rounded half to even to 8 places;
 * - a liquidation or bankruptcy price is a decimal string, or null with a note saying why;
 * - every key is always present, in a fixed order, so that consumers and diffs stay simple;
 * - a portfolio account adds, per underlying, its scenario requirement: the figures in the model's
 *   currency (floats, JSON numbers), the binding scenario with each position's PnL in it, the
 *   contingencies, and the requirement in the valuation asset (exact decimal strings).
 */
import type { AccountFigures, PositionReport } from '../risk/account/account.js';
import type { PriceOutcome } from '../risk/account/adversePrice.js';
import type { CollateralFigures, PoolFigures, PoolKind } from '../risk/account/pool.js';
import type { PortfolioFigures } from '../risk/account/portfolioPool.js';
import type { AccountMode, Status } from '../risk/account/types.js';
import { invariant } from '../risk/errors.js';
import { PRICE_DECIMALS, formatAmount, formatPrice, formatSize } from '../risk/units/quantities.js';
import { decimalOfNumber } from './decimalText.js';

export interface PositionJson {
  readonly instrument: string;
  readonly margin: PoolKind;
  readonly size: string;
  readonly settlementAsset: string;
  readonly entryPrice: string;
  readonly markPrice: string;
  readonly notional: string;
  readonly unrealisedPnl: string;
  readonly unrealisedPnlSettlement: string;
  readonly initialMargin: string;
  readonly maintenanceMargin: string;
  readonly initialRule: string;
  readonly maintenanceRule: string;
  readonly status: Status;
  readonly liquidationPrice: string | null;
  readonly liquidationPriceNote: string | null;
  readonly bankruptcyPrice: string | null;
  readonly bankruptcyPriceNote: string | null;
}

export interface CollateralJson {
  readonly asset: string;
  readonly balance: string;
  readonly unrealisedPnl: string;
  readonly price: string;
  readonly value: string;
  readonly initialValue: string;
  readonly maintenanceValue: string;
  readonly initialRule: string;
  readonly maintenanceRule: string;
}

export interface PoolJson {
  readonly kind: PoolKind;
  /** The instruments whose positions stand in this pool, in account order. */
  readonly instruments: readonly string[];
  readonly equity: string;
  readonly unrealisedPnl: string;
  readonly collateralInitial: string;
  readonly collateralMaintenance: string;
  readonly initialMargin: string;
  readonly maintenanceMargin: string;
  readonly freeCollateral: string;
  readonly marginRatio: number | null;
  readonly notional: string;
  readonly status: Status;
}

export interface PortfolioPositionJson {
  /** An instrument, or the spot holding "BTC (spot)". */
  readonly instrument: string;
  readonly quantity: number;
  /** PnL in the binding scenario, before its weight; positive = gain. */
  readonly pnl: number;
  /** Weighted loss in the binding scenario; positive = loss. */
  readonly loss: number;
}

export interface PortfolioJson {
  readonly underlying: string;
  readonly model: string;
  /** What the model measures in: 'coin' (the underlying) or 'quote'. */
  readonly currency: 'coin' | 'quote';
  readonly currencyAsset: string;
  /** Price of one unit of currencyAsset in the valuation asset. */
  readonly currencyPrice: string;
  /** In the valuation asset, rounded up: what the account totals add. */
  readonly initialMargin: string;
  readonly maintenanceMargin: string;
  /** The model's figures in its currency (float64 risk measures). */
  readonly initial: number;
  readonly maintenance: number;
  readonly worstLoss: number;
  readonly binding: {
    readonly scenario: string;
    readonly priceMove: number;
    readonly volMove: 'up' | 'none' | 'down';
    readonly weight: number;
    readonly loss: number;
    readonly positions: readonly PortfolioPositionJson[];
  };
  readonly contingencies: { readonly futures: number; readonly options: number; readonly delta: number; readonly total: number };
  readonly explanation: readonly string[];
}

export interface AccountJson {
  readonly accountId: string;
  readonly mode: AccountMode;
  readonly valuationAsset: string;
  readonly equity: string;
  readonly unrealisedPnl: string;
  readonly collateralInitial: string;
  readonly collateralMaintenance: string;
  readonly initialMargin: string;
  readonly maintenanceMargin: string;
  readonly freeCollateral: string;
  readonly marginRatio: number | null;
  readonly effectiveLeverage: number | null;
  readonly status: Status;
  readonly positions: readonly PositionJson[];
  readonly collateral: readonly CollateralJson[];
  readonly pools: readonly PoolJson[];
  /** Portfolio accounts: one entry per underlying, in underlying order; empty otherwise. */
  readonly portfolio: readonly PortfolioJson[];
}

/** The note that stands in for a price that does not exist. */
export const PRICE_REACHED_NOTE = 'already reached at mark';

export function accountJson(figures: AccountFigures): AccountJson {
  return {
    accountId: figures.accountId,
    mode: figures.mode,
    valuationAsset: figures.valuationAsset,
    equity: formatAmount(figures.equity),
    unrealisedPnl: formatAmount(figures.unrealisedPnl),
    collateralInitial: formatAmount(figures.collateralInitial),
    collateralMaintenance: formatAmount(figures.collateralMaintenance),
    initialMargin: formatAmount(figures.initialMargin),
    maintenanceMargin: formatAmount(figures.maintenanceMargin),
    freeCollateral: formatAmount(figures.freeCollateral),
    marginRatio: ratioJson(figures.marginRatio),
    effectiveLeverage: ratioJson(figures.effectiveLeverage),
    status: figures.status,
    positions: figures.positions.map(positionJson),
    collateral: figures.collateral.map(collateralJson),
    pools: figures.pools.map(poolJson),
    portfolio: figures.portfolio.map(portfolioJson),
  };
}

function positionJson(p: PositionReport): PositionJson {
  const liquidation = priceOutcomeJson(p.liquidationPrice);
  const bankruptcy = priceOutcomeJson(p.bankruptcyPrice);
  return {
    instrument: p.instrument,
    margin: p.margin,
    size: formatSize(p.size),
    settlementAsset: p.settlementAsset,
    entryPrice: decimalOfNumber(p.entryPrice, PRICE_DECIMALS),
    markPrice: formatPrice(p.markPrice),
    notional: formatAmount(p.notional),
    unrealisedPnl: formatAmount(p.unrealisedPnl),
    unrealisedPnlSettlement: formatAmount(p.unrealisedPnlSettlement),
    initialMargin: formatAmount(p.initialMargin),
    maintenanceMargin: formatAmount(p.maintenanceMargin),
    initialRule: p.initialRule,
    maintenanceRule: p.maintenanceRule,
    status: p.status,
    liquidationPrice: liquidation.price,
    liquidationPriceNote: liquidation.note,
    bankruptcyPrice: bankruptcy.price,
    bankruptcyPriceNote: bankruptcy.note,
  };
}

function collateralJson(c: CollateralFigures): CollateralJson {
  return {
    asset: c.asset,
    balance: formatAmount(c.balance),
    unrealisedPnl: formatAmount(c.unrealisedPnl),
    price: formatPrice(c.price),
    value: formatAmount(c.value),
    initialValue: formatAmount(c.initialValue),
    maintenanceValue: formatAmount(c.maintenanceValue),
    initialRule: c.initialRule,
    maintenanceRule: c.maintenanceRule,
  };
}

function poolJson(pool: PoolFigures): PoolJson {
  return {
    kind: pool.kind,
    instruments: pool.positions.map((p) => p.instrument),
    equity: formatAmount(pool.equity),
    unrealisedPnl: formatAmount(pool.unrealisedPnl),
    collateralInitial: formatAmount(pool.collateralInitial),
    collateralMaintenance: formatAmount(pool.collateralMaintenance),
    initialMargin: formatAmount(pool.initialMargin),
    maintenanceMargin: formatAmount(pool.maintenanceMargin),
    freeCollateral: formatAmount(pool.freeCollateral),
    marginRatio: ratioJson(pool.marginRatio),
    notional: formatAmount(pool.notional),
    status: pool.status,
  };
}

function portfolioJson(p: PortfolioFigures): PortfolioJson {
  const { result } = p;
  const { binding, contingencies: c } = result;
  return {
    underlying: p.underlying,
    model: result.model,
    currency: result.currency,
    currencyAsset: p.currencyAsset,
    currencyPrice: formatPrice(p.currencyPrice),
    initialMargin: formatAmount(p.initialMargin),
    maintenanceMargin: formatAmount(p.maintenanceMargin),
    initial: finite(result.initial),
    maintenance: finite(result.maintenance),
    worstLoss: finite(result.worstLoss),
    binding: {
      scenario: binding.scenario.label,
      priceMove: finite(binding.scenario.priceMove),
      volMove: binding.scenario.volMove,
      weight: finite(binding.scenario.weight),
      loss: finite(binding.loss),
      positions: binding.positions.map((b) => ({ instrument: b.instrumentId, quantity: finite(b.quantity), pnl: finite(b.pnl), loss: finite(b.loss) })),
    },
    contingencies: { futures: finite(c.futures.amount), options: finite(c.options.amount), delta: finite(c.delta.amount), total: finite(c.total) },
    explanation: p.explanation,
  };
}

export function priceOutcomeJson(outcome: PriceOutcome): { price: string | null; note: string | null } {
  switch (outcome.kind) {
    case 'price':
      return { price: formatPrice(outcome.price), note: null };
    case 'now':
      return { price: null, note: PRICE_REACHED_NOTE };
    case 'none':
      return { price: null, note: outcome.reason };
  }
}

/** JSON has no Infinity or NaN: a ratio that is not finite would be a bug upstream, so say so. */
function ratioJson(ratio: number | null): number | null {
  if (ratio === null) return null;
  return finite(ratio);
}

/** A float risk measure for the wire; -0 is written as 0. */
function finite(x: number): number {
  invariant(Number.isFinite(x), `risk measure is not finite: ${x}`);
  return x + 0;
}
