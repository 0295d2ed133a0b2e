/**
 * Marks per perpetual and future, one method per instrument (METHODS.md §1.3):
 *
 *   medianOfThree (Binance perpetuals): median(Price1, Price2, last), Price1 = index x (1 + F x
 *       t_left / interval) with F the funding rate predicted from this interval's premium samples,
 *       Price2 = index + MA(basis) over `basisWindowMs`, one basis sample (mid - index) per
 *       `basisSamplePeriodMs`. The formula is src/risk/funding `perpetualMarkOf`. Worked: index
 *       50,000, F 0.01%, 4h of 8h left, MA basis +10, last 50,030: mark 50,010.
 *   basisAverage: index + MA(basis) (a dated future without the funding term).
 *   basisEma (Deribit): index + EMA_tau(market price - index), tau 30 s by default.
 *
 * The market price is the mid of a fresh quote's bid and ask, else its last trade; without a
 * fresh quote the basis is not sampled and `last` falls back to the mid, then to Price2, so a
 * market with no trading marks at the index. An optional `markBandRate` keeps the mark within
 * index x (1 +/- rate): a thin, pumped book moves the mark by at most that much (R11).
 */
import { perpetualMarkOf } from '../risk/funding/mark.js';
import { price as asPrice, RATE_ONE, type Price, type Rate } from '../risk/units/quantities.js';
import { divCeil, divFloor, divHalfEven, maxBig, minBig } from '../risk/units/rounding.js';
import { SlotAverage, TimeEma } from './averages.js';
import type { MarkParams } from './params.js';
import type { InstrumentQuote } from './types.js';

export interface MarkReport {
  readonly mark: Price;
  readonly method: MarkParams['method']['kind'];
  readonly price1?: Price;
  readonly price2?: Price;
  readonly last?: Price;
  /** The basis term added to the index (MA or EMA), in price units; may be negative. */
  readonly basis: bigint;
  /** The funding rate used in Price1. */
  readonly fundingRate?: Rate;
}

export interface MarkInputs {
  readonly nowMs: number;
  readonly index: Price;
  /** A quote no older than the instrument's quote staleness limit, if any. */
  readonly quote: InstrumentQuote | undefined;
  /** The predicted funding rate of the current interval (medianOfThree only). */
  readonly fundingRate?: Rate;
}

export function marketPriceOf(q: InstrumentQuote | undefined): Price | undefined {
  if (q === undefined) return undefined;
  if (q.bid !== undefined && q.ask !== undefined) return asPrice(divHalfEven(q.bid + q.ask, 2n));
  return q.last;
}

export class MarkState {
  private readonly average: SlotAverage | undefined;
  private readonly ema: TimeEma | undefined;

  constructor(private readonly params: MarkParams) {
    const m = params.method;
    this.average = m.kind === 'basisEma' ? undefined : new SlotAverage(m.basisWindowMs, m.basisSamplePeriodMs);
    this.ema = m.kind === 'basisEma' ? new TimeEma(m.emaMs) : undefined;
  }

  update(inputs: MarkInputs): MarkReport {
    const { nowMs, index, quote } = inputs;
    const market = marketPriceOf(quote);
    if (market !== undefined) {
      this.average?.offer(nowMs, market - index);
      this.ema?.update(nowMs, market - index);
    }
    const m = this.params.method;
    if (m.kind === 'basisEma') {
      const basis = this.ema?.current ?? 0n;
      return { mark: this.banded(index, asPrice(index + basis)), method: m.kind, basis };
    }
    const basis = this.average?.averageAt(nowMs) ?? 0n;
    if (m.kind === 'basisAverage') return { mark: this.banded(index, asPrice(index + basis)), method: m.kind, basis };
    // Params guarantee a schedule for the median of three (mark_method_needs_funding).
    const intervalMs = this.params.schedule?.intervalMs ?? 8 * 3_600_000;
    const fundingRate = inputs.fundingRate ?? (0n as Rate);
    const timeLeftMs = (Math.floor(nowMs / intervalMs) + 1) * intervalMs - nowMs;
    const price2 = asPrice(index + basis);
    const last = quote?.last ?? market ?? price2;
    const result = perpetualMarkOf({ index, fundingRate, timeLeftMs, intervalMs, basisAverage: basis, last });
    return { mark: this.banded(index, result.mark), method: m.kind, price1: result.price1, price2: result.price2, last, basis, fundingRate };
  }

  /** Within the mark band around the index, and never below one price unit. */
  private banded(index: Price, mark: Price): Price {
    let p: bigint = mark;
    const r = this.params.markBandRate;
    if (r !== undefined) p = maxBig(divCeil(index * (RATE_ONE - r), RATE_ONE), minBig(divFloor(index * (RATE_ONE + r), RATE_ONE), p));
    return asPrice(maxBig(1n, p));
  }
}
