/**
 * `solvent var` output: the wire JSON of a VaR report (built by src/analytics/wire.ts) and the
 * terminal table printed from it, so the two never disagree. Figures are float64 risk measures in
 * the valuation asset (JSON numbers); rates are fractions.
 */
import { confidenceText, money, percent, table } from './analyticsText.js';

export type VarMethodJson = 'delta-normal' | 'historical' | 'filtered' | 'monte-carlo';

export interface HistoryFileJson {
  readonly symbol: string;
  readonly file: string;
  readonly rows: number;
}

export interface GeneratorJson {
  readonly longRunDailyVolatility: number;
  readonly alpha: number;
  readonly beta: number;
  readonly shocks: string;
  readonly seed: number;
  readonly days: number;
}

export interface VarJson {
  readonly accountId: string;
  readonly valuationAsset: string;
  readonly method: VarMethodJson;
  readonly confidence: number;
  readonly horizonDays: number;
  readonly lambda: number;
  readonly equity: number;
  readonly valueAtRisk: number;
  readonly expectedShortfall: number;
  /** VaR / equity; null when equity is not positive. */
  readonly valueAtRiskToEquity: number | null;
  /** sigma_P sqrt(h) of delta-normal; null for the scenario methods. */
  readonly sigmaHorizon: number | null;
  readonly liquidity: {
    readonly spreadMean: number;
    readonly spreadVolatility: number;
    readonly spreadMultiplier: number;
    readonly positionValue: number;
    readonly liquidityAdjustedVar: number;
  } | null;
  readonly monteCarlo: { readonly paths: number; readonly seed: number; readonly distribution: string } | null;
  readonly history: {
    readonly source: 'files' | 'generated';
    readonly files: readonly HistoryFileJson[];
    readonly generator: GeneratorJson | null;
    readonly days: number;
    readonly firstDate: string | null;
    readonly lastDate: string | null;
    readonly scenarios: number;
  };
  readonly factors: readonly { readonly symbol: string; readonly price: number; readonly dailyVolatility: number; readonly exposure: number }[];
  readonly heldConstant: readonly string[];
}

const METHOD_NOTES: Readonly<Record<VarMethodJson, string>> = {
  historical: 'Historical simulation: every overlapping h-day window of the history moves today\'s prices by its log returns; the account is valued again at each.',
  filtered: 'Filtered historical simulation: each daily return rescaled by EWMA volatility now / then, summed over h days, applied with full revaluation.',
  'monte-carlo': 'Monte Carlo: h-day log returns drawn from the EWMA covariance (x h), applied with full revaluation; seeded, so the figures repeat.',
  'delta-normal': 'Delta-normal: z x sigma_P x sqrt(h), sigma_P from the EWMA covariance and the exposures below; ES = sigma_P sqrt(h) phi(z)/(1 - a).',
};

export function varTable(json: VarJson): string {
  const title = `Value at risk of account ${json.accountId} (${json.method}, ${confidenceText(json.confidence)} over ${json.horizonDays} day${json.horizonDays === 1 ? '' : 's'}, figures in ${json.valuationAsset})`;
  const h = json.history;
  const span = h.firstDate === null ? `${h.days} days` : `${h.days} days, ${h.firstDate} to ${h.lastDate}`;
  const rows: string[][] = [
    ['Equity', money(json.equity)],
    ['Value at risk (VaR)', `${money(json.valueAtRisk)}${json.valueAtRiskToEquity === null ? '' : ` (${percent(json.valueAtRiskToEquity)} of equity)`}`],
    ['Expected shortfall (ES)', money(json.expectedShortfall)],
  ];
  if (json.liquidity !== null) {
    rows.push(['Liquidity-adjusted VaR', `${money(json.liquidity.liquidityAdjustedVar)} (half spread ${percent(json.liquidity.spreadMean / 2, 3)} on ${money(json.liquidity.positionValue)} of notional)`]);
  }
  if (json.method === 'monte-carlo' && json.monteCarlo !== null) rows.push(['Paths', `${json.monteCarlo.paths} (seed ${json.monteCarlo.seed}, ${json.monteCarlo.distribution})`]);
  else if (json.method !== 'delta-normal') rows.push(['Scenarios', String(h.scenarios)]);
  else if (json.sigmaHorizon !== null) rows.push(['Sigma over the horizon', money(json.sigmaHorizon)]);
  const history =
    h.source === 'files'
      ? `History: ${span}; ${h.files.map((f) => `${f.symbol} from ${f.file}`).join(', ')}`
      : `History: ${span}, generated GARCH(1,1) (seed ${h.generator?.seed}, ${h.generator?.shocks} shocks, long-run volatility ${percent(h.generator?.longRunDailyVolatility ?? null)} a day)`;
  const factors = table(
    ['Factor', 'Price', 'Daily vol (EWMA)', 'PnL per +1% move'],
    json.factors.map((f) => [f.symbol, money(f.price), percent(f.dailyVolatility), money(f.exposure * 0.01)]),
  );
  const lines = [title, table([], rows, ['left', 'right']), history, '', `Risk factors (EWMA lambda ${json.lambda})`, factors];
  if (json.heldConstant.length > 0) lines.push(`Held at today's price: ${json.heldConstant.join(', ')}`);
  lines.push('', METHOD_NOTES[json.method]);
  return `${lines.join('\n')}\n`;
}
