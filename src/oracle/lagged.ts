/**
 * Lagged ("stable") prices, forwarded as `laggedPrices` so that initial margin values assets and
 * gains at the lower, and liabilities and losses at the higher, of the live and lagged price
 * (METHODS.md §2; Mango v4's stable price, Drift's 5-minute TWAP). A pump raises the live price
 * at once but the lagged price only slowly, so it cannot be borrowed against (Mango, Oct 2022).
 *
 *   rateLimited: stable moves toward the published price by at most moveRatePerHour x stable per
 *                hour: |stable' - stable| <= stable x rate x dt / 1h (rounded down). The step dt
 *                is capped at one hour, so a market that resumes after a long halt is not
 *                followed in one jump. Worked: stable 1.00, rate 2%/h, live 1.04 thirty minutes
 *                later (one step): stable 1.01; another 30 minutes: 1.0201. Steps compound.
 *   twap:        the mean of one published price per sample period over the window.
 *
 * Both advance only when a price is published: a stale or halted market holds its lagged price.
 */
import { RATE_ONE, price as asPrice, type Price } from '../risk/units/quantities.js';
import { divFloor, maxBig, minBig } from '../risk/units/rounding.js';
import { SlotAverage } from './averages.js';
import type { LaggedParams } from './params.js';

const HOUR_MS = 3_600_000;

export interface LaggedPrice {
  /** Offer the price published now; returns the lagged price. */
  update(nowMs: number, published: Price): Price;
}

export function laggedPriceOf(params: LaggedParams): LaggedPrice {
  return params.kind === 'rateLimited' ? new RateLimitedPrice(params.moveRatePerHour) : new TwapPrice(params.windowMs, params.samplePeriodMs);
}

class RateLimitedPrice implements LaggedPrice {
  private stable: Price | undefined;
  private lastMs = 0;

  constructor(private readonly moveRatePerHour: bigint) {}

  update(nowMs: number, published: Price): Price {
    if (this.stable === undefined) {
      this.stable = published;
    } else {
      const dt = BigInt(Math.min(HOUR_MS, Math.max(0, nowMs - this.lastMs)));
      const move = divFloor(this.stable * this.moveRatePerHour * dt, RATE_ONE * BigInt(HOUR_MS));
      this.stable = asPrice(maxBig(this.stable - move, minBig(this.stable + move, published)));
    }
    this.lastMs = Math.max(this.lastMs, nowMs);
    return this.stable;
  }
}

class TwapPrice implements LaggedPrice {
  private readonly average: SlotAverage;

  constructor(windowMs: number, periodMs: number) {
    this.average = new SlotAverage(windowMs, periodMs);
  }

  update(nowMs: number, published: Price): Price {
    this.average.offer(nowMs, published);
    return asPrice(this.average.averageAt(nowMs) ?? published);
  }
}
