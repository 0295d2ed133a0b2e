/**
 * Portfolio margin by scenarios (Deribit, Lyra, Dederi style), CME SPAN, and offsets across
 * underlyings: pure float64 functions (docs/methodology/portfolio-margin.md).
 */
export {
  PM_POSITIONS_MAX,
  PM_SCENARIOS_MAX,
  PM_UNDERLYINGS_MAX,
  PORTFOLIO_INPUT_INVALID,
  checkInstrument,
  checkMarket,
} from './types.js';
export type {
  PmFuture,
  PmInstrument,
  PmMarket,
  PmOption,
  PmPerpetual,
  PmPosition,
  PmSettlement,
  PmSpot,
  ValuationCurrency,
} from './types.js';
export {
  GRID_INVALID,
  checkVolShockModel,
  evenPriceMoves,
  formatMove,
  makeScenarioGrid,
  shockedVol,
  tailWeightsRangeOverMove,
  tenorScaledShock,
} from './scenarios.js';
export type { PmScenario, ScenarioGrid, ScenarioGridSpec, TailSpec, TailWeights, VolMove, VolShockModel } from './scenarios.js';
export { forwardOf, priceInstrument, scenarioValue } from './valuation.js';
export type { PricedInstrument } from './valuation.js';
export { INSTRUMENT_CONFLICT, RISK_ARRAY_MISSING, buildRiskArrays, netPositions, portfolioLosses } from './riskArrays.js';
export type { NetPosition, RiskArrayEntry, RiskArrays } from './riskArrays.js';
export { checkContingencyParams, contingenciesOf } from './contingencies.js';
export type { ContingencyBreakdown, ContingencyParams, FuturesContingencyBasis, StrikeNetShort } from './contingencies.js';
export { MARGIN_RULE_INVALID, checkMarginRule, explainPortfolioMargin, portfolioMargin, portfolioMarginFromArrays } from './margin.js';
export type {
  BindingScenario,
  PortfolioMarginModel,
  PortfolioMarginResult,
  PortfolioMarginRule,
  PositionInScenario,
} from './margin.js';
export {
  DEDERI_LIKE_PM,
  DERIBIT_LIKE_PM,
  DERIBIT_TAIL_MOVES,
  DERIBIT_VOL_SHOCK,
  LYRA_LIKE_PM,
  PM_PRESETS,
  SPAN_LIKE_PM,
} from './presets.js';
export { SPAN_INPUT_INVALID, spanContractsFromMarket, spanFutureRiskArray, spanMargin } from './span.js';
export type {
  InterLeg,
  InterSpread,
  IntraSpread,
  SpanCommodityParams,
  SpanCommodityResult,
  SpanContract,
  SpanInput,
  SpanPosition,
  SpanResult,
  SpanTierLeg,
  SpreadFormed,
} from './span.js';
export {
  CORRELATION_INVALID,
  EMIR_OFFSET_CAP,
  OFFSET_INPUT_INVALID,
  checkCorrelationMatrix,
  correlationOffset,
  jointScenarioOffset,
} from './crossUnderlying.js';
export type { OffsetCap, OffsetResult } from './crossUnderlying.js';
