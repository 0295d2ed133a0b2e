/**
 * A seeded synthetic feed for demos, simulations and tests: one common price path, sampled by
 * several sources with their own cadence and noise, with random jumps, scripted shocks and
 * injected source faults. The generator is passed in (STYLE.md habit 8): same seed, same feed.
 *
 * The path is geometric Brownian motion on a grid of `stepMs`: per step, log return
 * sigma x sqrt(dt / 1h) x z (z standard normal), then with probability perHour x dt / 1h a jump
 * of +/- sizeRate (sign drawn), then any scripted shock (a factor from its time on, e.g. 0.65 for
 * a genuine depeg everywhere). A source prints path x (1 + noiseRate x u), u uniform in [-1, 1),
 * every `cadenceMs`. Random draws happen in a fixed order whatever the faults, so adding a fault
 * changes only the faulty source's prints.
 *
 * Faults: 'silent' (no print), 'price' (prints a fixed price: Deribit's 7,700, a venue's 0.65),
 * 'delay' (prints arrive `delayMs` late, stamped with their true time).
 */
import { normal, uniform, type Random } from '../../risk/analytics/random.js';
import { InputError } from '../../risk/errors.js';
import { PRICE_DECIMALS, price as asPrice, type Price } from '../../risk/units/quantities.js';
import { pow10 } from '../../risk/units/rounding.js';
import type { FeedEvent } from '../types.js';

export interface SyntheticSource {
  readonly id: string;
  readonly cadenceMs: number;
  /** Uniform noise around the path, as a fraction: 0.002 prints within +/- 0.2%. */
  readonly noiseRate?: number;
  /** Time of the first print after `fromMs` (default 0). */
  readonly offsetMs?: number;
}

export type SourceFault =
  | { readonly kind: 'silent'; readonly source: string; readonly fromMs: number; readonly toMs: number }
  | { readonly kind: 'price'; readonly source: string; readonly fromMs: number; readonly toMs: number; readonly price: number }
  | { readonly kind: 'delay'; readonly source: string; readonly fromMs: number; readonly toMs: number; readonly delayMs: number };

/** The venue's own market in an instrument, following the path with a premium. */
export interface SyntheticQuotes {
  readonly instrument: string;
  readonly cadenceMs: number;
  /** Mid = path x (1 + premiumRate). */
  readonly premiumRate: number;
  /** Best bid and ask around the mid, as a fraction of it. */
  readonly spreadRate: number;
  /** Impact bid and ask around the mid (>= spreadRate). */
  readonly impactSpreadRate: number;
}

export interface SyntheticFeedOptions {
  readonly symbol: string;
  readonly sources: readonly SyntheticSource[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly startPrice: number;
  /** Standard deviation of the log return per hour (0 for a flat path). */
  readonly volatilityPerHour?: number;
  readonly jumps?: { readonly perHour: number; readonly sizeRate: number };
  readonly shocks?: readonly { readonly atMs: number; readonly factor: number }[];
  readonly faults?: readonly SourceFault[];
  readonly quotes?: readonly SyntheticQuotes[];
  /** Path grid (default: the smallest cadence). */
  readonly stepMs?: number;
  /** Decimals of the printed prices (default 2). */
  readonly priceDecimals?: number;
}

const HOUR_MS = 3_600_000;
/** A feed has at most this many events (STYLE.md habit 10). */
export const SYNTHETIC_EVENTS_MAX = 5_000_000;

export function syntheticFeed(o: SyntheticFeedOptions, random: Random): FeedEvent[] {
  const cadences = [...o.sources.map((s) => s.cadenceMs), ...(o.quotes ?? []).map((q) => q.cadenceMs)];
  const stepMs = o.stepMs ?? Math.min(...cadences);
  if (!(Number.isSafeInteger(stepMs) && stepMs > 0 && cadences.every((c) => Number.isSafeInteger(c) && c > 0) && o.toMs >= o.fromMs && o.startPrice > 0)) {
    throw new InputError('synthetic_feed_invalid', 'cadences and step are positive integers, toMs >= fromMs, startPrice > 0');
  }
  const expected = cadences.reduce((n, c) => n + (o.toMs - o.fromMs) / c, 0);
  if (expected > SYNTHETIC_EVENTS_MAX) throw new InputError('synthetic_feed_too_large', `at most ${SYNTHETIC_EVENTS_MAX} events`);
  const path = pathOf(o, stepMs, random);
  const at = (t: number): number => path[Math.min(path.length - 1, Math.floor((t - o.fromMs) / stepMs))] as number;
  const decimals = o.priceDecimals ?? 2;
  const events: FeedEvent[] = [];
  for (const source of [...o.sources].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    for (let t = o.fromMs + (source.offsetMs ?? 0); t <= o.toMs; t += source.cadenceMs) {
      const u = 2 * uniform(random) - 1;
      const fault = o.faults?.find((f) => f.source === source.id && t >= f.fromMs && t < f.toMs);
      if (fault?.kind === 'silent') continue;
      const value = fault?.kind === 'price' ? fault.price : at(t) * (1 + (source.noiseRate ?? 0) * u);
      const atMs = fault?.kind === 'delay' ? t + fault.delayMs : t;
      events.push({ kind: 'observation', atMs, observation: { source: source.id, symbol: o.symbol, price: priceOf(value, decimals), timestampMs: t } });
    }
  }
  for (const q of o.quotes ?? []) {
    for (let t = o.fromMs; t <= o.toMs; t += q.cadenceMs) {
      const mid = at(t) * (1 + q.premiumRate);
      const quote = {
        instrument: q.instrument,
        timestampMs: t,
        bid: priceOf(mid * (1 - q.spreadRate / 2), decimals),
        ask: priceOf(mid * (1 + q.spreadRate / 2), decimals),
        last: priceOf(mid, decimals),
        impactBid: priceOf(mid * (1 - q.impactSpreadRate / 2), decimals),
        impactAsk: priceOf(mid * (1 + q.impactSpreadRate / 2), decimals),
      };
      events.push({ kind: 'quote', atMs: t, quote });
    }
  }
  // Arrival order, then a fixed order within an instant: observations by source, then quotes.
  const keyOf = (e: FeedEvent) => (e.kind === 'observation' ? `0 ${e.observation.symbol} ${e.observation.source}` : `1 ${e.quote.instrument}`);
  return events.sort((a, b) => a.atMs - b.atMs || (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

function pathOf(o: SyntheticFeedOptions, stepMs: number, random: Random): number[] {
  const steps = Math.floor((o.toMs - o.fromMs) / stepMs) + 1;
  const sigma = (o.volatilityPerHour ?? 0) * Math.sqrt(stepMs / HOUR_MS);
  const jumpChance = (o.jumps?.perHour ?? 0) * (stepMs / HOUR_MS);
  const shocks = [...(o.shocks ?? [])].sort((a, b) => a.atMs - b.atMs);
  const path: number[] = [];
  let value = o.startPrice;
  let shock = 0;
  for (let i = 0; i < steps; i++) {
    const t = o.fromMs + i * stepMs;
    if (i > 0) {
      value *= Math.exp(sigma * normal(random) - 0.5 * sigma * sigma);
      const jump = uniform(random) < jumpChance;
      const up = uniform(random) < 0.5;
      if (jump && o.jumps !== undefined) value *= up ? 1 + o.jumps.sizeRate : 1 - o.jumps.sizeRate;
    }
    while (shock < shocks.length && (shocks[shock]?.atMs ?? Infinity) <= t) value *= shocks[shock++]?.factor ?? 1;
    path.push(value);
  }
  return path;
}

/** A float from the simulation as a price with `decimals` places, rounded half away from zero. */
function priceOf(value: number, decimals: number): Price {
  const units = BigInt(Math.max(1, Math.round(value * 10 ** decimals)));
  return asPrice(units * pow10(PRICE_DECIMALS - decimals));
}
