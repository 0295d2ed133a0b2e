/**
 * What flows into and out of the oracle. Inputs are observations (a source's price of an index
 * symbol at a time) and quotes (the venue's own book and last trade of an instrument); outputs are
 * engine commands.
 *
 * The command types here are structural copies of the engine's `UpdatePrices` and `SettleFunding`
 * (src/engine/commands.ts): the oracle sits below the engine in the layer rules (DESIGN.md; the
 * boundary test refuses even a type import of engine/), so it states the shape it produces, and
 * test/oracle/engine.test.ts proves at compile time that every `OracleCommand` is an engine
 * `Command`.
 */
import type { Price, Rate } from '../risk/units/quantities.js';

/**
 * The oracle's verdict on a price symbol, as the engine reads it: `ok`; `degraded` (too few fresh
 * sources, or a guarded price: risk-increasing orders are refused); `stale` (no fresh price: no
 * price is forwarded); `halted` (a circuit breaker tripped: no price is forwarded until fresh,
 * consistent prices return).
 */
export type MarketStatus = 'ok' | 'degraded' | 'stale' | 'halted';

/** One source's price of one index symbol (an asset or underlying, e.g. 'BTC'). */
export interface Observation {
  readonly source: string;
  readonly symbol: string;
  readonly price: Price;
  /** When the source says the price was true, in ms since the epoch. */
  readonly timestampMs: number;
  /** Half-width of the source's confidence interval (Pyth style), in price units. */
  readonly confidence?: Price;
}

/** The venue's own market in an instrument: what marks and funding are sampled from. */
export interface InstrumentQuote {
  readonly instrument: string;
  readonly timestampMs: number;
  readonly bid?: Price;
  readonly ask?: Price;
  readonly last?: Price;
  /** Average fill price of selling (bid) or buying (ask) the impact notional (Binance funding). */
  readonly impactBid?: Price;
  readonly impactAsk?: Price;
}

/** A feed's events in arrival order; `atMs` is when the oracle receives it. */
export type FeedEvent =
  | { readonly kind: 'observation'; readonly atMs: number; readonly observation: Observation }
  | { readonly kind: 'quote'; readonly atMs: number; readonly quote: InstrumentQuote };

export interface UpdatePricesCommand {
  readonly type: 'UpdatePrices';
  readonly id: string;
  readonly prices?: Readonly<Record<string, Price>>;
  readonly marks?: Readonly<Record<string, Price>>;
  readonly laggedPrices?: Readonly<Record<string, Price>>;
  readonly statuses?: Readonly<Record<string, MarketStatus>>;
  /** The tick's time: the engine refuses an update older than one it applied. */
  readonly asOfMs?: number;
}

export interface SettleFundingCommand {
  readonly type: 'SettleFunding';
  readonly id: string;
  readonly instrument: string;
  readonly rate: Rate;
  /** The interval's end: the engine settles each interval once, whatever the command id. */
  readonly intervalEndMs?: number;
}

export type OracleCommand = UpdatePricesCommand | SettleFundingCommand;

/** Where the oracle's commands go: an engine (`createEngine`) fits as it is. */
export interface CommandSink {
  submit(command: OracleCommand): Promise<{ readonly ok: boolean; readonly code?: string }>;
}

/** Expected refusals of an input, with stable codes that read as sentences (STYLE.md habit 6). */
export type InputRefusal =
  | 'index_unknown'
  | 'source_unknown'
  | 'instrument_unknown'
  | 'price_not_positive'
  | 'price_too_large'
  | 'observation_time_invalid'
  | 'observation_from_future'
  | 'observation_out_of_order'
  | 'observation_conflicting'
  | 'confidence_invalid'
  | 'quote_empty';

export type InputResult = { readonly ok: true; readonly duplicate: boolean } | { readonly ok: false; readonly code: InputRefusal; readonly message: string };
