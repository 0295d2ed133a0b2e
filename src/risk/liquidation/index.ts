/** Liquidation maths (docs/methodology/liquidation.md, liquidation-portfolio.md): pure, exact where money moves. */
export * from './params.js';
export * from './sizing.js';
export * from './fees.js';
export * from './bankruptcy.js';
export * from './adl.js';
export * from './auction.js';
export * from './portfolio.js';
