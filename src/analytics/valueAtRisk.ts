/**
 * VaR and ES of an account from a price history, with full revaluation: every scenario moves the
 * factor prices and values the account again with the risk core (factors.ts), so the PnL is
 * equity(shocked) - equity(now) whatever the instruments, tiers and collateral.
 *
 * Methods (docs/methodology/analytics.md):
 * - `historical`: scenario i applies the h-day log return of every factor from day i to day i + h
 *   (overlapping windows), P_f exp(r_f).
 * - `filtered`: the same, after rescaling each daily return by EWMA volatility now / then
 *   (filtered historical simulation), the h-day return being the sum of h rescaled daily returns.
 * - `monte-carlo`: h-day log returns drawn from N(0, h S) (or a multivariate t with covariance
 *   h S), S the EWMA covariance of daily log returns, seeded.
 * - `delta-normal`: z sigma_P sqrt(h) with exposures dV/d ln P_f found by central differences of the
 *   same revaluation (exact for a linear book up to e^2/6 = 2e-9 at e = 1e-4) and the EWMA S.
 * The EWMA (lambda 0.94 by default) starts from the zero-mean sample covariance of all the daily
 * returns in the window and runs over them, so S is the forecast for tomorrow.
 */
import {
  createRandom,
  deltaNormalRisk,
  ewmaCovariance,
  filteredReturns,
  historicalRisk,
  liquidityAdjustedVar,
  logReturns,
  meanSquare,
  monteCarloLosses,
  empiricalRisk,
  sampleCovariance,
  type CovarianceMatrix,
  type PnlFunction,
  type ShockDistribution,
} from '../risk/analytics/index.js';
import { InputError } from '../risk/errors.js';
import { accountFactors, equityOf, factorPrice, grossNotional, marginAt, peggedSymbols, type Book } from './factors.js';
import type { FactorHistory } from './history.js';

export type VarMethod = 'delta-normal' | 'historical' | 'filtered' | 'monte-carlo';
export const VAR_METHODS: readonly VarMethod[] = ['delta-normal', 'historical', 'filtered', 'monte-carlo'];

export interface LiquidityInput {
  /** Mean relative bid-ask spread, e.g. 0.001. */
  readonly spreadMean: number;
  readonly spreadVolatility: number;
  readonly spreadMultiplier: number;
}

export interface AccountVarInput {
  readonly book: Book;
  readonly history: FactorHistory;
  readonly method: VarMethod;
  readonly confidence: number;
  readonly horizonDays: number;
  /** EWMA decay of the covariance (delta-normal, Monte Carlo) and of the FHS volatilities. */
  readonly lambda: number;
  readonly monteCarlo?: { readonly paths: number; readonly seed: number; readonly distribution: ShockDistribution };
  readonly liquidity?: LiquidityInput;
  /** Assets held fixed beyond the built-in stablecoins (as in stress). */
  readonly pegged?: readonly string[];
}

export interface FactorSummary {
  readonly symbol: string;
  readonly price: number;
  /** EWMA daily volatility of log returns after the last day. */
  readonly dailyVolatility: number;
  /** dV/d ln P: the PnL of a small relative move, per unit of that move, in the valuation asset. */
  readonly exposure: number;
}

export interface AccountVarResult {
  readonly accountId: string;
  readonly valuationAsset: string;
  readonly method: VarMethod;
  readonly confidence: number;
  readonly horizonDays: number;
  readonly lambda: number;
  readonly equity: number;
  readonly factors: readonly FactorSummary[];
  /** Symbols the account depends on that no series moves (pegged: held at today's price). */
  readonly heldConstant: readonly string[];
  /** Prices per series used, and the first and last date when the series had dates. */
  readonly days: number;
  readonly firstDate: string | null;
  readonly lastDate: string | null;
  /** Scenarios (historical, filtered) or paths (Monte Carlo); 0 for delta-normal. */
  readonly scenarios: number;
  readonly valueAtRisk: number;
  readonly expectedShortfall: number;
  /** sigma_P sqrt(h) of the delta-normal method; null for the scenario methods. */
  readonly sigmaHorizon: number | null;
  readonly liquidity: (LiquidityInput & { readonly positionValue: number; readonly liquidityAdjustedVar: number }) | null;
  readonly monteCarlo: { readonly paths: number; readonly seed: number; readonly distribution: ShockDistribution } | null;
  /** Scenario PnL (-loss), in scenario order; empty for delta-normal. */
  readonly pnl: Float64Array;
}

/** The relative move of the central differences that find the delta-normal exposures. */
export const EXPOSURE_BUMP = 1e-4;

/** Checks that the history covers the account: every moving symbol has a series, and every series is used. */
export function factorSymbolsFor(book: Book, history: FactorHistory, pegged: readonly string[] = []): { readonly heldConstant: readonly string[] } {
  const factors = accountFactors(book);
  const named = new Set(history.symbols);
  const used = new Set<string>([...factors.underlyings, ...factors.instruments, ...factors.assets]);
  for (const symbol of history.symbols) {
    if (!used.has(symbol)) {
      throw new InputError('history_symbol_unknown', `the account depends on no price ${symbol} (it depends on ${[...used].sort().join(', ') || 'nothing'})`, `history ${symbol}`);
    }
  }
  const pegs = peggedSymbols(book.params, pegged);
  const missing: string[] = [];
  book.account.positions.forEach((p) => {
    const instrument = book.params.instruments.get(p.instrument);
    if (p.size === 0n || instrument === undefined) return;
    if (!named.has(p.instrument) && !named.has(instrument.underlying)) missing.push(instrument.underlying);
  });
  for (const asset of factors.assets) if (!named.has(asset) && !pegs.has(asset)) missing.push(asset);
  if (missing.length > 0) {
    throw new InputError('history_missing', `no price series for ${[...new Set(missing)].sort().join(', ')} (give one with --history SYMBOL=FILE)`, `account ${book.account.id}`);
  }
  const heldConstant = factors.assets.filter((a) => !named.has(a));
  return { heldConstant };
}

/** PnL of the account when each series' symbol moves by exp(r_f). */
export function logReturnPnl(book: Book, symbols: readonly string[]): { readonly equity: number; readonly pnlOf: PnlFunction } {
  const equity = equityOf(marginAt(book, new Map()));
  const pnlOf: PnlFunction = (r) => {
    const shock = new Map<string, number>();
    symbols.forEach((s, i) => shock.set(s, Math.exp(r[i] as number)));
    return equityOf(marginAt(book, shock)) - equity;
  };
  return { equity, pnlOf };
}

/** Sum of `h` consecutive values, one per window start: overlapping h-day returns from daily ones. */
export function windowSums(values: ArrayLike<number>, horizonDays: number): Float64Array {
  const out = new Float64Array(Math.max(0, values.length - horizonDays + 1));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let j = 0; j < horizonDays; j++) sum += values[i + j] as number;
    out[i] = sum;
  }
  return out;
}

/** The EWMA covariance forecast of daily log returns, seeded by their zero-mean sample covariance. */
export function ewmaForecast(dailyReturns: readonly Float64Array[], lambda: number): CovarianceMatrix {
  const initial = sampleCovariance(dailyReturns, { mean: 'zero' });
  return ewmaCovariance(dailyReturns, { lambda, initial });
}

function exposures(pnlOf: PnlFunction, factors: number): Float64Array {
  const shock = new Float64Array(factors);
  const out = new Float64Array(factors);
  for (let f = 0; f < factors; f++) {
    shock.fill(0);
    shock[f] = EXPOSURE_BUMP;
    const up = pnlOf(shock);
    shock[f] = -EXPOSURE_BUMP;
    const down = pnlOf(shock);
    out[f] = (up - down) / (2 * EXPOSURE_BUMP);
  }
  return out;
}

export function accountValueAtRisk(input: AccountVarInput): AccountVarResult {
  const { book, history, method, confidence, horizonDays } = input;
  if (!(Number.isInteger(horizonDays) && horizonDays >= 1)) throw new InputError('horizon_days_invalid', 'must be a whole number of days >= 1', 'horizon');
  const days = history.prices[0]?.length ?? 0;
  if (days < horizonDays + 2) throw new InputError('history_too_short', `${days} prices; at least horizon + 2 = ${horizonDays + 2} are needed`, 'history');
  const { heldConstant } = factorSymbolsFor(book, history, input.pegged);
  const symbols = history.symbols;
  const { equity, pnlOf } = logReturnPnl(book, symbols);
  const daily = history.prices.map((p) => logReturns(p));
  const covariance = ewmaForecast(daily, input.lambda);
  const w = exposures(pnlOf, symbols.length);
  const factors = symbols.map((symbol, i): FactorSummary => ({
    symbol,
    price: factorPrice(book, symbol) ?? Number.NaN,
    dailyVolatility: Math.sqrt(covariance.values[i * symbols.length + i] as number),
    exposure: w[i] as number,
  }));

  let valueAtRisk: number;
  let expectedShortfall: number;
  let sigmaHorizon: number | null = null;
  let pnl = new Float64Array(0);
  switch (method) {
    case 'delta-normal': {
      const risk = deltaNormalRisk({ exposures: w, covariance, confidence, horizonDays });
      ({ valueAtRisk, expectedShortfall } = risk);
      sigmaHorizon = risk.sigmaPortfolio * Math.sqrt(horizonDays);
      break;
    }
    case 'historical':
    case 'filtered': {
      const scenarioReturns = daily.map((r) => {
        if (method === 'historical') return windowSums(r, horizonDays);
        const initialVariance = meanSquare(r);
        if (!(initialVariance > 0)) throw new InputError('history_flat', 'a series never moves: filtered historical simulation needs a volatility', 'history');
        return windowSums(filteredReturns(r, { lambda: input.lambda, initialVariance }).returns, horizonDays);
      });
      const risk = historicalRisk({ factorReturns: scenarioReturns, pnlOf, confidence });
      ({ valueAtRisk, expectedShortfall } = risk);
      pnl = risk.losses.map((l) => -l);
      break;
    }
    case 'monte-carlo': {
      const mc = input.monteCarlo;
      if (mc === undefined) throw new InputError('monte_carlo_settings_missing', 'paths and a seed are required', 'monteCarlo');
      const losses = monteCarloLosses({ covariance, horizonDays, paths: mc.paths, distribution: mc.distribution, pnlOf, random: createRandom(mc.seed) });
      const risk = empiricalRisk(losses, confidence);
      ({ valueAtRisk, expectedShortfall } = risk);
      pnl = losses.map((l) => -l);
      break;
    }
  }
  const liquidity = input.liquidity === undefined ? null : liquidityOf(input.liquidity, book, valueAtRisk);
  return {
    accountId: book.account.id,
    valuationAsset: book.params.valuationAsset,
    method,
    confidence,
    horizonDays,
    lambda: input.lambda,
    equity,
    factors,
    heldConstant,
    days,
    firstDate: history.dates?.[0] ?? null,
    lastDate: history.dates?.[history.dates.length - 1] ?? null,
    scenarios: method === 'delta-normal' ? 0 : pnl.length,
    valueAtRisk,
    expectedShortfall,
    sigmaHorizon,
    liquidity,
    monteCarlo: method === 'monte-carlo' && input.monteCarlo !== undefined ? input.monteCarlo : null,
    pnl,
  };
}

function liquidityOf(input: LiquidityInput, book: Book, valueAtRisk: number): NonNullable<AccountVarResult['liquidity']> {
  const positionValue = grossNotional(marginAt(book, new Map()));
  return {
    ...input,
    positionValue,
    liquidityAdjustedVar: liquidityAdjustedVar({ valueAtRisk, positionValue, ...input }),
  };
}
