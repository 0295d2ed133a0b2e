/**
 * Backtests of margin models on price histories (issue 7): the portfolios (a notional long and
 * short, or a portfolio file), the models named by the CLI's options, and a run that adds to
 * risk/analytics' `backtestMargin` what a report needs: the Basel traffic light over consecutive
 * 250-day windows and the latest one, and the procyclicality of the margin path.
 *
 * Each model runs on each portfolio as one unit of work, so a caller can show progress between
 * units; the pooled statistics are those `backtestMargin` would give for all portfolios at once.
 */
import { BacktestPortfolioFileSchema, type BacktestPortfolioFile } from '../config/analyticsSchema.js';
import { DocumentError, IssueCollector } from '../config/issues.js';
import { schemaIssues } from '../config/validate.js';
import {
  backtestMargin,
  ewmaVarModel,
  logReturns,
  meanSquare,
  staticRateModel,
  summariseExceptions,
  trafficLightBands,
  trafficLightZone,
  volScaledRateModel,
  type AntiProcyclicality,
  type BacktestPortfolio,
  type ExceptionSummary,
  type GarchParams,
  type GarchShocks,
  type MarginModel,
  type PortfolioBacktest,
  type TrafficLightZone,
} from '../risk/analytics/index.js';
import { InputError } from '../risk/errors.js';
import { garchMarginModel } from './garchMarginModel.js';
import type { FactorHistory } from './history.js';

export type BacktestModelSpec =
  | { readonly kind: 'static'; readonly rate: number }
  | { readonly kind: 'ewma-var'; readonly lambda: number }
  | {
      readonly kind: 'vol-scaled';
      readonly lambda: number;
      readonly multiplier: number;
      readonly floor: number;
      readonly cap: number;
      readonly hysteresis: number;
      readonly antiProcyclicality: AntiProcyclicality;
    }
  | { readonly kind: 'garch'; readonly params: GarchParams; readonly shocks: GarchShocks };

export const BACKTEST_MODEL_KINDS: readonly BacktestModelSpec['kind'][] = ['static', 'ewma-var', 'vol-scaled', 'garch'];

/** The Basel window: 250 trading days (one year). */
export const TRAFFIC_LIGHT_WINDOW_DAYS = 250;

export interface BacktestSettings {
  readonly confidence: number;
  readonly marginPeriodDays: number;
  /** Days of history before the first margin (the models' warm-up); the first margin is set on this day. */
  readonly warmupDays: number;
}

export function modelName(spec: BacktestModelSpec): string {
  switch (spec.kind) {
    case 'static':
      return `static ${formatPercent(spec.rate)}`;
    case 'ewma-var':
      return `EWMA VaR (lambda ${spec.lambda})`;
    case 'vol-scaled': {
      const apc = spec.antiProcyclicality;
      const tool =
        apc.kind === 'buffer'
          ? ` + ${formatPercent(apc.bufferFraction)} buffer`
          : apc.kind === 'stressedWeight'
            ? ` + ${formatPercent(apc.weight)} stressed weight`
            : apc.kind === 'lookbackFloor'
              ? ' + lookback floor'
              : '';
      return `vol-scaled${tool}`;
    }
    case 'garch':
      return 'GARCH (known parameters)';
  }
}

function formatPercent(x: number): string {
  return `${Number((x * 100).toPrecision(6))}%`;
}

/** The model of a spec, for `instruments` price series (a static rate applies to each). */
export function marginModelOf(spec: BacktestModelSpec, settings: BacktestSettings, instruments: number): MarginModel {
  const seed = { kind: 'warmup' as const, days: Math.max(1, settings.warmupDays) };
  switch (spec.kind) {
    case 'static':
      return staticRateModel({ rates: Array.from({ length: instruments }, () => spec.rate) });
    case 'ewma-var':
      return ewmaVarModel({ lambda: spec.lambda, confidence: settings.confidence, marginPeriodDays: settings.marginPeriodDays, seed });
    case 'vol-scaled':
      return volScaledRateModel({
        params: {
          lambda: spec.lambda,
          confidence: settings.confidence,
          marginPeriodDays: settings.marginPeriodDays,
          initialMultiplier: spec.multiplier,
          maintenanceMultiplier: spec.multiplier,
          initialRateMin: spec.floor,
          initialRateMax: spec.cap,
          maintenanceRateMin: spec.floor,
          maintenanceRateMax: spec.cap,
          hysteresisBand: spec.hysteresis,
          antiProcyclicality: spec.antiProcyclicality,
        },
        requirement: 'initial',
        seed,
      });
    case 'garch':
      return garchMarginModel({ params: spec.params, shocks: spec.shocks, confidence: settings.confidence, marginPeriodDays: settings.marginPeriodDays });
  }
}

/** Two portfolios holding `notional` of every series at the first margin day: one long, one short. */
export function notionalPortfolios(history: FactorHistory, notional: number, firstDay: number): BacktestPortfolio[] {
  if (!(Number.isFinite(notional) && notional > 0)) throw new InputError('notional_invalid', 'must be a finite number > 0', 'notional');
  const units = history.prices.map((p) => notional / (p[firstDay] as number));
  return [
    { id: 'long', positions: units },
    { id: 'short', positions: units.map((u) => -u) },
  ];
}

/** Portfolios from a portfolio file; a notional becomes units at the series' price on the first margin day. */
export function loadPortfolioFile(input: unknown, history: FactorHistory, firstDay: number): BacktestPortfolio[] {
  const structural = schemaIssues(BacktestPortfolioFileSchema, input);
  if (structural.length > 0) throw new DocumentError(structural);
  const doc = input as BacktestPortfolioFile;
  const c = new IssueCollector();
  const ids = new Set<string>();
  const portfolios = doc.portfolios.map((p, i): BacktestPortfolio => {
    const path = `/portfolios/${i}`;
    c.check(!ids.has(p.id), `${path}/id`, 'portfolio_id_duplicate', `a second portfolio called ${p.id}`);
    ids.add(p.id);
    const positions = history.symbols.map(() => 0);
    p.positions.forEach((position, j) => {
      const at = `${path}/positions/${j}`;
      const index = history.symbols.indexOf(position.symbol);
      c.check(index >= 0, `${at}/symbol`, 'series_unknown', `no price series ${position.symbol} (the series are ${history.symbols.join(', ')})`);
      c.check((position.size === undefined) !== (position.notional === undefined), at, 'position_form_invalid', 'give exactly one of size and notional');
      if (index < 0) return;
      const price = (history.prices[index] as Float64Array)[firstDay] as number;
      const units = position.size !== undefined ? Number(position.size) : position.notional !== undefined ? Number(position.notional) / price : 0;
      positions[index] = (positions[index] as number) + units;
    });
    return { id: p.id, positions };
  });
  c.throwIfAny();
  return portfolios;
}

export interface TrafficLightWindow {
  /** Index of the first observation in the portfolio's margin and loss arrays. */
  readonly firstObservation: number;
  readonly fromDay: number;
  readonly toDay: number;
  readonly exceptions: number;
  readonly zone: TrafficLightZone;
}

export interface PortfolioRun extends PortfolioBacktest {
  /** Consecutive 250-day windows from the first margin day (a shorter tail is left out). */
  readonly windows: readonly TrafficLightWindow[];
  /** The last 250 observations: the Basel regulatory window. */
  readonly latestWindow: TrafficLightWindow | null;
  readonly zoneCounts: Readonly<Record<TrafficLightZone, number>>;
}

export interface ModelRun {
  readonly name: string;
  readonly model: BacktestModelSpec;
  readonly pooled: ExceptionSummary;
  readonly marginMean: number;
  readonly portfolios: readonly PortfolioRun[];
}

export interface BacktestRun {
  readonly settings: BacktestSettings;
  readonly days: number;
  readonly observations: number;
  readonly models: readonly ModelRun[];
  /** Generated series: the generator's long-run daily volatility and the realised one of each series. */
  readonly volatility: { readonly symbol: string; readonly realisedDaily: number }[];
}

function windowOf(run: PortfolioBacktest, first: number, exceptionProbability: number): TrafficLightWindow {
  let exceptions = 0;
  for (let o = first; o < first + TRAFFIC_LIGHT_WINDOW_DAYS; o++) if ((run.losses[o] as number) > (run.margins[o] as number)) exceptions++;
  const bands = trafficLightBands(TRAFFIC_LIGHT_WINDOW_DAYS, exceptionProbability);
  return {
    firstObservation: first,
    fromDay: run.firstDay + first,
    toDay: run.firstDay + first + TRAFFIC_LIGHT_WINDOW_DAYS - 1,
    exceptions,
    zone: trafficLightZone(exceptions, bands),
  };
}

export function trafficLightWindows(run: PortfolioBacktest, confidence: number): Pick<PortfolioRun, 'windows' | 'latestWindow' | 'zoneCounts'> {
  const p = 1 - confidence;
  const n = run.margins.length;
  const windows: TrafficLightWindow[] = [];
  for (let first = 0; first + TRAFFIC_LIGHT_WINDOW_DAYS <= n; first += TRAFFIC_LIGHT_WINDOW_DAYS) windows.push(windowOf(run, first, p));
  const zoneCounts = { green: 0, yellow: 0, red: 0 };
  for (const w of windows) zoneCounts[w.zone]++;
  return { windows, latestWindow: n >= TRAFFIC_LIGHT_WINDOW_DAYS ? windowOf(run, n - TRAFFIC_LIGHT_WINDOW_DAYS, p) : null, zoneCounts };
}

export interface BacktestInput {
  readonly history: FactorHistory;
  readonly portfolios: readonly BacktestPortfolio[];
  readonly models: readonly BacktestModelSpec[];
  readonly settings: BacktestSettings;
  /** Called after each model-portfolio unit; awaited, so a caller may yield to redraw a progress bar. */
  readonly onProgress?: (done: number, total: number) => void | Promise<void>;
}

export async function runBacktest(input: BacktestInput): Promise<BacktestRun> {
  const { history, settings } = input;
  const days = history.prices[0]?.length ?? 0;
  if (!(Number.isInteger(settings.warmupDays) && settings.warmupDays >= 1)) throw new InputError('warmup_days_invalid', 'must be a whole number of days >= 1', 'warmup');
  if (settings.warmupDays + settings.marginPeriodDays >= days) {
    throw new InputError('history_too_short', `${days} days of prices leave no observation after ${settings.warmupDays} warm-up days and a ${settings.marginPeriodDays}-day margin period`, 'history');
  }
  if (input.models.length === 0) throw new InputError('models_missing', 'at least one model is required', 'models');
  const total = input.models.length * input.portfolios.length;
  let done = 0;
  const models: ModelRun[] = [];
  for (const spec of input.models) {
    const model = marginModelOf(spec, settings, history.symbols.length);
    const portfolios: PortfolioRun[] = [];
    for (const portfolio of input.portfolios) {
      const report = backtestMargin({
        history: { instruments: history.symbols, prices: history.prices },
        portfolios: [portfolio],
        model,
        marginPeriodDays: settings.marginPeriodDays,
        confidence: settings.confidence,
        firstDay: settings.warmupDays,
      });
      const run = report.portfolios[0] as PortfolioBacktest;
      portfolios.push({ ...run, ...trafficLightWindows(run, settings.confidence) });
      done++;
      await input.onProgress?.(done, total);
    }
    const observations = portfolios.reduce((t, p) => t + p.observations, 0);
    const exceptions = portfolios.reduce((t, p) => t + p.exceptions, 0);
    models.push({
      name: modelName(spec),
      model: spec,
      pooled: summariseExceptions(observations, exceptions, settings.confidence),
      marginMean: portfolios.reduce((t, p) => t + p.marginMean, 0) / portfolios.length,
      portfolios,
    });
  }
  const volatility = history.symbols.map((symbol, i) => ({ symbol, realisedDaily: Math.sqrt(meanSquare(logReturns(history.prices[i] as Float64Array))) }));
  return { settings, days, observations: days - settings.marginPeriodDays - settings.warmupDays, models, volatility };
}
