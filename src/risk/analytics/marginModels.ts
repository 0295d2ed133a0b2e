/**
 * Margin models for the backtester: static rates on notional (a plain function of the day), and
 * two stepped models that carry EWMA state from day to day as immutable values: the
 * volatility-scaled rates of `volScaledMargin.ts`, and a portfolio delta-normal VaR on an EWMA
 * covariance. A stepped model reads the whole history on its first day (warm-up) and one new
 * return per day after that.
 */
import { InputError } from '../errors.js';
import { invariant } from '../errors.js';
import type { MarginContext, MarginFunction, MarginStep, SteppedMarginModel } from './backtest.js';
import { requireConfidence, requireDecay, requireIntegerIn, requirePositiveNumber } from './checks.js';
import { covarianceMatrix } from './matrix.js';
import { meanSquare } from './statistics.js';
import { deltaNormalRisk } from './valueAtRisk.js';
import {
  startVolScaledMargin,
  stepVolScaledMargin,
  volScaledMarginSpec,
  type VolScaledMarginParams,
  type VolScaledMarginSpec,
  type VolScaledMarginState,
} from './volScaledMargin.js';

function lastPrice(series: Float64Array): number {
  return series[series.length - 1] as number;
}

/** Notional of each position at the context's last price, |q_i| P_i,t, in quote units. */
function notionals(context: MarginContext): number[] {
  return context.prices.map((series, i) => Math.abs((context.positions[i] as number) * lastPrice(series)));
}

/**
 * Static rates on notional, no netting between instruments: margin = sum_i |q_i| P_i,t rate_i.
 * Worked: 2 BTC at 60,000 at 5% and -10 ETH at 3,000 at 6%: 6,000 + 1,800 = 7,800.
 */
export function staticRateModel(input: { readonly rates: readonly number[] }): MarginFunction {
  input.rates.forEach((r, i) => {
    if (!(Number.isFinite(r) && r >= 0)) throw new InputError('margin_rate_out_of_range', 'must be a finite number >= 0', `rates[${i}]`);
  });
  const rates = [...input.rates];
  return (context) => {
    if (context.prices.length !== rates.length) {
      throw new InputError('rates_length_mismatch', `${rates.length} rates for ${context.prices.length} instruments`, 'rates');
    }
    return notionals(context).reduce((sum, n, i) => sum + n * (rates[i] as number), 0);
  };
}

/** How the EWMA of a volatility-scaled or VaR model starts. */
export type VolatilitySeed =
  | { readonly kind: 'given'; readonly dailyVolatility: number }
  /** The root mean square of the first `days` log returns (fewer if fewer exist; 0 before any). */
  | { readonly kind: 'warmup'; readonly days: number };

function seedVolatility(seed: VolatilitySeed, series: Float64Array): number {
  if (seed.kind === 'given') return seed.dailyVolatility;
  const count = Math.min(seed.days, series.length - 1);
  if (count < 1) return 0;
  const returns = new Float64Array(count);
  for (let t = 0; t < count; t++) returns[t] = Math.log((series[t + 1] as number) / (series[t] as number));
  return Math.sqrt(meanSquare(returns));
}

function checkSeed(seed: VolatilitySeed): void {
  if (seed.kind === 'given') requirePositiveNumber('seed.dailyVolatility', seed.dailyVolatility, 'volatility_not_positive');
  else requireIntegerIn('seed.days', seed.days, 1, 1_000_000, 'warmup_days_invalid');
}

/** The log return of a series from day - 1 to day. */
function logReturnAt(series: Float64Array, day: number): number {
  return Math.log((series[day] as number) / (series[day - 1] as number));
}

/** A stepped model must be advanced one day at a time; anything else is a programmer error. */
function requireNextDay(previous: MarginContext, next: MarginContext): void {
  invariant(next.day === previous.day + 1, `a stepped margin model advances one day at a time (day ${previous.day} then ${next.day})`);
  invariant(next.prices.length === previous.prices.length, 'a stepped margin model keeps its instruments');
}

/**
 * Volatility-scaled rates on notional: for each instrument, the published IM (or MM) rate after
 * the day's return, stepped from the first day of the history; margin = sum_i |q_i| P_i,t rate_i.
 * One parameter set for all instruments, or one per instrument. Equal, day by day, to running
 * `volScaledMarginPath` over each instrument's returns from the same seed.
 */
export function volScaledRateModel(input: {
  readonly params: VolScaledMarginParams | readonly VolScaledMarginParams[];
  readonly requirement: 'initial' | 'maintenance';
  readonly seed: VolatilitySeed;
}): SteppedMarginModel {
  checkSeed(input.seed);
  const specs = (Array.isArray(input.params) ? input.params : [input.params]).map((p: VolScaledMarginParams) => volScaledMarginSpec(p));
  const seed = input.seed;
  const specOf = (i: number): VolScaledMarginSpec => specs[specs.length === 1 ? 0 : i] as VolScaledMarginSpec;

  const stepOf = (states: readonly VolScaledMarginState[], context: MarginContext): MarginStep => {
    let margin = 0;
    states.forEach((state, i) => {
      const rate = input.requirement === 'initial' ? state.initialRate : state.maintenanceRate;
      margin += Math.abs((context.positions[i] as number) * lastPrice(context.prices[i] as Float64Array)) * rate;
    });
    return {
      margin,
      next: (nextContext) => {
        requireNextDay(context, nextContext);
        const advanced = states.map((state, i) => stepVolScaledMargin(specOf(i), state, logReturnAt(nextContext.prices[i] as Float64Array, nextContext.day)).state);
        return stepOf(advanced, nextContext);
      },
    };
  };

  return {
    start: (context) => {
      if (specs.length !== 1 && specs.length !== context.prices.length) {
        throw new InputError('params_length_mismatch', `${specs.length} parameter sets for ${context.prices.length} instruments`, 'params');
      }
      const states = context.prices.map((series, i) => {
        let state = startVolScaledMargin(specOf(i), { dailyVolatility: seedVolatility(seed, series) });
        for (let t = 1; t < series.length; t++) state = stepVolScaledMargin(specOf(i), state, logReturnAt(series, t)).state;
        return state;
      });
      return stepOf(states, context);
    },
  };
}

/** cov = lambda cov + (1 - lambda) r r', a new matrix (the RiskMetrics update of `ewmaCovarianceStep`). */
function ewmaUpdate(covariance: Float64Array, returns: Float64Array, lambda: number): Float64Array {
  const n = returns.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = lambda * (covariance[i * n + j] as number) + (1 - lambda) * (returns[i] as number) * (returns[j] as number);
  }
  return out;
}

function returnsAt(context: MarginContext, day: number): Float64Array {
  return Float64Array.from(context.prices, (series) => logReturnAt(series, day));
}

/** The seed covariance: zero-mean sample covariance of the warm-up returns, or a given diagonal. */
function seedCovariance(seed: VolatilitySeed, context: MarginContext): Float64Array {
  const n = context.prices.length;
  const out = new Float64Array(n * n);
  if (seed.kind === 'given') {
    for (let i = 0; i < n; i++) out[i * n + i] = seed.dailyVolatility ** 2;
    return out;
  }
  const warmup = Math.min(seed.days, context.day);
  for (let t = 1; t <= warmup; t++) {
    const r = returnsAt(context, t);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = (out[i * n + j] as number) + ((r[i] as number) * (r[j] as number)) / warmup;
  }
  return out;
}

/**
 * Portfolio delta-normal VaR on an EWMA covariance of log returns (netting across instruments):
 * margin = z sigma_P sqrt(h) with exposures q_i P_i,t. The covariance starts from the zero-mean
 * sample covariance of the warm-up window (or a given diagonal) and runs over every return.
 */
export function ewmaVarModel(input: {
  readonly lambda: number;
  readonly confidence: number;
  readonly marginPeriodDays: number;
  readonly seed: VolatilitySeed;
}): SteppedMarginModel {
  requireDecay(input.lambda);
  requireConfidence(input.confidence);
  requirePositiveNumber('marginPeriodDays', input.marginPeriodDays, 'margin_period_invalid');
  checkSeed(input.seed);

  const stepOf = (covariance: Float64Array, context: MarginContext): MarginStep => {
    const exposures = context.prices.map((series, i) => (context.positions[i] as number) * lastPrice(series));
    const risk = deltaNormalRisk({
      exposures,
      covariance: covarianceMatrix(context.prices.length, covariance),
      confidence: input.confidence,
      horizonDays: input.marginPeriodDays,
    });
    return {
      margin: risk.valueAtRisk,
      next: (nextContext) => {
        requireNextDay(context, nextContext);
        return stepOf(ewmaUpdate(covariance, returnsAt(nextContext, nextContext.day), input.lambda), nextContext);
      },
    };
  };

  return {
    start: (context) => {
      let covariance = seedCovariance(input.seed, context);
      for (let t = 1; t <= context.day; t++) covariance = ewmaUpdate(covariance, returnsAt(context, t), input.lambda);
      return stepOf(covariance, context);
    },
  };
}
