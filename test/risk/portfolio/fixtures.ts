/**
 * Builders for portfolio-margin tests, through the production constructors (makeVolSurface) and
 * fast-check arbitraries of markets and portfolios.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OptionKind } from '../../../src/risk/pricing/blackScholes.js';
import { makeVolSurface, type SmileInput } from '../../../src/risk/pricing/volSurface.js';
import type { PmFuture, PmInstrument, PmMarket, PmOption, PmPerpetual, PmPosition, PmSettlement, PmSpot } from '../../../src/risk/portfolio/index.js';

export const DAY = 1 / 365;

export function closeTo(actual: number, expected: number, tolerance: number, what = 'value'): void {
  assert.ok(
    Number.isFinite(actual) && Math.abs(actual - expected) <= tolerance,
    `${what}: expected ${expected} +/- ${tolerance}, got ${actual} (off by ${Math.abs(actual - expected)})`,
  );
}

export function relativelyClose(actual: number, expected: number, relative: number, what = 'value'): void {
  closeTo(actual, expected, relative * Math.max(Math.abs(expected), 1e-12), what);
}

/** A market whose slices all carry the same smile, forwards = index x e^(carry T). */
export function market(input: {
  readonly underlying?: string;
  readonly indexPrice: number;
  readonly expiriesYears: readonly number[];
  readonly smile?: SmileInput;
  readonly carry?: number;
  readonly rate?: number;
  readonly perpetualPrice?: number;
}): PmMarket {
  const smile = input.smile ?? { kind: 'flat', vol: 0.6 };
  const carry = input.carry ?? 0;
  const surface = makeVolSurface({
    slices: input.expiriesYears.map((t) => ({ expiryYears: t, forward: input.indexPrice * Math.exp(carry * t), smile })),
  });
  return {
    underlying: input.underlying ?? 'BTC',
    indexPrice: input.indexPrice,
    rate: input.rate ?? 0,
    surface,
    ...(input.perpetualPrice === undefined ? {} : { perpetualPrice: input.perpetualPrice }),
  };
}

export function option(
  optionKind: OptionKind,
  strike: number,
  expiryYears: number,
  settlement: PmSettlement = 'inverse',
  underlying = 'BTC',
): PmOption {
  const id = `${underlying}-${expiryYears.toFixed(6)}-${strike}-${optionKind === 'call' ? 'C' : 'P'}-${settlement}`;
  return { kind: 'option', id, underlying, optionKind, strike, expiryYears, settlement, contractSize: 1 };
}

export function future(expiryYears: number, settlement: PmSettlement = 'linear', contractSize = 1, underlying = 'BTC'): PmFuture {
  return { kind: 'future', id: `${underlying}-F-${expiryYears.toFixed(6)}-${settlement}`, underlying, expiryYears, settlement, contractSize };
}

export function perpetual(settlement: PmSettlement = 'linear', contractSize = 1, underlying = 'BTC'): PmPerpetual {
  return { kind: 'perpetual', id: `${underlying}-PERP-${settlement}`, underlying, settlement, contractSize };
}

export function spot(underlying = 'BTC'): PmSpot {
  return { kind: 'spot', id: `${underlying}-SPOT`, underlying };
}

export const at = (instrument: PmInstrument, quantity: number): PmPosition => ({ instrument, quantity });

/** Expiries of the random market: 1 day, 7 days, 30 days, 90 days, 1 year. */
export const EXPIRIES = [DAY, 7 * DAY, 30 * DAY, 90 * DAY, 1];

/** A random BTC-like market: index, carry and a flat or SVI smile on every slice. */
export const marketArb: fc.Arbitrary<PmMarket> = fc
  .record({
    indexPrice: fc.double({ min: 1_000, max: 200_000, noNaN: true }),
    carry: fc.double({ min: -0.05, max: 0.2, noNaN: true }),
    vol: fc.double({ min: 0, max: 2, noNaN: true }),
    svi: fc.boolean(),
  })
  .map(({ indexPrice, carry, vol, svi }) =>
    market({
      indexPrice,
      carry,
      expiriesYears: EXPIRIES,
      smile: svi ? { kind: 'svi', params: { a: 0.02, b: 0.3, rho: -0.3, m: 0, sigma: 0.2 } } : { kind: 'flat', vol },
    }),
  );

/** An instrument on the market's underlying; strikes from 0.3x to 3x the index. */
export function instrumentArb(indexPrice: number): fc.Arbitrary<PmInstrument> {
  const settlement = fc.constantFrom<PmSettlement>('linear', 'inverse');
  const expiry = fc.constantFrom(...EXPIRIES);
  return fc.oneof(
    { weight: 6, arbitrary: fc
      .record({ kind: fc.constantFrom<OptionKind>('call', 'put'), moneyness: fc.constantFrom(0.3, 0.8, 0.9, 1, 1.1, 1.25, 3), expiry, settlement })
      .map(({ kind, moneyness, expiry: t, settlement: s }) => option(kind, Math.round(indexPrice * moneyness), t, s)) },
    { weight: 2, arbitrary: fc.record({ expiry, settlement }).map(({ expiry: t, settlement: s }) => future(t, s, s === 'inverse' ? 10 : 1)) },
    { weight: 1, arbitrary: settlement.map((s) => perpetual(s, s === 'inverse' ? 10 : 1)) },
    { weight: 1, arbitrary: fc.constant(spot()) },
  );
}

/** Quantities in lots of 0.1, non-zero; inverse futures in contracts of 10 USD scaled to ~1 BTC. */
export function positionsArb(indexPrice: number, maxLength = 6): fc.Arbitrary<PmPosition[]> {
  return fc.array(
    fc.record({ instrument: instrumentArb(indexPrice), lots: fc.integer({ min: -200, max: 200 }).filter((n) => n !== 0) }).map(({ instrument, lots }) => {
      const scale = (instrument.kind === 'future' || instrument.kind === 'perpetual') && instrument.settlement === 'inverse' ? indexPrice / 10 : 1;
      return at(instrument, (lots / 10) * scale);
    }),
    { minLength: 1, maxLength },
  );
}
