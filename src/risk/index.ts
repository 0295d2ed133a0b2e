/** The pure risk core: no I/O, no clock, no randomness, no npm runtime dependency. */
export * from './errors.js';
export * from './units/index.js';
export * from './instruments/index.js';
export * from './margin/index.js';
export * from './collateral/index.js';
export * from './account/index.js';
export * from './funding/index.js';
export * from './pricing/index.js';
export * from './options/index.js';
export * from './portfolio/index.js';
export * from './analytics/index.js';
export * from './liquidation/index.js';
