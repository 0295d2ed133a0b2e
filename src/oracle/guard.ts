/**
 * The circuit breaker of one index: what the oracle publishes, and its verdict, given the
 * aggregate of the sources. Time is an argument; the state is explicit and bounded.
 *
 * Price band per interval: a published price p must satisfy, against the lowest (min) and highest
 * (max) price published within the last `band.intervalMs`,
 *
 *   max x (1 - rate) <= p <= min x (1 + rate)
 *
 * so no two prices published within an interval differ by more than the band. When nothing was
 * published within the interval (a pause), the last published price is the reference: a market
 * that resumes 20% lower after a stall is a breach (RELIABILITY.md R17). Worked: rate 5%, last
 * published 9,150: the band is [8,692.5, 9,607.5].
 *
 * On a breach the market is either `halted` (onBreach 'halt': nothing is published until prices
 * are fresh, the index is ok, and the candidates have stayed within one band of each other for
 * `recoveryMs`; then the confirmed level is published and the band restarts from it) or guarded
 * (onBreach 'guard': the candidate clamped to the band is published with status `degraded`, so
 * the published price walks toward the market by at most one band per interval).
 *
 * A stale aggregate publishes nothing (no stale price is ever forwarded). A degraded aggregate
 * publishes its candidate, within the band (onDegraded 'guard'), or halts the market like a
 * breach (onDegraded 'halt'). Leaving a non-ok status needs `recoveryMs` of fresh,
 * ok, consistent prices (hysteresis); meanwhile the status is `degraded` (or `halted`).
 *
 * Memory: the window is kept as BUCKETS min/max buckets, each a slice of the interval; a bucket
 * counts while any part of it lies within the interval, so the check is, if anything, stricter.
 */
import { invariant } from '../risk/errors.js';
import { price as asPrice, RATE_ONE, type Price, type Rate } from '../risk/units/quantities.js';
import { divCeil, divFloor, maxBig, minBig } from '../risk/units/rounding.js';
import type { IndexAggregate } from './aggregate.js';
import type { IndexParams } from './params.js';
import type { MarketStatus } from './types.js';

export type GuardReason = 'sources_stale' | 'sources_disagree' | 'sources_insufficient' | 'band_breach' | 'band_guard' | 'recovering';

export interface GuardStep {
  readonly status: MarketStatus;
  /** The price to forward to the engine, absent when none may be (stale, halted). */
  readonly published?: Price;
  readonly reason?: GuardReason;
}

const BUCKETS = 32;

interface Bucket {
  readonly slot: number;
  min: Price;
  max: Price;
}

interface Recovery {
  readonly sinceMs: number;
  min: Price;
  max: Price;
}

export interface Band {
  readonly lower: Price;
  readonly upper: Price;
}

/** The band around the window's [min, max]: [max x (1 - rate), min x (1 + rate)], rounded inward. */
export function bandOf(min: Price, max: Price, rate: Rate): Band {
  return { lower: asPrice(divCeil(max * (RATE_ONE - rate), RATE_ONE)), upper: asPrice(divFloor(min * (RATE_ONE + rate), RATE_ONE)) };
}

export function clampToBand(p: Price, band: Band): Price {
  return asPrice(maxBig(band.lower, minBig(band.upper, p)));
}

export class PriceGuard {
  private status: MarketStatus = 'ok';
  private haltReason: GuardReason = 'band_breach';
  private last: { readonly price: Price; readonly timeMs: number } | undefined;
  private buckets: Bucket[] = [];
  private recovery: Recovery | undefined;
  private readonly bucketMs: number;

  constructor(private readonly index: IndexParams) {
    this.bucketMs = Math.max(1, Math.ceil(index.band.intervalMs / BUCKETS));
  }

  get lastPublished(): Price | undefined {
    return this.last?.price;
  }

  /** The band a price published now must lie in; undefined before the first publication. */
  bandAt(nowMs: number): Band | undefined {
    if (this.last === undefined) return undefined;
    const oldestSlot = Math.floor((nowMs - this.index.band.intervalMs) / this.bucketMs);
    let min: bigint = this.last.price;
    let max: bigint = this.last.price;
    const live = this.buckets.filter((b) => b.slot >= oldestSlot);
    if (live.length > 0) {
      min = live.reduce((m, b) => minBig(m, b.min), live[0]?.min ?? min);
      max = live.reduce((m, b) => maxBig(m, b.max), live[0]?.max ?? max);
    }
    const band = bandOf(asPrice(min), asPrice(max), this.index.band.rate);
    invariant(band.lower <= band.upper, `band of ${this.index.symbol} is empty`);
    return band;
  }

  step(nowMs: number, a: IndexAggregate): GuardStep {
    if (a.status === 'stale' || a.candidate === undefined) {
      this.status = 'stale';
      this.recovery = undefined;
      return { status: 'stale', reason: a.reason ?? 'sources_stale' };
    }
    const candidate = a.candidate;
    if (this.status === 'halted') return this.recoverFromHalt(nowMs, a.status, candidate);
    const band = this.bandAt(nowMs);
    if (band !== undefined && (candidate < band.lower || candidate > band.upper)) {
      if (this.index.band.onBreach === 'halt') return this.halt(nowMs, a.status, candidate, 'band_breach');
      this.status = 'degraded';
      this.recovery = undefined;
      return this.publish(nowMs, clampToBand(candidate, band), 'degraded', 'band_guard');
    }
    if (a.status === 'degraded') {
      if (this.index.onDegraded === 'halt') return this.halt(nowMs, a.status, candidate, 'sources_insufficient');
      this.status = 'degraded';
      this.recovery = undefined;
      return this.publish(nowMs, candidate, 'degraded', 'sources_insufficient');
    }
    if (this.status === 'ok') return this.publish(nowMs, candidate, 'ok');
    if (this.track(nowMs, candidate)) {
      this.status = 'ok';
      this.recovery = undefined;
      return this.publish(nowMs, candidate, 'ok');
    }
    this.status = 'degraded';
    return this.publish(nowMs, candidate, 'degraded', 'recovering');
  }

  private halt(nowMs: number, aggregate: 'ok' | 'degraded', candidate: Price, reason: GuardReason): GuardStep {
    this.status = 'halted';
    this.haltReason = reason;
    this.recovery = undefined;
    return this.recoverFromHalt(nowMs, aggregate, candidate);
  }

  private recoverFromHalt(nowMs: number, aggregate: 'ok' | 'degraded', candidate: Price): GuardStep {
    if (aggregate !== 'ok') {
      this.recovery = undefined;
      return { status: 'halted', reason: this.haltReason };
    }
    if (!this.track(nowMs, candidate)) return { status: 'halted', reason: this.haltReason };
    // Fresh, consistent prices for recoveryMs: the new level is real. Restart the band from it.
    this.status = 'ok';
    this.recovery = undefined;
    this.buckets = [];
    return this.publish(nowMs, candidate, 'ok');
  }

  /** Track consecutive consistent candidates; true once they have lasted `recoveryMs`. */
  private track(nowMs: number, candidate: Price): boolean {
    const r = this.recovery;
    if (r === undefined) {
      this.recovery = { sinceMs: nowMs, min: candidate, max: candidate };
    } else {
      const min = minBig(r.min, candidate);
      const max = maxBig(r.max, candidate);
      if ((max - min) * RATE_ONE > this.index.band.rate * min) this.recovery = { sinceMs: nowMs, min: candidate, max: candidate };
      else {
        r.min = asPrice(min);
        r.max = asPrice(max);
      }
    }
    return nowMs - (this.recovery as Recovery).sinceMs >= this.index.recoveryMs;
  }

  private publish(nowMs: number, p: Price, status: MarketStatus, reason?: GuardReason): GuardStep {
    this.last = { price: p, timeMs: nowMs };
    const slot = Math.floor(nowMs / this.bucketMs);
    const current = this.buckets[this.buckets.length - 1];
    if (current !== undefined && current.slot === slot) {
      current.min = asPrice(minBig(current.min, p));
      current.max = asPrice(maxBig(current.max, p));
    } else {
      this.buckets.push({ slot, min: p, max: p });
      if (this.buckets.length > BUCKETS + 2) this.buckets.shift();
    }
    return { status, published: p, ...(reason === undefined ? {} : { reason }) };
  }
}
