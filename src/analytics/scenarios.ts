/**
 * Named stress scenarios: joint price shocks from real events (METHODS.md section 6), and the
 * user's own from a scenario file (docs/formats.md). A scenario is a path of one or more steps,
 * each measured from today's prices; an account's result is its worst step (a short squeezed on
 * the way up is liquidated at the top, whatever the price does next).
 *
 * A step moves prices three ways: `moves` by symbol (relative: -0.4 is a 40% fall), `otherMove`
 * for every other symbol that is not pegged (stablecoins, quote assets, the valuation asset), and
 * `prices` for absolute levels (a stablecoin depeg to 0.65).
 */
import { DocumentError, IssueCollector } from '../config/issues.js';
import { StressScenarioFileSchema, type ScenarioStepDocument, type StressScenarioFile } from '../config/analyticsSchema.js';
import { schemaIssues } from '../config/validate.js';
import { toNumber } from '../risk/units/quantities.js';
import { marketSymbols, peggedSymbols, type Book, type PriceShock } from './factors.js';

export interface ScenarioStep {
  readonly moves: ReadonlyMap<string, number>;
  readonly otherMove: number | null;
  /** Absolute prices in the valuation asset. */
  readonly prices: ReadonlyMap<string, number>;
}

export interface StressScenario {
  readonly id: string;
  readonly name: string;
  readonly source: string;
  readonly steps: readonly ScenarioStep[];
}

const step = (moves: Record<string, number>, otherMove: number | null = null, prices: Record<string, number> = {}): ScenarioStep => ({
  moves: new Map(Object.entries(moves)),
  otherMove,
  prices: new Map(Object.entries(prices)),
});

/**
 * The built-in scenarios. Where the source gives a range or names only some assets, the choice
 * made is stated in the scenario's source line.
 */
export const HISTORICAL_SCENARIOS: readonly StressScenario[] = [
  {
    id: '2020-03-12',
    name: 'Black Thursday: BTC -40%, ETH -43% in a day',
    source: 'METHODS.md section 6 (12 Mar 2020: ETH -43% in a day, BTC about -40%; an exchange stalled for 25 minutes). Other unpegged prices take ETH\'s -43% (the source names only BTC and ETH).',
    steps: [step({ BTC: -0.4, ETH: -0.43 }, -0.43)],
  },
  {
    id: '2019-10-outlier',
    name: 'Index outlier: one of seven sources prints -16%',
    source: 'METHODS.md section 6 (Oct 2019: one index source of seven printed -16% for 2.5 minutes). Applied to every unpegged price: the worst case of a mark that takes one source unfiltered; a median of seven moves 0%, a mean -2.29%.',
    steps: [step({}, -0.16)],
  },
  {
    id: '2025-10-10-alts-30',
    name: '10 Oct 2025, mild end: BTC -13%, alts -30%, USDe 0.65, wBETH -88% against ETH',
    source: 'METHODS.md section 6 (10 Oct 2025: BTC -13%, alts -30% to -70% in 12 minutes; USDe 0.65 and wBETH -88% against ETH on one venue). Alts at the mild end, -30%; WBETH = 0.70 x 0.12 - 1 = -91.6%.',
    steps: [step({ BTC: -0.13, WBETH: 0.7 * 0.12 - 1 }, -0.3, { USDE: 0.65 })],
  },
  {
    id: '2025-10-10-alts-70',
    name: '10 Oct 2025, severe end: BTC -13%, alts -70%, USDe 0.65, wBETH -88% against ETH',
    source: 'METHODS.md section 6 (10 Oct 2025, as above). Alts at the severe end, -70%; WBETH = 0.30 x 0.12 - 1 = -96.4%.',
    steps: [step({ BTC: -0.13, WBETH: 0.3 * 0.12 - 1 }, -0.7, { USDE: 0.65 })],
  },
  {
    id: '2023-11-yfi',
    name: 'YFI squeeze: +215% over 14 days, then -30% in an hour',
    source: 'METHODS.md section 6 (Nov 2023, dYdX YFI: +215% over 14 days, then -30% in an hour). A path: the top (+215%), then 3.15 x 0.70 - 1 = +120.5% from today.',
    steps: [step({ YFI: 2.15 }), step({ YFI: 3.15 * 0.7 - 1 })],
  },
];

/** The multiplier of each symbol of the market under one step (see the module comment). */
export function shockOfStep(book: Pick<Book, 'market' | 'params'>, s: ScenarioStep, pegged: ReadonlySet<string>): PriceShock {
  const shock = new Map<string, number>();
  for (const symbol of marketSymbols(book)) {
    const absolute = s.prices.get(symbol);
    const now = book.market.prices.get(symbol);
    let m: number | undefined;
    if (absolute !== undefined && now !== undefined) m = absolute / toNumber(now, 'Price');
    else if (s.moves.has(symbol)) m = 1 + (s.moves.get(symbol) as number);
    else if (s.otherMove !== null && !pegged.has(symbol) && !book.params.instruments.has(symbol)) m = 1 + s.otherMove;
    if (m !== undefined && m !== 1) shock.set(symbol, m);
  }
  return shock;
}

/** A uniform move of every unpegged price (reverse stress). */
export function uniformStep(move: number): ScenarioStep {
  return { moves: new Map(), otherMove: move, prices: new Map() };
}

export function defaultPegged(book: Pick<Book, 'params'>, extra: readonly string[] = []): ReadonlySet<string> {
  return peggedSymbols(book.params, extra);
}

/** A one-line summary of a step: "BTC -40%, ETH -43%, others -43%, USDE at 0.65". */
export function stepSummary(s: ScenarioStep): string {
  const pct = (m: number): string => `${m >= 0 ? '+' : ''}${(m * 100).toFixed(1).replace(/\.0$/, '')}%`;
  const parts = [...s.moves].map(([symbol, m]) => `${symbol} ${pct(m)}`);
  if (s.otherMove !== null) parts.push(`others ${pct(s.otherMove)}`);
  for (const [symbol, p] of s.prices) parts.push(`${symbol} at ${p}`);
  return parts.length === 0 ? 'no move' : parts.join(', ');
}

export interface ScenarioFile {
  readonly scenarios: readonly StressScenario[];
  readonly pegged: readonly string[];
}

/** A scenario file, validated whole (schema, then: moves > -1, prices > 0, one form per scenario, unique ids). */
export function loadScenarioFile(input: unknown): ScenarioFile {
  const structural = schemaIssues(StressScenarioFileSchema, input);
  if (structural.length > 0) throw new DocumentError(structural);
  const doc = input as StressScenarioFile;
  const c = new IssueCollector();
  const ids = new Set<string>(HISTORICAL_SCENARIOS.map((s) => s.id));
  const scenarios = doc.scenarios.map((d, i): StressScenario => {
    const path = `/scenarios/${i}`;
    c.check(!ids.has(d.id), `${path}/id`, 'scenario_id_duplicate', `"${d.id}" is already a scenario (built-in or earlier in the file)`);
    ids.add(d.id);
    const inline = d.moves !== undefined || d.otherMove !== undefined || d.prices !== undefined;
    c.check(inline !== (d.steps !== undefined), path, 'scenario_form_invalid', 'give either moves/otherMove/prices (one step) or steps (a path), not both or neither');
    const stepDocs: readonly ScenarioStepDocument[] = d.steps ?? [{ ...(d.moves === undefined ? {} : { moves: d.moves }), ...(d.otherMove === undefined ? {} : { otherMove: d.otherMove }), ...(d.prices === undefined ? {} : { prices: d.prices }) }];
    const steps = stepDocs.map((sd, j) => stepOf(c, d.steps === undefined ? path : `${path}/steps/${j}`, sd));
    return { id: d.id, name: d.name ?? d.id, source: d.source ?? 'user-defined', steps };
  });
  c.throwIfAny();
  return { scenarios, pegged: doc.pegged ?? [] };
}

function stepOf(c: IssueCollector, path: string, d: ScenarioStepDocument): ScenarioStep {
  const move = (at: string, text: string): number => {
    const m = Number(text);
    c.check(m > -1 && m <= 1000, at, 'move_out_of_range', `${text} must be > -1 (a fall of less than 100%) and <= 1000`);
    return m;
  };
  const moves = new Map<string, number>();
  for (const [symbol, text] of Object.entries(d.moves ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) moves.set(symbol, move(`${path}/moves/${symbol}`, text));
  const prices = new Map<string, number>();
  for (const [symbol, text] of Object.entries(d.prices ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const p = Number(text);
    c.check(p > 0, `${path}/prices/${symbol}`, 'price_not_positive', `${text} must be > 0`);
    c.check(!moves.has(symbol), `${path}/prices/${symbol}`, 'shock_duplicate', `${symbol} has both a move and a price`);
    prices.set(symbol, p);
  }
  return { moves, otherMove: d.otherMove === undefined ? null : move(`${path}/otherMove`, d.otherMove), prices };
}
