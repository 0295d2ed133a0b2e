/**
 * The cascade simulator (issue 6 item 6; RELIABILITY.md R16, R25): a seeded population of
 * accounts on a venue, run through the real engine (createEngine, the journal, the automatic
 * liquidation pass, the waterfall) along a price path, with the order-book depth model closing
 * the loop: what the insurance fund took over is sold into the book at the end of the step, its
 * price impact moves the next step's marks, and the fund bears the cost of walking the book.
 *
 * One step:
 *   1. the clock moves by the path's step; marks = path price x exp(cumulative log impact),
 *      rounded to the tick; `UpdatePrices` -> the engine's automatic liquidation pass (and up to
 *      `passesPerStep - 1` further passes while accounts wait);
 *   2. the fund's inventory in each instrument is sold (or bought back) to the book account at
 *      the average price of walking the book (depth.ts), one `ApplyFill` per instrument;
 *   3. the step's impact is added to the decayed cumulative impact (the next step's marks);
 *   4. the step's figures are read from the journal records the step appended, and the engine's
 *      ledger invariants (conservation, open interest) are checked.
 *
 * Deterministic for a seed: the population, a synthetic path and the engine are all seeded or
 * pure, the clock is manual, iteration orders are fixed, and the report holds no wall time.
 * This module touches no store of its own (the sim layer may not import one): the caller passes
 * the engine's store (a MemoryStore in the CLI and the tests).
 */
import { loadLiquidationParams, loadVenueParams } from '../config/load.js';
import { bodyOf, createEngine, ManualClock, riskAccountOf, riskMarketOf, type Command, type CommandResult, type Engine, type EngineEvent, type EngineOptions } from '../engine/index.js';
import { marginOf } from '../risk/account/account.js';
import { requirementOf } from '../risk/margin/requirement.js';
import { InputError } from '../risk/errors.js';
import { settlementAssetOf, type LinearInstrument } from '../risk/instruments/types.js';
import { INSURANCE_FUND_ACCOUNT_ID, SYSTEM_ACCOUNT_PREFIX, type LiquidationParams } from '../risk/liquidation/params.js';
import { formatAmount, parseAmount, priceFromNumber, toNumber, type Amount, type Price, type Size } from '../risk/units/quantities.js';
import { DEPTH_DEFAULTS, DEPTH_SHARE_OF_OPEN_INTEREST, impactOf, nextLogImpact, type DepthParams } from './depth.js';
import { namedPath, parsePathText, syntheticPath, type InstrumentRef, type PricePath } from './paths.js';
import { checkAccounts, generatePopulation, POPULATION_DEFAULTS, type Member, type PopulationParams } from './population.js';
import { checkUnwindPolicy, exitCostOf, FUND_UNWIND_DEFAULT, unwindLots, type FundUnwindPolicy } from './unwind.js';

export type PathSpec =
  | { readonly kind: 'named'; readonly name: string; readonly steps?: number; readonly depthCut?: number }
  | { readonly kind: 'synthetic'; readonly steps?: number; readonly depthCut?: number }
  | { readonly kind: 'file'; readonly name: string; readonly text: string; readonly steps?: number; readonly depthCut?: number };

export interface SimulationInput {
  /** A venue parameters document with a `liquidation` section. */
  readonly venue: unknown;
  readonly store: EngineOptions['store'];
  readonly path: PathSpec;
  readonly accounts: number;
  readonly seed: number;
  readonly population?: Partial<Omit<PopulationParams, 'accounts' | 'seed'>>;
  readonly depth?: Partial<DepthParams>;
  /** The insurance fund at the start, as a share of the traders' opening notional (default 0.005). */
  readonly insuranceFundShare?: number;
  /** Liquidation passes per step at most (the automatic one included; default 1). */
  readonly passesPerStep?: number;
  /** How the fund sells what it took over (unwind.ts; default FUND_UNWIND_DEFAULT). */
  readonly fundUnwind?: FundUnwindPolicy;
  readonly invariants?: 'event' | 'batch';
  readonly onProgress?: (done: number, total: number) => void | Promise<void>;
}

export interface StepReport {
  readonly step: number;
  readonly timeMs: number;
  readonly depthFactor: number;
  /** Per instrument: the path's price and the mark the engine saw (path x impact). */
  readonly pathPrices: Readonly<Record<string, number>>;
  readonly marks: Readonly<Record<string, number>>;
  /** Liquidation steps started (LiquidationStarted), and of them on the bankruptcy path. */
  readonly liquidations: number;
  readonly bankruptcies: number;
  readonly accountsLiquidated: number;
  /** Notional taken from liquidated accounts (exchanged value, settlement asset). */
  readonly liquidatedNotional: string;
  /** Deficits of bankrupt accounts: -equity at their bankruptcy step (valuation asset). */
  readonly badDebt: string;
  readonly badDebtCumulative: string;
  /** What the fund paid above mark for deficits (its drawdown) or paid in cash as the last resort. */
  readonly fundDrawdown: string;
  readonly fundEquity: string;
  /** Liquidation fees the fund received. */
  readonly fundFees: string;
  /** The rest of the fund's change: its inventory marked to market and sold into the book. */
  readonly fundTradingPnl: string;
  /** The fund's inventory after the step's sales: notional at the step's marks, and its PnL at mark against its entry. */
  readonly fundInventoryNotional: string;
  readonly fundUnrealisedPnl: string;
  readonly adlNotional: string;
  /** The part of the deficits ADL counterparties bore (their loss against mark). */
  readonly adlDeficit: string;
  readonly socialisedLoss: string;
  /** Notional the fund sold (or bought back) into the book, and the move it made per instrument. */
  readonly bookVolume: string;
  /** Notional the fund sold (or bought back) per instrument, at the step's marks. */
  readonly bookVolumeBySymbol: Readonly<Record<string, number>>;
  readonly impact: Readonly<Record<string, number>>;
  /** Accounts whose ledger a liquidation changed (liquidated, ADL'd, charged a socialised loss). */
  readonly accountsTouched: number;
  /** Accounts liquidatable or bankrupt after the step (the queue). */
  readonly waiting: number;
  readonly marginRatioMin: number | null;
  readonly marginRatioMedian: number | null;
  readonly invariantsOk: boolean;
  readonly violations: readonly string[];
}

export interface SimulationReport {
  readonly seed: number;
  readonly path: { readonly name: string; readonly description: string; readonly steps: number; readonly stepMs: number };
  readonly depth: DepthParams & { readonly depthPerPercent: Readonly<Record<string, string>> };
  readonly fundUnwind: FundUnwindPolicy;
  readonly population: { readonly traders: number; readonly spectators: number; readonly longs: number; readonly shorts: number; readonly openingNotional: string; readonly collateral: string; readonly leverageMedian: number };
  readonly fundStart: string;
  /** Per instrument, the path's price at step 0 (the opening marks, before rounding to the tick). */
  readonly startPrices: Readonly<Record<string, number>>;
  readonly steps: readonly StepReport[];
  readonly totals: {
    readonly liquidations: number;
    readonly bankruptcies: number;
    readonly accountsLiquidated: number;
    readonly liquidatedNotional: string;
    readonly badDebt: string;
    readonly fundDrawdown: string;
    readonly fundFees: string;
    readonly fundTradingPnl: string;
    readonly fundEnd: string;
    readonly fundMin: string;
    /** fundEnd = fundStart + fundRealisedPnl + fundUnrealisedEnd: cash change vs inventory at mark. */
    readonly fundRealisedPnl: string;
    readonly fundUnrealisedEnd: string;
    readonly fundInventoryEnd: string;
    /** Estimated cost of selling the remaining inventory into the last step's book at once, and the fund after it. */
    readonly fundExitCost: string;
    readonly fundEndAfterExit: string;
    readonly adlNotional: string;
    readonly adlDeficit: string;
    readonly socialisedLoss: string;
    readonly bookVolume: string;
    readonly accountsTouched: number;
    readonly waitingAtEnd: number;
  };
  readonly checks: {
    /** engine.invariants().ok after every step. */
    readonly invariantsEveryStep: boolean;
    /** Accounts without positions end with exactly their deposit and no position. */
    readonly spectatorsUntouched: boolean;
    /** The fund's equity never fell below the venue's fundFloor (trading losses included: a finding, not a law). */
    readonly fundAboveFloor: boolean;
    /** The waterfall never drew the fund below its floor: per step, drawdown <= room above the floor + fees earned. */
    readonly fundDrawnWithinFloor: boolean;
  };
}

export const BOOK_ACCOUNT_ID = 'sim-book';
/** 2026-01-01T00:00:00Z: the manual clock's start (no wall clock reaches a simulation). */
const START_MS = 1_767_225_600_000;
const CHUNK = 3_000;

/** The venue's parameters; an invalid document throws its DocumentError (every issue with its path). */
function venueOf(document: unknown): { readonly instruments: ReadonlyMap<string, LinearInstrument>; readonly liquidation: LiquidationParams } {
  const params = loadVenueParams(document);
  const liquidation = loadLiquidationParams(document);
  if (liquidation === undefined) throw new InputError('venue_liquidation_missing', 'the venue has no liquidation section: the engine would run no automatic pass', 'venue');
  return { instruments: params.instruments, liquidation };
}

function pathOf(spec: PathSpec, refs: readonly InstrumentRef[], seed: number): PricePath {
  switch (spec.kind) {
    case 'named':
      return namedPath(spec.name, refs, { ...(spec.steps === undefined ? {} : { steps: spec.steps }), ...(spec.depthCut === undefined ? {} : { depthCut: spec.depthCut }) });
    case 'synthetic':
      return syntheticPath(refs, { seed, steps: spec.steps ?? 60, ...(spec.depthCut === undefined ? {} : { depthCut: spec.depthCut }) });
    case 'file': {
      const path = parsePathText(spec.text, { name: spec.name, venueInstruments: refs.map((r) => r.symbol), ...(spec.depthCut === undefined ? {} : { depthCut: spec.depthCut }) });
      if (spec.steps !== undefined && spec.steps !== path.depthFactors.length - 1) {
        throw new InputError('path_steps_mismatch', `--steps ${spec.steps}: the file has ${path.depthFactors.length - 1} steps`, 'steps');
      }
      return path;
    }
  }
}

/** A price on the tick grid: down for a price we sell at, up for one we buy at; at least one tick. */
function onTick(value: number, tick: Price, rounding: 'floor' | 'ceil'): Price {
  const raw = priceFromNumber(Math.max(value, toNumber(tick, 'Price')), rounding);
  const ticks = rounding === 'floor' ? raw / tick : (raw + tick - 1n) / tick;
  return (ticks < 1n ? tick : ticks * tick) as Price;
}

const amountText = (value: bigint): string => formatAmount(value as Amount);

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function submitAll(engine: Engine, commands: readonly Command[]): Promise<void> {
  for (let i = 0; i < commands.length; i += CHUNK) {
    const chunk = commands.slice(i, i + CHUNK);
    const results = await Promise.all(chunk.map((c) => engine.submit(c)));
    results.forEach((r, k) => failUnlessOk(r, chunk[k] as Command));
  }
}

function failUnlessOk(result: CommandResult, command: Command): void {
  // The simulator builds every command itself: a refusal is a bug in it or in the engine.
  if (!result.ok) throw new Error(`Invariant: the engine refused the simulator's ${command.type} ${command.id}: ${result.code}: ${result.message}`);
}

export async function simulate(input: SimulationInput): Promise<SimulationReport> {
  checkAccounts(input.accounts);
  checkUnwindPolicy(input.fundUnwind ?? FUND_UNWIND_DEFAULT);
  if (!Number.isSafeInteger(input.seed) || input.seed < 0) throw new InputError('simulation_seed_invalid', 'the seed must be a whole number >= 0', 'seed');
  const venue = venueOf(input.venue);
  const linear = [...venue.instruments.values()].filter((i) => i.settlement === 'linear').sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  if (linear.length === 0) throw new InputError('venue_instruments_unsupported', 'the simulator trades linear perpetuals and futures; the venue has none', 'venue');
  const path = pathOf(input.path, linear.map((i) => ({ symbol: i.symbol, underlying: i.underlying })), input.seed);
  const steps = path.depthFactors.length - 1;
  const traded = linear.filter((i) => path.prices.has(i.symbol));
  const depth: DepthParams = { ...DEPTH_DEFAULTS, ...input.depth };
  const population = generatePopulation(
    { ...POPULATION_DEFAULTS, ...input.population, accounts: input.accounts, seed: input.seed },
    traded.map((i) => ({
      symbol: i.symbol,
      weight: 1,
      initialRateAt: (notional: number) => {
        const r = requirementOf(i.margin, { position: { notional, underlyingSize: notional / ((path.prices.get(i.symbol) as Float64Array)[0] as number), openInterestNotional: 0 } });
        return Math.max(r.initial / notional, 1e-6);
      },
    })),
  );

  const clock = new ManualClock(START_MS);
  const engine = await createEngine({ store: input.store, clock, params: input.venue, invariants: input.invariants ?? 'batch' });
  try {
    return await run({ input, engine, clock, path, steps, traded, depth, population, liquidation: venue.liquidation });
  } finally {
    await engine.close();
  }
}

interface RunContext {
  readonly input: SimulationInput;
  readonly engine: Engine;
  readonly clock: ManualClock;
  readonly path: PricePath;
  readonly steps: number;
  readonly traded: readonly LinearInstrument[];
  readonly depth: DepthParams;
  readonly population: readonly Member[];
  readonly liquidation: LiquidationParams;
}

async function run(ctx: RunContext): Promise<SimulationReport> {
  const { engine, clock, path, steps, traded, depth, population, input } = ctx;
  let commandCounter = 0;
  const id = (kind: string): string => `sim-${kind}-${++commandCounter}`;
  const startPrice = (symbol: string): number => (path.prices.get(symbol) as Float64Array)[0] as number;
  const assets = [...new Set(traded.map((i) => settlementAssetOf(i)))].sort();
  const assetPrices = Object.fromEntries(assets.map((a) => [a, onTick(1, 1n as Price, 'floor')]));

  // Opening: marks at the path's start, the book, the population, the fund.
  const marks0 = Object.fromEntries(traded.map((i) => [i.symbol, onTick(startPrice(i.symbol), i.tick, 'floor')]));
  await submitAll(engine, [{ type: 'UpdatePrices', id: id('prices'), prices: assetPrices, marks: marks0 }]);
  const openingCommands: Command[] = [];
  const bySymbol = new Map(traded.map((i) => [i.symbol, i]));
  let openingNotional = 0n;
  let collateralTotal = 0n;
  const openInterest = new Map<string, number>();
  const spectators: { accountId: string; asset: string; amount: Amount }[] = [];
  const traders: string[] = [];
  let longs = 0;
  const leverages: number[] = [];
  for (const m of population) {
    if (m.kind === 'spectator') {
      const asset = assets[0] as string;
      const amount = parseAmount(m.collateral.toFixed(2));
      openingCommands.push({ type: 'CreateAccount', id: id('create'), accountId: m.accountId, mode: 'cross' }, { type: 'Deposit', id: id('deposit'), accountId: m.accountId, asset, amount });
      spectators.push({ accountId: m.accountId, asset, amount });
      continue;
    }
    const instrument = bySymbol.get(m.instrument) as LinearInstrument;
    const mark = marks0[m.instrument] as Price;
    const unit = toNumber(mark, 'Price') * toNumber(instrument.contractSize, 'Size');
    const lots = BigInt(Math.max(1, Math.floor(m.notional / unit / toNumber(instrument.lot, 'Size'))));
    const size = (lots * instrument.lot) as Size;
    const notional = toNumber(size, 'Size') * unit;
    const collateral = parseAmount((Math.ceil((notional / m.leverage) * 100) / 100).toFixed(2));
    const asset = settlementAssetOf(instrument);
    const long = m.side === 'long';
    openingCommands.push(
      { type: 'CreateAccount', id: id('create'), accountId: m.accountId, mode: 'cross' },
      { type: 'Deposit', id: id('deposit'), accountId: m.accountId, asset, amount: collateral },
      {
        type: 'ApplyFill',
        id: id('fill'),
        instrument: m.instrument,
        price: mark,
        size,
        buyer: { accountId: long ? m.accountId : BOOK_ACCOUNT_ID },
        seller: { accountId: long ? BOOK_ACCOUNT_ID : m.accountId },
        aggressor: long ? 'buy' : 'sell',
      },
    );
    traders.push(m.accountId);
    if (long) longs += 1;
    leverages.push(m.leverage);
    openingNotional += parseAmount(notional.toFixed(2));
    collateralTotal += collateral;
    openInterest.set(m.instrument, (openInterest.get(m.instrument) ?? 0) + notional);
  }
  // The book is the venue's other side: unlevered (five times the traders' notional), never liquidated in practice.
  const bookDeposit = openingNotional * 5n + parseAmount('1000000');
  const fundStart = parseAmount(((toNumber(openingNotional as Amount, 'Amount') * (input.insuranceFundShare ?? 0.005)).toFixed(2)));
  await submitAll(engine, [
    { type: 'CreateAccount', id: id('create'), accountId: BOOK_ACCOUNT_ID, mode: 'cross' },
    ...assets.map((asset): Command => ({ type: 'Deposit', id: id('deposit'), accountId: BOOK_ACCOUNT_ID, asset, amount: bookDeposit as Amount })),
    ...(fundStart > 0n ? [{ type: 'Deposit', id: id('deposit'), accountId: INSURANCE_FUND_ACCOUNT_ID, asset: assets[0] as string, amount: fundStart } as Command] : []),
  ]);
  await submitAll(engine, openingCommands);

  const depthPerPercent = new Map<string, number>();
  for (const i of traded) {
    const share = DEPTH_SHARE_OF_OPEN_INTEREST[i.underlying] ?? (DEPTH_SHARE_OF_OPEN_INTEREST['*'] as number);
    depthPerPercent.set(i.symbol, Math.max(1, (openInterest.get(i.symbol) ?? 0) * share));
  }
  const logImpact = new Map<string, number>(traded.map((i) => [i.symbol, 0]));
  const fundFloor = ctx.liquidation.fundFloor;
  let seqRead = engine.lastSeq();
  const stepReports: StepReport[] = [];
  const touchedEver = new Set<string>();
  const liquidatedEver = new Set<string>();
  let badDebtCumulative = 0n;
  let fundMin = fundEquityOf(engine);
  let fundAboveFloor = fundMin >= fundFloor;
  let fundDrawnWithinFloor = true;
  let fundTradingTotal = 0n;
  const passesMax = Math.max(1, Math.floor(input.passesPerStep ?? 1));
  const policy = input.fundUnwind ?? FUND_UNWIND_DEFAULT;

  for (let t = 1; t <= steps; t++) {
    clock.advance(path.stepMs);
    const fundFlat = (engine.state.accounts.get(INSURANCE_FUND_ACCOUNT_ID)?.positions.size ?? 0) === 0;
    const fundBefore = fundEquityOf(engine);
    const depthFactor = path.depthFactors[t] as number;
    const marks: Record<string, Price> = {};
    const pathPrices: Record<string, number> = {};
    for (const i of traded) {
      const p = (path.prices.get(i.symbol) as Float64Array)[t] as number;
      pathPrices[i.symbol] = p;
      marks[i.symbol] = onTick(p * Math.exp(logImpact.get(i.symbol) as number), i.tick, 'floor');
    }
    await submitAll(engine, [{ type: 'UpdatePrices', id: id('prices'), prices: assetPrices, marks }]);
    for (let pass = 1; pass < passesMax && waitingOf(engine) > 0; pass++) await submitAll(engine, [{ type: 'LiquidationPass', id: id('pass') }]);

    // The fund's inventory goes into the book (all of it, or a share of the depth: the policy);
    // the move the sold volume makes joins the impact that the next step's marks carry.
    const impact: Record<string, number> = {};
    const bookVolumeBySymbol: Record<string, number> = {};
    let bookVolume = 0;
    const unwinds: Command[] = [];
    for (const i of traded) {
      const held = fundPositionOf(engine, i.symbol);
      const mark = marks[i.symbol] as Price;
      const depthNow = (depthPerPercent.get(i.symbol) as number) * depthFactor;
      const unit = toNumber(i.contractSize, 'Size') * toNumber(mark, 'Price');
      const heldAbs = held < 0n ? -held : held;
      const sellSize = (policy.kind === 'immediate' ? heldAbs : unwindLots(policy, { heldLots: heldAbs / i.lot, lotNotional: toNumber(i.lot, 'Size') * unit, depthNotional: depthNow }) * i.lot) as Size;
      const volume = toNumber(sellSize, 'Size') * unit;
      const hit = impactOf(depth, volume, depthNow);
      const sell = held > 0n;
      impact[i.symbol] = sellSize === 0n ? 0 : sell ? -hit.moveFraction : hit.moveFraction;
      logImpact.set(i.symbol, nextLogImpact(depth, logImpact.get(i.symbol) as number, sell ? -volume : volume, hit));
      if (sellSize === 0n) continue;
      bookVolume += volume;
      bookVolumeBySymbol[i.symbol] = volume;
      const price = onTick(toNumber(mark, 'Price') * (sell ? 1 - hit.averageFraction : 1 + hit.averageFraction), i.tick, sell ? 'floor' : 'ceil');
      unwinds.push({
        type: 'ApplyFill',
        id: id('unwind'),
        instrument: i.symbol,
        price,
        size: sellSize,
        buyer: { accountId: sell ? BOOK_ACCOUNT_ID : INSURANCE_FUND_ACCOUNT_ID },
        seller: { accountId: sell ? INSURANCE_FUND_ACCOUNT_ID : BOOK_ACCOUNT_ID },
        aggressor: sell ? 'sell' : 'buy',
      });
    }
    await submitAll(engine, unwinds);

    const records = await input.store.read(seqRead + 1, Number.MAX_SAFE_INTEGER);
    seqRead = engine.lastSeq();
    const tally = tallyOf(records.flatMap((r) => bodyOf(r).events));
    badDebtCumulative += tally.badDebt;
    tally.touched.forEach((a) => touchedEver.add(a));
    tally.liquidated.forEach((a) => liquidatedEver.add(a));
    const fundEquity = fundEquityOf(engine);
    if (fundEquity < fundMin) fundMin = fundEquity;
    // The waterfall draws the fund only down to its floor (plus the fees it earned in the step).
    // Checkable when the fund held nothing at the step's start: its equity was then cash, which
    // the price update did not move.
    if (fundFlat) {
      const room = fundBefore - fundFloor > 0n ? fundBefore - fundFloor : 0n;
      if (tally.fundDrawdown + tally.fundPaid > room + tally.fundFees) fundDrawnWithinFloor = false;
    }
    const fundTradingPnl = fundEquity - fundBefore - tally.fundFees + tally.fundDrawdown + tally.fundPaid;
    fundTradingTotal += fundTradingPnl;
    if (fundEquity < fundFloor) fundAboveFloor = false;
    const inventory = fundInventoryOf(engine, traded, marks);
    const ratios = marginRatios(engine, traders);
    const report = engine.invariants();
    stepReports.push({
      step: t,
      timeMs: t * path.stepMs,
      depthFactor,
      pathPrices,
      marks: Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, toNumber(v, 'Price')])),
      liquidations: tally.liquidations,
      bankruptcies: tally.bankruptcies,
      accountsLiquidated: tally.liquidated.size,
      liquidatedNotional: amountText(tally.liquidatedNotional),
      badDebt: amountText(tally.badDebt),
      badDebtCumulative: amountText(badDebtCumulative),
      fundDrawdown: amountText(tally.fundDrawdown),
      fundEquity: amountText(fundEquity),
      fundFees: amountText(tally.fundFees),
      fundTradingPnl: amountText(fundTradingPnl),
      fundInventoryNotional: inventory.notional.toFixed(2),
      fundUnrealisedPnl: amountText(fundUnrealisedOf(engine)),
      adlNotional: amountText(tally.adlNotional),
      adlDeficit: amountText(tally.adlDeficit),
      socialisedLoss: amountText(tally.socialisedLoss),
      bookVolume: bookVolume.toFixed(2),
      bookVolumeBySymbol,
      impact,
      accountsTouched: tally.touched.size,
      waiting: waitingOf(engine),
      marginRatioMin: ratios[0] ?? null,
      marginRatioMedian: median(ratios),
      invariantsOk: report.ok,
      violations: report.violations,
    });
    await input.onProgress?.(t, steps);
  }

  const spectatorsUntouched = spectators.every((s) => {
    const account = engine.state.accounts.get(s.accountId);
    return account !== undefined && account.positions.size === 0 && account.balances.get(s.asset) === s.amount && account.balances.size === 1;
  });
  const sum = (f: (s: StepReport) => string): string => amountText(stepReports.reduce((acc, s) => acc + parseAmount(f(s)), 0n));
  const sortedLeverage = [...leverages].sort((a, b) => a - b);
  const fundEnd = fundEquityOf(engine);
  const fundUnrealisedEnd = fundUnrealisedOf(engine);
  const exitCost = fundExitCostOf(engine, ctx, depthPerPercent, stepReports[stepReports.length - 1]);
  return {
    seed: input.seed,
    path: { name: path.name, description: path.description, steps, stepMs: path.stepMs },
    depth: { ...depth, depthPerPercent: Object.fromEntries([...depthPerPercent].map(([k, v]) => [k, v.toFixed(2)])) },
    fundUnwind: policy,
    population: {
      traders: traders.length,
      spectators: spectators.length,
      longs,
      shorts: traders.length - longs,
      openingNotional: amountText(openingNotional),
      collateral: amountText(collateralTotal),
      leverageMedian: median(sortedLeverage) ?? 0,
    },
    fundStart: amountText(fundStart),
    startPrices: Object.fromEntries(traded.map((i) => [i.symbol, startPrice(i.symbol)])),
    steps: stepReports,
    totals: {
      liquidations: stepReports.reduce((s, r) => s + r.liquidations, 0),
      bankruptcies: stepReports.reduce((s, r) => s + r.bankruptcies, 0),
      accountsLiquidated: liquidatedEver.size,
      liquidatedNotional: sum((s) => s.liquidatedNotional),
      badDebt: amountText(badDebtCumulative),
      fundDrawdown: sum((s) => s.fundDrawdown),
      fundFees: sum((s) => s.fundFees),
      fundTradingPnl: amountText(fundTradingTotal),
      fundEnd: amountText(fundEnd),
      fundMin: amountText(fundMin),
      fundRealisedPnl: amountText(fundEnd - fundStart - fundUnrealisedEnd),
      fundUnrealisedEnd: amountText(fundUnrealisedEnd),
      fundInventoryEnd: (stepReports[stepReports.length - 1]?.fundInventoryNotional ?? '0.00'),
      fundExitCost: exitCost.toFixed(2),
      fundEndAfterExit: (toNumber(fundEnd, 'Amount') - exitCost).toFixed(2),
      adlNotional: sum((s) => s.adlNotional),
      adlDeficit: sum((s) => s.adlDeficit),
      socialisedLoss: sum((s) => s.socialisedLoss),
      bookVolume: stepReports.reduce((s, r) => s + Number(r.bookVolume), 0).toFixed(2),
      accountsTouched: touchedEver.size,
      waitingAtEnd: waitingOf(engine),
    },
    checks: { invariantsEveryStep: stepReports.every((s) => s.invariantsOk), spectatorsUntouched, fundAboveFloor, fundDrawnWithinFloor },
  };
}

/** Margin ratios (MM collateral / MM) of the traders still holding positions, ascending. */
function marginRatios(engine: Engine, accountIds: readonly string[]): number[] {
  const state = engine.state;
  const params = state.params;
  if (params === undefined) return [];
  const market = riskMarketOf(state.market, state.openInterest, params.risk);
  const out: number[] = [];
  for (const id of accountIds) {
    const account = state.accounts.get(id);
    if (account === undefined || account.positions.size === 0) continue;
    const ratio = marginOf(riskAccountOf(account), market, params.risk).marginRatio;
    if (ratio !== null) out.push(ratio);
  }
  return out.sort((a, b) => a - b);
}

function fundPositionOf(engine: Engine, symbol: string): bigint {
  return engine.state.accounts.get(INSURANCE_FUND_ACCOUNT_ID)?.positions.get(symbol)?.size ?? 0n;
}

/** The fund's inventory: notional at the step's marks, per instrument and in total. */
function fundInventoryOf(engine: Engine, traded: readonly LinearInstrument[], marks: Readonly<Record<string, Price>>): { readonly notional: number; readonly bySymbol: ReadonlyMap<string, number> } {
  const bySymbol = new Map<string, number>();
  let notional = 0;
  for (const i of traded) {
    const held = fundPositionOf(engine, i.symbol);
    if (held === 0n) continue;
    const value = Math.abs(toNumber(held as Size, 'Size')) * toNumber(i.contractSize, 'Size') * toNumber(marks[i.symbol] as Price, 'Price');
    bySymbol.set(i.symbol, value);
    notional += value;
  }
  return { notional, bySymbol };
}

/** What selling the fund's remaining inventory into the last step's book at once would cost (depth.ts). */
function fundExitCostOf(engine: Engine, ctx: RunContext, depthPerPercent: ReadonlyMap<string, number>, last: StepReport | undefined): number {
  if (last === undefined) return 0;
  const marks = Object.fromEntries(Object.entries(last.marks).map(([k, v]) => [k, priceFromNumber(v, 'floor')]));
  let cost = 0;
  for (const [symbol, volume] of fundInventoryOf(engine, ctx.traded, marks).bySymbol) {
    cost += exitCostOf(ctx.depth, volume, (depthPerPercent.get(symbol) as number) * last.depthFactor);
  }
  return cost;
}

function fundUnrealisedOf(engine: Engine): Amount {
  return engine.accountFigures(INSURANCE_FUND_ACCOUNT_ID)?.unrealisedPnl ?? (0n as Amount);
}

function fundEquityOf(engine: Engine): Amount {
  return engine.accountFigures(INSURANCE_FUND_ACCOUNT_ID)?.equity ?? (0n as Amount);
}

function waitingOf(engine: Engine): number {
  let n = 0;
  for (const s of engine.state.liquidation.statuses.values()) if (s === 'liquidatable' || s === 'bankrupt') n += 1;
  return n;
}

interface Tally {
  liquidations: number;
  bankruptcies: number;
  liquidatedNotional: bigint;
  badDebt: bigint;
  fundDrawdown: bigint;
  fundPaid: bigint;
  fundFees: bigint;
  adlNotional: bigint;
  adlDeficit: bigint;
  socialisedLoss: bigint;
  readonly liquidated: Set<string>;
  readonly touched: Set<string>;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const isSystem = (id: string): boolean => id.startsWith(SYSTEM_ACCOUNT_PREFIX);

/** The liquidation figures of a step's journaled events. */
export function tallyOf(events: readonly EngineEvent[]): Tally {
  const t: Tally = { liquidations: 0, bankruptcies: 0, liquidatedNotional: 0n, badDebt: 0n, fundDrawdown: 0n, fundPaid: 0n, fundFees: 0n, adlNotional: 0n, adlDeficit: 0n, socialisedLoss: 0n, liquidated: new Set(), touched: new Set() };
  for (const e of events) {
    switch (e.type) {
      case 'LiquidationStarted':
        t.liquidations += 1;
        t.liquidated.add(e.accountId);
        t.touched.add(e.accountId);
        if (e.path === 'bankruptcy') {
          t.bankruptcies += 1;
          if (e.equity < 0n) t.badDebt -= e.equity;
        }
        break;
      case 'PositionLiquidated':
        t.liquidatedNotional += abs(e.value);
        t.fundDrawdown += e.fundLoss;
        if (e.kind === 'adl') {
          t.adlNotional += abs(e.value);
          t.adlDeficit += abs(e.value - e.markValue);
        }
        if (!isSystem(e.takerId)) t.touched.add(e.takerId);
        break;
      case 'LiquidationFeesCharged':
        t.fundFees += e.insuranceFee;
        if (e.liquidatorId === INSURANCE_FUND_ACCOUNT_ID) t.fundFees += e.liquidatorFee;
        break;
      case 'InsuranceFundPaid':
        t.fundPaid += e.amount;
        break;
      case 'LossSocialised':
        for (const p of e.payments) {
          if (p.amount < 0n) t.socialisedLoss -= p.amount;
          if (!isSystem(p.accountId)) t.touched.add(p.accountId);
        }
        break;
      default:
        break;
    }
  }
  return t;
}
