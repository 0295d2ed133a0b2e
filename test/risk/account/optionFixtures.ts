/**
 * Risk documents with options, built as a user writes them and loaded by the production loader:
 * BTC at 100,000 (inverse options in BTC, linear ones in USDC), Deribit standard option margin, and
 * a flat 60% surface whose forward is the index.
 */
import { loadRiskDocument, type LoadedRiskDocument } from '../../../src/config/load.js';
import { DocumentError } from '../../../src/config/issues.js';
import { valueAccount, type AccountFigures } from '../../../src/risk/account/index.js';

// Documents are parsed JSON that each test edits freely: `any` is the honest type here.
export type Doc = Record<string, any>;

export const AS_OF = '2026-01-01T08:00:00Z';
export const EXPIRY = '2026-01-31T08:00:00Z'; // 30 days after AS_OF

export function option(kind: 'call' | 'put', strike: string, settlement: 'linear' | 'inverse' = 'inverse', expiry = EXPIRY): Doc {
  return {
    kind: 'option',
    underlying: 'BTC',
    quoteAsset: settlement === 'inverse' ? 'USD' : 'USDC',
    settlement,
    optionKind: kind,
    strike,
    expiry,
    contractSize: '1',
    tick: '0.0001',
    lot: '0.1',
  };
}

/** A cross account holding BTC and USDC, with options (and anything else) in `instruments`. */
export function optionDocument(parts: { instruments: Doc; positions: Doc[]; marks?: Doc; balances?: Doc; mode?: string; risk?: Doc }): Doc {
  return {
    version: 1,
    valuationAsset: 'USD',
    asOf: AS_OF,
    assets: {
      BTC: { kind: 'collateral', initial: { kind: 'flat', weight: '1' }, maintenance: { kind: 'flat', weight: '1' } },
      USDC: { kind: 'preset', preset: 'stablecoin' },
    },
    instruments: parts.instruments,
    risk: parts.risk ?? { optionMargin: { BTC: { kind: 'preset', preset: 'deribit' } } },
    volatility: { BTC: { rate: '0', slices: [{ expiry: EXPIRY, forward: '100000', smile: { kind: 'flat', vol: '0.6' } }] } },
    prices: { BTC: '100000', USDC: '1' },
    marks: parts.marks ?? {},
    account: { id: 'test', mode: parts.mode ?? 'cross', balances: parts.balances ?? { BTC: '1' }, positions: parts.positions },
  };
}

export function load(doc: Doc): LoadedRiskDocument {
  return loadRiskDocument(structuredClone(doc));
}

export function value(doc: Doc): AccountFigures {
  const { params, market, account } = load(doc);
  return valueAccount(account, market, params);
}

/** The [path, code] pairs a document is rejected with. */
export function issuesOf(doc: Doc): [string, string][] {
  try {
    load(doc);
  } catch (error) {
    if (error instanceof DocumentError) return error.issues.map((i) => [i.path, i.code]);
    throw error;
  }
  return [];
}
