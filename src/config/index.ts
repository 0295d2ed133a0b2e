export * from './schema.js';
export * from './issues.js';
export * from './presets.js';
export * from './load.js';
