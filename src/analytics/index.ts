/**
 * Analytics orchestration: VaR, stress and backtests of accounts and portfolios, built from the
 * pure risk core (risk/analytics, risk/account) and the document loaders (config). No I/O: the CLI
 * reads files and writes reports; everything here takes values and returns values.
 */
export * from './factors.js';
export * from './history.js';
export * from './valueAtRisk.js';
export * from './scenarios.js';
export * from './stress.js';
export * from './venue.js';
export * from './backtest.js';
export * from './garchMarginModel.js';
export * from './wire.js';
