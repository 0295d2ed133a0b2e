/**
 * Risk arrays (METHODS.md 3.4, the SPAN convention, used for every scenario model here): for each
 * instrument, the loss of ONE long unit under every scenario, positive = loss, already multiplied by
 * the scenario's weight (as CME publishes its extreme scenarios at 35%). They are computed once per
 * price or vol update; a portfolio's scenario losses are then the quantity-weighted sum of its
 * instruments' arrays, a short vector sum per account:
 *   loss_s(portfolio) = sum_i q_i x array_i[s],   array_i[s] = -(V_i(s) - V_i(now)) x weight_s.
 * A long future of 1 ETH with F 2,253.155 has, at -15% (weight 1), array value +337.97 (a loss).
 */
import { InputError, invariant } from '../errors.js';
import type { ScenarioGrid } from './scenarios.js';
import {
  PM_POSITIONS_MAX,
  checkInstrument,
  checkMarket,
  portfolioInputInvalid,
  requireNumber,
  sameInstrument,
  type PmInstrument,
  type PmMarket,
  type PmPosition,
  type ValuationCurrency,
} from './types.js';
import { priceInstrument, scenarioValue, type PricedInstrument } from './valuation.js';

export interface RiskArrayEntry {
  readonly priced: PricedInstrument;
  /** Weighted loss of one long unit per scenario, in grid order. */
  readonly losses: Float64Array;
}

export interface RiskArrays {
  readonly underlying: string;
  readonly currency: ValuationCurrency;
  readonly indexPrice: number;
  readonly grid: ScenarioGrid;
  /** By instrument id, in increasing id order. */
  readonly entries: ReadonlyMap<string, RiskArrayEntry>;
}

export const RISK_ARRAY_MISSING = 'risk_array_missing';
export const INSTRUMENT_CONFLICT = 'portfolio_instrument_conflict';

/** Unique instruments by id, in increasing id order; one id with two specs is rejected. */
export function uniqueInstruments(instruments: readonly PmInstrument[]): PmInstrument[] {
  const byId = new Map<string, PmInstrument>();
  for (const instrument of instruments) {
    checkInstrument(instrument);
    const seen = byId.get(instrument.id);
    if (seen === undefined) byId.set(instrument.id, instrument);
    else if (!sameInstrument(seen, instrument)) {
      throw new InputError(INSTRUMENT_CONFLICT, `two different instruments share the id ${instrument.id}`);
    }
  }
  return [...byId.keys()].sort(compareIds).map((id) => byId.get(id) as PmInstrument);
}

/** Code-unit order, independent of locale (STYLE.md habit 9). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Computes each instrument's risk array for one underlying's market and grid. */
export function buildRiskArrays(input: {
  readonly instruments: readonly PmInstrument[];
  readonly market: PmMarket;
  readonly grid: ScenarioGrid;
  readonly currency: ValuationCurrency;
}): RiskArrays {
  const { market, grid, currency } = input;
  checkMarket(market);
  if (currency !== 'quote' && currency !== 'coin') throw portfolioInputInvalid('currency must be quote or coin');
  if (input.instruments.length > PM_POSITIONS_MAX) throw portfolioInputInvalid(`more than ${PM_POSITIONS_MAX} instruments`);
  const entries = new Map<string, RiskArrayEntry>();
  for (const instrument of uniqueInstruments(input.instruments)) {
    if (instrument.underlying !== market.underlying) {
      throw portfolioInputInvalid(`instrument ${instrument.id} is on ${instrument.underlying}, the market on ${market.underlying}`);
    }
    const priced = priceInstrument(instrument, market, currency);
    const losses = new Float64Array(grid.scenarios.length);
    for (const scenario of grid.scenarios) {
      const value = scenarioValue(priced, market, grid.volShock, 1 + scenario.priceMove, scenario.volMove, currency);
      // 0 - x keeps +0 for an unchanged value (no -0 in reports).
      losses[scenario.index] = 0 - (value - priced.valueNow) * scenario.weight;
    }
    invariant(losses.every(Number.isFinite), `risk array of ${instrument.id} is finite`);
    entries.set(instrument.id, { priced, losses });
  }
  return { underlying: market.underlying, currency, indexPrice: market.indexPrice, grid, entries };
}

export interface NetPosition {
  readonly instrument: PmInstrument;
  readonly quantity: number;
}

/**
 * Positions netted per instrument, in increasing id order, zero nets dropped. The lots of one
 * instrument are summed in increasing order of quantity, so that the same lots listed in any
 * order give bit-identical nets.
 */
export function netPositions(positions: readonly PmPosition[]): NetPosition[] {
  if (positions.length > PM_POSITIONS_MAX) throw portfolioInputInvalid(`more than ${PM_POSITIONS_MAX} positions`);
  const lots = new Map<string, number[]>();
  const instruments = uniqueInstruments(positions.map((p) => p.instrument));
  for (const position of positions) {
    requireNumber(`quantity of ${position.instrument.id}`, position.quantity, () => true, 'finite');
    const list = lots.get(position.instrument.id);
    if (list === undefined) lots.set(position.instrument.id, [position.quantity]);
    else list.push(position.quantity);
  }
  const out: NetPosition[] = [];
  for (const instrument of instruments) {
    const quantities = (lots.get(instrument.id) ?? []).slice().sort((a, b) => a - b);
    const quantity = quantities.reduce((sum, q) => sum + q, 0);
    if (quantity !== 0) out.push({ instrument, quantity });
  }
  return out;
}

export function entryOf(arrays: RiskArrays, id: string): RiskArrayEntry {
  const entry = arrays.entries.get(id);
  if (entry === undefined) throw new InputError(RISK_ARRAY_MISSING, `no risk array for instrument ${id}`);
  return entry;
}

/** Weighted scenario losses of netted positions: sum_i q_i x array_i, in id order. */
export function portfolioLosses(positions: readonly NetPosition[], arrays: RiskArrays): Float64Array {
  const out = new Float64Array(arrays.grid.scenarios.length);
  for (const position of positions) {
    const { losses } = entryOf(arrays, position.instrument.id);
    for (let s = 0; s < out.length; s += 1) out[s] = (out[s] ?? 0) + position.quantity * (losses[s] ?? 0);
  }
  return out;
}
