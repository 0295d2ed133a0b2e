/**
 * `solvent option`: price a European option and print its Greeks (METHODS.md section 3.1), or,
 * with `--price`, the implied vol that reproduces that price and the Greeks at it.
 *
 *   solvent option --kind call --spot 42 --strike 40 --rate 0.1 --vol 0.2 --time 0.5
 *     Black-Scholes-Merton (Hull): call 4.759422
 *   solvent option --kind call --spot 21 --strike 20 --rate 0.1 --time 0.25 --price 1.875
 *     implied vol 0.2345 (Hull)
 *   solvent option --model black76 --forward 100000 --spot 99500 --strike 100000 --vol 0.6
 *     --time 0.0822 --rate 0 --settlement inverse          a Deribit-style inverse call, in coin
 *
 * Units: rates, yields and vols are annual decimals (0.1 = 10%), `--time` in years. Linear
 * settlement prices in the quote currency; inverse settlement in coin, the quote value divided by
 * the spot index (Deribit), and `--price` is then in coin too. Black-76 takes `--forward`
 * (`--spot` when absent). Bad input exits with 2 and a stable code: `option_flag_missing`,
 * `option_flag_invalid`, `option_input_invalid`, `implied_vol_none`.
 */
import type { Command } from 'commander';
import { black76, bsm, type Greeks, type OptionKind } from '../../risk/pricing/blackScholes.js';
import { impliedVol, impliedVolBlack76, type ImpliedVolResult } from '../../risk/pricing/impliedVol.js';
import { PricingInputError } from '../../risk/pricing/inputs.js';
import { CliInputError, type CommandContext } from '../context.js';

interface OptionFlags {
  readonly kind?: string;
  readonly model?: string;
  readonly settlement?: string;
  readonly spot?: string;
  readonly forward?: string;
  readonly strike?: string;
  readonly rate?: string;
  readonly yield?: string;
  readonly vol?: string;
  readonly time?: string;
  readonly price?: string;
  readonly json?: boolean;
}

type Model = 'bsm' | 'black76';
type Settlement = 'linear' | 'inverse';

export interface OptionQuote {
  readonly model: Model;
  readonly kind: OptionKind;
  readonly settlement: Settlement;
  readonly inputs: {
    readonly spot: number | null;
    readonly forward: number | null;
    readonly strike: number;
    readonly rate: number;
    readonly yield: number | null;
    readonly timeYears: number;
    /** The vol priced at: given, or implied from `price`. */
    readonly vol: number;
    /** The price given with --price, in the settlement currency; null when vol was given. */
    readonly price: number | null;
  };
  /** Solved from --price; null when vol was given. */
  readonly impliedVol: number | null;
  /** In quote: price, delta, gamma, vega per 1.00 vol, theta per year, rho per 1.00 rate. */
  readonly greeks: Greeks;
  /** Inverse settlement: the value and sensitivities in coin (quote / spot); null when linear. */
  readonly coin: { readonly price: number; readonly delta: number; readonly vega: number; readonly theta: number } | null;
}

const CHOICES = {
  kind: ['call', 'put'],
  model: ['bsm', 'black76'],
  settlement: ['linear', 'inverse'],
} as const;

function choice<K extends keyof typeof CHOICES>(flag: K, value: string | undefined, fallback?: (typeof CHOICES)[K][number]): (typeof CHOICES)[K][number] {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new CliInputError('option_flag_missing', `--${flag} is required (${CHOICES[flag].join(' or ')})`);
  }
  const found = (CHOICES[flag] as readonly string[]).find((c) => c === value);
  if (found === undefined) throw new CliInputError('option_flag_invalid', `--${flag} must be ${CHOICES[flag].join(' or ')}, got "${value}"`);
  return found as (typeof CHOICES)[K][number];
}

/** A number flag: a plain decimal (exponents allowed), finite. */
function numberFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\s*$/.test(text) ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw new CliInputError('option_flag_invalid', `--${flag} must be a finite number, got "${text}"`);
  return value;
}

function required(flag: string, value: number | undefined): number {
  if (value === undefined) throw new CliInputError('option_flag_missing', `--${flag} is required`);
  return value;
}

function quoteOf(flags: OptionFlags): OptionQuote {
  const kind = choice('kind', flags.kind);
  const model = choice('model', flags.model, 'bsm');
  const settlement = choice('settlement', flags.settlement, 'linear');
  const spot = numberFlag('spot', flags.spot);
  const forwardGiven = numberFlag('forward', flags.forward);
  const strike = required('strike', numberFlag('strike', flags.strike));
  const rate = numberFlag('rate', flags.rate) ?? 0;
  const yieldRate = numberFlag('yield', flags.yield);
  const timeYears = required('time', numberFlag('time', flags.time));
  const givenPrice = numberFlag('price', flags.price);
  const givenVol = numberFlag('vol', flags.vol);
  if (model === 'black76' && yieldRate !== undefined) throw new CliInputError('option_flag_invalid', '--yield applies to bsm only (Black-76 has no yield)');
  if (model === 'bsm' && forwardGiven !== undefined) throw new CliInputError('option_flag_invalid', '--forward applies to black76 only');
  const underlying = model === 'black76' ? required('forward (or --spot)', forwardGiven ?? spot) : required('spot', spot);
  if (settlement === 'inverse' && spot === undefined) throw new CliInputError('option_flag_missing', '--spot is required for inverse settlement (the index that converts quote to coin)');
  if (settlement === 'inverse' && !(spot !== undefined && spot > 0)) throw new CliInputError('option_input_invalid', '--spot must be > 0 for inverse settlement');
  if (givenPrice !== undefined && givenVol !== undefined) throw new CliInputError('option_flag_invalid', 'give --vol to price, or --price to solve for the vol, not both');
  const index = spot ?? underlying;
  let vol: number;
  let implied: number | null = null;
  if (givenPrice === undefined) {
    vol = required('vol (or --price)', givenVol);
  } else {
    const quotePrice = settlement === 'inverse' ? givenPrice * index : givenPrice;
    const result: ImpliedVolResult =
      model === 'bsm'
        ? impliedVol({ kind, price: quotePrice, spot: underlying, strike, rate, yield: yieldRate ?? 0, timeYears })
        : impliedVolBlack76({ kind, price: quotePrice, forward: underlying, strike, rate, timeYears });
    if (result.kind === 'none') throw new CliInputError('implied_vol_none', `no implied vol reproduces price ${givenPrice}: ${result.reason}`);
    vol = result.vol;
    implied = result.vol;
  }
  const greeks =
    model === 'bsm'
      ? bsm({ kind, spot: underlying, strike, rate, yield: yieldRate ?? 0, vol, timeYears })
      : black76({ kind, forward: underlying, strike, rate, vol, timeYears });
  // Inverse: V_coin = V / S; coin delta S dV_coin/dS = (dV/dS_underlying) x (underlying / S) - V_coin (options.ts).
  const coin =
    settlement === 'inverse'
      ? {
          price: greeks.price / index,
          delta: (greeks.delta * underlying) / index - greeks.price / index,
          vega: greeks.vega / index,
          theta: greeks.theta / index,
        }
      : null;
  return {
    model,
    kind,
    settlement,
    inputs: {
      spot: spot ?? null,
      forward: model === 'black76' ? underlying : null,
      strike,
      rate,
      yield: model === 'bsm' ? (yieldRate ?? 0) : null,
      timeYears,
      vol,
      price: givenPrice ?? null,
    },
    impliedVol: implied,
    greeks,
    coin,
  };
}

/** Six decimals, -0 shown as 0: Hull prints his figures to 6 places. */
const fixed = (x: number): string => (x + 0).toFixed(6);

function optionTable(q: OptionQuote): string {
  const i = q.inputs;
  const where = q.model === 'bsm' ? `spot ${i.spot}, yield ${i.yield}` : `forward ${i.forward}${i.spot === null ? '' : `, index ${i.spot}`}`;
  const lines = [
    `${q.kind} (${q.model === 'bsm' ? 'Black-Scholes-Merton' : 'Black-76'}, ${q.settlement}): ${where}, strike ${i.strike}, rate ${i.rate}, T ${i.timeYears} years`,
  ];
  if (q.impliedVol !== null) lines.push(`implied vol      ${fixed(q.impliedVol)}   (reproduces price ${i.price}${q.settlement === 'inverse' ? ' coin' : ''})`);
  else lines.push(`vol              ${fixed(i.vol)}`);
  const g = q.greeks;
  lines.push(
    `price            ${fixed(g.price)}   quote`,
    `delta            ${fixed(g.delta)}`,
    `gamma            ${fixed(g.gamma)}`,
    `vega             ${fixed(g.vega)}   per 1.00 of vol (${fixed(g.vega / 100)} per vol point)`,
    `theta            ${fixed(g.theta)}   per year (${fixed(g.theta / 365)} per day)`,
    `rho              ${fixed(g.rho)}   per 1.00 of rate`,
  );
  if (q.coin !== null) {
    lines.push(
      `price (coin)     ${fixed(q.coin.price)}   quote value / index`,
      `delta (coin)     ${fixed(q.coin.delta)}   coin PnL per unit relative move of the index`,
      `vega (coin)      ${fixed(q.coin.vega)}`,
      `theta (coin)     ${fixed(q.coin.theta)}   per year`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function registerOptionCommand(program: Command, context: CommandContext): void {
  program
    .command('option')
    .description('price a European option and print its Greeks, or its implied vol with --price')
    .option('--kind <kind>', 'call or put')
    .option('--model <model>', 'bsm (spot, yield) or black76 (forward)', 'bsm')
    .option('--settlement <settlement>', 'linear (quote) or inverse (coin: quote / spot)', 'linear')
    .option('--spot <S>', 'spot price (bsm), or the index that converts quote to coin (inverse)')
    .option('--forward <F>', 'forward price (black76; --spot when absent)')
    .option('--strike <K>', 'strike price')
    .option('--rate <r>', 'risk-free rate, annual, continuously compounded (0.1 = 10%)', '0')
    .option('--yield <q>', 'continuous yield (bsm only; default 0)')
    .option('--vol <sigma>', 'volatility, annual (0.2 = 20%)')
    .option('--time <T>', 'time to expiry in years')
    .option('--price <P>', 'a price to solve the implied vol for (coin when inverse), instead of --vol')
    .option('--json', 'print the figures as JSON')
    .action((flags: OptionFlags) => {
      let quote: OptionQuote;
      try {
        quote = quoteOf(flags);
      } catch (error) {
        // The pricing core rejects bad numbers with a coded RangeError; at the CLI's edge it is bad input.
        if (error instanceof PricingInputError) throw new CliInputError(error.code, error.detail);
        throw error;
      }
      context.io.stdout(flags.json === true ? `${JSON.stringify(quote, null, 2)}\n` : optionTable(quote));
    });
}
