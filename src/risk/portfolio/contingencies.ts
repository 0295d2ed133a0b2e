/**
 * Contingencies added to the worst scenario loss (METHODS.md 3.3). All are linear in the size of
 * the portfolio (no floors), so portfolio margin stays positively homogeneous.
 *
 * - Futures: rate x index x underlying units of futures and perpetuals, on one of three bases:
 *     'gross'      sum |units| over positions: Dederi's FutureContingency = factor x I0 x sum|Q_i|,
 *                  whose worked example (0.006 x 2,243.3 x 10 = 134.6) is METHODS.md's;
 *     'net'        |sum units| per underlying: the net futures position;
 *     'offsetting' min(long units, short units): Deribit's older rule, "1.00% of underlying value
 *                  is added for offsetting futures: long 100 BTC in Future A and short 100 BTC in
 *                  Future B, then 1.00% x 100 BTC" (deribit.com/pages/docs/portfoliomargin).
 *   Deribit's 2024 model replaced its futures contingency with delta and roll shocks (Deribit,
 *   "Introducing changes to Deribit's portfolio margin model"); the delta shock is below, the roll
 *   shock is not modelled.
 * - Options: a fixed amount of coin per net short option per strike (Deribit: 0.01 BTC; Lyra's
 *   optionPercent x naked shorts x spot). Calls and puts of one strike net against each other
 *   (Deribit: "call +10 and put -20 ... net short -10, thus 10 x 0.01 BTC"); strikes of different
 *   expiries do not (Lyra nets per expiry).
 * - Delta shock: rate x |net delta| x index, net delta in units of underlying (valuation.ts).
 *
 * Amounts are in the valuation currency: index-priced in quote, as they are in coin.
 */
import { portfolioInputInvalid, requireNumber } from './types.js';
import type { NetPosition, RiskArrays } from './riskArrays.js';
import { entryOf } from './riskArrays.js';

export type FuturesContingencyBasis = 'gross' | 'net' | 'offsetting';

export interface ContingencyParams {
  readonly futures: { readonly rate: number; readonly basis: FuturesContingencyBasis };
  /** Coin per net short unit of underlying per (expiry, strike): Deribit 0.01. */
  readonly optionPerNetShortCoin: number;
  /** Fraction of |net delta| x index. */
  readonly deltaShockRate: number;
}

export interface StrikeNetShort {
  readonly expiryYears: number;
  readonly strike: number;
  /** Units of underlying, > 0. */
  readonly netShortUnits: number;
}

export interface ContingencyBreakdown {
  readonly futures: {
    readonly basis: FuturesContingencyBasis;
    readonly longUnits: number;
    readonly shortUnits: number;
    /** The units the rate applies to, on the basis. */
    readonly chargedUnits: number;
    readonly amount: number;
  };
  readonly options: { readonly strikes: readonly StrikeNetShort[]; readonly netShortUnits: number; readonly amount: number };
  readonly delta: { readonly netDeltaUnits: number; readonly amount: number };
  readonly total: number;
}

export function checkContingencyParams(params: ContingencyParams): void {
  const nonNegative = (x: number): boolean => x >= 0;
  requireNumber('futures contingency rate', params.futures.rate, nonNegative, '>= 0');
  const basis = params.futures.basis;
  if (basis !== 'gross' && basis !== 'net' && basis !== 'offsetting') {
    throw portfolioInputInvalid('futures contingency basis must be gross, net or offsetting');
  }
  requireNumber('optionPerNetShortCoin', params.optionPerNetShortCoin, nonNegative, '>= 0');
  requireNumber('deltaShockRate', params.deltaShockRate, nonNegative, '>= 0');
}

function chargedUnits(basis: FuturesContingencyBasis, longUnits: number, shortUnits: number): number {
  switch (basis) {
    case 'gross':
      return longUnits + shortUnits;
    case 'net':
      return Math.abs(longUnits - shortUnits);
    case 'offsetting':
      return Math.min(longUnits, shortUnits);
  }
}

function strikeNetShorts(positions: readonly NetPosition[]): StrikeNetShort[] {
  const net = new Map<string, { expiryYears: number; strike: number; units: number }>();
  for (const { instrument, quantity } of positions) {
    if (instrument.kind !== 'option') continue;
    const key = `${instrument.expiryYears}|${instrument.strike}`;
    const bucket = net.get(key) ?? { expiryYears: instrument.expiryYears, strike: instrument.strike, units: 0 };
    bucket.units += quantity * instrument.contractSize;
    net.set(key, bucket);
  }
  return [...net.values()]
    .filter((b) => b.units < 0)
    .sort((a, b) => a.expiryYears - b.expiryYears || a.strike - b.strike)
    .map((b) => ({ expiryYears: b.expiryYears, strike: b.strike, netShortUnits: -b.units }));
}

export function contingenciesOf(positions: readonly NetPosition[], arrays: RiskArrays, params: ContingencyParams): ContingencyBreakdown {
  // One unit of underlying is worth the index in quote, 1 in coin.
  const unitValue = arrays.currency === 'quote' ? arrays.indexPrice : 1;
  let longUnits = 0;
  let shortUnits = 0;
  let netDeltaUnits = 0;
  for (const position of positions) {
    const { priced } = entryOf(arrays, position.instrument.id);
    const units = position.quantity * priced.futuresUnits;
    if (units > 0) longUnits += units;
    else shortUnits -= units;
    netDeltaUnits += position.quantity * priced.deltaUnits;
  }
  const basis = params.futures.basis;
  const charged = chargedUnits(basis, longUnits, shortUnits);
  const futuresAmount = params.futures.rate * charged * unitValue;
  const strikes = strikeNetShorts(positions);
  const netShortUnits = strikes.reduce((sum, s) => sum + s.netShortUnits, 0);
  // The per-option amount is in coin: times the index in a quote portfolio.
  const optionsAmount = params.optionPerNetShortCoin * netShortUnits * unitValue;
  const deltaAmount = params.deltaShockRate * Math.abs(netDeltaUnits) * unitValue;
  return {
    futures: { basis, longUnits, shortUnits, chargedUnits: charged, amount: futuresAmount },
    options: { strikes, netShortUnits, amount: optionsAmount },
    delta: { netDeltaUnits, amount: deltaAmount },
    total: futuresAmount + optionsAmount + deltaAmount,
  };
}
