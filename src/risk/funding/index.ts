export * from './funding.js';
export * from './mark.js';
