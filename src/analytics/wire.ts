/**
 * The analytics results in their wire form (the JSON of `solvent var`, `stress` and `backtest`,
 * documented in docs/formats.md). The shapes are defined in src/report, which renders the tables
 * from them; this layer fills them, since report sits below analytics (it must not import it).
 * Float64 figures stay JSON numbers; a non-finite ratio becomes null.
 */
import type { BacktestJson, ExceptionJson, ModelJson, PortfolioJson, WindowJson } from '../report/analyticsBacktest.js';
import type { ReverseJson, ReverseMoveJson, ScenarioJson, StressJson } from '../report/analyticsStress.js';
import { finiteOrNull, shocksText } from '../report/analyticsText.js';
import type { GeneratorJson, HistoryFileJson, VarJson } from '../report/analyticsVar.js';
import type { ExceptionSummary } from '../risk/analytics/backtest.js';
import type { ReverseStressResult } from '../risk/analytics/stress.js';
import type { BacktestRun, PortfolioRun, TrafficLightWindow } from './backtest.js';
import type { HistorySource } from './history.js';
import { stepSummary, type StressScenario } from './scenarios.js';
import type { AccountReverseStress, VenueReverseStress, VenueStress } from './stress.js';
import type { AccountVarResult } from './valueAtRisk.js';

function sourceJson(source: HistorySource): { readonly source: 'files' | 'generated'; readonly files: readonly HistoryFileJson[]; readonly generator: GeneratorJson | null } {
  if (source.kind === 'files') return { source: 'files', files: source.files, generator: null };
  const g = source.generator;
  return {
    source: 'generated',
    files: [],
    generator: { longRunDailyVolatility: source.longRunDailyVolatility, alpha: g.alpha, beta: g.beta, shocks: shocksText(g.shocks), seed: g.seed, days: g.days },
  };
}

export function varJson(result: AccountVarResult, source: HistorySource): VarJson {
  return {
    accountId: result.accountId,
    valuationAsset: result.valuationAsset,
    method: result.method,
    confidence: result.confidence,
    horizonDays: result.horizonDays,
    lambda: result.lambda,
    equity: result.equity,
    valueAtRisk: result.valueAtRisk,
    expectedShortfall: result.expectedShortfall,
    valueAtRiskToEquity: result.equity > 0 ? result.valueAtRisk / result.equity : null,
    sigmaHorizon: result.sigmaHorizon,
    liquidity: result.liquidity,
    monteCarlo: result.monteCarlo === null ? null : { paths: result.monteCarlo.paths, seed: result.monteCarlo.seed, distribution: shocksText(result.monteCarlo.distribution) },
    history: { ...sourceJson(source), days: result.days, firstDate: result.firstDate, lastDate: result.lastDate, scenarios: result.scenarios },
    factors: result.factors,
    heldConstant: result.heldConstant,
  };
}

export function scenarioJson(s: StressScenario): ScenarioJson {
  return { id: s.id, name: s.name, source: s.source, steps: s.steps.map(stepSummary) };
}

export function stressJson(input: { readonly valuationAsset: string; readonly scenarios: readonly StressScenario[]; readonly venue: VenueStress; readonly venueWide: boolean }): StressJson {
  const { accounts, ...venue } = input.venue;
  return { valuationAsset: input.valuationAsset, scenarios: input.scenarios.map(scenarioJson), accounts, venue: input.venueWide ? venue : null };
}

export function reverseMoveJson(r: ReverseStressResult): ReverseMoveJson {
  switch (r.kind) {
    case 'found':
      return { kind: 'found', move: r.move, lastSafeMove: r.lastSafeMove };
    case 'exceeded_without_move':
      return { kind: 'already', move: null, lastSafeMove: null };
    case 'not_reached':
      return { kind: 'none', move: null, lastSafeMove: null };
  }
}

export function reverseJson(input: { readonly valuationAsset: string; readonly accounts: readonly AccountReverseStress[]; readonly venue: VenueReverseStress | null }): ReverseJson {
  const pick = (a: AccountReverseStress, threshold: 'liquidation' | 'insolvency', direction: 'fall' | 'rise'): ReverseMoveJson => {
    const finding = a.findings.find((f) => f.threshold === threshold && f.direction === direction);
    return finding === undefined ? { kind: 'none', move: null, lastSafeMove: null } : reverseMoveJson(finding.result);
  };
  return {
    valuationAsset: input.valuationAsset,
    accounts: input.accounts.map((a) => ({
      accountId: a.accountId,
      equity: a.equity,
      liquidation: { fall: pick(a, 'liquidation', 'fall'), rise: pick(a, 'liquidation', 'rise') },
      insolvency: { fall: pick(a, 'insolvency', 'fall'), rise: pick(a, 'insolvency', 'rise') },
    })),
    venue: input.venue === null ? null : { capacity: input.venue.capacity, fall: reverseMoveJson(input.venue.fall), rise: reverseMoveJson(input.venue.rise) },
  };
}

function exceptionJson(s: ExceptionSummary, confidence: number): ExceptionJson {
  return {
    observations: s.observations,
    exceptions: s.exceptions,
    expectedExceptions: s.observations * (1 - confidence),
    coverage: s.coverage,
    kupiec: {
      likelihoodRatio: s.kupiec.likelihoodRatio,
      pValue: s.kupiec.pValue,
      criticalValue: s.kupiec.criticalValue,
      verdict: s.kupiec.rejected ? 'rejected' : 'not rejected',
    },
    trafficLight: { greenMax: s.bands.greenMax, yellowMax: s.bands.yellowMax, zone: s.zone, cumulativeProbability: s.cumulativeProbability },
  };
}

function windowJson(w: TrafficLightWindow, dates: readonly string[] | undefined): WindowJson {
  const label = (day: number): string => dates?.[day] ?? `day ${day}`;
  return { from: label(w.fromDay), to: label(w.toDay), exceptions: w.exceptions, zone: w.zone };
}

function portfolioJson(p: PortfolioRun, confidence: number, dates: readonly string[] | undefined): PortfolioJson {
  return {
    id: p.id,
    ...exceptionJson(p, confidence),
    marginMean: p.marginMean,
    windows250: { ...p.zoneCounts, latest: p.latestWindow === null ? null : windowJson(p.latestWindow, dates), windows: p.windows.map((w) => windowJson(w, dates)) },
    procyclicality: {
      largestIncrease5d: p.procyclicality.largestIncrease,
      largestIncreaseRatio5d: p.procyclicality.largestIncreaseRatio,
      peakMargin: p.procyclicality.peakMargin,
      troughMargin: p.procyclicality.troughMargin,
      peakToTroughRatio: finiteOrNull(p.procyclicality.peakToTroughRatio),
    },
  };
}

export function backtestJson(run: BacktestRun, source: HistorySource, dates: readonly string[] | undefined): BacktestJson {
  const c = run.settings.confidence;
  return {
    confidence: c,
    marginPeriodDays: run.settings.marginPeriodDays,
    warmupDays: run.settings.warmupDays,
    history: {
      ...sourceJson(source),
      days: run.days,
      firstDate: dates?.[0] ?? null,
      lastDate: dates?.[dates.length - 1] ?? null,
      realisedDailyVolatility: run.volatility,
    },
    observations: run.observations,
    models: run.models.map(
      (m): ModelJson => ({
        name: m.name,
        model: m.model,
        pooled: exceptionJson(m.pooled, c),
        marginMean: m.marginMean,
        portfolios: m.portfolios.map((p) => portfolioJson(p, c, dates)),
      }),
    ),
  };
}
