/**
 * Option positions in a margin pool. Exact arithmetic first, in the settlement asset (the quote
 * asset of a linear option, the underlying of an inverse one), as for a linear future:
 *
 *   entry value = size x contractSize x entry price                   (rounded up, as linear)
 *   PnL         = size x contractSize x mark - entry value            (rounded down)
 *
 * The premium lives in the position, as a future's entry value does (trade.ts: position cash is
 * -entry value), so equity = balances + PnL moves with the option's mark value: a long option's
 * value counts in equity, a short option's value is a liability there.
 *
 * Margin, in cross and isolated pools: Deribit's standard option margin (METHODS.md section 3.2,
 * src/risk/options/standardMargin.ts) with the underlying's parameters, S the index of the
 * underlying in the option's quote asset and the mark in coin (a linear option's quote mark / S):
 *   short options: IM and MM per unit of underlying in coin, x units, x the underlying's price;
 *   long options:  IM = MM = 0, and `longInitialHaircut` of the position's value is taken off
 *                  the IM collateral (the position's value still counts in full for MM).
 * Worked (METHODS.md, S 100,000): short 1 call K 110,000, mark 0.02 BTC: IM 0.12 BTC = 12,000 USD,
 * MM 0.095 BTC = 9,500 USD; short 1 put K 90,000, mark 0.015: IM 0.115, MM 0.09.
 *
 * In a portfolio pool the position's requirement is its underlying's (portfolioPool.ts), and its
 * own IM and MM are 0 with a rule that says so.
 */
import { InputError } from '../errors.js';
import { optionSettlementAssetOf, type OptionInstrument } from '../options/instrument.js';
import { standardOptionMargin } from '../options/standardMargin.js';
import { AMOUNT_DECIMALS, PRICE_DECIMALS, SIZE_DECIMALS } from '../units/quantities.js';
import { amount, amountFromNumber, notionalOf, toNumber, type Amount, type Price, type Size } from '../units/quantities.js';
import { divCeil, divFloor, pow10 } from '../units/rounding.js';
import { markOf, priceOf, weightGain, type PoolKind, type PositionPnl } from './lookup.js';
import type { PositionFigures } from './pool.js';
import type { Market, Position, RiskParams } from './types.js';

// size (SIZE) x contractSize (SIZE) x mark (PRICE) carries this many decimals beyond AMOUNT.
const VALUE_SHIFT = pow10(SIZE_DECIMALS + SIZE_DECIMALS + PRICE_DECIMALS - AMOUNT_DECIMALS);

/** What `size` contracts bought or sold at `entryPrice` cost, signed like the size, rounded up. */
export function optionEntryValueOf(option: OptionInstrument, size: Size, entryPrice: Price): Amount {
  return amount(divCeil(size * option.contractSize * entryPrice, VALUE_SHIFT));
}

/** size x contractSize x mark in the settlement asset, rounded down (against the holder). */
export function optionValueOf(option: OptionInstrument, size: Size, mark: Price): Amount {
  return amount(divFloor(size * option.contractSize * mark, VALUE_SHIFT));
}

/** size x contractSize x mark - entry value, rounded down. */
export function optionPnlOf(option: OptionInstrument, size: Size, entryValue: Amount, mark: Price): Amount {
  return amount(divFloor(size * option.contractSize * mark - entryValue * VALUE_SHIFT, VALUE_SHIFT));
}

/** Units of underlying held, |size| x contractSize, as a float. */
function unitsOf(option: OptionInstrument, size: Size): number {
  return Math.abs(toNumber(size, 'Size') * toNumber(option.contractSize, 'Size'));
}

/** The underlying's index in the option's quote asset: its price over the quote asset's price. */
export function optionIndexOf(option: OptionInstrument, market: Market, params: RiskParams): number {
  const underlying = toNumber(priceOf(market, params, option.underlying), 'Price');
  return underlying / toNumber(priceOf(market, params, option.quoteAsset), 'Price');
}

/** PnL, and PnL as collateral: gains weighted, the IM view at the worse of mark and lagged mark, less the long haircut. */
export function optionPnl(position: Position, option: OptionInstrument, pool: PoolKind, market: Market, params: RiskParams): PositionPnl {
  const mark = markOf(market, position.instrument);
  const pnl = optionPnlOf(option, position.size, position.entryValue, mark);
  const lagged = market.laggedPrices?.get(position.instrument);
  const pnlAtLag = lagged === undefined ? pnl : optionPnlOf(option, position.size, position.entryValue, lagged);
  const worse = pnlAtLag < pnl ? pnlAtLag : pnl;
  let pnlInitial = weightGain(worse, params.unrealisedPnlWeight.initial);
  const haircut = pool === 'portfolio' ? 0 : (params.optionMargin?.get(option.underlying)?.longInitialHaircut ?? 0);
  if (position.size > 0n && haircut > 0) {
    const value = optionValueOf(option, position.size, mark);
    pnlInitial = amount(pnlInitial - amountFromNumber(toNumber(value, 'Amount') * haircut, 'ceil'));
  }
  return {
    asset: optionSettlementAssetOf(option),
    pnl,
    pnlInitial,
    pnlMaintenance: weightGain(pnl, params.unrealisedPnlWeight.maintenance),
  };
}

interface OptionRequirement {
  readonly initialMargin: Amount;
  readonly maintenanceMargin: Amount;
  readonly rule: string;
}

const NO_REQUIREMENT = (rule: string): OptionRequirement => ({ initialMargin: amount(0n), maintenanceMargin: amount(0n), rule });

function standardRequirement(position: Position, option: OptionInstrument, market: Market, params: RiskParams): OptionRequirement {
  if (position.size === 0n) return NO_REQUIREMENT('no position');
  const spec = params.optionMargin?.get(option.underlying);
  if (spec === undefined) {
    throw new InputError('option_margin_missing', `no standard option margin parameters for ${option.underlying} (risk.optionMargin)`);
  }
  const index = optionIndexOf(option, market, params);
  const mark = toNumber(markOf(market, position.instrument), 'Price');
  const markCoin = option.settlement === 'inverse' ? mark : mark / index;
  const margin = standardOptionMargin({
    kind: option.optionKind,
    side: position.size > 0n ? 'long' : 'short',
    strike: toNumber(option.strike, 'Price'),
    size: unitsOf(option, position.size),
    indexPrice: index,
    markCoin,
    params: spec,
  });
  // Coin of the underlying turns into the valuation asset at the underlying's price.
  const coinPrice = toNumber(priceOf(market, params, option.underlying), 'Price');
  const conversion = option.settlement === 'inverse' ? '' : `, mark in coin = ${mark} ${option.quoteAsset} / S`;
  return {
    initialMargin: amountFromNumber(margin.initialCoin * coinPrice, 'ceil'),
    maintenanceMargin: amountFromNumber(margin.maintenanceCoin * coinPrice, 'ceil'),
    rule: `${margin.rule} (${option.underlying} per unit of underlying, S ${index}${conversion})`,
  };
}

export function optionPositionFigures(
  position: Position,
  option: OptionInstrument,
  pool: PoolKind,
  market: Market,
  params: RiskParams,
): PositionFigures {
  const mark = markOf(market, position.instrument);
  const settlementAsset = optionSettlementAssetOf(option);
  const pnlSettlement = optionPnlOf(option, position.size, position.entryValue, mark);
  const units = unitsOf(option, position.size);
  const entryValue = toNumber(position.entryValue, 'Amount');
  const requirement =
    pool === 'portfolio'
      ? NO_REQUIREMENT(`portfolio margin: see the ${option.underlying} portfolio`)
      : standardRequirement(position, option, market, params);
  return {
    instrument: position.instrument,
    margin: pool,
    size: position.size,
    settlementAsset,
    // The average premium per unit of underlying, in the mark's unit (display only).
    entryPrice: units === 0 ? 0 : Math.abs(entryValue) / units,
    markPrice: mark,
    notional: amountFromNumber(units * toNumber(priceOf(market, params, option.underlying), 'Price'), 'floor'),
    unrealisedPnlSettlement: pnlSettlement,
    unrealisedPnl: notionalOf(pnlSettlement, priceOf(market, params, settlementAsset), 'floor'),
    initialMargin: requirement.initialMargin,
    maintenanceMargin: requirement.maintenanceMargin,
    initialRule: requirement.rule,
    maintenanceRule: requirement.rule,
  };
}
