/** Solvent's public API: the risk core, the document loader and the engine. Stores: solvent/store/*. */
export * from './risk/index.js';
export * from './config/index.js';
export * from './engine/index.js';
