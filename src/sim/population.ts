/**
 * A seeded population of accounts for the cascade simulator (STYLE.md habit 8: randomness is an
 * input). Every draw comes from one xoshiro128** stream in a fixed order, so the same seed gives
 * the same accounts, bit for bit.
 *
 * Per account (assumptions, stated in docs/methodology/cascade-simulator.md):
 * - a share `spectatorShare` holds collateral only (no position): they must come out untouched;
 * - the instrument: by the weights given (default: equal);
 * - the side: long with probability `longShare` (retail books lean long into a crash);
 * - notional: log-normal, median `notionalMedian`, log-sd `notionalLogSd` (heavy right tail),
 *   clipped to [notionalMin, notionalMax];
 * - leverage: log-normal, median `leverageMedian`, log-sd `leverageLogSd`, clipped to
 *   [1, `leverageHeadroom` / initial rate at that notional] so that every opening fill satisfies IM;
 * - collateral (USDC-like settlement asset) = notional / leverage.
 */
import { createRandom, normal, uniform, type Random } from '../risk/analytics/random.js';
import { InputError } from '../risk/errors.js';

/** Most accounts a simulation creates (STYLE.md habit 10). */
export const SIMULATION_ACCOUNTS_MAX = 20_000;

export interface PopulationParams {
  readonly accounts: number;
  readonly seed: number;
  readonly spectatorShare: number;
  readonly longShare: number;
  readonly notionalMedian: number;
  readonly notionalLogSd: number;
  readonly notionalMin: number;
  readonly notionalMax: number;
  readonly leverageMedian: number;
  readonly leverageLogSd: number;
  /** The highest leverage is this fraction of 1 / initial rate. */
  readonly leverageHeadroom: number;
}

export const POPULATION_DEFAULTS: Omit<PopulationParams, 'accounts' | 'seed'> = {
  spectatorShare: 0.05,
  longShare: 0.65,
  notionalMedian: 5_000,
  notionalLogSd: 1.2,
  notionalMin: 100,
  notionalMax: 2_000_000,
  leverageMedian: 8,
  leverageLogSd: 0.6,
  leverageHeadroom: 0.95,
};

export interface MarketRef {
  readonly symbol: string;
  /** The initial margin rate of a position of this notional (caps the leverage). */
  readonly initialRateAt: (notional: number) => number;
  readonly weight: number;
}

export type Member =
  | { readonly kind: 'spectator'; readonly accountId: string; readonly collateral: number }
  | {
      readonly kind: 'trader';
      readonly accountId: string;
      readonly instrument: string;
      readonly side: 'long' | 'short';
      readonly notional: number;
      readonly leverage: number;
      readonly collateral: number;
    };

export function checkAccounts(accounts: number): void {
  if (!Number.isInteger(accounts) || accounts < 1) throw new InputError('simulation_accounts_invalid', `accounts must be a whole number >= 1, got ${accounts}`, 'accounts');
  if (accounts > SIMULATION_ACCOUNTS_MAX) throw new InputError('simulation_accounts_exceed_limit', `${accounts} accounts: at most ${SIMULATION_ACCOUNTS_MAX}`, 'accounts');
}

const clip = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

function pick(random: Random, markets: readonly MarketRef[], total: number): MarketRef {
  let u = uniform(random) * total;
  for (const m of markets) {
    u -= m.weight;
    if (u < 0) return m;
  }
  return markets[markets.length - 1] as MarketRef;
}

export function generatePopulation(params: PopulationParams, markets: readonly MarketRef[]): Member[] {
  checkAccounts(params.accounts);
  if (markets.length === 0) throw new InputError('simulation_markets_empty', 'no instrument to trade', 'markets');
  const random = createRandom(params.seed);
  const total = markets.reduce((s, m) => s + m.weight, 0);
  const width = String(params.accounts).length;
  const out: Member[] = [];
  for (let i = 0; i < params.accounts; i++) {
    const accountId = `acct-${String(i).padStart(width, '0')}`;
    // Draws in a fixed order whatever the branch, so one account's kind never shifts the others.
    const uKind = uniform(random);
    const market = pick(random, markets, total);
    const uSide = uniform(random);
    const zNotional = normal(random);
    const zLeverage = normal(random);
    const notional = clip(params.notionalMedian * Math.exp(params.notionalLogSd * zNotional), params.notionalMin, params.notionalMax);
    const leverage = clip(params.leverageMedian * Math.exp(params.leverageLogSd * zLeverage), 1, params.leverageHeadroom / market.initialRateAt(notional));
    if (uKind < params.spectatorShare) {
      out.push({ kind: 'spectator', accountId, collateral: notional / leverage });
      continue;
    }
    out.push({ kind: 'trader', accountId, instrument: market.symbol, side: uSide < params.longShare ? 'long' : 'short', notional, leverage, collateral: notional / leverage });
  }
  return out;
}
