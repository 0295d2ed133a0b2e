/** Options as instruments of an account, their marks, and their margin models. Each margin model is a separate pure function (STYLE.md habit 5). */
export { standardOptionMargin } from './standardMargin.js';
export type { StandardOptionMargin, StandardOptionMarginInput, StandardOptionMarginParams } from './standardMargin.js';
export { YEAR_MS, optionSettlementAssetOf, yearsToExpiry } from './instrument.js';
export type { OptionInstrument } from './instrument.js';
export { optionModelMark } from './mark.js';
export type { ModelMark, UnderlyingVolatility } from './mark.js';
