/**
 * Portfolio margin on typed arrays (METHODS.md 3.3, src/risk/portfolio): one underlying's risk
 * arrays as a matrix (instrument x scenario, Float64Array) and a book of portfolio accounts whose
 * netted legs are a quantity per instrument. An account's scenario losses are the
 * quantity-weighted sum of its instruments' rows, in instrument id order, as `portfolioLosses`
 * sums them; its requirement is `portfolioMarginFromArrays`'s, operation for operation:
 *   MM = maintenanceLossFactor x max(0, max_s loss_s) + contingencies,   IM = initialFactor x MM
 *
 * `buildRiskMatrix` computes the rows the way `buildRiskArrays` does, with the parts that do not
 * depend on the scenario taken out of the loop: each instrument is priced once by the reference's
 * `priceInstrument`, its three shocked vols by `shockedVol`, and its discounting once; per
 * scenario an option costs one Black-76 price (one log, two normal CDFs) instead of the full set of
 * Greeks. The arithmetic is the reference's in the same order, so the rows are bit-identical.
 */
import { InputError } from '../risk/errors.js';
import { logRatio } from '../risk/pricing/inputs.js';
import { normCdf } from '../risk/pricing/normal.js';
import type { PortfolioMarginRule } from '../risk/portfolio/margin.js';
import { netPositions, uniqueInstruments } from '../risk/portfolio/riskArrays.js';
import { shockedVol, type ScenarioGrid, type VolMove } from '../risk/portfolio/scenarios.js';
import { checkMarket, PM_POSITIONS_MAX, type PmInstrument, type PmMarket, type PmPosition, type ValuationCurrency } from '../risk/portfolio/types.js';
import { priceInstrument } from '../risk/portfolio/valuation.js';
import { growF64, growI32, nextCapacity } from './store.js';

export interface RiskMatrix {
  readonly underlying: string;
  readonly currency: ValuationCurrency;
  readonly indexPrice: number;
  readonly scenarios: number;
  /** Instrument ids in increasing id order; row i of `losses` belongs to ids[i]. */
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Weighted loss of one long unit, row-major: losses[i x scenarios + s]. */
  readonly losses: Float64Array;
  readonly futuresUnits: Float64Array;
  readonly deltaUnits: Float64Array;
  /** Options: units of underlying per contract and the (expiry, strike) bucket; -1 otherwise. */
  readonly contractSize: Float64Array;
  readonly strikeBucket: Int32Array;
  readonly buckets: number;
}

const VOL_MOVES: readonly VolMove[] = ['up', 'none', 'down'];

/**
 * Black-76 price as src/risk/pricing/blackScholes.ts `black76(...).price`, with the legs given and
 * `logMoneyness` = logRatio(forward, strike) (the same for every vol move of a price move).
 */
function black76Price(call: boolean, forward: number, strike: number, logMoneyness: number, stdDev: number, discount: number, strikeRate: number): number {
  const spotYield = forward * discount;
  if (stdDev === 0 || forward === 0 || strike === 0) {
    // `degenerate`: the discounted intrinsic value.
    return Math.max((call ? 1 : -1) * (spotYield - strikeRate), 0) + 0;
  }
  // d1 = (ln(F/K) + (r - q) T) / (vol sqrt T) + vol sqrt T / 2 with q = r: (r - q) T is +0.
  const d1 = (logMoneyness + 0) / stdDev + stdDev / 2;
  const d2 = d1 - stdDev;
  if (call) return Math.min(Math.max(spotYield * normCdf(d1) - strikeRate * normCdf(d2), spotYield - strikeRate, 0), spotYield) + 0;
  return Math.min(Math.max(strikeRate * normCdf(-d2) - spotYield * normCdf(-d1), strikeRate - spotYield, 0), strikeRate) + 0;
}

/** The risk arrays of `instruments` (one underlying) as a matrix; see the file comment. */
export function buildRiskMatrix(input: {
  readonly instruments: readonly PmInstrument[];
  readonly market: PmMarket;
  readonly grid: ScenarioGrid;
  readonly currency: ValuationCurrency;
}): RiskMatrix {
  const { market, grid, currency } = input;
  checkMarket(market);
  if (input.instruments.length > PM_POSITIONS_MAX) throw new InputError('portfolio_input_invalid', `more than ${PM_POSITIONS_MAX} instruments`);
  const instruments = uniqueInstruments(input.instruments);
  const n = instruments.length;
  const scenarios = grid.scenarios;
  const count = scenarios.length;
  const losses = new Float64Array(n * count);
  const futuresUnits = new Float64Array(n);
  const deltaUnits = new Float64Array(n);
  const contractSize = new Float64Array(n);
  const strikeBucket = new Int32Array(n).fill(-1);
  // (expiry, strike) buckets in the order contingenciesOf sorts them.
  const keys = [...new Set(instruments.flatMap((x) => (x.kind === 'option' ? [`${x.expiryYears}|${x.strike}`] : [])))];
  const parsed = keys.map((k) => k.split('|').map(Number) as [number, number]);
  const order = keys.map((_, k) => k).sort((x, y) => parsed[x]![0] - parsed[y]![0] || parsed[x]![1] - parsed[y]![1]);
  const bucketOf = new Map(order.map((k, rank) => [keys[k]!, rank]));
  const factors = Float64Array.from(scenarios, (s) => 1 + s.priceMove);
  // Scenarios that share a price move share ln(F f / K): one log per distinct factor.
  const distinct = [...new Set(factors)];
  const factorIndex = Int32Array.from(factors, (f) => distinct.indexOf(f));
  const logs = new Float64Array(distinct.length);
  const weights = Float64Array.from(scenarios, (s) => s.weight);
  const moves = Int8Array.from(scenarios, (s) => VOL_MOVES.indexOf(s.volMove));
  const index = market.indexPrice;
  instruments.forEach((instrument, i) => {
    if (instrument.underlying !== market.underlying) {
      throw new InputError('portfolio_input_invalid', `instrument ${instrument.id} is on ${instrument.underlying}, the market on ${market.underlying}`);
    }
    const priced = priceInstrument(instrument, market, currency);
    futuresUnits[i] = priced.futuresUnits;
    deltaUnits[i] = priced.deltaUnits;
    const row = i * count;
    const valueNow = priced.valueNow;
    const price = priced.price;
    switch (instrument.kind) {
      case 'option': {
        contractSize[i] = instrument.contractSize;
        strikeBucket[i] = bucketOf.get(`${instrument.expiryYears}|${instrument.strike}`)!;
        const t = instrument.expiryYears;
        const discount = Math.exp(-market.rate * t); // bsmLegs: e^-qT = e^-rT
        const strikeRate = instrument.strike * discount;
        const sqrtT = Math.sqrt(t);
        const stdDevs = VOL_MOVES.map((move) => shockedVol(grid.volShock, priced.vol, t, move) * sqrtT);
        const call = instrument.optionKind === 'call';
        const inverse = instrument.settlement === 'inverse';
        for (let k = 0; k < distinct.length; k++) logs[k] = logRatio(price * distinct[k]!, instrument.strike);
        for (let s = 0; s < count; s++) {
          const f = factors[s]!;
          const forward = price * f;
          const quote = instrument.contractSize * black76Price(call, forward, instrument.strike, logs[factorIndex[s]!]!, stdDevs[moves[s]!]!, discount, strikeRate);
          const scenarioIndex = index * f;
          // nativeValue, then toValuation at the scenario's index.
          let value: number;
          if (inverse) {
            const coin = quote / (index * f);
            value = currency === 'coin' ? coin : coin * scenarioIndex;
          } else {
            value = currency === 'quote' ? quote : quote / scenarioIndex;
          }
          losses[row + s] = 0 - (value - valueNow) * weights[s]!;
        }
        return;
      }
      case 'future':
      case 'perpetual': {
        const c = instrument.contractSize;
        const inverse = instrument.settlement === 'inverse';
        for (let s = 0; s < count; s++) {
          const f = factors[s]!;
          const scenarioIndex = index * f;
          let value: number;
          if (inverse) {
            const coin = c * (1 / price - 1 / (price * f));
            value = currency === 'coin' ? coin : coin * scenarioIndex;
          } else {
            const quote = c * (price * f - price);
            value = currency === 'quote' ? quote : quote / scenarioIndex;
          }
          losses[row + s] = 0 - (value - valueNow) * weights[s]!;
        }
        return;
      }
      case 'spot':
        for (let s = 0; s < count; s++) {
          const value = currency === 'coin' ? 1 : 1 * (index * factors[s]!);
          losses[row + s] = 0 - (value - valueNow) * weights[s]!;
        }
        return;
    }
  });
  const ids = instruments.map((x) => x.id);
  return {
    underlying: market.underlying,
    currency,
    indexPrice: index,
    scenarios: count,
    ids,
    index: new Map(ids.map((id, i) => [id, i])),
    losses,
    futuresUnits,
    deltaUnits,
    contractSize,
    strikeBucket,
    buckets: keys.length,
  };
}

/** Accounts of portfolio legs on one risk matrix: netted quantities per instrument, in id order. */
export class PortfolioBook {
  readonly matrix: RiskMatrix;
  accountCount = 0;
  /** Legs of account a: [legStart[a], legStart[a + 1]). */
  legStart: Int32Array;
  legInstrument: Int32Array;
  legQuantity: Float64Array;
  private legCount = 0;
  /** Figures of the last `marginAll` (float64, the model's currency). */
  maintenance: Float64Array;
  initial: Float64Array;
  worstLoss: Float64Array;
  binding: Int32Array;
  private readonly losses: Float64Array;
  private readonly bucketUnits: Float64Array;
  private readonly bucketSeen: Int32Array;
  private readonly touched: Int32Array;

  constructor(matrix: RiskMatrix, options: { accounts?: number; legs?: number } = {}) {
    this.matrix = matrix;
    const accounts = Math.max(16, options.accounts ?? 16);
    const legs = Math.max(16, options.legs ?? 16);
    this.legStart = new Int32Array(accounts + 1);
    this.legInstrument = new Int32Array(legs);
    this.legQuantity = new Float64Array(legs);
    this.maintenance = new Float64Array(accounts);
    this.initial = new Float64Array(accounts);
    this.worstLoss = new Float64Array(accounts);
    this.binding = new Int32Array(accounts);
    this.losses = new Float64Array(matrix.scenarios);
    this.bucketUnits = new Float64Array(matrix.buckets);
    this.bucketSeen = new Int32Array(matrix.buckets).fill(-1);
    this.touched = new Int32Array(Math.max(1, matrix.buckets));
  }

  /** Adds an account of positions (lots of one instrument are netted as `netPositions` nets them). */
  addAccount(positions: readonly PmPosition[]): number {
    const netted = netPositions(positions);
    const a = this.accountCount;
    if (a + 2 > this.legStart.length) {
      const n = nextCapacity(this.legStart.length, a + 2);
      this.legStart = growI32(this.legStart, n);
      this.maintenance = growF64(this.maintenance, n);
      this.initial = growF64(this.initial, n);
      this.worstLoss = growF64(this.worstLoss, n);
      this.binding = growI32(this.binding, n);
    }
    if (this.legCount + netted.length > this.legInstrument.length) {
      const n = nextCapacity(this.legInstrument.length, this.legCount + netted.length);
      this.legInstrument = growI32(this.legInstrument, n);
      this.legQuantity = growF64(this.legQuantity, n);
    }
    for (const { instrument, quantity } of netted) {
      const i = this.matrix.index.get(instrument.id);
      if (i === undefined) throw new InputError('risk_array_missing', `no risk array for instrument ${instrument.id}`);
      this.legInstrument[this.legCount] = i;
      this.legQuantity[this.legCount] = quantity;
      this.legCount++;
    }
    this.legStart[a + 1] = this.legCount;
    this.accountCount = a + 1;
    return a;
  }

  /** Values every account under `rule` into maintenance / initial / worstLoss / binding. */
  marginAll(rule: PortfolioMarginRule): void {
    for (let a = 0; a < this.accountCount; a++) this.margin(a, rule);
  }

  /** Values account a (see the file comment); returns its MM. */
  margin(a: number, rule: PortfolioMarginRule): number {
    const m = this.matrix;
    const count = m.scenarios;
    const losses = this.losses;
    const rows = m.losses;
    losses.fill(0);
    const first = this.legStart[a]!;
    const last = this.legStart[a + 1]!;
    let longUnits = 0;
    let shortUnits = 0;
    let netDeltaUnits = 0;
    let touched = 0;
    for (let k = first; k < last; k++) {
      const i = this.legInstrument[k]!;
      const q = this.legQuantity[k]!;
      const row = i * count;
      for (let s = 0; s < count; s++) losses[s] = losses[s]! + q * rows[row + s]!;
      const units = q * m.futuresUnits[i]!;
      if (units > 0) longUnits += units;
      else shortUnits -= units;
      netDeltaUnits += q * m.deltaUnits[i]!;
      const bucket = m.strikeBucket[i]!;
      if (bucket >= 0) {
        if (this.bucketSeen[bucket] !== a) {
          this.bucketSeen[bucket] = a;
          this.bucketUnits[bucket] = 0;
          this.touched[touched++] = bucket;
        }
        this.bucketUnits[bucket] = this.bucketUnits[bucket]! + q * m.contractSize[i]!;
      }
    }
    // bindingOf: the first scenario with the largest loss.
    let worst = 0;
    for (let s = 1; s < count; s++) if (losses[s]! > losses[worst]!) worst = s;
    const worstLoss = Math.max(losses[worst] ?? 0, 0);
    // contingenciesOf, in its order: net shorts summed in (expiry, strike) order.
    let netShortUnits = 0;
    if (touched > 0) {
      const buckets = this.touched.subarray(0, touched).sort();
      for (const bucket of buckets) {
        const units = this.bucketUnits[bucket]!;
        if (units < 0) netShortUnits = netShortUnits + -units;
      }
    }
    const contingency = rule.contingencies;
    const unitValue = m.currency === 'quote' ? m.indexPrice : 1;
    const basis = contingency.futures.basis;
    const charged = basis === 'gross' ? longUnits + shortUnits : basis === 'net' ? Math.abs(longUnits - shortUnits) : Math.min(longUnits, shortUnits);
    const total =
      contingency.futures.rate * charged * unitValue +
      contingency.optionPerNetShortCoin * netShortUnits * unitValue +
      contingency.deltaShockRate * Math.abs(netDeltaUnits) * unitValue;
    const maintenance = rule.maintenanceLossFactor * worstLoss + total;
    this.maintenance[a] = maintenance;
    this.initial[a] = rule.initialFactor * maintenance;
    this.worstLoss[a] = worstLoss;
    this.binding[a] = worst;
    return maintenance;
  }
}

