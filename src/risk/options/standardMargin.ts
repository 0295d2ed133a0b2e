/**
 * Standard (per-position) option margin in the style of Deribit's standard margin for inverse
 * options (METHODS.md section 3.2). Amounts are in coin per unit of underlying, S is the index
 * price and `mark` the option's mark price in coin:
 *   short call: IM = max(0.15 - OTM/S, 0.10) + mark,  MM = 0.075 + mark,  OTM = max(K - S, 0)
 *   short put:  MM = max(0.075, 0.075 mark) + mark,
 *               IM = max(max(0.15 - OTM/S, 0.10) + mark, MM),  OTM = max(S - K, 0)
 *   long:       IM = MM = 0 (the premium is paid); the position's mark value counts in equity,
 *               for initial margin after a haircut.
 * The triple 0.15 / 0.10 / 0.075 is a per-currency parameter set (`initialBase`, `initialMin`,
 * `maintenance`), never a constant here. Requirements are float64 risk measures; the caller rounds
 * them up when they become money (DESIGN.md D1).
 *
 * Worked (derived, S 100,000, Deribit BTC parameters): short call K 110,000, mark 0.02: IM 0.12,
 * MM 0.095; short put K 90,000, mark 0.015: IM 0.115, MM 0.09.
 */
import type { OptionKind } from '../pricing/blackScholes.js';
import { PricingInputError } from '../pricing/inputs.js';

export interface StandardOptionMarginParams {
  /** 0.15 on Deribit: the IM rate of an at-the-money short, reduced by OTM/S. */
  readonly initialBase: number;
  /** 0.10 on Deribit: the floor of that IM rate. */
  readonly initialMin: number;
  /** 0.075 on Deribit: the MM rate. */
  readonly maintenance: number;
  /** Share of a long option's mark value not counted for initial margin, in [0, 1]. */
  readonly longInitialHaircut: number;
}

export interface StandardOptionMarginInput {
  readonly kind: OptionKind;
  readonly side: 'long' | 'short';
  readonly strike: number;
  /** Units of underlying (Deribit BTC options: 1 BTC per contract), > 0. */
  readonly size: number;
  readonly indexPrice: number;
  /** Mark price in coin per unit of underlying. */
  readonly markCoin: number;
  readonly params: StandardOptionMarginParams;
}

export interface StandardOptionMargin {
  /** Initial margin of the whole position, coin. */
  readonly initialCoin: number;
  /** Maintenance margin of the whole position, coin. */
  readonly maintenanceCoin: number;
  /** Signed mark value of the position in coin: positive for a long, negative for a short. */
  readonly valueCoin: number;
  /** The value counted in equity for initial margin: longs after the haircut, shorts in full. */
  readonly valueForInitialCoin: number;
  /** The rule and its figures per unit, e.g. "short call: IM = max(0.15 - OTM/S 0.1000, 0.10) + ...". */
  readonly rule: string;
}

const CODE = 'option_margin_input_invalid';

function check(name: string, value: number, valid: boolean, rule: string): void {
  if (!Number.isFinite(value) || !valid) throw new PricingInputError(CODE, `${name} must be ${rule}`);
}

function checkInput(input: StandardOptionMarginInput): void {
  const { params } = input;
  if (input.kind !== 'call' && input.kind !== 'put') throw new PricingInputError(CODE, 'kind must be call or put');
  if (input.side !== 'long' && input.side !== 'short') throw new PricingInputError(CODE, 'side must be long or short');
  check('strike', input.strike, input.strike >= 0, '>= 0');
  check('size', input.size, input.size > 0, '> 0');
  check('indexPrice', input.indexPrice, input.indexPrice > 0, '> 0');
  check('markCoin', input.markCoin, input.markCoin >= 0, '>= 0');
  check('maintenance', params.maintenance, params.maintenance >= 0, '>= 0');
  // initialMin >= maintenance keeps IM >= MM for every short (see the law in the tests).
  check('initialMin', params.initialMin, params.initialMin >= params.maintenance, '>= maintenance');
  check('initialBase', params.initialBase, params.initialBase >= params.initialMin, '>= initialMin');
  const haircut = params.longInitialHaircut;
  check('longInitialHaircut', haircut, haircut >= 0 && haircut <= 1, 'in [0, 1]');
}

/** A parameter as written in the rule: at least two decimals (0.10), more when it has them (0.075). */
function formatRate(x: number): string {
  const trimmed = x.toFixed(6).replace(/0+$/, '');
  const decimals = trimmed.length - trimmed.indexOf('.') - 1;
  return decimals >= 2 ? trimmed : x.toFixed(2);
}

const figure = (x: number): string => x.toFixed(4);

/** One unit of a short position: strike, index price S and mark (coin), with the parameters. */
interface ShortUnit {
  readonly strike: number;
  readonly index: number;
  readonly mark: number;
  readonly p: StandardOptionMarginParams;
}

interface PerUnit {
  readonly initial: number;
  readonly maintenance: number;
  readonly rule: string;
}

/** Worked: K 110,000, S 100,000, mark 0.02: IM = max(0.15 - 0.10, 0.10) + 0.02 = 0.12, MM = 0.095. */
function shortCall({ strike, index, mark, p }: ShortUnit): PerUnit {
  const otmRatio = Math.max(strike - index, 0) / index;
  const initial = Math.max(p.initialBase - otmRatio, p.initialMin) + mark;
  const maintenance = p.maintenance + mark;
  const rule =
    `short call: IM = max(${formatRate(p.initialBase)} - OTM/S ${figure(otmRatio)}, ${formatRate(p.initialMin)})` +
    ` + mark ${figure(mark)} = ${figure(initial)};` +
    ` MM = ${formatRate(p.maintenance)} + mark ${figure(mark)} = ${figure(maintenance)}`;
  return { initial, maintenance, rule };
}

/** Worked: K 90,000, S 100,000, mark 0.015: MM = 0.075 + 0.015 = 0.09, IM = max(0.10 + 0.015, 0.09) = 0.115. */
function shortPut({ strike, index, mark, p }: ShortUnit): PerUnit {
  const otmRatio = Math.max(index - strike, 0) / index;
  const maintenance = Math.max(p.maintenance, p.maintenance * mark) + mark;
  const initial = Math.max(Math.max(p.initialBase - otmRatio, p.initialMin) + mark, maintenance);
  const m = formatRate(p.maintenance);
  const rule =
    `short put: MM = max(${m}, ${m} * mark) + mark ${figure(mark)} = ${figure(maintenance)};` +
    ` IM = max(max(${formatRate(p.initialBase)} - OTM/S ${figure(otmRatio)}, ${formatRate(p.initialMin)})` +
    ` + mark ${figure(mark)}, MM) = ${figure(initial)}`;
  return { initial, maintenance, rule };
}

/**
 * Worked (derived, S 100,000, 0.15 / 0.10 / 0.075): short call K 100,000, mark 0.05: IM 0.20,
 * MM 0.125; short call K 150,000, mark 0.001: IM 0.101, MM 0.076.
 */
export function standardOptionMargin(input: StandardOptionMarginInput): StandardOptionMargin {
  checkInput(input);
  const { kind, side, strike, size, indexPrice, markCoin, params } = input;
  const sizeNote = size === 1 ? '' : ` (per unit; size ${size})`;
  if (side === 'long') {
    const keep = 1 - params.longInitialHaircut;
    return {
      initialCoin: 0,
      maintenanceCoin: 0,
      valueCoin: markCoin * size,
      valueForInitialCoin: markCoin * size * keep,
      rule:
        `long ${kind}: IM = MM = 0; mark ${figure(markCoin)} counts in equity,` +
        ` x ${formatRate(keep)} for IM${sizeNote}`,
    };
  }
  const unit = { strike, index: indexPrice, mark: markCoin, p: params };
  const perUnit = kind === 'call' ? shortCall(unit) : shortPut(unit);
  return {
    initialCoin: perUnit.initial * size,
    maintenanceCoin: perUnit.maintenance * size,
    // 0 - x rather than -x, so that a zero mark is +0 and not -0.
    valueCoin: 0 - markCoin * size,
    valueForInitialCoin: 0 - markCoin * size,
    rule: perUnit.rule + sizeNote,
  };
}
