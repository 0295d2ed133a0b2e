export * from './types.js';
export * from './position.js';
export * from './status.js';
export * from './pool.js';
export * from './adversePrice.js';
export * from './account.js';
export * from './trade.js';
