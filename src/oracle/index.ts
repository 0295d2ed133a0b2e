/**
 * The oracle (DESIGN.md "Life of a price tick"): sources, aggregation, guards and circuit
 * breakers, index, mark, lagged prices and funding, producing the engine's `UpdatePrices` and
 * `SettleFunding` commands. Methods and parameters: docs/methodology/oracle.md.
 */
export * from './types.js';
export * from './params.js';
export * from './median.js';
export * from './aggregate.js';
export * from './sources.js';
export * from './guard.js';
export * from './averages.js';
export * from './lagged.js';
export * from './mark.js';
export * from './funding.js';
export * from './oracle.js';
export * from './liquidation.js';
export * from './driver.js';
export * from './feeds/replay.js';
export * from './feeds/synthetic.js';
