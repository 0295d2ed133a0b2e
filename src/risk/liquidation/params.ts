/**
 * Liquidation parameters of a venue (DESIGN.md D6: parameters are data). They come from the
 * optional `liquidation` section of the venue document; every field has a default, so
 * `liquidation: {}` turns automatic liquidation on with the values below. A venue document without
 * the section runs no automatic pass (operators may still liquidate with the `Liquidate` command,
 * which then uses these defaults): existing venues keep their behaviour until they opt in.
 *
 * Defaults and their sources (METHODS.md §4):
 * - buffer 2% of notional above MM (Drift's liquidation margin buffer);
 * - liquidator fee 1%, insurance-fund fee 1% (Drift's tests); insurance-fund fee cap on
 *   liquidation-order fills 1.5% of the fill (dYdX);
 * - step limits: a whole position per step, 1,000 of notional at least, 100,000 of notional per
 *   account per step (dYdX), positions left below 10 of notional close whole;
 * - 100 accounts liquidated per tick, worst first; the rest wait for the next tick;
 * - liquidation orders never fill beyond the bankruptcy price minus a 5% band.
 *
 * This module is pure: it reads a plain document section (already schema-checked by the config
 * layer) and reports semantic problems through a callback, so that the config layer collects
 * them with every other problem of the document (all or nothing).
 */
import { InputError } from '../errors.js';
import { RATE_ONE, parseAmount, parseRate, parseSize, type Amount, type Rate, type Size } from '../units/quantities.js';
import { AUCTION_SCHEDULE_DEFAULT, type AuctionSchedule } from './auction.js';
import type { StepLimits } from './sizing.js';

/** How a liquidation step's size is placed (per instrument). */
export type ExecutionMode =
  /** (a) The insurance fund account takes the size over: at mark while equity is left, at the bankruptcy price after. */
  | 'backstop'
  /** (b) A configured liquidator account takes it over at mark, against the liquidator fee (Drift, Mango). */
  | 'liquidator'
  /** (c) A reduce-only liquidation order is sent to the venue, its limit bounded by the bankruptcy price minus a band. */
  | 'orders'
  /** (d) A Dutch auction of a slice of the whole portfolio for bidders (Lyra v2): see auction.ts. */
  | 'auction';

export type WaterfallStepKind = 'insuranceFund' | 'adl' | 'socialisedLoss';

export interface WaterfallStep {
  readonly step: WaterfallStepKind;
  /** At most this much of one bankruptcy's deficit is covered by the step, valuation asset; absent: no cap. */
  readonly capValue?: Amount;
}

/** ADL ranking: the queue of Binance/Bybit/Hyperliquid, or the risk-aware pro-rata allocation. */
export type AdlMode = 'queue' | 'proRata';

/** What to do with accounts whose prices the oracle calls halted or stale. */
export type UnreliablePricePolicy = 'pause' | 'guarded';

export interface InstrumentLiquidation {
  readonly execution: ExecutionMode;
  /**
   * The insurance fund's position in this instrument may not exceed this notional (quote asset)
   * through backstop takeovers (R14, Hyperliquid JELLY); the excess goes to ADL. Infinity: no cap.
   */
  readonly backstopNotionalMax: number;
  /** The fund pays at most this much of this instrument's deficits in total (settlement asset); absent: no budget. */
  readonly fundDrawdownMax?: Amount;
  /** Pre-trade: open interest (long contracts) may not grow beyond this; absent: no cap (R11, R12). */
  readonly openInterestMax?: Size;
  /** Pre-trade: one account's |position| plus resting orders on the growing side may not exceed this; absent: no cap. */
  readonly positionMax?: Size;
}

export interface LiquidationParams {
  /** Run a liquidation pass after every price update. */
  readonly automatic: boolean;
  /** Accounts liquidated per pass, worst margin ratio first (STYLE.md habit 10). */
  readonly accountsPerTickMax: number;
  /** Liquidate to MM plus this fraction of notional (Drift: 2%). */
  readonly buffer: number;
  readonly liquidatorFee: Rate;
  readonly insuranceFee: Rate;
  /** Liquidation-order fills: the fund takes at most this fraction of the fill above bankruptcy (dYdX 1.5%). */
  readonly insuranceFeeCap: Rate;
  readonly stepLimits: StepLimits;
  /** Liquidation orders never fill beyond the bankruptcy price minus this fraction of it (R19). */
  readonly priceBand: number;
  /** A liquidation order not filled within this time is cancelled and its size goes to the backstop. */
  readonly orderTtlMs: number;
  readonly liquidatorAccountId?: string;
  readonly onUnreliablePrice: UnreliablePricePolicy;
  /** The fund's equity is not drawn below this (valuation asset); what it cannot pay goes down the waterfall. */
  readonly fundFloor: Amount;
  /** After the account's own equity; whatever is left after the last step is socialised. */
  readonly waterfall: readonly WaterfallStep[];
  readonly adlMode: AdlMode;
  readonly instruments: ReadonlyMap<string, InstrumentLiquidation>;
  readonly defaultExecution: ExecutionMode;
  /** Mode (d): the discount schedule of a Dutch auction (Lyra v2 defaults). */
  readonly auction: AuctionSchedule;
}

export const INSTRUMENT_LIQUIDATION_DEFAULT: InstrumentLiquidation = { execution: 'backstop', backstopNotionalMax: Number.POSITIVE_INFINITY };

export const LIQUIDATION_DEFAULTS: LiquidationParams = {
  automatic: true,
  accountsPerTickMax: 100,
  buffer: 0.02,
  liquidatorFee: (RATE_ONE / 100n) as Rate,
  insuranceFee: (RATE_ONE / 100n) as Rate,
  insuranceFeeCap: ((RATE_ONE * 15n) / 1000n) as Rate,
  stepLimits: { fractionMax: 1, notionalMinPerStep: 1_000, notionalMaxPerAccountStep: 100_000, remainderMin: 10 },
  priceBand: 0.05,
  orderTtlMs: 60_000,
  onUnreliablePrice: 'pause',
  fundFloor: 0n as Amount,
  waterfall: [{ step: 'insuranceFund' }, { step: 'adl' }, { step: 'socialisedLoss' }],
  adlMode: 'queue',
  instruments: new Map(),
  defaultExecution: 'backstop',
  auction: AUCTION_SCHEDULE_DEFAULT,
};

/** The insurance fund: a system account, created at genesis (ids starting with `system:` are reserved). */
export const INSURANCE_FUND_ACCOUNT_ID = 'system:insurance-fund';
export const SYSTEM_ACCOUNT_PREFIX = 'system:';

export function instrumentLiquidationOf(params: LiquidationParams, symbol: string): InstrumentLiquidation {
  return params.instruments.get(symbol) ?? { ...INSTRUMENT_LIQUIDATION_DEFAULT, execution: params.defaultExecution };
}

/** The `liquidation` section as the schema admits it: decimal strings, as every number in the document. */
export interface LiquidationDocument {
  readonly automatic?: boolean;
  readonly accountsPerTickMax?: string;
  readonly buffer?: string;
  readonly liquidatorFee?: string;
  readonly insuranceFee?: string;
  readonly insuranceFeeCap?: string;
  readonly stepLimits?: {
    readonly fractionMax?: string;
    readonly notionalMinPerStep?: string;
    readonly notionalMaxPerAccountStep?: string;
    readonly remainderMin?: string;
  };
  readonly priceBand?: string;
  readonly orderTtlMs?: string;
  readonly liquidatorAccountId?: string;
  readonly onUnreliablePrice?: UnreliablePricePolicy;
  readonly fundFloor?: string;
  readonly waterfall?: readonly { readonly step: WaterfallStepKind; readonly cap?: string }[];
  readonly adl?: { readonly mode?: AdlMode };
  readonly execution?: ExecutionMode;
  readonly auction?: {
    readonly discountStart?: string;
    readonly discountFastEnd?: string;
    readonly discountEnd?: string;
    readonly fastDurationMs?: string;
    readonly slowDurationMs?: string;
  };
  readonly instruments?: Readonly<
    Record<
      string,
      {
        readonly execution?: ExecutionMode;
        readonly backstopNotionalMax?: string;
        readonly fundDrawdownMax?: string;
        readonly openInterestMax?: string;
        readonly positionMax?: string;
      }
    >
  >;
}

export type ReportIssue = (path: string, code: string, message: string) => void;

/**
 * Read the section, defaults filled in. `instruments` is the set of known instrument symbols (an
 * override for an unknown one is a problem). Problems go to `report`; the result is meaningful
 * only when none was reported.
 */
export function liquidationParamsFrom(doc: LiquidationDocument, instruments: ReadonlySet<string>, report: ReportIssue): LiquidationParams {
  const d = LIQUIDATION_DEFAULTS;
  const num = (path: string, text: string | undefined, fallback: number, min: number, max: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!(value >= min && value <= max)) report(path, 'value_out_of_range', `${text} must be within [${min}, ${max}]`);
    return value;
  };
  const exact = <T>(path: string, text: string | undefined, fallback: T, parse: (t: string) => T): T => {
    if (text === undefined) return fallback;
    try {
      return parse(text);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      report(path, error.code, error.message);
      return fallback;
    }
  };
  const feeRate = (path: string, text: string | undefined, fallback: Rate): Rate => {
    const value = exact(path, text, fallback, (t) => parseRate(t, path));
    if (value < 0n || value > RATE_ONE / 10n) report(path, 'value_out_of_range', `${text ?? ''} must be within [0, 0.1]`);
    return value;
  };
  const positiveAmount = (path: string, text: string | undefined): Amount | undefined => {
    const value = exact<Amount | undefined>(path, text, undefined, (t) => parseAmount(t, path));
    if (value !== undefined && value < 0n) report(path, 'value_negative', 'must be >= 0');
    return value;
  };
  const positiveSize = (path: string, text: string | undefined): Size | undefined => {
    const value = exact<Size | undefined>(path, text, undefined, (t) => parseSize(t, path));
    if (value !== undefined && value <= 0n) report(path, 'value_not_positive', 'must be > 0');
    return value;
  };

  const accountsPerTickMax = num('/accountsPerTickMax', doc.accountsPerTickMax, d.accountsPerTickMax, 1, 100_000);
  if (!Number.isInteger(accountsPerTickMax)) report('/accountsPerTickMax', 'value_not_integer', 'must be a whole number');
  const orderTtlMs = num('/orderTtlMs', doc.orderTtlMs, d.orderTtlMs, 1, 7 * 24 * 3_600_000);
  if (!Number.isInteger(orderTtlMs)) report('/orderTtlMs', 'value_not_integer', 'must be a whole number of milliseconds');
  const s = doc.stepLimits ?? {};
  const stepLimits: StepLimits = {
    fractionMax: num('/stepLimits/fractionMax', s.fractionMax, d.stepLimits.fractionMax, Number.MIN_VALUE, 1),
    notionalMinPerStep: num('/stepLimits/notionalMinPerStep', s.notionalMinPerStep, d.stepLimits.notionalMinPerStep, 0, 1e15),
    notionalMaxPerAccountStep: num('/stepLimits/notionalMaxPerAccountStep', s.notionalMaxPerAccountStep, d.stepLimits.notionalMaxPerAccountStep, Number.MIN_VALUE, 1e15),
    remainderMin: num('/stepLimits/remainderMin', s.remainderMin, d.stepLimits.remainderMin, 0, 1e15),
  };

  const waterfall: WaterfallStep[] = (doc.waterfall ?? d.waterfall.map((w) => ({ step: w.step }))).map((w, i) => {
    const cap = positiveAmount(`/waterfall/${i}/cap`, 'cap' in w ? w.cap : undefined);
    return { step: w.step, ...(cap === undefined ? {} : { capValue: cap }) };
  });
  const seen = new Set<WaterfallStepKind>();
  waterfall.forEach((w, i) => {
    if (seen.has(w.step)) report(`/waterfall/${i}/step`, 'waterfall_step_repeated', `${w.step} appears twice`);
    seen.add(w.step);
    if (w.step === 'socialisedLoss' && w.capValue !== undefined) {
      report(`/waterfall/${i}/cap`, 'waterfall_last_resort_capped', 'socialised loss is the last resort: it takes whatever is left, uncapped');
    }
  });

  const defaultExecution = doc.execution ?? d.defaultExecution;
  const overrides = new Map<string, InstrumentLiquidation>();
  for (const [symbol, o] of Object.entries(doc.instruments ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const path = `/instruments/${symbol}`;
    if (!instruments.has(symbol)) report(path, 'instrument_unknown', `no instrument ${symbol} in /instruments`);
    const fundDrawdownMax = positiveAmount(`${path}/fundDrawdownMax`, o.fundDrawdownMax);
    const openInterestMax = positiveSize(`${path}/openInterestMax`, o.openInterestMax);
    const positionMax = positiveSize(`${path}/positionMax`, o.positionMax);
    overrides.set(symbol, {
      execution: o.execution ?? defaultExecution,
      backstopNotionalMax: num(`${path}/backstopNotionalMax`, o.backstopNotionalMax, Number.POSITIVE_INFINITY, 0, Number.POSITIVE_INFINITY),
      ...(fundDrawdownMax === undefined ? {} : { fundDrawdownMax }),
      ...(openInterestMax === undefined ? {} : { openInterestMax }),
      ...(positionMax === undefined ? {} : { positionMax }),
    });
  }
  // The auction schedule (mode d): 0 <= start <= fast end <= end <= 1, whole milliseconds, some duration.
  const auctionSchedule = (): AuctionSchedule => {
    const a = doc.auction ?? {};
    const discount = (field: 'discountStart' | 'discountFastEnd' | 'discountEnd'): Rate => {
      const value = exact(`/auction/${field}`, a[field], d.auction[field], (t) => parseRate(t, `/auction/${field}`));
      if (value < 0n || value > RATE_ONE) report(`/auction/${field}`, 'value_out_of_range', `${a[field] ?? ''} must be within [0, 1]`);
      return value;
    };
    const duration = (field: 'fastDurationMs' | 'slowDurationMs'): number => {
      const value = num(`/auction/${field}`, a[field], d.auction[field], 0, 30 * 24 * 3_600_000);
      if (!Number.isInteger(value)) report(`/auction/${field}`, 'value_not_integer', 'must be a whole number of milliseconds');
      return value;
    };
    const schedule: AuctionSchedule = {
      discountStart: discount('discountStart'),
      discountFastEnd: discount('discountFastEnd'),
      discountEnd: discount('discountEnd'),
      fastDurationMs: duration('fastDurationMs'),
      slowDurationMs: duration('slowDurationMs'),
    };
    if (schedule.discountStart > schedule.discountFastEnd || schedule.discountFastEnd > schedule.discountEnd) {
      report('/auction', 'auction_discounts_not_ordered', 'discountStart <= discountFastEnd <= discountEnd: the price only falls');
    }
    if (!(schedule.fastDurationMs + schedule.slowDurationMs > 0)) report('/auction', 'value_out_of_range', 'an auction lasts some time: fastDurationMs + slowDurationMs > 0');
    return schedule;
  };
  const liquidatorAccountId = doc.liquidatorAccountId;
  if (liquidatorAccountId !== undefined && liquidatorAccountId.startsWith(SYSTEM_ACCOUNT_PREFIX)) {
    report('/liquidatorAccountId', 'account_id_reserved', `ids starting with "${SYSTEM_ACCOUNT_PREFIX}" are the venue's own`);
  }
  const usesLiquidator = defaultExecution === 'liquidator' || [...overrides.values()].some((o) => o.execution === 'liquidator');
  if (usesLiquidator && liquidatorAccountId === undefined) {
    report('/liquidatorAccountId', 'liquidator_account_missing', 'the liquidator execution mode needs a liquidator account');
  }
  return {
    automatic: doc.automatic ?? d.automatic,
    accountsPerTickMax,
    buffer: num('/buffer', doc.buffer, d.buffer, 0, 1),
    liquidatorFee: feeRate('/liquidatorFee', doc.liquidatorFee, d.liquidatorFee),
    insuranceFee: feeRate('/insuranceFee', doc.insuranceFee, d.insuranceFee),
    insuranceFeeCap: feeRate('/insuranceFeeCap', doc.insuranceFeeCap, d.insuranceFeeCap),
    stepLimits,
    priceBand: num('/priceBand', doc.priceBand, d.priceBand, 0, 0.5),
    orderTtlMs,
    ...(liquidatorAccountId === undefined ? {} : { liquidatorAccountId }),
    onUnreliablePrice: doc.onUnreliablePrice ?? d.onUnreliablePrice,
    fundFloor: positiveAmount('/fundFloor', doc.fundFloor) ?? d.fundFloor,
    waterfall,
    adlMode: doc.adl?.mode ?? d.adlMode,
    instruments: overrides,
    defaultExecution,
    auction: auctionSchedule(),
  };
}
