/**
 * Volatility-scaled margin rates for linear products (an option beyond the venues, which publish
 * static tiers): IM and MM rates follow an EWMA volatility, within a floor and a cap, with
 * hysteresis and an anti-procyclicality (APC) tool. Pure state in, state out: a backtest or a
 * daily job steps it one return at a time, and replays give the same rates.
 *
 * The rate: base = z(a) sigma sqrt(h), the normal VaR of one unit of notional over a margin period
 * of risk of h days at confidence a; IM rate = clamp(k_IM base, IM floor, IM cap), MM rate =
 * clamp(k_MM base, MM floor, MM cap). With k_MM <= k_IM and MM floor and cap at or below IM's,
 * IM >= MM always (clamping is monotone). Worked: sigma 3%/day, 99%, h 2, k_IM 1: base =
 * 2.326348 x 0.03 x sqrt 2 = 9.8699%.
 *
 * Anti-procyclicality, after EMIR RTS 153/2013 article 28(1) (METHODS.md section 5):
 * - `buffer`: a buffer of at least 25% on top of the base in calm times, released in stress: the
 *   published base may fall to the unbuffered base before it rises, and the buffer is rebuilt by
 *   `rebuildPerDay` x base per day (Murphy, Vasios and Vause, "An investigation into the
 *   procyclicality of risk-based initial margin models", Bank of England FSP 29, 2014).
 * - `stressedWeight`: at least 25% weight on stressed observations, here on the variance:
 *   s2 = (1 - w) s2_EWMA + w s2_stressed, s2_stressed the highest EWMA variance seen (or given).
 * - `lookbackFloor`: the volatility never below the equally weighted volatility of every return
 *   seen (EMIR's 10-year lookback when the state has seen ten years).
 * Hysteresis: the published rates change only when a target moves more than `hysteresisBand`
 * (relative) away from the published rate; then both rates jump to their targets. Within the band
 * the published rate may sit below the target by up to the band: the price of fewer changes.
 */
import { InputError } from '../errors.js';
import { normInv } from '../pricing/normal.js';
import { requireConfidence, requireDecay, requireNonNegativeNumber, requirePositiveNumber } from './checks.js';

export type AntiProcyclicality =
  | { readonly kind: 'none' }
  | { readonly kind: 'buffer'; readonly bufferFraction: number; readonly rebuildPerDay: number }
  | {
      readonly kind: 'stressedWeight';
      readonly weight: number;
      readonly stressed: { readonly kind: 'observedMax' } | { readonly kind: 'given'; readonly dailyVolatility: number };
    }
  | { readonly kind: 'lookbackFloor' };

export interface VolScaledMarginParams {
  /** EWMA decay for daily returns (RiskMetrics 0.94). */
  readonly lambda: number;
  /** Coverage of the base rate, e.g. 0.99 (EMIR: 99% for exchange-traded, 99.5% for OTC). */
  readonly confidence: number;
  /** Margin period of risk h in days (EMIR: 2 for exchange-traded, 5 for OTC). */
  readonly marginPeriodDays: number;
  readonly initialMultiplier: number;
  readonly maintenanceMultiplier: number;
  readonly initialRateMin: number;
  readonly initialRateMax: number;
  readonly maintenanceRateMin: number;
  readonly maintenanceRateMax: number;
  /** Relative band, e.g. 0.1: the published rate moves only when a target is more than 10% away. */
  readonly hysteresisBand: number;
  readonly antiProcyclicality: AntiProcyclicality;
}

/** Parameters that passed `volScaledMarginSpec`, with the quantile worked out once. */
export interface VolScaledMarginSpec {
  readonly params: VolScaledMarginParams;
  readonly z: number;
}

export interface VolScaledMarginState {
  /** EWMA forecast of the next daily variance. */
  readonly variance: number;
  /** Highest EWMA variance seen since the state was started (the stressed observation). */
  readonly stressedVariance: number;
  readonly squaredReturnSum: number;
  readonly observations: number;
  /** The base rate with whatever APC buffer is in place, before the multipliers. */
  readonly bufferedRate: number;
  readonly initialRate: number;
  readonly maintenanceRate: number;
}

export interface VolScaledMarginStep {
  readonly state: VolScaledMarginState;
  readonly targetInitialRate: number;
  readonly targetMaintenanceRate: number;
  /** True when the published rates changed on this step. */
  readonly changed: boolean;
}

function requireRate(path: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0 && value <= 1)) throw new InputError('margin_rate_out_of_range', 'must be in [0, 1]', path);
}

/** Checks the parameters once (expected rejections with stable codes) and works out z(a). */
export function volScaledMarginSpec(params: VolScaledMarginParams): VolScaledMarginSpec {
  requireDecay(params.lambda);
  requireConfidence(params.confidence);
  requirePositiveNumber('marginPeriodDays', params.marginPeriodDays, 'margin_period_invalid');
  requirePositiveNumber('initialMultiplier', params.initialMultiplier, 'margin_multiplier_invalid');
  requirePositiveNumber('maintenanceMultiplier', params.maintenanceMultiplier, 'margin_multiplier_invalid');
  if (params.maintenanceMultiplier > params.initialMultiplier) {
    throw new InputError('maintenance_multiplier_above_initial', 'must be <= initialMultiplier so that IM >= MM', 'maintenanceMultiplier');
  }
  for (const key of ['initialRateMin', 'initialRateMax', 'maintenanceRateMin', 'maintenanceRateMax'] as const) requireRate(key, params[key]);
  if (params.initialRateMin > params.initialRateMax) throw new InputError('margin_rate_floor_above_cap', 'must be <= initialRateMax', 'initialRateMin');
  if (params.maintenanceRateMin > params.maintenanceRateMax) {
    throw new InputError('margin_rate_floor_above_cap', 'must be <= maintenanceRateMax', 'maintenanceRateMin');
  }
  if (params.maintenanceRateMin > params.initialRateMin) throw new InputError('maintenance_rate_above_initial', 'must be <= initialRateMin', 'maintenanceRateMin');
  if (params.maintenanceRateMax > params.initialRateMax) throw new InputError('maintenance_rate_above_initial', 'must be <= initialRateMax', 'maintenanceRateMax');
  requireNonNegativeNumber('hysteresisBand', params.hysteresisBand, 'hysteresis_band_negative');
  const apc = params.antiProcyclicality;
  switch (apc.kind) {
    case 'none':
    case 'lookbackFloor':
      break;
    case 'buffer':
      requireNonNegativeNumber('antiProcyclicality.bufferFraction', apc.bufferFraction, 'apc_buffer_invalid');
      requireNonNegativeNumber('antiProcyclicality.rebuildPerDay', apc.rebuildPerDay, 'apc_buffer_invalid');
      break;
    case 'stressedWeight':
      if (!(apc.weight >= 0 && apc.weight <= 1)) throw new InputError('apc_weight_out_of_range', 'must be in [0, 1]', 'antiProcyclicality.weight');
      if (apc.stressed.kind === 'given') {
        requireNonNegativeNumber('antiProcyclicality.stressed.dailyVolatility', apc.stressed.dailyVolatility, 'volatility_negative');
      }
      break;
    default:
      throw new InputError('apc_kind_unknown', 'must be none, buffer, stressedWeight or lookbackFloor', 'antiProcyclicality.kind');
  }
  return { params, z: normInv(params.confidence) };
}

/** The variance the base rate uses, after the variance-side APC tools. */
interface VarianceStatistics {
  readonly variance: number;
  readonly stressedVariance: number;
  readonly squaredReturnSum: number;
  readonly observations: number;
}

function effectiveVariance(spec: VolScaledMarginSpec, state: VarianceStatistics): number {
  const apc = spec.params.antiProcyclicality;
  if (apc.kind === 'stressedWeight') {
    const stressed = apc.stressed.kind === 'given' ? apc.stressed.dailyVolatility ** 2 : state.stressedVariance;
    return (1 - apc.weight) * state.variance + apc.weight * stressed;
  }
  if (apc.kind === 'lookbackFloor' && state.observations > 0) return Math.max(state.variance, state.squaredReturnSum / state.observations);
  return state.variance;
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

/** The buffered base: released down to the base in stress, rebuilt by rebuildPerDay x base a day. */
function nextBufferedRate(spec: VolScaledMarginSpec, base: number, previous: number): number {
  const apc = spec.params.antiProcyclicality;
  if (apc.kind !== 'buffer') return base;
  return clamp(previous + apc.rebuildPerDay * base, base, (1 + apc.bufferFraction) * base);
}

function targets(spec: VolScaledMarginSpec, bufferedRate: number): { readonly initial: number; readonly maintenance: number } {
  const p = spec.params;
  return {
    initial: clamp(p.initialMultiplier * bufferedRate, p.initialRateMin, p.initialRateMax),
    maintenance: clamp(p.maintenanceMultiplier * bufferedRate, p.maintenanceRateMin, p.maintenanceRateMax),
  };
}

function baseRate(spec: VolScaledMarginSpec, variance: number): number {
  return spec.z * Math.sqrt(variance * spec.params.marginPeriodDays);
}

/**
 * The state before the first return: EWMA variance from a seed volatility (e.g. the volatility of
 * a warm-up window), the buffer full, the published rates at their targets.
 */
export function startVolScaledMargin(spec: VolScaledMarginSpec, seed: { readonly dailyVolatility: number }): VolScaledMarginState {
  requireNonNegativeNumber('dailyVolatility', seed.dailyVolatility, 'volatility_negative');
  const variance = seed.dailyVolatility ** 2;
  const base = baseRate(spec, effectiveVariance(spec, { variance, stressedVariance: variance, squaredReturnSum: 0, observations: 0 }));
  const apc = spec.params.antiProcyclicality;
  const bufferedRate = apc.kind === 'buffer' ? (1 + apc.bufferFraction) * base : base;
  const t = targets(spec, bufferedRate);
  return { variance, stressedVariance: variance, squaredReturnSum: 0, observations: 0, bufferedRate, initialRate: t.initial, maintenanceRate: t.maintenance };
}

function beyondBand(target: number, published: number, band: number): boolean {
  return Math.abs(target - published) > band * published || (published === 0 && target !== 0);
}

/**
 * One day: fold the day's return into the EWMA and the APC statistics, work out the target rates,
 * and publish them if either moved beyond the hysteresis band. The rates apply from the next day.
 */
export function stepVolScaledMargin(spec: VolScaledMarginSpec, state: VolScaledMarginState, dailyReturn: number): VolScaledMarginStep {
  if (!Number.isFinite(dailyReturn)) throw new InputError('number_not_finite', 'must be a finite number', 'dailyReturn');
  const lambda = spec.params.lambda;
  const squared = dailyReturn * dailyReturn;
  const variance = lambda * state.variance + (1 - lambda) * squared;
  const stressedVariance = Math.max(state.stressedVariance, variance);
  const squaredReturnSum = state.squaredReturnSum + squared;
  const observations = state.observations + 1;
  const base = baseRate(spec, effectiveVariance(spec, { variance, stressedVariance, squaredReturnSum, observations }));
  const bufferedRate = nextBufferedRate(spec, base, state.bufferedRate);
  const t = targets(spec, bufferedRate);
  const band = spec.params.hysteresisBand;
  const changed = beyondBand(t.initial, state.initialRate, band) || beyondBand(t.maintenance, state.maintenanceRate, band);
  const next: VolScaledMarginState = {
    variance,
    stressedVariance,
    squaredReturnSum,
    observations,
    bufferedRate,
    initialRate: changed ? t.initial : state.initialRate,
    maintenanceRate: changed ? t.maintenance : state.maintenanceRate,
  };
  return { state: next, targetInitialRate: t.initial, targetMaintenanceRate: t.maintenance, changed };
}

/** Published rates after each return: entry t holds the rates in force for day t + 1. */
export function volScaledMarginPath(
  spec: VolScaledMarginSpec,
  returns: ArrayLike<number>,
  seed: { readonly dailyVolatility: number },
): { readonly initialRates: Float64Array; readonly maintenanceRates: Float64Array; readonly changes: number } {
  let state = startVolScaledMargin(spec, seed);
  const initialRates = new Float64Array(returns.length);
  const maintenanceRates = new Float64Array(returns.length);
  let changes = 0;
  for (let t = 0; t < returns.length; t++) {
    const step = stepVolScaledMargin(spec, state, returns[t] as number);
    state = step.state;
    if (step.changed) changes++;
    initialRates[t] = state.initialRate;
    maintenanceRates[t] = state.maintenanceRate;
  }
  return { initialRates, maintenanceRates, changes };
}
