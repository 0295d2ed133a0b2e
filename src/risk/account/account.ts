/**
 * The account figures: a cross pool of multi-asset collateral, and one pool per isolated position;
 * or, for a portfolio account, one pool margined per underlying by scenarios.
 * Totals sum the pools; the status is the worst pool's; free collateral is the cross pool's (margin
 * set aside for isolated positions is not withdrawable until moved back).
 *
 * Liquidation and bankruptcy prices are solved per linear position in cross and isolated pools
 * (adversePrice.ts). An option position has none of its own (its value depends on the underlying,
 * vol and time together), nor has a position in a portfolio account: there, the binding scenario
 * of its underlying's portfolio says how far the market may move.
 */
import { InputError } from '../errors.js';
import { settlementAssetOf } from '../instruments/types.js';
import { optionSettlementAssetOf } from '../options/instrument.js';
import { amount, toNumber, type Amount } from '../units/quantities.js';
import { bankruptcyPriceOf, liquidationPriceOf, type PriceOutcome } from './adversePrice.js';
import { instrumentOf, optionOf } from './lookup.js';
import { valuePool, type CollateralFigures, type Pool, type PoolFigures, type PositionFigures } from './pool.js';
import type { PortfolioFigures } from './portfolioPool.js';
import { STATUS_ORDER, type Account, type Market, type RiskParams, type Status } from './types.js';

export interface PositionReport extends PositionFigures {
  readonly status: Status;
  readonly liquidationPrice: PriceOutcome;
  readonly bankruptcyPrice: PriceOutcome;
}

export interface AccountFigures {
  readonly accountId: string;
  readonly mode: Account['mode'];
  readonly valuationAsset: string;
  readonly equity: Amount;
  readonly unrealisedPnl: Amount;
  readonly collateralInitial: Amount;
  readonly collateralMaintenance: Amount;
  readonly initialMargin: Amount;
  readonly maintenanceMargin: Amount;
  readonly freeCollateral: Amount;
  /** The lowest pool's MM collateral / MM (a cross account has one pool); null without MM. */
  readonly marginRatio: number | null;
  /** Sum of |notional| / equity; null when equity is not positive. */
  readonly effectiveLeverage: number | null;
  readonly status: Status;
  readonly positions: readonly PositionReport[];
  /** The cross pool's collateral, asset by asset. */
  readonly collateral: readonly CollateralFigures[];
  readonly pools: readonly PoolFigures[];
  /** Portfolio accounts: each underlying's scenario requirement; empty for cross and isolated. */
  readonly portfolio: readonly PortfolioFigures[];
}

/** The reason given for a position without a liquidation or bankruptcy price of its own. */
export const PORTFOLIO_PRICE_NOTE = 'portfolio margin: see the binding scenario';
export const OPTION_PRICE_NOTE = "option position: the account's margin ratio decides, not one price of the option";

export function poolsOf(account: Account, params: RiskParams): Pool[] {
  if (account.mode === 'portfolio') {
    if (account.positions.some((p) => p.isolatedMargin !== undefined)) {
      throw new InputError('isolated_margin_unexpected', `portfolio account ${account.id} has a position with isolated margin`);
    }
    return [{ kind: 'portfolio', balances: account.balances, positions: account.positions }];
  }
  const cross: Pool = {
    kind: 'cross',
    balances: account.balances,
    positions: account.positions.filter((p) => p.isolatedMargin === undefined),
  };
  if (account.mode === 'isolated' && cross.positions.length > 0) {
    throw new InputError('isolated_margin_missing', `isolated account ${account.id} has a position without isolated margin`);
  }
  const isolated = account.positions
    .filter((p) => p.isolatedMargin !== undefined)
    .map((p): Pool => {
      const option = optionOf(params, p.instrument);
      const asset = option === undefined ? settlementAssetOf(instrumentOf(params, p.instrument)) : optionSettlementAssetOf(option);
      return { kind: 'isolated', balances: new Map([[asset, p.isolatedMargin ?? amount(0n)]]), positions: [p] };
    });
  return [cross, ...isolated];
}

/** The account's totals and pools, without liquidation prices (the cheap path for checks). */
export interface AccountMargin extends Omit<AccountFigures, 'positions'> {
  readonly poolsInput: readonly Pool[];
}

export function marginOf(account: Account, market: Market, params: RiskParams): AccountMargin {
  const pools = poolsOf(account, params);
  const figures = pools.map((pool) => valuePool(pool, market, params));
  const total = (pick: (f: PoolFigures) => Amount): Amount => amount(figures.reduce((t, f) => t + pick(f), 0n));
  const equity = total((f) => f.equity);
  const maintenanceMargin = total((f) => f.maintenanceMargin);
  const collateralMaintenance = total((f) => f.collateralMaintenance);
  const notional = total((f) => f.notional);
  const cross = figures[0] as PoolFigures;
  return {
    accountId: account.id,
    mode: account.mode,
    valuationAsset: params.valuationAsset,
    equity,
    unrealisedPnl: total((f) => f.unrealisedPnl),
    collateralInitial: total((f) => f.collateralInitial),
    collateralMaintenance,
    initialMargin: total((f) => f.initialMargin),
    maintenanceMargin,
    freeCollateral: cross.freeCollateral,
    marginRatio: worstRatio(figures),
    effectiveLeverage: equity > 0n ? toNumber(notional, 'Amount') / toNumber(equity, 'Amount') : null,
    status: worstStatus(figures.map((f) => f.status)),
    collateral: cross.collateral,
    pools: figures,
    portfolio: figures.flatMap((f) => f.portfolio),
    poolsInput: pools,
  };
}

/** Every figure of the account, with each position's liquidation and bankruptcy price. */
export function valueAccount(account: Account, market: Market, params: RiskParams): AccountFigures {
  const { poolsInput, ...margin } = marginOf(account, market, params);
  const positions: PositionReport[] = [];
  poolsInput.forEach((pool, i) => {
    const poolFigures = margin.pools[i] as PoolFigures;
    pool.positions.forEach((position, index) => {
      const none = noPriceReason(pool, position.instrument, params);
      positions.push({
        ...(poolFigures.positions[index] as PositionFigures),
        status: poolFigures.status,
        liquidationPrice: none ?? liquidationPriceOf(pool, index, market, params),
        bankruptcyPrice: none ?? bankruptcyPriceOf(pool, index, market, params),
      });
    });
  });
  return { ...margin, positions };
}

function noPriceReason(pool: Pool, symbol: string, params: RiskParams): PriceOutcome | undefined {
  if (pool.kind === 'portfolio') return { kind: 'none', reason: PORTFOLIO_PRICE_NOTE };
  if (optionOf(params, symbol) !== undefined) return { kind: 'none', reason: OPTION_PRICE_NOTE };
  return undefined;
}

/** The lowest margin ratio of any pool: an isolated pool in trouble is not hidden by the wallet. */
function worstRatio(figures: readonly PoolFigures[]): number | null {
  let worst: number | null = null;
  for (const f of figures) if (f.marginRatio !== null && (worst === null || f.marginRatio < worst)) worst = f.marginRatio;
  return worst;
}

export function worstStatus(statuses: readonly Status[]): Status {
  let worst: Status = 'healthy';
  for (const s of statuses) if (STATUS_ORDER.indexOf(s) > STATUS_ORDER.indexOf(worst)) worst = s;
  return worst;
}
