/**
 * The input documents of the analytics commands (docs/formats.md, "Analytics inputs"), as TypeBox
 * schemas (JSON Schema, draft 2020-12 compatible), in the style of the risk document: numbers are
 * decimal strings, maps are keyed by symbols, unknown fields are rejected.
 *
 * - The venue document: the risk document's parameters and prices with many accounts and an
 *   optional insurance fund (`solvent stress` venue-wide).
 * - The stress scenario file: user-defined joint price shocks (`solvent stress --scenarios`).
 * - The portfolio file: positions to backtest margin models on (`solvent backtest --portfolio`).
 */
import Type from 'typebox';
import { AccountSchema, DECIMAL_PATTERN, RiskDocumentSchema } from './schema.js';

const Decimal = (description: string) => Type.String({ pattern: DECIMAL_PATTERN, maxLength: 64, description });
const Symbol = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$', description: 'an asset, underlying or instrument symbol' });
const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$', description: 'an identifier: letters, digits and _ . : -' });
const closed = { additionalProperties: false } as const;
const SymbolMap = (description: string) => Type.Record(Symbol, Decimal(description), closed);

/** Most accounts in one venue document; `solvent stress DIR` has the same limit on files. */
export const VENUE_ACCOUNTS_MAX = 10_000;
/** Most scenarios in a scenario file, and steps in one scenario's path. */
export const SCENARIOS_PER_FILE_MAX = 1_000;
export const SCENARIO_STEPS_MAX = 64;
/** Most portfolios in a portfolio file, and positions in one portfolio. */
export const PORTFOLIOS_PER_FILE_MAX = 1_000;
export const PORTFOLIO_POSITIONS_MAX = 100;

const { account: _account, ...riskDocumentFields } = RiskDocumentSchema.properties;

/** Parameters and prices of a risk document, with many accounts instead of one. */
export const VenueDocumentSchema = Type.Object(
  {
    ...riskDocumentFields,
    insuranceFund: Type.Optional(Decimal('insurance fund in the valuation asset: what covers bad debt before ADL')),
    accounts: Type.Array(AccountSchema, { minItems: 1, maxItems: VENUE_ACCOUNTS_MAX }),
  },
  { ...closed, $id: 'https://solvent.dev/schema/venue-document.schema.json', title: 'Solvent venue document (parameters, prices, accounts)' },
);

const stepFields = {
  moves: Type.Optional(SymbolMap('relative move of a price: "-0.4" is a 40% fall, "2.15" a 215% rise; > -1')),
  otherMove: Type.Optional(Decimal('relative move of every other price that is not pegged (stablecoins, quote and valuation assets)')),
  prices: Type.Optional(SymbolMap('absolute price of an asset in the valuation asset, e.g. a stablecoin depeg to "0.65"')),
};

export const ScenarioStepSchema = Type.Object(stepFields, closed);

export const StressScenarioSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    source: Type.Optional(Type.String({ maxLength: 500, description: 'where the figures come from' })),
    ...stepFields,
    steps: Type.Optional(Type.Array(ScenarioStepSchema, { minItems: 1, maxItems: SCENARIO_STEPS_MAX, description: 'a path: each step measured from today, the worst step counts' })),
  },
  closed,
);

export const StressScenarioFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    version: Type.Literal(1),
    pegged: Type.Optional(Type.Array(Symbol, { maxItems: 100, description: 'assets that otherMove leaves alone, beyond the built-in stablecoins' })),
    scenarios: Type.Array(StressScenarioSchema, { minItems: 1, maxItems: SCENARIOS_PER_FILE_MAX }),
  },
  { ...closed, $id: 'https://solvent.dev/schema/stress-scenarios.schema.json', title: 'Solvent stress scenarios' },
);

export const PortfolioPositionSchema = Type.Object(
  {
    symbol: Symbol,
    size: Type.Optional(Decimal('signed units of the series (long > 0)')),
    notional: Type.Optional(Decimal('signed notional at the first backtest day, in the series price units')),
  },
  closed,
);

export const BacktestPortfolioFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    version: Type.Literal(1),
    portfolios: Type.Array(
      Type.Object(
        { id: Id, positions: Type.Array(PortfolioPositionSchema, { minItems: 1, maxItems: PORTFOLIO_POSITIONS_MAX }) },
        closed,
      ),
      { minItems: 1, maxItems: PORTFOLIOS_PER_FILE_MAX },
    ),
  },
  { ...closed, $id: 'https://solvent.dev/schema/backtest-portfolios.schema.json', title: 'Solvent backtest portfolios' },
);

export type VenueDocument = Type.Static<typeof VenueDocumentSchema>;
export type StressScenarioFile = Type.Static<typeof StressScenarioFileSchema>;
export type StressScenarioDocument = Type.Static<typeof StressScenarioSchema>;
export type ScenarioStepDocument = Type.Static<typeof ScenarioStepSchema>;
export type BacktestPortfolioFile = Type.Static<typeof BacktestPortfolioFileSchema>;
