export * from './commands.js';
export * from './events.js';
export * from './state.js';
export * from './decide/index.js';
export * from './apply.js';
export * from './invariants.js';
export * from './codec.js';
export * from './journal.js';
export * from './recovery.js';
export * from './pretrade.js';
export * from './riskView.js';
export * from './clock.js';
export * from './shell.js';
export * from './dryRun.js';
export { RiskMirror } from './mirror.js';
export * from './verify.js';
// Liquidation (issue 6): the pass the shell runs after price updates, and its event types.
export { liquidationPass } from './liquidation/pass.js';
export type { LiquidationEvent, LiquidationOrderState, LiquidationPath, TakeoverKind } from './liquidation/events.js';
