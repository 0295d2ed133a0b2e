/** Option margin models. Each is a separate pure function (STYLE.md habit 5). */
export { standardOptionMargin } from './standardMargin.js';
export type { StandardOptionMargin, StandardOptionMarginInput, StandardOptionMarginParams } from './standardMargin.js';
