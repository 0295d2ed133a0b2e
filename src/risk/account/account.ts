/**
 * The account figures: a cross pool of multi-asset collateral, and one pool per isolated position.
 * Totals sum the pools; the status is the worst pool's; free collateral is the cross pool's (margin
 * set aside for isolated positions is not withdrawable until moved back).
 */
import { InputError } from '../errors.js';
import { settlementAssetOf } from '../instruments/types.js';
import { amount, toNumber, type Amount } from '../units/quantities.js';
import { bankruptcyPriceOf, liquidationPriceOf, type PriceOutcome } from './adversePrice.js';
import { instrumentOf, valuePool, type CollateralFigures, type Pool, type PoolFigures, type PositionFigures } from './pool.js';
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
}

export function poolsOf(account: Account, params: RiskParams): Pool[] {
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
      const asset = settlementAssetOf(instrumentOf(params, p.instrument));
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
    poolsInput: pools,
  };
}

/** Every figure of the account, with each position's liquidation and bankruptcy price. */
export function valueAccount(account: Account, market: Market, params: RiskParams): AccountFigures {
  const { poolsInput, ...margin } = marginOf(account, market, params);
  const positions: PositionReport[] = [];
  poolsInput.forEach((pool, i) => {
    const poolFigures = margin.pools[i] as PoolFigures;
    pool.positions.forEach((_, index) => {
      positions.push({
        ...(poolFigures.positions[index] as PositionFigures),
        status: poolFigures.status,
        liquidationPrice: liquidationPriceOf(pool, index, market, params),
        bankruptcyPrice: bankruptcyPriceOf(pool, index, market, params),
      });
    });
  });
  return { ...margin, positions };
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
