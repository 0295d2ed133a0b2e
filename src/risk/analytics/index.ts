/**
 * Risk analytics: return statistics, VaR and ES (delta-normal, historical with full revaluation,
 * filtered historical, Monte Carlo, liquidity-adjusted), volatility-scaled margin, margin-model
 * backtests, a seeded GARCH price generator, a price CSV parser and stress helpers. Pure float64
 * functions; randomness comes in as a seeded `Random`. Methodology: docs/methodology/analytics.md.
 */
export { createRandom, randomFromState, splitmix64, uniform, uniformOpen, normal, fillNormal, gamma, chiSquare, studentT, standardizedStudentT } from './random.js';
export type { Random, RandomState } from './random.js';
export { exactSum } from './sum.js';
export {
  RISKMETRICS_DAILY_LAMBDA,
  SERIES_LENGTH_MAX,
  ewmaCovariance,
  ewmaCovarianceStep,
  ewmaVariances,
  ewmaVarianceStep,
  logReturns,
  mean,
  meanSquare,
  sampleCovariance,
  sampleVariance,
  simpleReturns,
  zQuantile,
} from './statistics.js';
export type { EwmaOptions } from './statistics.js';
export { FACTORS_MAX, cholesky, covarianceFromCorrelation, covarianceMatrix, multiplyLower, quadraticForm } from './matrix.js';
export type { CovarianceMatrix } from './matrix.js';
export { logGamma, regularizedBeta, studentTCdf, studentTPdf, studentTQuantile, studentTRiskFactors } from './studentT.js';
export {
  deltaNormalRisk,
  empiricalRisk,
  filteredReturns,
  historicalRisk,
  linearPnl,
  liquidityAdjustedVar,
  normalEsFactor,
  rescaleReturn,
  scenarioLosses,
} from './valueAtRisk.js';
export type { DeltaNormalInput, LiquidityAdjustmentInput, PnlFunction, RiskMeasure } from './valueAtRisk.js';
export { MONTE_CARLO_PATHS_MAX, monteCarloLosses, monteCarloRisk } from './monteCarlo.js';
export type { MonteCarloInput, ShockDistribution } from './monteCarlo.js';
export { startVolScaledMargin, stepVolScaledMargin, volScaledMarginPath, volScaledMarginSpec } from './volScaledMargin.js';
export type {
  AntiProcyclicality,
  VolScaledMarginParams,
  VolScaledMarginSpec,
  VolScaledMarginState,
  VolScaledMarginStep,
} from './volScaledMargin.js';
export { binomialCdf, kupiecPof, trafficLightBands, trafficLightZone } from './backtestStatistics.js';
export type { KupiecResult, TrafficLightBands, TrafficLightZone } from './backtestStatistics.js';
export { BACKTEST_PORTFOLIOS_MAX, backtestMargin, compareMarginModels, procyclicalityOf, realisedLoss, summariseExceptions } from './backtest.js';
export type {
  BacktestInput,
  BacktestPortfolio,
  BacktestReport,
  ExceptionSummary,
  MarginContext,
  MarginModel,
  ModelComparisonRow,
  PortfolioBacktest,
  PriceHistory,
  Procyclicality,
} from './backtest.js';
export { ewmaVarModel, staticRateModel, volScaledRateModel } from './marginModels.js';
export type { VolatilitySeed } from './marginModels.js';
export { REGIMES_MAX, SIMULATION_DAYS_MAX, garchLongRunVariance, garchVariances, garchVarianceStep, simulateGarch } from './garch.js';
export type { GarchModel, GarchParams, GarchShocks, GarchSimulation, GarchSimulationInput } from './garch.js';
export { CSV_ISSUES_MAX, CSV_ROWS_MAX, parsePriceCsv } from './csv.js';
export type { CsvIssue, CsvIssueCode, CsvParseResult, PriceSeries } from './csv.js';
export { STRESS_ACCOUNTS_MAX, STRESS_SCENARIOS_MAX, aggregateScenarios, reverseStress } from './stress.js';
export type { AccountScenarioPnl, ReverseStressInput, ReverseStressResult, ScenarioAggregate, ScenarioAggregation } from './stress.js';
