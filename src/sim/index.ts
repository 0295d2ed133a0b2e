/**
 * The cascade simulator (DESIGN.md layer `sim/`: may import risk, engine, oracle, config): a seeded
 * population on a venue, run through the real engine along a price path, with an order-book depth
 * model in which liquidation volume moves the price. Method: docs/methodology/cascade-simulator.md.
 */
export { simulate, tallyOf, BOOK_ACCOUNT_ID } from './simulate.js';
export type { PathSpec, SimulationInput, SimulationReport, StepReport } from './simulate.js';
export { NAMED_PATHS, START_PRICES, SYNTHETIC_BETAS, SIMULATION_STEPS_MAX, PATH_FILE_BYTES_MAX, namedPath, syntheticPath, parsePathText } from './paths.js';
export type { NamedPath, PricePath } from './paths.js';
export { DEPTH_DEFAULTS, DEPTH_SHARE_OF_OPEN_INTEREST, impactOf, nextLogImpact, resilienceOf } from './depth.js';
export type { DepthParams, Impact, ImpactModel } from './depth.js';
export { POPULATION_DEFAULTS, SIMULATION_ACCOUNTS_MAX, generatePopulation } from './population.js';
export type { Member, PopulationParams } from './population.js';
export { FUND_UNWIND_DEFAULT, PACED_DEPTH_SHARE_DEFAULT, UNWIND_POLICY_INVALID, checkUnwindPolicy, exitCostOf, unwindLots } from './unwind.js';
export type { FundUnwindPolicy } from './unwind.js';
