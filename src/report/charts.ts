/**
 * Charts of the analytics as SVG text: Vega-Lite specifications built from plain numbers, compiled
 * to Vega and rendered headless (`renderer: 'none'`, no canvas, no browser). Pure apart from the
 * rendering library: the same figures give the same SVG bytes, and the caller writes the file.
 *
 * - the distribution of scenario PnL (a histogram, binned here so that a million Monte Carlo paths
 *   do not travel through the spec) or the normal PnL density of delta-normal VaR, with VaR and ES
 *   as vertical rules;
 * - stress results as bars per scenario, with the insurance fund as a rule;
 * - a backtest: the margin of each model against the realised loss over time, exceptions marked.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 720;
const HEIGHT = 320;

/**
 * Compiles a Vega-Lite spec and renders it to an SVG document. Both libraries log through the
 * console; a warning from them is a bug in a spec here, so it is an error rather than noise on the
 * user's terminal.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec, { logger: strictLogger() }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A Vega logger that throws on warnings and errors and drops information and debug messages. */
function strictLogger(): vega.LoggerInterface {
  let level = vega.Warn;
  const fail = (...args: readonly unknown[]): never => {
    throw new Error(`Invariant: chart specification rejected: ${args.map(String).join(' ')}`);
  };
  const logger: vega.LoggerInterface = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error: fail,
    warn: fail,
    info: () => logger,
    debug: () => logger,
  } as vega.LoggerInterface;
  return logger;
}

export interface HistogramBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** Equal-width bins over [min, max] of the values; the last bin holds max. */
export function binValues(values: ArrayLike<number>, bins: number): HistogramBin[] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length === 0) return [];
  if (min === max) return [{ from: min - 0.5, to: max + 0.5, count: values.length }];
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const k = Math.min(bins - 1, Math.floor(((values[i] as number) - min) / width));
    counts[k] = (counts[k] as number) + 1;
  }
  return counts.map((count, k) => ({ from: min + k * width, to: min + (k + 1) * width, count }));
}

export interface RiskLines {
  readonly valueAtRisk: number;
  readonly expectedShortfall: number;
}

function riskRules(lines: RiskLines, confidence: number): TopLevelSpec[] {
  const label = `${Number((confidence * 100).toPrecision(6))}%`;
  // Labels on separate rows (pixels from the top): VaR and ES are often a few pixels apart.
  const rules = [
    { x: -lines.valueAtRisk, name: `VaR ${label}`, row: 4 },
    { x: -lines.expectedShortfall, name: `ES ${label}`, row: 20 },
  ];
  const color = { field: 'name', type: 'nominal', title: null, scale: { domain: rules.map((r) => r.name), range: ['#d62728', '#7f0000'] } };
  return [
    {
      data: { values: rules },
      mark: { type: 'rule', strokeWidth: 2, strokeDash: [6, 3] },
      encoding: { x: { field: 'x', type: 'quantitative' }, color },
    } as unknown as TopLevelSpec,
    {
      data: { values: rules },
      mark: { type: 'text', align: 'right', dx: -4, baseline: 'top' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'row', type: 'quantitative', scale: null }, text: { field: 'name' }, color },
    } as unknown as TopLevelSpec,
  ];
}

/** A histogram of scenario PnL (valuation asset) with VaR and ES drawn at -VaR and -ES. */
export function pnlHistogramSpec(input: { readonly title: string; readonly currency: string; readonly pnl: ArrayLike<number>; readonly lines: RiskLines; readonly confidence: number; readonly bins?: number }): TopLevelSpec {
  const bins = binValues(input.pnl, input.bins ?? 60);
  return {
    $schema: SCHEMA,
    title: input.title,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: bins },
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: {
          x: { field: 'from', type: 'quantitative', title: `scenario PnL (${input.currency})` },
          x2: { field: 'to' },
          y: { field: 'count', type: 'quantitative', title: 'scenarios' },
          y2: { datum: 0 },
        },
      },
      ...riskRules(input.lines, input.confidence),
    ],
  } as unknown as TopLevelSpec;
}

/** The normal PnL density N(0, sigma^2) of delta-normal VaR, with VaR and ES rules. */
export function normalPnlSpec(input: { readonly title: string; readonly currency: string; readonly sigma: number; readonly lines: RiskLines; readonly confidence: number }): TopLevelSpec {
  const points = [];
  const s = input.sigma > 0 ? input.sigma : 1;
  for (let k = -200; k <= 200; k++) {
    const x = (k / 50) * s;
    points.push({ pnl: x, density: Math.exp((-0.5 * x * x) / (s * s)) / (s * Math.sqrt(2 * Math.PI)) });
  }
  return {
    $schema: SCHEMA,
    title: input.title,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: points },
        mark: { type: 'area', color: '#4c78a8', opacity: 0.6, line: true },
        encoding: {
          x: { field: 'pnl', type: 'quantitative', title: `PnL over the horizon (${input.currency})` },
          y: { field: 'density', type: 'quantitative', title: 'density', axis: { format: '.2e' } },
        },
      },
      ...riskRules(input.lines, input.confidence),
    ],
  } as unknown as TopLevelSpec;
}

export interface StressBar {
  readonly scenario: string;
  readonly measure: string;
  readonly value: number;
}

/** Grouped bars per scenario (e.g. venue loss and shortfall), with an optional horizontal rule (the fund). */
export function stressBarsSpec(input: { readonly title: string; readonly currency: string; readonly bars: readonly StressBar[]; readonly rule?: { readonly label: string; readonly value: number } }): TopLevelSpec {
  const layers: unknown[] = [
    {
      data: { values: input.bars },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'scenario', type: 'nominal', title: null, sort: null, axis: { labelAngle: -20 } },
        xOffset: { field: 'measure', sort: null },
        y: { field: 'value', type: 'quantitative', title: input.currency },
        color: { field: 'measure', type: 'nominal', sort: null, title: null, legend: { labelLimit: 400 } },
      },
    },
  ];
  if (input.rule !== undefined) {
    layers.push(
      { data: { values: [input.rule] }, mark: { type: 'rule', color: '#d62728', strokeWidth: 2, strokeDash: [6, 3] }, encoding: { y: { field: 'value', type: 'quantitative' } } },
      { data: { values: [input.rule] }, mark: { type: 'text', color: '#d62728', align: 'left', x: 4, dy: -6 }, encoding: { y: { field: 'value', type: 'quantitative' }, text: { field: 'label' } } },
    );
  }
  return { $schema: SCHEMA, title: input.title, width: WIDTH, height: HEIGHT, layer: layers } as unknown as TopLevelSpec;
}

/** Equity (and MM) of an account against a uniform move of every unpegged price. */
export function moveCurveSpec(input: { readonly title: string; readonly currency: string; readonly points: readonly { readonly move: number; readonly series: string; readonly value: number }[]; readonly marks: readonly { readonly move: number; readonly label: string }[] }): TopLevelSpec {
  const marks = input.marks.map((m, i) => ({ ...m, row: 4 + 14 * i }));
  return {
    $schema: SCHEMA,
    title: input.title,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: input.points },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'move', type: 'quantitative', title: 'uniform move of unpegged prices', axis: { format: '+.0%' } },
          y: { field: 'value', type: 'quantitative', title: input.currency },
          color: { field: 'series', type: 'nominal', title: null, sort: null },
        },
      },
      { data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: '#888' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      { data: { values: marks }, mark: { type: 'rule', color: '#d62728', strokeDash: [6, 3] }, encoding: { x: { field: 'move', type: 'quantitative' } } },
      {
        data: { values: marks },
        mark: { type: 'text', color: '#d62728', align: 'left', dx: 4, baseline: 'top' },
        encoding: { x: { field: 'move', type: 'quantitative' }, y: { field: 'row', type: 'quantitative', scale: null }, text: { field: 'label' } },
      },
    ],
  } as unknown as TopLevelSpec;
}

export interface BacktestChartSeries {
  readonly name: string;
  readonly margins: ArrayLike<number>;
}

/**
 * Margin of each model against the realised loss over the margin period, day by day; an exception
 * (loss > margin) is a point in the model's colour. `dates` (ISO) give a time axis, otherwise days.
 */
export function backtestSpec(input: {
  readonly title: string;
  readonly currency: string;
  readonly dates: readonly string[] | null;
  readonly firstDay: number;
  readonly losses: ArrayLike<number>;
  readonly models: readonly BacktestChartSeries[];
}): TopLevelSpec {
  const temporal = input.dates !== null && input.dates.every((d) => /^\d{4}-\d{2}-\d{2}/.test(d));
  const at = (o: number): string | number => (temporal ? ((input.dates as readonly string[])[input.firstDay + o] as string) : input.firstDay + o);
  const lines: { t: string | number; series: string; value: number }[] = [];
  const exceptions: { t: string | number; series: string; value: number }[] = [];
  for (let o = 0; o < input.losses.length; o++) lines.push({ t: at(o), series: 'realised loss', value: input.losses[o] as number });
  for (const m of input.models) {
    for (let o = 0; o < m.margins.length; o++) {
      const margin = m.margins[o] as number;
      lines.push({ t: at(o), series: `margin: ${m.name}`, value: margin });
      const loss = input.losses[o] as number;
      if (loss > margin) exceptions.push({ t: at(o), series: `exception: ${m.name}`, value: loss });
    }
  }
  const x = temporal
    ? { field: 't', type: 'temporal', title: null, scale: { type: 'utc' }, axis: { format: '%Y' } }
    : { field: 't', type: 'quantitative', title: 'day' };
  const palette = ['#9e9e9e', '#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd'];
  const names = ['realised loss', ...input.models.map((m) => `margin: ${m.name}`), ...input.models.map((m) => `exception: ${m.name}`)];
  const range = [palette[0], ...input.models.map((_, i) => palette[(i % 4) + 1]), ...input.models.map((_, i) => (i === 0 ? '#d62728' : '#8c564b'))];
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: names, range }, legend: { labelLimit: 400 } };
  return {
    $schema: SCHEMA,
    title: input.title,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      { data: { values: lines }, mark: { type: 'line', strokeWidth: 1 }, encoding: { x, y: { field: 'value', type: 'quantitative', title: input.currency }, color, detail: { field: 'series' } } },
      { data: { values: exceptions }, mark: { type: 'point', filled: true, size: 18 }, encoding: { x, y: { field: 'value', type: 'quantitative' }, color } },
    ],
  } as unknown as TopLevelSpec;
}
