export * from './types.js';
export * from './brackets.js';
export * from './linearInSize.js';
export * from './sqrtSize.js';
export * from './openInterestScaled.js';
export * from './requirement.js';
