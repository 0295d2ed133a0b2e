/**
 * Valuation of a margin pool: the balances and positions that stand or fall together. A cross
 * account is one pool; each isolated position is a pool of its own margin and that position; a
 * portfolio account is one pool whose requirement is set per underlying by scenarios
 * (portfolioPool.ts). Options join every kind of pool (optionPosition.ts).
 *
 *   equity                  = sum over assets of (balance + unrealised PnL) x price      (exact)
 *   collateral (IM or MM)   = sum over assets of the haircut value of (balance + weighted PnL),
 *                             liabilities at price x liability weight >= 1
 *   IM, MM                  = sum over positions of the model's requirement, rounded up
 *                             (portfolio pools: sum over underlyings of the scenario requirement)
 *   free collateral         = max(0, IM collateral - IM)         (what may be withdrawn)
 *   margin ratio            = MM collateral / MM                  (Binance uniMMR)
 *
 * Float64 risk measures turn into amounts rounding against the account: collateral down,
 * requirements up (DESIGN.md D1).
 */
import { haircutValue } from '../collateral/haircut.js';
import type { CollateralAsset } from '../collateral/types.js';
import { settlementAssetOf, type LinearInstrument } from '../instruments/types.js';
import { requirementOf } from '../margin/requirement.js';
import type { Exposure } from '../margin/types.js';
import {
  amount,
  amountFromNumber,
  notionalOf,
  size as sizeOf,
  toNumber,
  type Amount,
  type Price,
  type Size,
} from '../units/quantities.js';
import { assetOf, instrumentOf, markOf, optionOf, priceOf, weightGain, type PoolKind, type PositionPnl } from './lookup.js';
import { optionPnl, optionPositionFigures } from './optionPosition.js';
import { portfolioFiguresOf, type PortfolioFigures } from './portfolioPool.js';
import { entryPriceOf, exposureOf, quoteToSettlement, unrealisedPnlOf } from './position.js';
import { statusOf } from './status.js';
import type { Market, Position, RiskParams, Status } from './types.js';

export { instrumentOf, markOf, priceOf, type PoolKind } from './lookup.js';

export interface Pool {
  readonly kind: PoolKind;
  readonly balances: ReadonlyMap<string, Amount>;
  readonly positions: readonly Position[];
}

export interface PositionFigures {
  readonly instrument: string;
  readonly margin: PoolKind;
  readonly size: Size;
  readonly settlementAsset: string;
  readonly entryPrice: number;
  readonly markPrice: Price;
  /** |notional| in the valuation asset, rounded down. */
  readonly notional: Amount;
  /** In the settlement asset, and in the valuation asset. */
  readonly unrealisedPnlSettlement: Amount;
  readonly unrealisedPnl: Amount;
  readonly initialMargin: Amount;
  readonly maintenanceMargin: Amount;
  readonly initialRule: string;
  readonly maintenanceRule: string;
}

export interface CollateralFigures {
  readonly asset: string;
  readonly balance: Amount;
  /** Unrealised PnL of the pool's positions settled in this asset. */
  readonly unrealisedPnl: Amount;
  readonly price: Price;
  /** (balance + PnL) x price, unweighted. */
  readonly value: Amount;
  readonly initialValue: Amount;
  readonly maintenanceValue: Amount;
  readonly initialRule: string;
  readonly maintenanceRule: string;
}

export interface PoolFigures {
  readonly kind: PoolKind;
  readonly equity: Amount;
  readonly unrealisedPnl: Amount;
  readonly collateralInitial: Amount;
  readonly collateralMaintenance: Amount;
  readonly initialMargin: Amount;
  readonly maintenanceMargin: Amount;
  readonly freeCollateral: Amount;
  readonly marginRatio: number | null;
  readonly notional: Amount;
  readonly status: Status;
  readonly positions: readonly PositionFigures[];
  readonly collateral: readonly CollateralFigures[];
  /** Portfolio pools: the requirement of each underlying, in underlying order; empty otherwise. */
  readonly portfolio: readonly PortfolioFigures[];
}

/** PnL, and PnL as collateral: gains weighted, the IM view at the worse of mark and lagged mark. */
function pnlOf(position: Position, instrument: LinearInstrument, market: Market, params: RiskParams): PositionPnl {
  const mark = markOf(market, position.instrument);
  const pnl = unrealisedPnlOf(instrument, position.size, position.entryValue, mark);
  const lagged = market.laggedPrices?.get(position.instrument);
  const pnlAtLag = lagged === undefined ? pnl : unrealisedPnlOf(instrument, position.size, position.entryValue, lagged);
  const worse = pnlAtLag < pnl ? pnlAtLag : pnl;
  return {
    asset: settlementAssetOf(instrument),
    pnl,
    pnlInitial: weightGain(worse, params.unrealisedPnlWeight.initial),
    pnlMaintenance: weightGain(pnl, params.unrealisedPnlWeight.maintenance),
  };
}

function positionFigures(
  position: Position,
  margin: PoolKind,
  market: Market,
  params: RiskParams,
): PositionFigures {
  const instrument = instrumentOf(params, position.instrument);
  const mark = markOf(market, position.instrument);
  const settlementAsset = settlementAssetOf(instrument);
  const settlementPrice = toNumber(priceOf(market, params, settlementAsset), 'Price');
  const quotePrice = toNumber(priceOf(market, params, instrument.quoteAsset), 'Price');
  const openInterestNotional = market.openInterest?.get(position.instrument) ?? 0;
  const exposureAt = (contracts: Size): Exposure => ({ ...exposureOf(instrument, contracts, mark), openInterestNotional });
  const orders = position.openOrders;
  const ifOrdersFill: Exposure[] = [];
  if (orders !== undefined && orders.buy > 0n) ifOrdersFill.push(exposureAt(sizeOf(position.size + orders.buy)));
  if (orders !== undefined && orders.sell > 0n) ifOrdersFill.push(exposureAt(sizeOf(position.size - orders.sell)));
  const held = exposureAt(position.size);
  const requirement = requirementOf(instrument.margin, {
    position: held,
    ifOrdersFill,
    ...(position.leverage === undefined ? {} : { leverage: position.leverage }),
  });
  const toValuation = (quoteAmount: number): number =>
    quoteToSettlement(instrument, quoteAmount, mark) * settlementPrice;
  const pnlSettlement = unrealisedPnlOf(instrument, position.size, position.entryValue, mark);
  return {
    instrument: position.instrument,
    margin,
    size: position.size,
    settlementAsset,
    entryPrice: entryPriceOf(instrument, position.size, position.entryValue),
    markPrice: mark,
    notional: amountFromNumber(held.notional * quotePrice, 'floor'),
    unrealisedPnlSettlement: pnlSettlement,
    unrealisedPnl: notionalOf(pnlSettlement, priceOf(market, params, settlementAsset), 'floor'),
    initialMargin: amountFromNumber(toValuation(requirement.initial), 'ceil'),
    maintenanceMargin: amountFromNumber(toValuation(requirement.maintenance), 'ceil'),
    initialRule: requirement.initialRule,
    maintenanceRule: requirement.maintenanceRule,
  };
}

function collateralFigures(
  asset: string,
  balance: Amount,
  pnls: readonly PositionPnl[],
  market: Market,
  params: RiskParams,
): CollateralFigures {
  const spec = assetOf(params, asset);
  const live = priceOf(market, params, asset);
  const lagged = market.laggedPrices?.get(asset) ?? live;
  let pnl = 0n;
  let pnlInitial = 0n;
  let pnlMaintenance = 0n;
  for (const p of pnls) {
    if (p.asset !== asset) continue;
    pnl += p.pnl;
    pnlInitial += p.pnlInitial;
    pnlMaintenance += p.pnlMaintenance;
  }
  const initial = weightedValue(spec, 'initial', amount(balance + pnlInitial), live, lagged);
  const maintenance = weightedValue(spec, 'maintenance', amount(balance + pnlMaintenance), live, live);
  return {
    asset,
    balance,
    unrealisedPnl: amount(pnl),
    price: live,
    value: notionalOf(amount(balance + pnl), live, 'floor'),
    initialValue: initial.value,
    maintenanceValue: maintenance.value,
    initialRule: initial.rule,
    maintenanceRule: maintenance.rule,
  };
}

/** Assets at the lower of live and lagged price, liabilities at the higher (for IM). */
function weightedValue(
  spec: CollateralAsset,
  side: 'initial' | 'maintenance',
  quantity: Amount,
  live: Price,
  lagged: Price,
): { value: Amount; rule: string } {
  const q = toNumber(quantity, 'Amount');
  if (quantity >= 0n) {
    const p = toNumber(live < lagged ? live : lagged, 'Price');
    const v = haircutValue(spec[side], q, p);
    const lag = lagged < live ? ` (at the lagged price ${toNumber(lagged, 'Price')}, below the live ${toNumber(live, 'Price')})` : '';
    return { value: amountFromNumber(v.value, 'floor'), rule: v.rule + lag };
  }
  const p = toNumber(live > lagged ? live : lagged, 'Price');
  const weight = spec.liabilityWeight[side];
  const lag = lagged > live ? ` (at the lagged price ${toNumber(lagged, 'Price')}, above the live ${toNumber(live, 'Price')})` : '';
  return {
    value: amountFromNumber(q * p * weight, 'floor'),
    rule: `liability at weight ${weight}${lag}`,
  };
}

/** A position's figures, linear or option; in a portfolio pool its own IM and MM are 0 (the underlying's portfolio carries them). */
function figuresOf(position: Position, pool: PoolKind, market: Market, params: RiskParams): PositionFigures {
  const option = optionOf(params, position.instrument);
  if (option !== undefined) return optionPositionFigures(position, option, pool, market, params);
  const figures = positionFigures(position, pool, market, params);
  if (pool !== 'portfolio') return figures;
  const rule = `portfolio margin: see the ${instrumentOf(params, position.instrument).underlying} portfolio`;
  return { ...figures, initialMargin: amount(0n), maintenanceMargin: amount(0n), initialRule: rule, maintenanceRule: rule };
}

function positionPnlOf(position: Position, pool: PoolKind, market: Market, params: RiskParams): PositionPnl {
  const option = optionOf(params, position.instrument);
  if (option !== undefined) return optionPnl(position, option, pool, market, params);
  return pnlOf(position, instrumentOf(params, position.instrument), market, params);
}

export function valuePool(pool: Pool, market: Market, params: RiskParams): PoolFigures {
  const positions = pool.positions.map((p) => figuresOf(p, pool.kind, market, params));
  const pnls = pool.positions.map((p) => positionPnlOf(p, pool.kind, market, params));
  const assets = new Set<string>(pool.balances.keys());
  for (const p of pnls) assets.add(p.asset);
  const collateral = [...assets]
    .sort()
    .map((asset) => collateralFigures(asset, pool.balances.get(asset) ?? amount(0n), pnls, market, params));

  const sum = <T>(items: readonly T[], pick: (item: T) => bigint): Amount =>
    amount(items.reduce((total, item) => total + pick(item), 0n));
  const equity = sum(collateral, (c) => c.value);
  const collateralInitial = sum(collateral, (c) => c.initialValue);
  const collateralMaintenance = sum(collateral, (c) => c.maintenanceValue);
  const portfolio = pool.kind === 'portfolio' ? portfolioFiguresOf(pool, pnls, market, params) : [];
  const requirements: readonly { initialMargin: Amount; maintenanceMargin: Amount }[] = pool.kind === 'portfolio' ? portfolio : positions;
  const initialMargin = sum(requirements, (p) => p.initialMargin);
  const maintenanceMargin = sum(requirements, (p) => p.maintenanceMargin);
  const hasExposure = pool.positions.some((p) => p.size !== 0n);
  const hasLiability = collateral.some((c) => c.balance + c.unrealisedPnl < 0n);
  return {
    kind: pool.kind,
    equity,
    unrealisedPnl: sum(positions, (p) => p.unrealisedPnl),
    collateralInitial,
    collateralMaintenance,
    initialMargin,
    maintenanceMargin,
    freeCollateral: amount(collateralInitial > initialMargin ? collateralInitial - initialMargin : 0n),
    marginRatio:
      maintenanceMargin > 0n ? toNumber(collateralMaintenance, 'Amount') / toNumber(maintenanceMargin, 'Amount') : null,
    notional: sum(positions, (p) => p.notional),
    status: statusOf({
      equity,
      collateralMaintenance,
      maintenanceMargin,
      atRisk: hasExposure || hasLiability,
      bands: params.statusBands,
    }),
    positions,
    collateral,
    portfolio,
  };
}
