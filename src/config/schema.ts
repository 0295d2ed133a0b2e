/**
 * The risk-document format: parameters (assets, instruments), prices and an account in one file,
 * JSON or YAML. These TypeBox schemas are JSON Schema (draft 2020-12 compatible); the published
 * copy lives in docs/schema/ and a test keeps it equal to this source.
 *
 * Every number is a decimal string ("0.004", "84000"): money and prices are exact, and rates are
 * written the same way so that no file depends on a float's printing.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { optionSchemas } from './optionsSchema.js';

export const DECIMAL_PATTERN = '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$';
const Decimal = (description: string) => Type.String({ pattern: DECIMAL_PATTERN, maxLength: 64, description });
const Symbol = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$', description: 'an asset or instrument symbol' });
const closed = { additionalProperties: false } as const;
/** A map keyed by symbols: keys outside the symbol pattern are rejected, not ignored. */
const SymbolMap = <T extends TSchema>(value: T) => Type.Record(Symbol, value, closed);

/** A union told apart by one property, validated as JSON Schema `oneOf` with a discriminator. */
function discriminated<const T extends TSchema[]>(propertyName: string, branches: T, description: string) {
  return Type.Unsafe<Static<T[number]>>({
    type: 'object',
    description,
    required: [propertyName],
    discriminator: { propertyName },
    oneOf: branches,
  });
}

export const BracketSchema = Type.Object(
  {
    notionalFloor: Decimal('notional (quote) at which this bracket starts; the first is 0'),
    maintenanceRate: Decimal('maintenance margin rate, a fraction (0.004 = 0.4%)'),
    leverageMax: Decimal('the largest leverage allowed in this bracket'),
  },
  closed,
);

const marginMinimums = {
  initialMinimum: Type.Optional(Decimal('absolute IM floor for any non-zero position, quote asset')),
  maintenanceMinimum: Type.Optional(Decimal('absolute MM floor for any non-zero position, quote asset')),
};

export const MarginSpecSchema = discriminated(
  'model',
  [
    Type.Object(
      { model: Type.Literal('brackets'), brackets: Type.Array(BracketSchema, { minItems: 1, maxItems: 64 }), ...marginMinimums },
      closed,
    ),
    Type.Object(
      {
        model: Type.Literal('linearInSize'),
        initialRate: Decimal('IM rate at size zero'),
        maintenanceRate: Decimal('MM rate at size zero'),
        initialRatePerUnit: Decimal('added to the IM rate per unit of the underlying held'),
        maintenanceRatePerUnit: Decimal('added to the MM rate per unit of the underlying held'),
        ...marginMinimums,
      },
      closed,
    ),
    Type.Object(
      {
        model: Type.Literal('sqrtSize'),
        initialRate: Decimal('base IM ratio'),
        maintenanceRate: Decimal('base MM ratio'),
        imfFactor: Decimal("Drift's imf_factor as a fraction (0.00005)"),
        ...marginMinimums,
      },
      closed,
    ),
    Type.Object(
      {
        model: Type.Literal('openInterestScaled'),
        initialRate: Decimal('base initial margin fraction (IMF)'),
        maintenanceFraction: Decimal('MMF = IMF x this fraction'),
        openInterestLower: Decimal('open interest notional where IM starts to scale'),
        openInterestUpper: Decimal('open interest notional where IM reaches 100%'),
        ...marginMinimums,
      },
      closed,
    ),
    Type.Object({ model: Type.Literal('preset'), preset: Type.String({ description: 'a named margin preset' }) }, closed),
  ],
  'a linear margin model, or a named preset',
);

export const HaircutSchema = discriminated(
  'kind',
  [
    Type.Object({ kind: Type.Literal('flat'), weight: Decimal('collateral weight in [0, 1]') }, closed),
    Type.Object(
      {
        kind: Type.Literal('tiered'),
        basis: Type.Union([Type.Literal('quantity'), Type.Literal('value')]),
        tiers: Type.Array(
          Type.Object({ floor: Decimal('holding at which this weight starts'), weight: Decimal('weight in [0, 1]') }, closed),
          { minItems: 1, maxItems: 64 },
        ),
      },
      closed,
    ),
    Type.Object(
      { kind: Type.Literal('sizeDiscount'), weight: Decimal('base weight'), imfFactor: Decimal('size discount factor') },
      closed,
    ),
  ],
  'a haircut schedule',
);

export const AssetSchema = discriminated(
  'kind',
  [
    Type.Object(
      {
        kind: Type.Literal('collateral'),
        initial: HaircutSchema,
        maintenance: HaircutSchema,
        liabilityWeight: Type.Optional(
          Type.Object({ initial: Decimal('>= 1'), maintenance: Decimal('>= 1') }, closed),
        ),
      },
      closed,
    ),
    Type.Object({ kind: Type.Literal('preset'), preset: Type.String({ description: 'a named collateral preset' }) }, closed),
  ],
  'collateral parameters of an asset, or a named preset',
);

export const InstrumentSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('perpetual'), Type.Literal('future')]),
    underlying: Symbol,
    quoteAsset: Symbol,
    settlement: Type.Union([Type.Literal('linear'), Type.Literal('inverse')]),
    contractSize: Decimal('linear: underlying units per contract; inverse: quote value per contract'),
    tick: Decimal('price increment'),
    lot: Decimal('size increment, in contracts'),
    expiry: Type.Optional(
      Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T', description: 'futures only: ISO 8601 expiry time, e.g. 2026-12-25T08:00:00Z' }),
    ),
    margin: MarginSpecSchema,
    fees: Type.Optional(
      Type.Object(
        {
          maker: Decimal('maker fee rate, a fraction of notional; negative is a rebate'),
          taker: Decimal('taker fee rate, a fraction of notional'),
        },
        closed,
      ),
    ),
    funding: Type.Optional(
      Type.Object(
        {
          interestRate: Decimal('interest rate per interval (Binance: 0.0001)'),
          clamp: Decimal('bound on interest - premium (Binance: 0.0005)'),
          cap: Decimal('bound on the rate per interval (Binance BTCUSDT: 0.003)'),
          intervalHours: Decimal('hours between funding settlements'),
        },
        closed,
      ),
    ),
  },
  closed,
);

/** Options, asOf, volatility, option margin and the portfolio model (optionsSchema.ts). */
const optionParts = optionSchemas({ Decimal, Symbol, LinearInstrument: InstrumentSchema });
export const OptionInstrumentSchema = optionParts.OptionInstrument;

export const PositionSchema = Type.Object(
  {
    instrument: Symbol,
    size: Decimal('signed contracts: long > 0, short < 0'),
    entryPrice: Decimal('average entry price'),
    leverage: Type.Optional(Decimal('the chosen leverage; IM >= notional / leverage')),
    isolatedMargin: Type.Optional(Decimal('isolated positions only: margin in the settlement asset')),
    openOrders: Type.Optional(
      Type.Object({ buy: Decimal('resting buy size, contracts'), sell: Decimal('resting sell size, contracts') }, closed),
    ),
  },
  closed,
);

export const AccountSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 128 }),
    mode: Type.Union([Type.Literal('cross'), Type.Literal('isolated'), Type.Literal('portfolio')]),
    balances: SymbolMap(Decimal('balance; negative is a liability')),
    positions: Type.Array(PositionSchema, { maxItems: 1000 }),
  },
  closed,
);

export const RiskSettingsSchema = Type.Object(
  {
    ...optionParts.riskSettingsFields,
    unrealisedPnlWeight: Type.Optional(
      Type.Object({ initial: Decimal('weight of gains for IM'), maintenance: Decimal('weight of gains for MM') }, closed),
    ),
    statusBands: Type.Optional(
      Type.Object(
        {
          marginCall: Decimal('margin ratio below which the account is in margin call'),
          reduceOnly: Decimal('margin ratio below which only reducing orders are accepted'),
          liquidation: Decimal('margin ratio below which the account is liquidated (1 = equity < MM)'),
        },
        closed,
      ),
    ),
  },
  closed,
);

const PriceMap = (description: string) => SymbolMap(Decimal(description));

/** The venue's parameters: what the engine is configured with, and what a parameter change replaces. */
const venueFields = {
  $schema: Type.Optional(Type.String()),
  version: Type.Literal(1),
  valuationAsset: Symbol,
  assets: SymbolMap(AssetSchema),
  instruments: SymbolMap(optionParts.InstrumentEntry),
  risk: Type.Optional(RiskSettingsSchema),
};

/**
 * Liquidation parameters (issue 6; defaults and their sources in src/risk/liquidation/params.ts).
 * Optional: a venue without this section runs no automatic liquidation pass. Only the venue
 * document carries it (a risk document for `solvent margin` does not).
 */
const Execution = Type.Union([Type.Literal('backstop'), Type.Literal('liquidator'), Type.Literal('orders'), Type.Literal('auction')], {
  description:
    'backstop: the insurance fund takes over; liquidator: the liquidator account takes over at mark; orders: reduce-only liquidation orders to the venue; auction: a Dutch auction of a slice of the whole portfolio for bidders (Lyra v2)',
});
export const LiquidationSettingsSchema = Type.Object(
  {
    automatic: Type.Optional(Type.Boolean({ description: 'run a liquidation pass after every price update (default true)' })),
    accountsPerTickMax: Type.Optional(Decimal('accounts liquidated per pass, worst margin ratio first (default 100)')),
    buffer: Type.Optional(Decimal('liquidate to MM plus this fraction of notional (Drift: 0.02)')),
    liquidatorFee: Type.Optional(Decimal('fee to the liquidator, a fraction of the value taken over (0.01)')),
    insuranceFee: Type.Optional(Decimal('fee to the insurance fund, a fraction of the value taken over (0.01)')),
    insuranceFeeCap: Type.Optional(Decimal('liquidation-order fills: the fund takes at most this fraction of the fill (dYdX 0.015)')),
    stepLimits: Type.Optional(
      Type.Object(
        {
          fractionMax: Type.Optional(Decimal('largest fraction of a position per step (dYdX 0.1)')),
          notionalMinPerStep: Type.Optional(Decimal('smallest notional per step, valuation asset (dYdX 1,000)')),
          notionalMaxPerAccountStep: Type.Optional(Decimal('largest notional per account per step (dYdX 100,000)')),
          remainderMin: Type.Optional(Decimal('a position left below this notional closes whole')),
        },
        closed,
      ),
    ),
    priceBand: Type.Optional(Decimal('liquidation orders never fill beyond the bankruptcy price minus this fraction of it (0.05)')),
    orderTtlMs: Type.Optional(Decimal('an unfilled liquidation order is cancelled after this many ms and goes to the backstop')),
    liquidatorAccountId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'the account that takes over in the liquidator mode' })),
    onUnreliablePrice: Type.Optional(Type.Union([Type.Literal('pause'), Type.Literal('guarded')], { description: 'halted or stale markets: pause liquidation (default) or liquidate on the guarded price' })),
    fundFloor: Type.Optional(Decimal("the insurance fund's equity is not drawn below this, valuation asset (default 0)")),
    waterfall: Type.Optional(
      Type.Array(
        Type.Object(
          {
            step: Type.Union([Type.Literal('insuranceFund'), Type.Literal('adl'), Type.Literal('socialisedLoss')]),
            cap: Type.Optional(Decimal('at most this much of one deficit, valuation asset')),
          },
          closed,
        ),
        { minItems: 1, maxItems: 3, description: 'how a deficit is covered after the account\'s equity; what is left is socialised' },
      ),
    ),
    adl: Type.Optional(Type.Object({ mode: Type.Optional(Type.Union([Type.Literal('queue'), Type.Literal('proRata')])) }, closed)),
    execution: Type.Optional(Execution),
    auction: Type.Optional(
      Type.Object(
        {
          discountStart: Type.Optional(Decimal("auction: discount off the slice's mark value at the start (Lyra 0.05)")),
          discountFastEnd: Type.Optional(Decimal('auction: discount at the end of the fast phase (Lyra 0.3)')),
          discountEnd: Type.Optional(Decimal('auction: discount at the end of the slow phase, the floor of the price (Lyra 1)')),
          fastDurationMs: Type.Optional(Decimal('auction: length of the fast phase, ms (Lyra 900000)')),
          slowDurationMs: Type.Optional(Decimal('auction: length of the slow phase, ms (Lyra 43200000); the auction then times out to the backstop')),
        },
        closed,
      ),
    ),
    instruments: Type.Optional(
      SymbolMap(
        Type.Object(
          {
            execution: Type.Optional(Execution),
            backstopNotionalMax: Type.Optional(Decimal("cap on the insurance fund's position in this instrument, quote notional (R14)")),
            fundDrawdownMax: Type.Optional(Decimal("the fund pays at most this much of this instrument's deficits, settlement asset")),
            openInterestMax: Type.Optional(Decimal('pre-trade: open interest may not grow beyond this many contracts (R11)')),
            positionMax: Type.Optional(Decimal("pre-trade: an account's position plus resting orders may not exceed this many contracts")),
          },
          closed,
        ),
      ),
    ),
  },
  closed,
);

export const VenueParamsSchema = Type.Object({ ...venueFields, liquidation: Type.Optional(LiquidationSettingsSchema) }, {
  ...closed,
  $id: 'https://solvent.dev/schema/venue-params.schema.json',
  title: 'Solvent venue parameters',
});

/** Parameters, prices and one account in one file: the input of `solvent margin`. */
export const RiskDocumentSchema = Type.Object(
  {
    ...venueFields,
    ...optionParts.documentFields,
    prices: PriceMap('price of an asset in the valuation asset'),
    marks: PriceMap('mark price of an instrument in its quote asset'),
    laggedPrices: Type.Optional(PriceMap('lagged (stable) price of an asset or mark of an instrument')),
    openInterest: Type.Optional(PriceMap('open interest of an instrument, notional in its quote asset')),
    account: AccountSchema,
  },
  { ...closed, $id: 'https://solvent.dev/schema/risk-document.schema.json', title: 'Solvent risk document' },
);

export type RiskDocument = Static<typeof RiskDocumentSchema>;
export type VenueParamsDocument = Static<typeof VenueParamsSchema>;
export type MarginSpecDocument = Static<typeof MarginSpecSchema>;
export type AssetDocument = Static<typeof AssetSchema>;
export type HaircutDocument = Static<typeof HaircutSchema>;
export type InstrumentDocument = Static<typeof InstrumentSchema>;
export type OptionInstrumentDocument = Static<typeof OptionInstrumentSchema>;
export type PositionDocument = Static<typeof PositionSchema>;
