/**
 * The risk kernel (DESIGN.md D5): the columnar book, incremental and full re-margin, the
 * liquidation queue and the pre-trade check on typed arrays, held equal to the reference
 * functions of src/risk by property tests (test/kernel). It imports `risk/` only.
 */
export { RiskBook, KERNEL_ASSETS_PER_ACCOUNT_MAX, KERNEL_POSITIONS_PER_ACCOUNT_MAX } from './book.js';
export type { BookOptions, PositionInput, WideAccount } from './book.js';
export { LiquidationQueue } from './queue.js';
export { SweepWorkers } from './parallel.js';
export { checkOrder } from './pretrade.js';
export type { KernelCheck, KernelOrder, KernelRejection } from './pretrade.js';
export { exactMarginOf, materialise } from './exact.js';
export { accountFigures } from './figures.js';
export type { KernelFigures } from './figures.js';
export {
  STATUS_BANKRUPT,
  STATUS_HEALTHY,
  STATUS_LIQUIDATABLE,
  STATUS_MARGIN_CALL,
  STATUS_REDUCE_ONLY,
  STATUS_UNVALUED,
  statusName,
} from './status.js';
export { EXACT_MAX, ceilUnits, floorUnits } from './float.js';
export { buildRiskMatrix, PortfolioBook } from './portfolio.js';
export type { RiskMatrix } from './portfolio.js';
/** Record layout of the book (field offsets, flags), for readers of RiskBook.acc / pos / slots. */
export * as layout from './layout.js';
