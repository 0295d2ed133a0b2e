/**
 * Implied volatility by strike and expiry.
 *
 * A slice is one expiry: its time to expiry T, its forward F and a smile, which gives the total
 * implied variance w(k) = vol^2 T as a function of log-moneyness k = ln(K/F). A smile is
 * (a) flat: one vol for every strike;
 * (b) a grid of (strike, vol) points, interpolated linearly in total variance against
 *     log-moneyness, flat beyond the first and last strikes;
 * (c) raw SVI (Gatheral, "A parsimonious arbitrage-free implied volatility parameterization",
 *     2004; Gatheral and Jacquier, "Arbitrage-free SVI volatility surfaces", 2014):
 *     w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)).
 * A surface is a list of slices in increasing expiry. Between two expiries the total variance is
 * interpolated linearly in T at equal log-moneyness, each end measured against its own forward;
 * the forward between expiries is interpolated linearly in ln F (a constant carry between the two).
 * Before the first expiry the vol at equal k is that of the first slice (w grows in proportion to
 * T from 0); after the last, that of the last slice; the forward is flat outside the expiries.
 *
 * Not checked: calendar arbitrage (w falling with T at some k) and butterfly arbitrage within a
 * grid. Both are properties of the data a risk team loads and belong to the tool that fits it.
 */
import { PricingInputError, logRatio } from './inputs.js';

const SURFACE_INVALID = 'vol_surface_invalid';
const QUERY_INVALID = 'vol_query_invalid';
/** Limits on the size of a surface (STYLE.md habit 10). */
export const GRID_POINTS_MAX = 512;
export const SLICES_MAX = 256;

export interface SviParams {
  readonly a: number;
  readonly b: number;
  readonly rho: number;
  readonly m: number;
  readonly sigma: number;
}

export interface GridPoint {
  readonly strike: number;
  readonly vol: number;
}

export type SmileInput =
  | { readonly kind: 'flat'; readonly vol: number }
  | { readonly kind: 'grid'; readonly points: readonly GridPoint[] }
  | { readonly kind: 'svi'; readonly params: SviParams };

export interface VolSliceInput {
  readonly expiryYears: number;
  readonly forward: number;
  readonly smile: SmileInput;
}

/** A validated smile, with the grid turned into (k, w) nodes once. */
export type Smile =
  | { readonly kind: 'flat'; readonly vol: number }
  | { readonly kind: 'grid'; readonly logMoneyness: readonly number[]; readonly totalVariance: readonly number[] }
  | { readonly kind: 'svi'; readonly params: SviParams };

export interface VolSlice {
  readonly expiryYears: number;
  readonly forward: number;
  readonly smile: Smile;
}

export interface VolSurface {
  readonly slices: readonly VolSlice[];
}

function invalid(detail: string): PricingInputError {
  return new PricingInputError(SURFACE_INVALID, detail);
}

function requireNumber(name: string, value: number, test: (x: number) => boolean, rule: string): void {
  if (!Number.isFinite(value) || !test(value)) throw invalid(`${name} must be ${rule}`);
}

/**
 * Raw SVI is a valid smile when b >= 0, |rho| < 1, sigma > 0 and the minimum total variance
 * a + b sigma sqrt(1 - rho^2) is >= 0 (Gatheral 2004). Worked: a 0.04, b 0.4, rho -0.4, m 0,
 * sigma 0.1 has minimum 0.04 + 0.04 * 0.9165 = 0.07666 >= 0 and is valid.
 */
export function checkSviParams(params: SviParams): void {
  const { a, b, rho, m, sigma } = params;
  requireNumber('svi a', a, () => true, 'finite');
  requireNumber('svi m', m, () => true, 'finite');
  requireNumber('svi b', b, (x) => x >= 0, '>= 0');
  requireNumber('svi rho', rho, (x) => Math.abs(x) < 1, 'in (-1, 1)');
  requireNumber('svi sigma', sigma, (x) => x > 0, '> 0');
  if (a + b * sigma * Math.sqrt(1 - rho * rho) < 0) {
    throw invalid('svi a + b sigma sqrt(1 - rho^2) must be >= 0 (total variance would go negative)');
  }
}

/** w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)). At k = m: a + b sigma. */
export function sviTotalVariance(params: SviParams, logMoneyness: number): number {
  const { a, b, rho, m, sigma } = params;
  const d = logMoneyness - m;
  // Clamped at 0 so that rounding at the minimum of a valid slice cannot produce a negative variance.
  return Math.max(a + b * (rho * d + Math.hypot(d, sigma)), 0);
}

function makeGrid(points: readonly GridPoint[], forward: number, expiryYears: number): Smile {
  if (points.length < 1) throw invalid('grid needs at least one point');
  if (points.length > GRID_POINTS_MAX) throw invalid(`grid has more than ${GRID_POINTS_MAX} points`);
  const logMoneyness: number[] = [];
  const totalVariance: number[] = [];
  let previousStrike = 0;
  for (const [i, point] of points.entries()) {
    requireNumber(`grid point ${i} strike`, point.strike, (x) => x > previousStrike, 'finite, > 0 and increasing');
    requireNumber(`grid point ${i} vol`, point.vol, (x) => x >= 0, '>= 0');
    previousStrike = point.strike;
    const k = logRatio(point.strike, forward);
    if (k <= (logMoneyness[logMoneyness.length - 1] ?? Number.NEGATIVE_INFINITY)) {
      throw invalid(`grid point ${i} strike is too close to the previous one to tell apart in log-moneyness`);
    }
    logMoneyness.push(k);
    totalVariance.push(point.vol * point.vol * expiryYears);
  }
  return { kind: 'grid', logMoneyness, totalVariance };
}

export function makeVolSlice(input: VolSliceInput): VolSlice {
  requireNumber('expiryYears', input.expiryYears, (x) => x > 0, '> 0');
  requireNumber('forward', input.forward, (x) => x > 0, '> 0');
  const { expiryYears, forward, smile } = input;
  switch (smile.kind) {
    case 'flat':
      requireNumber('flat vol', smile.vol, (x) => x >= 0, '>= 0');
      return { expiryYears, forward, smile: { kind: 'flat', vol: smile.vol } };
    case 'grid':
      return { expiryYears, forward, smile: makeGrid(smile.points, forward, expiryYears) };
    case 'svi': {
      checkSviParams(smile.params);
      const { a, b, rho, m, sigma } = smile.params;
      return { expiryYears, forward, smile: { kind: 'svi', params: { a, b, rho, m, sigma } } };
    }
    default:
      throw invalid('smile kind must be flat, grid or svi');
  }
}

/** Linear interpolation in w against k between grid nodes, flat outside them. */
function gridTotalVariance(ks: readonly number[], ws: readonly number[], k: number): number {
  const last = ks.length - 1;
  if (k <= (ks[0] ?? k)) return ws[0] ?? 0;
  if (k >= (ks[last] ?? k)) return ws[last] ?? 0;
  let hi = 1;
  while ((ks[hi] ?? Number.POSITIVE_INFINITY) < k) hi += 1;
  const k0 = ks[hi - 1] ?? k;
  const k1 = ks[hi] ?? k;
  const w0 = ws[hi - 1] ?? 0;
  const w1 = ws[hi] ?? 0;
  if (k === k1) return w1; // exactly at a node: its own value, not w0 + (w1 - w0) rounded
  return w0 + ((w1 - w0) * (k - k0)) / (k1 - k0);
}

/** Total implied variance w = vol^2 T of a slice at log-moneyness k = ln(K/F). */
export function sliceTotalVariance(slice: VolSlice, logMoneyness: number): number {
  const { smile } = slice;
  switch (smile.kind) {
    case 'flat':
      return smile.vol * smile.vol * slice.expiryYears;
    case 'grid':
      return gridTotalVariance(smile.logMoneyness, smile.totalVariance, logMoneyness);
    case 'svi':
      return sviTotalVariance(smile.params, logMoneyness);
  }
}

function requireStrike(strike: number): void {
  if (!Number.isFinite(strike) || strike <= 0) throw new PricingInputError(QUERY_INVALID, 'strike must be > 0');
}

/** Implied vol of a slice at a strike: sqrt(w(ln(K/F)) / T). */
export function sliceVol(slice: VolSlice, strike: number): number {
  requireStrike(strike);
  return Math.sqrt(sliceTotalVariance(slice, logRatio(strike, slice.forward)) / slice.expiryYears);
}

export function makeVolSurface(input: { readonly slices: readonly VolSliceInput[] }): VolSurface {
  if (input.slices.length < 1) throw invalid('surface needs at least one slice');
  if (input.slices.length > SLICES_MAX) throw invalid(`surface has more than ${SLICES_MAX} slices`);
  const slices = input.slices.map(makeVolSlice);
  for (let i = 1; i < slices.length; i += 1) {
    if ((slices[i]?.expiryYears ?? 0) <= (slices[i - 1]?.expiryYears ?? 0)) {
      throw invalid(`slice ${i} expiryYears must be greater than the previous slice's`);
    }
  }
  return { slices };
}

/** The two slices around T and the weight of the later one; equal slices outside the range. */
function bracketOf(surface: VolSurface, timeYears: number): { before: VolSlice; after: VolSlice; weight: number } {
  const { slices } = surface;
  const first = slices[0];
  const last = slices[slices.length - 1];
  if (first === undefined || last === undefined) throw new Error('Invariant: a surface has at least one slice');
  if (timeYears <= first.expiryYears) return { before: first, after: first, weight: 0 };
  if (timeYears >= last.expiryYears) return { before: last, after: last, weight: 0 };
  let i = 1;
  while ((slices[i]?.expiryYears ?? Number.POSITIVE_INFINITY) < timeYears) i += 1;
  const before = slices[i - 1] ?? first;
  const after = slices[i] ?? last;
  if (after.expiryYears === timeYears) return { before: after, after, weight: 0 };
  return { before, after, weight: (timeYears - before.expiryYears) / (after.expiryYears - before.expiryYears) };
}

function requireTime(timeYears: number): void {
  if (!Number.isFinite(timeYears) || timeYears <= 0) {
    throw new PricingInputError(QUERY_INVALID, 'timeYears must be > 0');
  }
}

/** Forward at T: ln F linear in T between expiries, flat outside them. */
export function surfaceForward(surface: VolSurface, timeYears: number): number {
  requireTime(timeYears);
  const { before, after, weight } = bracketOf(surface, timeYears);
  if (weight === 0) return before.forward;
  return before.forward * Math.exp(weight * logRatio(after.forward, before.forward));
}

/**
 * Total variance at (T, k): w(T, k) = (1 - u) w1(k) + u w2(k) with u = (T - T1)/(T2 - T1); before
 * the first expiry w1(k) T / T1 (the first slice's vol), after the last w_n(k) T / T_n.
 * Worked: flat 50% at T1 = 0.25 (w 0.0625) and flat 60% at T2 = 1 (w 0.36): at T = 0.5,
 * u = 1/3, w = 0.161667, vol = sqrt(0.161667 / 0.5) = 56.862%.
 */
export function surfaceTotalVariance(
  surface: VolSurface,
  query: { readonly timeYears: number; readonly logMoneyness: number },
): number {
  requireTime(query.timeYears);
  if (!Number.isFinite(query.logMoneyness)) throw new PricingInputError(QUERY_INVALID, 'logMoneyness must be finite');
  const { before, after, weight } = bracketOf(surface, query.timeYears);
  if (before === after) {
    const w = sliceTotalVariance(before, query.logMoneyness);
    // At the slice's own expiry its value exactly; elsewhere its vol, held at equal k.
    return query.timeYears === before.expiryYears ? w : (w * query.timeYears) / before.expiryYears;
  }
  const w1 = sliceTotalVariance(before, query.logMoneyness);
  const w2 = sliceTotalVariance(after, query.logMoneyness);
  return w1 + weight * (w2 - w1);
}

/** Implied vol at (T, K), with k = ln(K / F(T)). */
export function surfaceVol(
  surface: VolSurface,
  query: { readonly timeYears: number; readonly strike: number },
): number {
  requireStrike(query.strike);
  const logMoneyness = logRatio(query.strike, surfaceForward(surface, query.timeYears));
  return Math.sqrt(surfaceTotalVariance(surface, { timeYears: query.timeYears, logMoneyness }) / query.timeYears);
}
