/**
 * A margin model that knows the GARCH(1,1) parameters of the prices: the calibrated reference for
 * backtests on generated series (a model that should cover close to its confidence). It belongs
 * next to the other models in risk/analytics/marginModels.ts and can move there unchanged.
 *
 * Each day it filters the instrument's log returns with the known parameters (variance starting at
 * the long-run level, as the generator does), forecasts the variance of the next h days,
 *   sum_(k=1..h) E[s2_(t+k)] = h V_L + (s2_(t+1) - V_L) (1 - phi^h) / (1 - phi),  phi = alpha + beta
 * (Hull, OFOD, chapter "Estimating volatilities and correlations", the GARCH term structure), and
 * charges the loss at the quantile q of the shock distribution (normal, or the unit-variance t):
 *   long  q_i P (1 - exp(-s_h q)),   short |q_i| P (exp(s_h q) - 1),   summed over instruments.
 * For h = 1 this is the exact conditional quantile of the loss; for h > 1 the h-day sum of GARCH
 * returns is not normal, so the model is close to calibrated rather than exact.
 */
import { garchLongRunVariance, studentTQuantile, zQuantile, type GarchParams, type GarchShocks } from '../risk/analytics/index.js';
import type { MarginContext, MarginStep, SteppedMarginModel } from '../risk/analytics/backtest.js';
import { invariant } from '../risk/errors.js';

export function garchMarginModel(input: { readonly params: GarchParams; readonly shocks: GarchShocks; readonly confidence: number; readonly marginPeriodDays: number; readonly driftPerDay?: number }): SteppedMarginModel {
  const longRun = garchLongRunVariance(input.params);
  const { omega, alpha, beta } = input.params;
  const phi = alpha + beta;
  const h = input.marginPeriodDays;
  const drift = input.driftPerDay ?? 0;
  const quantile =
    input.shocks.kind === 'normal'
      ? zQuantile(input.confidence)
      : studentTQuantile(input.confidence, input.shocks.degreesOfFreedom) * Math.sqrt((input.shocks.degreesOfFreedom - 2) / input.shocks.degreesOfFreedom);
  const horizonVariance = (next: number): number => h * longRun + ((next - longRun) * (1 - phi ** h)) / (1 - phi);
  const advance = (variance: number, series: Float64Array, day: number): number => {
    const shock = Math.log((series[day] as number) / (series[day - 1] as number)) - drift;
    return omega + alpha * shock * shock + beta * variance;
  };

  const stepOf = (variances: readonly number[], context: MarginContext): MarginStep => {
    let margin = 0;
    context.prices.forEach((series, i) => {
      const q = context.positions[i] as number;
      const p = series[series.length - 1] as number;
      const s = Math.sqrt(horizonVariance(variances[i] as number));
      margin += q >= 0 ? q * p * (1 - Math.exp(-s * quantile)) : -q * p * (Math.exp(s * quantile) - 1);
    });
    return {
      margin,
      next: (next) => {
        invariant(next.day === context.day + 1, 'the GARCH margin model advances one day at a time');
        return stepOf(
          variances.map((v, i) => advance(v, next.prices[i] as Float64Array, next.day)),
          next,
        );
      },
    };
  };

  return {
    start: (context) => {
      const variances = context.prices.map((series) => {
        let v = longRun;
        for (let t = 1; t < series.length; t++) v = advance(v, series, t);
        return v;
      });
      return stepOf(variances, context);
    },
  };
}
