/**
 * Looking up what a valuation needs (prices, marks, instruments, collateral parameters), and the
 * PnL of a position as collateral. Each missing input is an expected rejection with a stable code.
 */
import type { CollateralAsset } from '../collateral/types.js';
import { InputError } from '../errors.js';
import type { LinearInstrument } from '../instruments/types.js';
import type { OptionInstrument } from '../options/instrument.js';
import { PRICE_ONE, amountFromNumber, toNumber, type Amount, type Price } from '../units/quantities.js';
import type { Market, RiskParams } from './types.js';

/** A margin pool: the cross wallet, one isolated position, or a portfolio-margined account. */
export type PoolKind = 'cross' | 'isolated' | 'portfolio';

export function priceOf(market: Market, params: RiskParams, asset: string): Price {
  if (asset === params.valuationAsset) return market.prices.get(asset) ?? PRICE_ONE;
  const found = market.prices.get(asset);
  if (found === undefined) throw new InputError('price_missing', `no price for asset ${asset}`);
  return found;
}

export function markOf(market: Market, symbol: string): Price {
  const found = market.marks.get(symbol);
  if (found === undefined) throw new InputError('mark_price_missing', `no mark price for ${symbol}`);
  return found;
}

export function instrumentOf(params: RiskParams, symbol: string): LinearInstrument {
  const found = params.instruments.get(symbol);
  if (found === undefined) throw new InputError('instrument_unknown', `no instrument ${symbol}`);
  return found;
}

/** The option of that symbol, or undefined when the symbol is a linear instrument (or unknown). */
export function optionOf(params: RiskParams, symbol: string): OptionInstrument | undefined {
  return params.options?.get(symbol);
}

/** The underlying of any instrument, linear or option. */
export function underlyingOf(params: RiskParams, symbol: string): string {
  return optionOf(params, symbol)?.underlying ?? instrumentOf(params, symbol).underlying;
}

export function assetOf(params: RiskParams, symbol: string): CollateralAsset {
  const found = params.assets.get(symbol);
  if (found === undefined) throw new InputError('asset_unknown', `no collateral parameters for asset ${symbol}`);
  return found;
}

/** A position's unrealised PnL in its settlement asset, and that PnL as IM and MM collateral. */
export interface PositionPnl {
  readonly asset: string;
  readonly pnl: Amount;
  readonly pnlInitial: Amount;
  readonly pnlMaintenance: Amount;
}

/** Gains count at `weight` (< 1 for IM at Drift and Mango), rounded down; losses in full. */
export function weightGain(pnl: Amount, weight: number): Amount {
  if (pnl <= 0n || weight === 1) return pnl;
  return amountFromNumber(toNumber(pnl, 'Amount') * weight, 'floor');
}
