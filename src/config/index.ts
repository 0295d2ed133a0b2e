export * from './schema.js';
export * from './issues.js';
export * from './presets.js';
export * from './load.js';
export * from './optionPresets.js';
