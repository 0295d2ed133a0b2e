/**
 * CME SPAN (METHODS.md 3.4), on risk arrays computed here (`spanContractsFromMarket`) or supplied
 * from outside as clearing houses publish them: 16 values per contract, the loss of ONE long
 * contract, positive = loss, the extreme scenarios already at their covered fraction (35%).
 *
 * Per combined commodity (all contracts on one underlying):
 *   scan risk   = max(0, max_s sum_i q_i x array_i[s])            (the "active" scenario)
 *   intra       = sum over tier spreads formed, in priority order, of spreads x charge per spread
 *   inter       = sum over inter-commodity spreads of rate x spreads x ratio x WFPR of each leg
 *   requirement = max(scan + intra - inter, short option minimum, 0)
 *
 * Why the CME calendar example comes out (cmegroup.com "Spread calculations", METHODS.md 3.4):
 * each month's array is scanned on its own range and months move together, so the scan risk of a
 * 1:1 calendar spread is the difference of the outrights, and the tier spread charge adds back the
 * basis risk: with outrights 500 / 500 / 750 and charges 2v3 200, 2v4 50, 3v4 0,
 * +M2/-M3 = (500 - 500) + 200 = 200; +M2/-M4 = (750 - 500) + 50 = 300; +M3/-M4 = 250 + 0 = 250.
 * Inter-commodity (same page): corn vs soybeans 2:1 at 55%, outrights 1,750 / 2,500:
 * 6,000 - (2 x 1,750 + 2,500) x 0.55 = 2,700.
 *
 * Spreads are formed from deltas (composite deltas per contract; units of underlying for arrays
 * computed here): a spread needs its side-A legs on one side of the market and its side-B legs on
 * the other ("A versus B" means long versus short, CME); the number formed is the smallest
 * |remaining delta| / ratio among its legs, and forming it uses up those deltas.
 *
 * Simplified (documented in docs/methodology/portfolio-margin.md): intra spreads charge a flat
 * amount per spread (CME's "per spread" rate), inter spreads use each commodity's net delta (not
 * per tier) and a weighted futures price risk of either scan risk / |net delta| or a given amount per
 * delta (CME's scan-range method), without SPAN's split of scan risk into price, volatility and
 * time risk; no delivery-month charge and no net option value.
 */
import { InputError, invariant } from '../errors.js';
import { buildRiskArrays, compareIds, uniqueInstruments } from './riskArrays.js';
import { makeScenarioGrid, type VolShockModel } from './scenarios.js';
import { PM_POSITIONS_MAX, PM_SCENARIOS_MAX, requireNumber, type PmInstrument, type PmMarket, type ValuationCurrency } from './types.js';

export const SPAN_INPUT_INVALID = 'span_input_invalid';

export interface SpanContract {
  readonly id: string;
  /** The combined commodity, e.g. 'CORN' or the underlying. */
  readonly commodity: string;
  /** The intra-commodity tier (month or group of months) the contract spreads in. */
  readonly tier: string;
  /** Loss of one long contract per scenario (positive = loss, published weights applied). */
  readonly riskArray: readonly number[];
  /** Composite delta of one long contract. */
  readonly delta: number;
  /** Set for options: short options count in the short option minimum. */
  readonly option?: 'call' | 'put';
}

export interface SpanPosition {
  readonly contractId: string;
  /** Signed: positive long. */
  readonly quantity: number;
}

export interface SpanTierLeg {
  readonly tier: string;
  readonly ratio: number;
  readonly side: 'A' | 'B';
}

export interface IntraSpread {
  readonly legs: readonly SpanTierLeg[];
  readonly chargePerSpread: number;
}

export interface SpanCommodityParams {
  readonly commodity: string;
  /** In priority order: the first spreads form first. */
  readonly intraSpreads: readonly IntraSpread[];
  readonly shortOptionMinimum: { readonly perContract: number; readonly method: 'gross' | 'maxOfSides' };
  readonly weightedPriceRisk: { readonly kind: 'scanRiskPerDelta' } | { readonly kind: 'perDelta'; readonly amount: number };
}

export interface InterLeg {
  readonly commodity: string;
  readonly ratio: number;
  readonly side: 'A' | 'B';
}

export interface InterSpread {
  readonly legs: readonly InterLeg[];
  /** Credit as a fraction of each leg's weighted price risk, in [0, 1]. */
  readonly creditRate: number;
}

export interface SpanInput {
  readonly contracts: readonly SpanContract[];
  readonly positions: readonly SpanPosition[];
  readonly commodities: readonly SpanCommodityParams[];
  /** In priority order. */
  readonly interSpreads: readonly InterSpread[];
}

export interface SpreadFormed {
  readonly legs: readonly { readonly name: string; readonly ratio: number; readonly side: 'A' | 'B' }[];
  readonly spreads: number;
  readonly amount: number;
}

export interface SpanCommodityResult {
  readonly commodity: string;
  readonly scanRisk: number;
  /** 0-based index of the scenario with the largest loss (the first of equal ones). */
  readonly activeScenario: number;
  readonly scenarioLosses: readonly number[];
  readonly netDelta: number;
  readonly tierDeltas: readonly { readonly tier: string; readonly delta: number }[];
  readonly intraSpreads: readonly SpreadFormed[];
  readonly intraCharge: number;
  readonly weightedPriceRisk: number;
  readonly interCredit: number;
  readonly shortOptionMinimum: number;
  readonly requirement: number;
}

export interface SpanResult {
  readonly commodities: readonly SpanCommodityResult[];
  readonly interSpreads: readonly SpreadFormed[];
  readonly total: number;
}

function invalid(detail: string): InputError {
  return new InputError(SPAN_INPUT_INVALID, detail);
}

function check(name: string, value: number, test: (x: number) => boolean, rule: string): void {
  requireNumber(name, value, test, rule, SPAN_INPUT_INVALID);
}

function checkLegs(name: string, legs: readonly { readonly ratio: number; readonly side: 'A' | 'B' }[]): void {
  if (legs.length < 2) throw invalid(`${name} needs at least two legs`);
  for (const leg of legs) {
    check(`${name} leg ratio`, leg.ratio, (x) => x > 0, '> 0');
    if (leg.side !== 'A' && leg.side !== 'B') throw invalid(`${name} leg side must be A or B`);
  }
  if (!legs.some((l) => l.side === 'A') || !legs.some((l) => l.side === 'B')) throw invalid(`${name} needs a leg on each side`);
}

function contractsById(contracts: readonly SpanContract[]): Map<string, SpanContract> {
  if (contracts.length > PM_POSITIONS_MAX) throw invalid(`more than ${PM_POSITIONS_MAX} contracts`);
  const byId = new Map<string, SpanContract>();
  const lengths = new Map<string, number>();
  for (const contract of contracts) {
    if (byId.has(contract.id)) throw invalid(`contract ${contract.id} is listed twice`);
    const n = contract.riskArray.length;
    if (n < 1 || n > PM_SCENARIOS_MAX) throw invalid(`contract ${contract.id} risk array must have 1 to ${PM_SCENARIOS_MAX} values`);
    for (const value of contract.riskArray) check(`contract ${contract.id} risk array value`, value, () => true, 'finite');
    check(`contract ${contract.id} delta`, contract.delta, () => true, 'finite');
    const seen = lengths.get(contract.commodity);
    if (seen !== undefined && seen !== n) throw invalid(`contracts of ${contract.commodity} must have risk arrays of one length`);
    lengths.set(contract.commodity, n);
    byId.set(contract.id, contract);
  }
  return byId;
}

/** Net quantity per contract id (lots summed in increasing order), increasing id order. */
function netQuantities(positions: readonly SpanPosition[], byId: ReadonlyMap<string, SpanContract>): Map<string, number> {
  if (positions.length > PM_POSITIONS_MAX) throw invalid(`more than ${PM_POSITIONS_MAX} positions`);
  const lots = new Map<string, number[]>();
  for (const { contractId, quantity } of positions) {
    if (!byId.has(contractId)) throw new InputError('risk_array_missing', `no risk array for contract ${contractId}`);
    check(`quantity of ${contractId}`, quantity, () => true, 'finite');
    lots.set(contractId, [...(lots.get(contractId) ?? []), quantity]);
  }
  const out = new Map<string, number>();
  for (const id of [...lots.keys()].sort(compareIds)) {
    const q = (lots.get(id) ?? []).sort((a, b) => a - b).reduce((s, x) => s + x, 0);
    if (q !== 0) out.set(id, q);
  }
  return out;
}

/**
 * Forms spreads in priority order from signed deltas (`remaining` is updated in place). A spread
 * forms when every side-A leg has the sign of the first side-A leg and every side-B leg the other.
 */
function formSpreads<L extends { readonly ratio: number; readonly side: 'A' | 'B' }>(
  remaining: Map<string, number>,
  legs: readonly L[],
  keyOf: (leg: L) => string,
): number {
  const deltas = legs.map((leg) => remaining.get(keyOf(leg)) ?? 0);
  const firstA = deltas[legs.findIndex((l) => l.side === 'A')] ?? 0;
  if (firstA === 0) return 0;
  const signA = Math.sign(firstA);
  const aligned = legs.every((leg, i) => Math.sign(deltas[i] ?? 0) === (leg.side === 'A' ? signA : -signA));
  if (!aligned) return 0;
  const spreads = Math.min(...legs.map((leg, i) => Math.abs(deltas[i] ?? 0) / leg.ratio));
  for (const [i, leg] of legs.entries()) {
    const d = deltas[i] ?? 0;
    // The leg with the fewest deltas ends exactly at 0, not at a rounding residue.
    const left = d - Math.sign(d) * spreads * leg.ratio;
    remaining.set(keyOf(leg), Math.abs(d) / leg.ratio === spreads ? 0 : left);
  }
  return spreads;
}

interface CommodityWork {
  readonly params: SpanCommodityParams;
  readonly result: Omit<SpanCommodityResult, 'interCredit' | 'requirement'>;
  interCredit: number;
}

function scanCommodity(
  params: SpanCommodityParams,
  held: readonly [SpanContract, number][],
): Omit<SpanCommodityResult, 'interCredit' | 'requirement'> {
  const n = held[0]?.[0].riskArray.length ?? 0;
  const losses = new Array<number>(n).fill(0);
  const tiers = new Map<string, number>();
  let shortCalls = 0;
  let shortPuts = 0;
  for (const [contract, q] of held) {
    for (let s = 0; s < n; s += 1) losses[s] = (losses[s] ?? 0) + q * (contract.riskArray[s] ?? 0);
    tiers.set(contract.tier, (tiers.get(contract.tier) ?? 0) + q * contract.delta);
    if (q < 0 && contract.option === 'call') shortCalls -= q;
    if (q < 0 && contract.option === 'put') shortPuts -= q;
  }
  let active = 0;
  for (let s = 1; s < n; s += 1) if ((losses[s] ?? 0) > (losses[active] ?? 0)) active = s;
  const scanRisk = Math.max(losses[active] ?? 0, 0);
  const tierDeltas = [...tiers.entries()].sort(([a], [b]) => compareIds(a, b)).map(([tier, delta]) => ({ tier, delta }));
  const netDelta = tierDeltas.reduce((sum, t) => sum + t.delta, 0);
  const remaining = new Map(tiers);
  const intraSpreads: SpreadFormed[] = [];
  for (const spread of params.intraSpreads) {
    const spreads = formSpreads(remaining, spread.legs, (leg) => leg.tier);
    if (spreads > 0) {
      const legs = spread.legs.map((l) => ({ name: l.tier, ratio: l.ratio, side: l.side }));
      intraSpreads.push({ legs, spreads, amount: spreads * spread.chargePerSpread });
    }
  }
  const som = params.shortOptionMinimum;
  const shortOptions = som.method === 'gross' ? shortCalls + shortPuts : Math.max(shortCalls, shortPuts);
  const wpr = params.weightedPriceRisk;
  const weightedPriceRisk = wpr.kind === 'perDelta' ? wpr.amount : netDelta === 0 ? 0 : scanRisk / Math.abs(netDelta);
  return {
    commodity: params.commodity,
    scanRisk,
    activeScenario: active,
    scenarioLosses: losses,
    netDelta,
    tierDeltas,
    intraSpreads,
    intraCharge: intraSpreads.reduce((sum, s) => sum + s.amount, 0),
    weightedPriceRisk,
    shortOptionMinimum: som.perContract * shortOptions,
  };
}

function checkCommodity(params: SpanCommodityParams): void {
  for (const spread of params.intraSpreads) {
    checkLegs(`intra spread of ${params.commodity}`, spread.legs);
    check('intra chargePerSpread', spread.chargePerSpread, (x) => x >= 0, '>= 0');
  }
  check('shortOptionMinimum perContract', params.shortOptionMinimum.perContract, (x) => x >= 0, '>= 0');
  if (params.shortOptionMinimum.method !== 'gross' && params.shortOptionMinimum.method !== 'maxOfSides') {
    throw invalid('shortOptionMinimum method must be gross or maxOfSides');
  }
  if (params.weightedPriceRisk.kind === 'perDelta') check('weightedPriceRisk amount', params.weightedPriceRisk.amount, (x) => x >= 0, '>= 0');
  else if (params.weightedPriceRisk.kind !== 'scanRiskPerDelta') throw invalid('weightedPriceRisk kind must be scanRiskPerDelta or perDelta');
}

/** SPAN requirement of a portfolio of contracts across combined commodities. */
export function spanMargin(input: SpanInput): SpanResult {
  const byId = contractsById(input.contracts);
  const net = netQuantities(input.positions, byId);
  const params = new Map<string, SpanCommodityParams>();
  for (const p of input.commodities) {
    if (params.has(p.commodity)) throw invalid(`commodity ${p.commodity} is listed twice`);
    checkCommodity(p);
    params.set(p.commodity, p);
  }
  const held = new Map<string, [SpanContract, number][]>();
  for (const [id, q] of net) {
    const contract = byId.get(id) as SpanContract;
    if (!params.has(contract.commodity)) throw invalid(`no parameters for commodity ${contract.commodity}`);
    held.set(contract.commodity, [...(held.get(contract.commodity) ?? []), [contract, q]]);
  }
  const work = new Map<string, CommodityWork>();
  for (const commodity of [...held.keys()].sort(compareIds)) {
    const p = params.get(commodity) as SpanCommodityParams;
    work.set(commodity, { params: p, result: scanCommodity(p, held.get(commodity) ?? []), interCredit: 0 });
  }
  const remaining = new Map([...work.entries()].map(([c, w]) => [c, w.result.netDelta]));
  const interSpreads: SpreadFormed[] = [];
  for (const spread of input.interSpreads) {
    checkLegs('inter spread', spread.legs);
    check('inter creditRate', spread.creditRate, (x) => x >= 0 && x <= 1, 'in [0, 1]');
    const spreads = formSpreads(remaining, spread.legs, (leg) => leg.commodity);
    if (spreads === 0) continue;
    let amount = 0;
    for (const leg of spread.legs) {
      const w = work.get(leg.commodity);
      if (w === undefined) continue;
      const credit = spread.creditRate * spreads * leg.ratio * w.result.weightedPriceRisk;
      w.interCredit += credit;
      amount += credit;
    }
    interSpreads.push({ legs: spread.legs.map((l) => ({ name: l.commodity, ratio: l.ratio, side: l.side })), spreads, amount });
  }
  const commodities = [...work.values()].map((w): SpanCommodityResult => {
    const { scanRisk, intraCharge, shortOptionMinimum } = w.result;
    const requirement = Math.max(scanRisk + intraCharge - w.interCredit, shortOptionMinimum, 0);
    return { ...w.result, interCredit: w.interCredit, requirement };
  });
  return { commodities, interSpreads, total: commodities.reduce((sum, c) => sum + c.requirement, 0) };
}

/**
 * The published risk array of one long future with a price scan range (quote per contract): loss
 * -fraction x range on the 14 core scenarios, -/+ multiple x range x weight on the extremes.
 * Worked: range 500, multiple 2, weight 0.35: [0, 0, -166.67, -166.67, 166.67, ..., -350, 350];
 * the outright requirement is 500.
 */
export function spanFutureRiskArray(input: {
  readonly priceScanRange: number;
  readonly extremeMultiple: number;
  readonly extremeWeight: number;
}): number[] {
  const { priceScanRange: r, extremeMultiple: m, extremeWeight: w } = input;
  check('priceScanRange', r, (x) => x > 0, '> 0');
  check('extremeMultiple', m, (x) => x > 0, '> 0');
  check('extremeWeight', w, (x) => x > 0 && x <= 1, 'in (0, 1]');
  const fractions = [0, 0, 1 / 3, 1 / 3, -1 / 3, -1 / 3, 2 / 3, 2 / 3, -2 / 3, -2 / 3, 1, 1, -1, -1];
  return [...fractions.map((f) => 0 - f * r), 0 - m * r * w, m * r * w];
}

/**
 * SPAN contracts for the instruments of one underlying, their arrays computed on CME's 16
 * scenarios around today's forwards (an instantaneous move: no look-ahead time passes). Commodity =
 * the underlying; tier = `tiers.get(id)`, else the expiry in years ("T0.25"), "perpetual" or
 * "spot"; delta = units of underlying per unit (valuation.ts).
 */
export function spanContractsFromMarket(input: {
  readonly instruments: readonly PmInstrument[];
  readonly market: PmMarket;
  readonly scan: { readonly priceScanRange: number; readonly extremeMultiple: number; readonly extremeWeight: number; readonly volShock: VolShockModel };
  readonly currency: ValuationCurrency;
  readonly tiers?: ReadonlyMap<string, string>;
}): SpanContract[] {
  const grid = makeScenarioGrid({ kind: 'span', ...input.scan });
  const instruments = uniqueInstruments(input.instruments);
  const arrays = buildRiskArrays({ instruments, market: input.market, grid, currency: input.currency });
  return instruments.map((instrument) => {
    const entry = arrays.entries.get(instrument.id);
    invariant(entry !== undefined, `a risk array was built for ${instrument.id}`);
    const tier =
      input.tiers?.get(instrument.id) ??
      (instrument.kind === 'option' || instrument.kind === 'future' ? `T${instrument.expiryYears}` : instrument.kind);
    const base = { id: instrument.id, commodity: input.market.underlying, tier, riskArray: Array.from(entry.losses), delta: entry.priced.deltaUnits };
    return instrument.kind === 'option' ? { ...base, option: instrument.optionKind } : base;
  });
}
