/**
 * Funding of one perpetual, Binance method (METHODS.md §1.3), on top of src/risk/funding:
 *
 *   - one premium sample per `samplePeriodMs` (one a minute by default): from the impact bid and
 *     ask, P = (max(0, impact bid - index) - max(0, index - impact ask)) / index, or from the
 *     mark, P = (mark - index) / index;
 *   - at each interval boundary (multiples of the interval since the epoch: 00:00, 08:00, 16:00
 *     UTC for 8 h), P_avg = the time-weighted average of the interval's samples (the i-th of n
 *     weighs i) and F = P_avg + clamp(I - P_avg, -clamp, +clamp), capped at +/- cap;
 *   - one `SettleFunding` per boundary, id `<prefix>:funding:<instrument>:<boundary ms>`, so a
 *     boundary is settled at most once however often it is delivered.
 *
 * Worked: I 0.01%, clamp 0.05%: P_avg 0.03% -> F 0.01%; 0 -> 0.01%; 0.10% -> 0.05%; -0.10% ->
 * -0.05%. An interval with fewer than `samplesMin` samples (the index was stale or halted, or
 * the oracle was down) is not settled: an outage is not evidence of a zero premium. Missing
 * samples are left out, not filled, so the i-th weight counts samples taken, not minutes.
 *
 * The engine pays at its current mark; the oracle's `UpdatePrices` of the same tick comes first,
 * so that mark is the one computed at the boundary. Zero-sum is the engine's job (R28).
 */
import { fundingRateOf, premiumAverageOf, premiumIndexOf } from '../risk/funding/funding.js';
import { rate as asRate, RATE_ONE, type Price, type Rate } from '../risk/units/quantities.js';
import { divHalfEven } from '../risk/units/rounding.js';
import type { FundingParams } from './params.js';
import type { InstrumentQuote } from './types.js';

export interface FundingReport {
  readonly instrument: string;
  /** The boundary that closed the interval. */
  readonly intervalEndMs: number;
  readonly samples: number;
  readonly premiumAverage: Rate;
  readonly rate: Rate;
  readonly settled: boolean;
  readonly reason?: 'samples_insufficient';
}

/** The premium of one sample, or undefined when its inputs are missing. */
export function premiumSampleOf(params: FundingParams, inputs: { index: Price; mark: Price; quote: InstrumentQuote | undefined }): Rate | undefined {
  const { index, mark, quote } = inputs;
  if (params.premiumFrom === 'mark') return asRate(divHalfEven((mark - index) * RATE_ONE, index));
  if (quote?.impactBid === undefined || quote.impactAsk === undefined) return undefined;
  return premiumIndexOf({ impactBid: quote.impactBid, impactAsk: quote.impactAsk, index });
}

export class FundingSampler {
  private intervalStartMs: number | undefined;
  private lastSlot = -Infinity;
  private samples: Rate[] = [];

  constructor(
    private readonly instrument: string,
    private readonly params: FundingParams,
  ) {}

  /** Close the interval that ended by `nowMs`, if any. Call before sampling at `nowMs`. */
  roll(nowMs: number): FundingReport | undefined {
    const intervalMs = this.params.schedule.intervalMs;
    const startMs = Math.floor(nowMs / intervalMs) * intervalMs;
    if (this.intervalStartMs === undefined) {
      this.intervalStartMs = startMs;
      return undefined;
    }
    if (startMs <= this.intervalStartMs) return undefined;
    const intervalEndMs = this.intervalStartMs + intervalMs;
    const samples = this.samples;
    this.samples = [];
    this.intervalStartMs = startMs;
    const premiumAverage = premiumAverageOf(samples, this.params.weighting);
    const rate = fundingRateOf(premiumAverage, this.params.schedule);
    const settled = samples.length >= this.params.samplesMin;
    return { instrument: this.instrument, intervalEndMs, samples: samples.length, premiumAverage, rate, settled, ...(settled ? {} : { reason: 'samples_insufficient' as const }) };
  }

  /** The rate the current interval would settle at now: F in the mark's Price1. */
  predictedRate(): Rate {
    return fundingRateOf(premiumAverageOf(this.samples, this.params.weighting), this.params.schedule);
  }

  /** Take the sample of the current slot, once per slot. Returns whether it was taken. */
  sample(nowMs: number, premium: Rate): boolean {
    const slot = Math.floor(nowMs / this.params.samplePeriodMs);
    if (slot <= this.lastSlot) return false;
    this.lastSlot = slot;
    this.samples.push(premium);
    return true;
  }

  get sampleCount(): number {
    return this.samples.length;
  }
}
