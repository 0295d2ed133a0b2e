export * from './types.js';
export * from './haircut.js';
