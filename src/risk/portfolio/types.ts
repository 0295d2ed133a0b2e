/**
 * Instruments, positions and market inputs of portfolio margin (METHODS.md section 3.3).
 *
 * Everything here is float64: portfolio margin is a risk measure (DESIGN.md D1). The caller turns a
 * requirement into money with `amountFromNumber(x, 'ceil')` (requirements round up).
 *
 * One portfolio is one underlying (Deribit's segregated PM, Lyra's PMRM, a SPAN combined
 * commodity): options, dated futures, perpetuals and spot holdings of that underlying are revalued
 * together, so a future or a spot holding offsets an option inside every scenario. Several
 * underlyings meet only in `crossUnderlying.ts`.
 */
import { InputError } from '../errors.js';
import type { OptionKind } from '../pricing/blackScholes.js';
import type { VolSurface } from '../pricing/volSurface.js';

export type PmSettlement = 'linear' | 'inverse';

/**
 * The currency in which scenario PnL, losses and requirements of a portfolio are measured:
 * 'quote' (USD, USDC: Deribit's USDC-margined books, Lyra) or 'coin' (the underlying itself:
 * Deribit's segregated BTC or ETH portfolio). Amounts convert at the scenario's own index price.
 */
export type ValuationCurrency = 'quote' | 'coin';

interface InstrumentBase {
  /** Unique per instrument; positions in the same instrument are netted by this id. */
  readonly id: string;
  readonly underlying: string;
}

/** A European option, cash-settled; Black-76 on the forward of its expiry. */
export interface PmOption extends InstrumentBase {
  readonly kind: 'option';
  readonly optionKind: OptionKind;
  readonly strike: number;
  /** Time to expiry in years; 0 means at expiry (valued at intrinsic value). */
  readonly expiryYears: number;
  readonly settlement: PmSettlement;
  /** Units of the underlying per contract (Deribit BTC options: 1). */
  readonly contractSize: number;
}

/**
 * A dated future. `contractSize` is, as in `src/risk/instruments`, units of the underlying per
 * contract when linear and quote value per contract when inverse (Deribit BTC: 10 USD).
 */
export interface PmFuture extends InstrumentBase {
  readonly kind: 'future';
  readonly expiryYears: number;
  readonly settlement: PmSettlement;
  readonly contractSize: number;
}

/** A perpetual: a future that never expires, marked at `PmMarket.perpetualPrice`. */
export interface PmPerpetual extends InstrumentBase {
  readonly kind: 'perpetual';
  readonly settlement: PmSettlement;
  readonly contractSize: number;
}

/** One unit of the underlying held as collateral (spot). */
export interface PmSpot extends InstrumentBase {
  readonly kind: 'spot';
}

export type PmInstrument = PmOption | PmFuture | PmPerpetual | PmSpot;

export interface PmPosition {
  readonly instrument: PmInstrument;
  /** Contracts (spot: units), signed: positive long, negative short. */
  readonly quantity: number;
}

export interface PmMarket {
  readonly underlying: string;
  /** Spot index, quote per unit of underlying. Converts coin and quote; moves with every scenario. */
  readonly indexPrice: number;
  /** Rate that discounts option payoffs (Deribit: 0). */
  readonly rate: number;
  /**
   * Implied vols by strike and expiry, and the forward of each expiry (the slices' forwards,
   * interpolated in ln F between expiries). An underlying with futures only still passes a surface:
   * flat slices carry its forwards.
   */
  readonly surface: VolSurface;
  /** Mark of the perpetual; the index when absent. */
  readonly perpetualPrice?: number;
}

/** Limits (STYLE.md habit 10). */
export const PM_POSITIONS_MAX = 10_000;
export const PM_SCENARIOS_MAX = 512;
export const PM_UNDERLYINGS_MAX = 256;

export const PORTFOLIO_INPUT_INVALID = 'portfolio_input_invalid';

export function portfolioInputInvalid(detail: string, path = ''): InputError {
  return new InputError(PORTFOLIO_INPUT_INVALID, detail, path);
}

/** Rejects NaN, +-Infinity and values outside `test`, with the rule in the message. */
export function requireNumber(name: string, value: number, test: (x: number) => boolean, rule: string, code = PORTFOLIO_INPUT_INVALID): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !test(value)) {
    throw new InputError(code, `${name} must be ${rule}`);
  }
}

export function checkInstrument(instrument: PmInstrument): void {
  const where = `instrument ${instrument.id}`;
  if (typeof instrument.id !== 'string' || instrument.id === '') throw portfolioInputInvalid('instrument id must be a non-empty string');
  switch (instrument.kind) {
    case 'option':
      if (instrument.optionKind !== 'call' && instrument.optionKind !== 'put') {
        throw portfolioInputInvalid(`${where}: optionKind must be call or put`);
      }
      requireNumber(`${where} strike`, instrument.strike, (x) => x > 0, '> 0');
      requireNumber(`${where} expiryYears`, instrument.expiryYears, (x) => x >= 0, '>= 0');
      requireNumber(`${where} contractSize`, instrument.contractSize, (x) => x > 0, '> 0');
      checkSettlement(where, instrument.settlement);
      return;
    case 'future':
      requireNumber(`${where} expiryYears`, instrument.expiryYears, (x) => x >= 0, '>= 0');
      requireNumber(`${where} contractSize`, instrument.contractSize, (x) => x > 0, '> 0');
      checkSettlement(where, instrument.settlement);
      return;
    case 'perpetual':
      requireNumber(`${where} contractSize`, instrument.contractSize, (x) => x > 0, '> 0');
      checkSettlement(where, instrument.settlement);
      return;
    case 'spot':
      return;
    default:
      throw portfolioInputInvalid(`${where}: kind must be option, future, perpetual or spot`);
  }
}

function checkSettlement(where: string, settlement: PmSettlement): void {
  if (settlement !== 'linear' && settlement !== 'inverse') throw portfolioInputInvalid(`${where}: settlement must be linear or inverse`);
}

export function checkMarket(market: PmMarket): void {
  requireNumber('market indexPrice', market.indexPrice, (x) => x > 0, '> 0');
  requireNumber('market rate', market.rate, () => true, 'finite');
  if (market.perpetualPrice !== undefined) {
    requireNumber('market perpetualPrice', market.perpetualPrice, (x) => x > 0, '> 0');
  }
  if (market.surface.slices.length < 1) throw portfolioInputInvalid('market surface needs at least one slice');
}

/** Two instruments with one id must be the same instrument: a conflict is a data error. */
export function sameInstrument(a: PmInstrument, b: PmInstrument): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if ((a as unknown as Record<string, unknown>)[key] !== (b as unknown as Record<string, unknown>)[key]) return false;
  }
  return true;
}
