/**
 * Price paths for the cascade simulator: the stress paths of METHODS.md §6 (stylised
 * reconstructions, not tick data), a path read from a CSV or NDJSON file, or a seeded synthetic
 * path (GARCH(1,1) with Student-t shocks, risk/analytics/garch.ts).
 *
 * A path gives, for every step 0..steps, a price per instrument and a depth factor in (0, 1]: the
 * share of the order book's normal depth that is left at that step (0.03 is "depth -97%"). The
 * simulator moves the engine's marks away from the path by the impact of liquidation volume
 * (depth.ts); the path is what the market would have done without this venue's liquidations.
 *
 * Named paths are segments; each segment ends at a factor of the start price per leg (an
 * underlying, or `*` for every other one) and a depth shape in [0, 1] (the fraction of the depth
 * cut applied: depth factor = 1 - cut x shape). Within a segment, log prices and the shape move
 * linearly. Steps are spread over segments by weight, at least one each.
 */
import { simulateGarch } from '../risk/analytics/garch.js';
import { createRandom } from '../risk/analytics/random.js';
import { InputError } from '../risk/errors.js';

/** Most steps a simulation runs (STYLE.md habit 10). */
export const SIMULATION_STEPS_MAX = 2_000;
/** Largest path file read. */
export const PATH_FILE_BYTES_MAX = 16 * 1024 * 1024;

export interface PricePath {
  readonly name: string;
  readonly description: string;
  /** Instrument symbols the path prices, sorted. */
  readonly instruments: readonly string[];
  /** steps + 1 prices per instrument, from step 0 (the start). */
  readonly prices: ReadonlyMap<string, Float64Array>;
  /** steps + 1 depth factors in (0, 1]. */
  readonly depthFactors: Float64Array;
  /** Time between steps, for the engine's clock (liquidation order TTLs). */
  readonly stepMs: number;
}

interface Segment {
  readonly durationMs: number;
  readonly weight: number;
  /** Factor of the start price at the segment's end, per underlying; `*` for any other. */
  readonly legs: Readonly<Record<string, number>>;
  readonly depthShape: number;
}

export interface NamedPath {
  readonly name: string;
  readonly description: string;
  readonly source: string;
  readonly defaultSteps: number;
  /** The default depth cut at the path's worst (1 - depth factor). */
  readonly depthCut: number;
  readonly segments: readonly Segment[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const NAMED_PATHS: readonly NamedPath[] = [
  {
    name: 'oct-2025',
    description: '10 Oct 2025: BTC -13%, alts -30% to -70% in 12 minutes, order-book depth -97%',
    source: 'METHODS.md §6; RELIABILITY.md R16',
    defaultSteps: 12,
    depthCut: 0.97,
    segments: [
      { durationMs: 180_000, weight: 3, legs: { BTC: 0.96, ETH: 0.9, SOL: 0.85, '*': 0.8 }, depthShape: 1 },
      { durationMs: 540_000, weight: 9, legs: { BTC: 0.87, ETH: 0.7, SOL: 0.5, '*': 0.3 }, depthShape: 1 },
    ],
  },
  {
    name: 'mar-2020',
    description: '12 Mar 2020: ETH -43% and BTC about -40% in a day, most of it in the second half',
    source: 'METHODS.md §6; RELIABILITY.md R17 (the stall is not modelled)',
    defaultSteps: 48,
    depthCut: 0.8,
    segments: [
      { durationMs: 12 * HOUR_MS, weight: 1, legs: { BTC: 0.86, ETH: 0.84, '*': 0.82 }, depthShape: 0.3 },
      { durationMs: 8 * HOUR_MS, weight: 2, legs: { BTC: 0.6, ETH: 0.57, '*': 0.55 }, depthShape: 1 },
      { durationMs: 4 * HOUR_MS, weight: 1, legs: { BTC: 0.61, ETH: 0.57, '*': 0.56 }, depthShape: 0.6 },
    ],
  },
  {
    name: 'yfi-nov-2023',
    description: 'Nov 2023 (dYdX YFI): the thin alt +215% over 14 days, then -30% in an hour at a tenth of the depth; majors flat',
    source: 'METHODS.md §6; RELIABILITY.md R12',
    defaultSteps: 28,
    depthCut: 0.9,
    segments: [
      { durationMs: 14 * DAY_MS, weight: 3, legs: { BTC: 1, ETH: 1, SOL: 1, '*': 3.15 }, depthShape: 0 },
      { durationMs: HOUR_MS, weight: 1, legs: { BTC: 1, ETH: 1, SOL: 1, '*': 3.15 * 0.7 }, depthShape: 1 },
    ],
  },
];

/** Start prices of named and synthetic paths, by underlying (an assumption; files carry their own). */
export const START_PRICES: Readonly<Record<string, number>> = { BTC: 60_000, ETH: 3_000, SOL: 150, '*': 10 };

export const startPriceOf = (underlying: string): number => START_PRICES[underlying] ?? (START_PRICES['*'] as number);

export interface InstrumentRef {
  readonly symbol: string;
  readonly underlying: string;
}

function legOf(legs: Readonly<Record<string, number>>, underlying: string): number {
  return legs[underlying] ?? (legs['*'] as number);
}

/** Steps per segment: proportional to weight, at least one each, summing to `steps`. */
function stepsPerSegment(segments: readonly Segment[], steps: number): number[] {
  const total = segments.reduce((s, g) => s + g.weight, 0);
  const out = segments.map((g) => Math.max(1, Math.floor((steps * g.weight) / total)));
  let left = steps - out.reduce((s, n) => s + n, 0);
  for (let i = out.length - 1; left > 0; i = (i - 1 + out.length) % out.length, left--) out[i] = (out[i] as number) + 1;
  return out;
}

export function namedPath(name: string, instruments: readonly InstrumentRef[], options: { readonly steps?: number; readonly depthCut?: number } = {}): PricePath {
  const spec = NAMED_PATHS.find((p) => p.name === name);
  if (spec === undefined) throw new InputError('path_unknown', `no named path "${name}"; known: ${NAMED_PATHS.map((p) => p.name).join(', ')}`, 'path');
  const steps = options.steps ?? spec.defaultSteps;
  checkSteps(steps, spec.segments.length);
  const cut = options.depthCut ?? spec.depthCut;
  const perSegment = stepsPerSegment(spec.segments, steps);
  const sorted = [...instruments].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  const prices = new Map<string, Float64Array>(sorted.map((i) => [i.symbol, new Float64Array(steps + 1)]));
  const depthFactors = new Float64Array(steps + 1);
  depthFactors[0] = 1;
  for (const i of sorted) (prices.get(i.symbol) as Float64Array)[0] = startPriceOf(i.underlying);
  let t = 0;
  let shapeFrom = 0;
  const from = new Map<string, number>(sorted.map((i) => [i.symbol, 1]));
  spec.segments.forEach((segment, k) => {
    const n = perSegment[k] as number;
    for (let j = 1; j <= n; j++) {
      t += 1;
      const w = j / n;
      for (const i of sorted) {
        const a = from.get(i.symbol) as number;
        const b = legOf(segment.legs, i.underlying);
        (prices.get(i.symbol) as Float64Array)[t] = startPriceOf(i.underlying) * Math.exp(Math.log(a) + w * (Math.log(b) - Math.log(a)));
      }
      depthFactors[t] = 1 - cut * (shapeFrom + w * (segment.depthShape - shapeFrom));
    }
    for (const i of sorted) from.set(i.symbol, legOf(segment.legs, i.underlying));
    shapeFrom = segment.depthShape;
  });
  const durationMs = spec.segments.reduce((s, g) => s + g.durationMs, 0);
  return { name: spec.name, description: spec.description, instruments: sorted.map((i) => i.symbol), prices, depthFactors, stepMs: Math.max(1, Math.floor(durationMs / steps)) };
}

function checkSteps(steps: number, min = 1): void {
  if (!Number.isInteger(steps) || steps < min) throw new InputError('simulation_steps_invalid', `steps must be a whole number >= ${min}, got ${steps}`, 'steps');
  if (steps > SIMULATION_STEPS_MAX) throw new InputError('simulation_steps_exceed_limit', `${steps} steps: at most ${SIMULATION_STEPS_MAX}`, 'steps');
}

export interface SyntheticPathOptions {
  readonly seed: number;
  readonly steps: number;
  /** Long-run volatility of the market factor per step (default 0.04: a daily step in a stressed year). */
  readonly volatilityPerStep?: number;
  readonly alpha?: number;
  readonly beta?: number;
  /** Student-t degrees of freedom of the shocks (default 4: fat tails). */
  readonly degreesOfFreedom?: number;
  /** A constant depth cut over the whole path (default 0). */
  readonly depthCut?: number;
}

/** Factor loading of each underlying on the market factor (majors 1, alts more). */
export const SYNTHETIC_BETAS: Readonly<Record<string, number>> = { BTC: 1, ETH: 1.2, SOL: 1.5, '*': 2 };

/**
 * One GARCH(1,1)-t market factor (Bollerslev 1986, 1987), seeded; each instrument's log return is
 * its beta times the factor's, so the instruments crash together, alts harder. A depth cut, if
 * any, is constant.
 */
export function syntheticPath(instruments: readonly InstrumentRef[], options: SyntheticPathOptions): PricePath {
  checkSteps(options.steps);
  const vol = options.volatilityPerStep ?? 0.04;
  const alpha = options.alpha ?? 0.1;
  const beta = options.beta ?? 0.85;
  const nu = options.degreesOfFreedom ?? 4;
  const factor = simulateGarch({
    model: { kind: 'garch', params: { omega: vol * vol * (1 - alpha - beta), alpha, beta } },
    shocks: { kind: 'studentT', degreesOfFreedom: nu },
    days: options.steps,
    initialPrice: 1,
    random: createRandom(options.seed),
  });
  const sorted = [...instruments].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  const prices = new Map<string, Float64Array>();
  for (const i of sorted) {
    const b = SYNTHETIC_BETAS[i.underlying] ?? (SYNTHETIC_BETAS['*'] as number);
    const start = startPriceOf(i.underlying);
    const series = new Float64Array(options.steps + 1);
    series[0] = start;
    for (let t = 1; t <= options.steps; t++) series[t] = start * Math.exp(b * Math.log(factor.prices[t] as number));
    prices.set(i.symbol, series);
  }
  const depthFactors = new Float64Array(options.steps + 1).fill(1 - (options.depthCut ?? 0));
  depthFactors[0] = 1;
  return {
    name: 'synthetic',
    description: `seeded GARCH(1,1)-t market factor: volatility ${vol} per step, alpha ${alpha}, beta ${beta}, t(${nu}), seed ${options.seed}`,
    instruments: sorted.map((i) => i.symbol),
    prices,
    depthFactors,
    stepMs: DAY_MS,
  };
}

const DEPTH_COLUMN = 'depth';
const IGNORED_COLUMNS = new Set(['step', 't', 'time', 'timestamp', 'date']);

/**
 * A path file: CSV with a header of instrument symbols (an optional first column `step`, `time`,
 * `timestamp` or `date` is ignored; an optional `depth` column gives the depth factor), one row per
 * step; or NDJSON, one object per line mapping symbols (and optionally `depth`) to numbers. Prices
 * are positive; depth factors within (0, 1]. Instruments of the venue that the file does not
 * price are left out of the simulation.
 */
export function parsePathText(text: string, options: { readonly name: string; readonly venueInstruments: readonly string[]; readonly stepMs?: number; readonly depthCut?: number }): PricePath {
  const rows = text.trimStart().startsWith('{') ? ndjsonRows(text) : csvRows(text);
  if (rows.length < 2) throw new InputError('path_too_short', 'a path needs a start row and at least one step', 'path');
  checkSteps(rows.length - 1);
  const known = new Set(options.venueInstruments);
  const header = Object.keys(rows[0] as Record<string, number>);
  const instruments = header.filter((k) => known.has(k)).sort();
  const unknown = header.filter((k) => !known.has(k) && k !== DEPTH_COLUMN).sort();
  if (unknown.length > 0) throw new InputError('path_instrument_unknown', `the venue has no instrument ${unknown.join(', ')}`, 'path');
  if (instruments.length === 0) throw new InputError('path_instrument_unknown', 'the file prices no instrument of the venue', 'path');
  const prices = new Map<string, Float64Array>(instruments.map((s) => [s, new Float64Array(rows.length)]));
  const depthFactors = new Float64Array(rows.length);
  rows.forEach((row, t) => {
    for (const s of instruments) {
      const p = row[s];
      if (p === undefined || !Number.isFinite(p) || p <= 0) throw new InputError('path_price_invalid', `row ${t + 1}: ${s} must be a finite price > 0`, 'path');
      (prices.get(s) as Float64Array)[t] = p;
    }
    const d = row[DEPTH_COLUMN] ?? 1 - (options.depthCut ?? 0);
    if (!Number.isFinite(d) || d <= 0 || d > 1) throw new InputError('path_depth_invalid', `row ${t + 1}: depth must be within (0, 1]`, 'path');
    depthFactors[t] = t === 0 ? 1 : d;
  });
  return { name: options.name, description: `price path from ${options.name}`, instruments, prices, depthFactors, stepMs: options.stepMs ?? 60_000 };
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function csvRows(text: string): Record<string, number>[] {
  const lines = text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  const head = lines[0];
  if (head === undefined) throw new InputError('path_empty', 'the file holds no data', 'path');
  const delimiter = head.includes(';') && !head.includes(',') ? ';' : ',';
  const columns = head.split(delimiter).map((c) => c.trim());
  if (columns.some((c) => NUMBER.test(c))) throw new InputError('path_header_missing', 'the first line must name the columns (instrument symbols)', 'path');
  if (new Set(columns).size !== columns.length) throw new InputError('path_header_invalid', 'a column is named twice', 'path');
  return lines.slice(1).map((line, i) => {
    const fields = line.split(delimiter).map((f) => f.trim());
    if (fields.length !== columns.length) throw new InputError('path_row_invalid', `line ${i + 2}: ${fields.length} fields, the header has ${columns.length}`, 'path');
    const row: Record<string, number> = Object.create(null) as Record<string, number>;
    columns.forEach((c, k) => {
      if (k === 0 && IGNORED_COLUMNS.has(c.toLowerCase())) return;
      const f = fields[k] as string;
      if (!NUMBER.test(f)) throw new InputError('path_row_invalid', `line ${i + 2}: ${c} "${f}" is not a number`, 'path');
      row[c] = Number(f);
    });
    return row;
  });
}

function ndjsonRows(text: string): Record<string, number>[] {
  const lines = text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '');
  let keys: string | undefined;
  return lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new InputError('path_row_invalid', `line ${i + 1}: not a JSON object`, 'path');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InputError('path_row_invalid', `line ${i + 1}: not a JSON object`, 'path');
    const row: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'number') throw new InputError('path_row_invalid', `line ${i + 1}: ${k} is not a number`, 'path');
      row[k] = v;
    }
    const signature = Object.keys(row).sort().join(',');
    if (keys !== undefined && signature !== keys) throw new InputError('path_row_invalid', `line ${i + 1}: the keys differ from the first line's`, 'path');
    keys = signature;
    return row;
  });
}
