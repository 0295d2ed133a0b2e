/**
 * Portfolio margin by scenarios, Deribit and Lyra style (METHODS.md 3.3), for one underlying:
 *   worst loss = max(0, max_s sum_i q_i x array_i[s])        (tail scenarios at their weights)
 *   MM = maintenanceLossFactor x worst loss + contingencies  (Deribit 1; Lyra-like 0.8)
 *   IM = initialFactor x MM                                  (Deribit-like 1.3)
 * Worked (Dederi's example, METHODS.md): long 10 ETH futures, index 2,243.3, forward
 * 2,243.3 e^(0.08 x 20/365) = 2,253.155, grid -15%..+15% by 3%: worst loss 10 x 2,253.155 x 15%
 * = 3,379.73 (published 3,380) at -15%; futures contingency 0.006 x 2,243.3 x 10 = 134.60;
 * MM = 3,514.33 (METHODS.md's 3,514.6 adds the rounded 3,380 and 134.6).
 *
 * The requirement is a float64 risk measure in the portfolio's valuation currency; the caller rounds
 * it up into an Amount. Equity (cash plus the mark-to-market of the positions) is compared with it
 * elsewhere: the scenario losses are changes from today's marks.
 */
import { InputError } from '../errors.js';
import { checkContingencyParams, contingenciesOf, type ContingencyBreakdown, type ContingencyParams } from './contingencies.js';
import { buildRiskArrays, entryOf, netPositions, portfolioLosses, type NetPosition, type RiskArrays } from './riskArrays.js';
import { makeScenarioGrid, type PmScenario, type ScenarioGridSpec } from './scenarios.js';
import { requireNumber, type PmMarket, type PmPosition, type ValuationCurrency } from './types.js';

export interface PortfolioMarginRule {
  readonly contingencies: ContingencyParams;
  /** MM = factor x worst loss + contingencies; > 0. */
  readonly maintenanceLossFactor: number;
  /** IM = factor x MM; >= 1, so that IM >= MM. */
  readonly initialFactor: number;
}

export interface PortfolioMarginModel {
  readonly name: string;
  readonly grid: ScenarioGridSpec;
  readonly currency: ValuationCurrency;
  readonly rule: PortfolioMarginRule;
}

export interface PositionInScenario {
  readonly instrumentId: string;
  readonly quantity: number;
  /** Weighted loss of the position in the scenario, positive = loss. */
  readonly loss: number;
  /** Its PnL before the weight, positive = gain. */
  readonly pnl: number;
}

export interface BindingScenario {
  readonly scenario: PmScenario;
  /** Weighted loss of the portfolio (may be <= 0 when no scenario loses). */
  readonly loss: number;
  readonly positions: readonly PositionInScenario[];
}

export interface PortfolioMarginResult {
  readonly model: string;
  readonly underlying: string;
  readonly currency: ValuationCurrency;
  readonly rule: PortfolioMarginRule;
  readonly maintenance: number;
  readonly initial: number;
  /** max(0, the binding scenario's weighted loss). */
  readonly worstLoss: number;
  /** The scenario with the largest weighted loss (the first of equal ones). */
  readonly binding: BindingScenario;
  readonly contingencies: ContingencyBreakdown;
  readonly scenarios: readonly PmScenario[];
  /** Weighted portfolio loss per scenario, grid order. */
  readonly scenarioLosses: readonly number[];
}

export const MARGIN_RULE_INVALID = 'portfolio_margin_rule_invalid';

export function checkMarginRule(rule: PortfolioMarginRule): void {
  checkContingencyParams(rule.contingencies);
  requireNumber('maintenanceLossFactor', rule.maintenanceLossFactor, (x) => x > 0, '> 0', MARGIN_RULE_INVALID);
  requireNumber('initialFactor', rule.initialFactor, (x) => x >= 1, '>= 1 (IM >= MM)', MARGIN_RULE_INVALID);
}

function bindingOf(losses: Float64Array, arrays: RiskArrays, positions: readonly NetPosition[]): BindingScenario {
  let worst = 0;
  for (let s = 1; s < losses.length; s += 1) if ((losses[s] ?? 0) > (losses[worst] ?? 0)) worst = s;
  const scenario = arrays.grid.scenarios[worst];
  if (scenario === undefined) throw new InputError('scenario_grid_invalid', 'a grid needs at least one scenario');
  return {
    scenario,
    loss: losses[worst] ?? 0,
    positions: positions.map(({ instrument, quantity }) => {
      const loss = 0 + quantity * (entryOf(arrays, instrument.id).losses[worst] ?? 0);
      return { instrumentId: instrument.id, quantity, loss, pnl: 0 - loss / scenario.weight };
    }),
  };
}

/** Portfolio margin from risk arrays computed beforehand (once per market update). */
export function portfolioMarginFromArrays(input: {
  readonly positions: readonly PmPosition[];
  readonly arrays: RiskArrays;
  readonly rule: PortfolioMarginRule;
  readonly model?: string;
}): PortfolioMarginResult {
  const { arrays, rule } = input;
  checkMarginRule(rule);
  const positions = netPositions(input.positions);
  const losses = portfolioLosses(positions, arrays);
  const binding = bindingOf(losses, arrays, positions);
  const worstLoss = Math.max(binding.loss, 0);
  const contingencies = contingenciesOf(positions, arrays, rule.contingencies);
  const maintenance = rule.maintenanceLossFactor * worstLoss + contingencies.total;
  return {
    model: input.model ?? 'custom',
    underlying: arrays.underlying,
    currency: arrays.currency,
    rule,
    maintenance,
    initial: rule.initialFactor * maintenance,
    worstLoss,
    binding,
    contingencies,
    scenarios: arrays.grid.scenarios,
    scenarioLosses: Array.from(losses),
  };
}

/** Portfolio margin of one underlying: builds the grid and the arrays of the instruments held. */
export function portfolioMargin(input: {
  readonly positions: readonly PmPosition[];
  readonly market: PmMarket;
  readonly model: PortfolioMarginModel;
}): PortfolioMarginResult {
  const { model, market } = input;
  const arrays = buildRiskArrays({
    instruments: input.positions.map((p) => p.instrument),
    market,
    grid: makeScenarioGrid(model.grid),
    currency: model.currency,
  });
  return portfolioMarginFromArrays({ positions: input.positions, arrays, rule: model.rule, model: model.name });
}

const fixed = (x: number, digits: number): string => (x + 0).toFixed(digits);

/**
 * The requirement in sentences, for the risk document and the CLI: the figures, the binding
 * scenario with each position's PnL in it, and the contingencies. `digits` defaults to 4 in coin
 * and 2 in quote.
 */
export function explainPortfolioMargin(result: PortfolioMarginResult, digits = result.currency === 'coin' ? 4 : 2): string[] {
  const n = (x: number): string => fixed(x, digits);
  const { rule, binding, contingencies: c } = result;
  const lines = [
    `${result.model} portfolio margin, ${result.underlying}, in ${result.currency}: MM ${n(result.maintenance)} = ` +
      `${rule.maintenanceLossFactor} x worst loss ${n(result.worstLoss)} + contingencies ${n(c.total)}; ` +
      `IM ${n(result.initial)} = ${rule.initialFactor} x MM`,
    `binding scenario: ${binding.scenario.label} (weight ${binding.scenario.weight}), portfolio loss ${n(binding.loss)}` +
      (binding.loss > 0 ? '' : ' (no scenario loses: worst loss 0)'),
    ...binding.positions.map((p) => `  ${p.instrumentId}: quantity ${p.quantity}, PnL ${n(p.pnl)}, weighted loss ${n(p.loss)}`),
    `futures contingency ${n(c.futures.amount)}: ${c.futures.basis} basis, ${fixed(c.futures.chargedUnits, 6)} units` +
      ` (long ${fixed(c.futures.longUnits, 6)}, short ${fixed(c.futures.shortUnits, 6)}) x ${rule.contingencies.futures.rate}`,
    `options contingency ${n(c.options.amount)}: ${fixed(c.options.netShortUnits, 6)} net short units x ${rule.contingencies.optionPerNetShortCoin} coin` +
      (c.options.strikes.length === 0 ? '' : ` (${c.options.strikes.map((s) => `${s.strike} @ ${fixed(s.expiryYears, 6)}y: ${s.netShortUnits}`).join(', ')})`),
    `delta shock ${n(c.delta.amount)}: |net delta ${fixed(c.delta.netDeltaUnits, 6)}| x ${rule.contingencies.deltaShockRate}`,
  ];
  return lines;
}
