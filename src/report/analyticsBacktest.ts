/**
 * `solvent backtest` output: coverage, exceptions, Kupiec's test, the Basel traffic light (whole
 * period, consecutive 250-day windows, the latest 250 days) and procyclicality, per model and per
 * portfolio: the wire JSON (built by src/analytics/wire.ts) and the terminal table printed from
 * it. Daily margins and losses stay out of the JSON (they are what `--chart` draws).
 */
import { confidenceText, money, percent, table } from './analyticsText.js';
import type { GeneratorJson, HistoryFileJson } from './analyticsVar.js';

export interface ExceptionJson {
  readonly observations: number;
  readonly exceptions: number;
  readonly expectedExceptions: number;
  readonly coverage: number;
  readonly kupiec: { readonly likelihoodRatio: number; readonly pValue: number; readonly criticalValue: number; readonly verdict: 'rejected' | 'not rejected' };
  readonly trafficLight: { readonly greenMax: number; readonly yellowMax: number; readonly zone: string; readonly cumulativeProbability: number };
}

export interface WindowJson {
  readonly from: string;
  readonly to: string;
  readonly exceptions: number;
  readonly zone: string;
}

export interface PortfolioJson extends ExceptionJson {
  readonly id: string;
  readonly marginMean: number;
  readonly windows250: { readonly green: number; readonly yellow: number; readonly red: number; readonly latest: WindowJson | null; readonly windows: readonly WindowJson[] };
  readonly procyclicality: {
    readonly largestIncrease5d: number;
    readonly largestIncreaseRatio5d: number;
    readonly peakMargin: number;
    readonly troughMargin: number;
    readonly peakToTroughRatio: number | null;
  };
}

export interface ModelJson {
  readonly name: string;
  /** The model's parameters as the backtest ran them, e.g. { kind: 'static', rate: 0.1 }. */
  readonly model: { readonly kind: string } & Readonly<Record<string, unknown>>;
  readonly pooled: ExceptionJson;
  readonly marginMean: number;
  readonly portfolios: readonly PortfolioJson[];
}

export interface BacktestJson {
  readonly confidence: number;
  readonly marginPeriodDays: number;
  readonly warmupDays: number;
  readonly history: {
    readonly source: 'files' | 'generated';
    readonly files: readonly HistoryFileJson[];
    readonly generator: GeneratorJson | null;
    readonly days: number;
    readonly firstDate: string | null;
    readonly lastDate: string | null;
    readonly realisedDailyVolatility: readonly { readonly symbol: string; readonly realisedDaily: number }[];
  };
  readonly observations: number;
  readonly models: readonly ModelJson[];
}

function zoneText(e: ExceptionJson): string {
  return `${e.trafficLight.zone} (green 0-${e.trafficLight.greenMax}, yellow ${e.trafficLight.greenMax + 1}-${e.trafficLight.yellowMax})`;
}

export function backtestTable(json: BacktestJson): string {
  const h = json.history;
  const span = h.firstDate === null ? `${h.days} days` : `${h.days} days, ${h.firstDate} to ${h.lastDate}`;
  const sourceText =
    h.source === 'files'
      ? h.files.map((f) => `${f.symbol} from ${f.file}`).join(', ')
      : `generated GARCH(1,1), seed ${h.generator?.seed}, ${h.generator?.shocks} shocks, long-run vol ${percent(h.generator?.longRunDailyVolatility ?? null, 3)} a day`;
  const lines = [
    `Margin backtest: ${confidenceText(json.confidence)} target, ${json.marginPeriodDays}-day margin period of risk, ${json.warmupDays} warm-up days`,
    `History: ${span}; ${sourceText}`,
    `Realised daily volatility: ${h.realisedDailyVolatility.map((v) => `${v.symbol} ${percent(v.realisedDaily, 3)}`).join(', ')}`,
    `Observations: ${json.observations} days per portfolio (exception: loss over the margin period > margin)`,
    '',
  ];
  const head = ['Model / portfolio', 'Exceptions', 'Expected', 'Coverage', 'Kupiec LR', 'p-value', 'Kupiec', 'Zone', '250-day G/Y/R', 'Latest 250', 'Mean margin', 'Max 5-day rise'];
  const rows: string[][] = [];
  for (const m of json.models) {
    rows.push([m.name, String(m.pooled.exceptions), m.pooled.expectedExceptions.toFixed(1), percent(m.pooled.coverage), m.pooled.kupiec.likelihoodRatio.toFixed(3), m.pooled.kupiec.pValue.toFixed(4), m.pooled.kupiec.verdict, m.pooled.trafficLight.zone, '', '', money(m.marginMean), '']);
    for (const p of m.portfolios) {
      const w = p.windows250;
      rows.push([
        `  ${p.id}`,
        String(p.exceptions),
        p.expectedExceptions.toFixed(1),
        percent(p.coverage),
        p.kupiec.likelihoodRatio.toFixed(3),
        p.kupiec.pValue.toFixed(4),
        p.kupiec.verdict,
        p.trafficLight.zone,
        `${w.green}/${w.yellow}/${w.red}`,
        w.latest === null ? '-' : `${w.latest.zone} (${w.latest.exceptions})`,
        money(p.marginMean),
        `${money(p.procyclicality.largestIncrease5d)} (${percent(p.procyclicality.largestIncreaseRatio5d, 1)})`,
      ]);
    }
  }
  lines.push(table(head, rows, ['left', 'right', 'right', 'right', 'right', 'right', 'left', 'left', 'right', 'left', 'right', 'right']));
  const first = json.models[0];
  lines.push(
    '',
    `Zone: Basel traffic light over all observations${first === undefined ? '' : `, ${zoneText(first.pooled)} for the pooled count`}; 250-day G/Y/R counts consecutive 250-day windows by zone (green 0-4, yellow 5-9, red 10+ at 99%).`,
    'Kupiec: proportion-of-failures test at 5% (rejected when LR > 3.841); with a margin period over 1 day the overlapping windows make it indicative.',
    'Max 5-day rise: the largest increase of the margin over 5 days (procyclicality), absolute and relative.',
  );
  return `${lines.join('\n')}\n`;
}
