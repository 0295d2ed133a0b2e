/**
 * The options part of the risk-document format: option instruments, the valuation time `asOf`,
 * volatility surfaces per underlying, standard option margin parameters per underlying and the
 * scenario model of portfolio accounts. schema.ts builds these from its own primitives (decimal
 * strings, symbols and the linear instrument), so that the format has one definition of each.
 */
import Type, { type Static, type TSchema, type TString } from 'typebox';

export interface SchemaParts<Linear extends TSchema> {
  readonly Decimal: (description: string) => TString;
  readonly Symbol: TString;
  /** The schema of perpetuals and dated futures. */
  readonly LinearInstrument: Linear;
}

/** An ISO 8601 time with a date and a time, e.g. 2026-12-25T08:00:00Z; Date.parse reads the rest. */
export const ISO_TIME_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T';

const closed = { additionalProperties: false } as const;

/** A union told apart by one property, validated as JSON Schema `oneOf` with a discriminator. */
function discriminated<const T extends TSchema[]>(propertyName: string, branches: T, description: string) {
  return Type.Unsafe<Static<T[number]>>({ type: 'object', description, required: [propertyName], discriminator: { propertyName }, oneOf: branches });
}

export function optionSchemas<Linear extends TSchema>({ Decimal, Symbol, LinearInstrument }: SchemaParts<Linear>) {
  const IsoTime = (description: string) => Type.String({ pattern: ISO_TIME_PATTERN, description });
  const SymbolMap = <T extends TSchema>(value: T) => Type.Record(Symbol, value, closed);

  const OptionInstrument = Type.Object(
    {
      kind: Type.Literal('option'),
      underlying: Symbol,
      quoteAsset: Symbol,
      settlement: Type.Union([Type.Literal('linear'), Type.Literal('inverse')], {
        description: 'linear: marks and PnL in the quote asset; inverse: marks and PnL in coin of the underlying',
      }),
      optionKind: Type.Union([Type.Literal('call'), Type.Literal('put')]),
      strike: Decimal('strike, quote asset per unit of underlying'),
      expiry: IsoTime('ISO 8601 expiry time, e.g. 2026-12-25T08:00:00Z'),
      contractSize: Decimal('units of the underlying per contract (Deribit BTC options: 1)'),
      tick: Decimal('mark increment'),
      lot: Decimal('size increment, in contracts'),
    },
    closed,
  );

  /** `if kind is option then the option schema else the linear one`: errors come from one branch only. */
  const InstrumentEntry = Type.Unsafe<Static<Linear> | Static<typeof OptionInstrument>>({
    type: 'object',
    description: 'a perpetual or a dated future, or an option (kind: option)',
    if: { type: 'object', properties: { kind: { const: 'option' } }, required: ['kind'] },
    then: OptionInstrument,
    else: LinearInstrument,
  });

  const Smile = discriminated(
    'kind',
    [
      Type.Object({ kind: Type.Literal('flat'), vol: Decimal('implied vol for every strike, a fraction (0.6 = 60%)') }, closed),
      Type.Object(
        {
          kind: Type.Literal('grid'),
          points: Type.Array(
            Type.Object({ strike: Decimal('strike, increasing'), vol: Decimal('implied vol at that strike') }, closed),
            { minItems: 1, maxItems: 512 },
          ),
        },
        closed,
      ),
      Type.Object(
        {
          kind: Type.Literal('svi'),
          a: Decimal('raw SVI a'),
          b: Decimal('raw SVI b, >= 0'),
          rho: Decimal('raw SVI rho, in (-1, 1)'),
          m: Decimal('raw SVI m'),
          sigma: Decimal('raw SVI sigma, > 0'),
        },
        closed,
      ),
    ],
    'the implied vol smile of one expiry: flat, a grid of strikes (linear in total variance), or raw SVI',
  );

  const UnderlyingVolatility = Type.Object(
    {
      rate: Type.Optional(Decimal('rate discounting option payoffs, continuously compounded per year (Deribit: 0); default 0')),
      slices: Type.Array(
        Type.Object({ expiry: IsoTime('the expiry of this slice, after asOf'), forward: Decimal('the forward to that expiry, quote per unit'), smile: Smile }, closed),
        { minItems: 1, maxItems: 256 },
      ),
    },
    closed,
  );

  const OptionMargin = discriminated(
    'kind',
    [
      Type.Object(
        {
          kind: Type.Literal('standard'),
          initialBase: Decimal('IM rate of an at-the-money short, reduced by OTM/S (Deribit: 0.15)'),
          initialMin: Decimal('floor of that IM rate (Deribit: 0.10)'),
          maintenance: Decimal('MM rate of a short (Deribit: 0.075)'),
          longInitialHaircut: Decimal("share of a long option's value not counted for IM, in [0, 1]"),
        },
        closed,
      ),
      Type.Object({ kind: Type.Literal('preset'), preset: Type.String({ description: 'a named option margin preset' }) }, closed),
    ],
    'standard (per-position) option margin parameters, or a named preset',
  );

  return {
    OptionInstrument,
    InstrumentEntry,
    /** Fields of `risk`. */
    riskSettingsFields: {
      optionMargin: Type.Optional(SymbolMap(OptionMargin)),
      portfolio: Type.Optional(
        Type.Object({ model: Type.String({ description: 'the scenario model of portfolio accounts: deribit-like, dederi-like, span-like or lyra-like' }) }, closed),
      ),
    },
    /** Fields of the risk document's top level. */
    documentFields: {
      asOf: Type.Optional(IsoTime('the valuation time: time to expiry of options and futures is measured from it')),
      volatility: Type.Optional(SymbolMap(UnderlyingVolatility)),
    },
  };
}
