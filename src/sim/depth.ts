/**
 * The order-book depth model: how liquidation volume sold (or bought) into the book moves the
 * price. The simulator's only feedback loop: liquidations -> volume into the book -> a lower mark
 * at the next step -> more accounts below maintenance.
 *
 * Depth is stated as the notional the book absorbs per 1% of price move, `depthPerPercent` (the
 * "1% depth" venues and data vendors quote), cut by the path's depth factor at that step
 * (0.03: depth -97%). For a volume Q of notional:
 *
 *   linear  (a flat book: the same depth at every price level)   m = 1% x Q / D
 *   sqrt    (the square-root law of metaorder impact)              m = 1% x sqrt(Q / D)
 *
 * so both agree at Q = D (1%); the square-root law is concave beyond (Toth et al., "Anomalous price
 * impact and the critical nature of liquidity in financial markets", PRX 1 (2011); Bouchaud et al.,
 * "Trades, Quotes and Prices" (2018), ch. 12). The average price of walking the book is m/2 away
 * from the mark for the flat book and 2m/3 for the square-root law (the mean of c sqrt(q) over
 * [0, Q]). A move is capped at `impactMax` (the last resting bids of a book that is not empty).
 *
 * Impact is transient: the book refills (Obizhaeva and Wang, "Optimal trading strategy and
 * supply/demand dynamics", J. Financial Markets 16 (2013)), so the cumulative log impact decays
 * by half every `resilienceHalfLifeSteps` steps before the step's new impact is added.
 *
 * Worked: D = 1,000,000 per 1%, Q = 4,000,000 sold: linear m = 4% (average fill 2% below mark);
 * sqrt m = 2% (average 1.333%). With depth -97% (D = 30,000): linear m = 133% (capped), sqrt 11.5%.
 */
export type ImpactModel = 'linear' | 'sqrt';

export interface DepthParams {
  readonly model: ImpactModel;
  /** The largest move one step's volume makes, as a fraction (default 0.5). */
  readonly impactMax: number;
  /** Steps for the cumulative impact to decay by half (Infinity: permanent). */
  readonly resilienceHalfLifeSteps: number;
}

export const DEPTH_DEFAULTS: DepthParams = { model: 'sqrt', impactMax: 0.5, resilienceHalfLifeSteps: 4 };

/** Depth per 1% as a fraction of the instrument's initial open-interest notional, by underlying. */
export const DEPTH_SHARE_OF_OPEN_INTEREST: Readonly<Record<string, number>> = { BTC: 0.05, ETH: 0.04, SOL: 0.03, '*': 0.01 };

export interface Impact {
  /** The move the volume makes, as a fraction of the mark (>= 0). */
  readonly moveFraction: number;
  /** The average fill's distance from the mark, as a fraction (>= 0). */
  readonly averageFraction: number;
}

export function impactOf(params: DepthParams, volumeNotional: number, depthPerPercent: number): Impact {
  if (!(volumeNotional > 0) || !(depthPerPercent > 0)) return { moveFraction: 0, averageFraction: 0 };
  const ratio = volumeNotional / depthPerPercent;
  const raw = params.model === 'linear' ? 0.01 * ratio : 0.01 * Math.sqrt(ratio);
  const moveFraction = Math.min(params.impactMax, raw);
  // Capped: the book is walked to the cap and the rest fills there, so the average is nearer the cap.
  const shape = params.model === 'linear' ? 1 / 2 : 2 / 3;
  const averageFraction = raw <= params.impactMax ? shape * raw : moveFraction * (1 - (1 - shape) * (params.impactMax / raw));
  return { moveFraction, averageFraction };
}

/** Decay per step of the cumulative log impact: 2^(-1 / half-life). */
export function resilienceOf(params: DepthParams): number {
  return Number.isFinite(params.resilienceHalfLifeSteps) ? 2 ** (-1 / params.resilienceHalfLifeSteps) : 1;
}

/**
 * The cumulative log impact after a step: decayed, plus the step's move (down for sells, signed
 * volume < 0; up for buys).
 */
export function nextLogImpact(params: DepthParams, logImpact: number, signedVolume: number, impact: Impact): number {
  const decayed = logImpact * resilienceOf(params);
  if (impact.moveFraction === 0) return decayed;
  return decayed + (signedVolume < 0 ? Math.log(1 - Math.min(impact.moveFraction, 0.99)) : Math.log(1 + impact.moveFraction));
}
