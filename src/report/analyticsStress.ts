/**
 * `solvent stress` output: the wire JSON of scenario results per account and venue-wide, and of
 * reverse stress (built by src/analytics/wire.ts), and the terminal tables printed from it.
 * Amounts are float64 figures in the valuation asset; moves are fractions (-0.15 = a 15% fall).
 */
import { money, signedPercent, table } from './analyticsText.js';

export type StatusJson = 'healthy' | 'margin_call' | 'reduce_only' | 'liquidatable' | 'bankrupt';

export interface ScenarioJson {
  readonly id: string;
  readonly name: string;
  readonly source: string;
  /** Each step in words: "BTC -40%, ETH -43%, others -43%". */
  readonly steps: readonly string[];
}

export interface AccountScenarioJson {
  readonly scenario: string;
  /** The step (0-based) with the lowest equity. */
  readonly worstStep: number;
  readonly pnl: number;
  readonly equityAfter: number;
  readonly maintenanceMargin: number;
  readonly collateralMaintenance: number;
  readonly status: StatusJson;
  readonly breachesMaintenance: boolean;
  readonly shortfall: number;
}

export interface AccountStressJson {
  readonly accountId: string;
  readonly equity: number;
  readonly maintenanceMargin: number;
  readonly status: StatusJson;
  readonly results: readonly AccountScenarioJson[];
}

export interface VenueScenarioJson {
  readonly scenario: string;
  readonly venuePnl: number;
  readonly venueLoss: number;
  readonly venueShortfall: number;
  readonly accountsBreachingMaintenance: number;
  readonly accountsInShortfall: number;
  readonly cover: {
    readonly accounts: number;
    readonly largest: readonly { readonly accountId: string; readonly shortfall: number }[];
    readonly shortfall: number;
    readonly survives: boolean | null;
  };
  readonly fundCoversAll: boolean | null;
}

export interface StressJson {
  readonly valuationAsset: string;
  readonly scenarios: readonly ScenarioJson[];
  readonly accounts: readonly AccountStressJson[];
  /** Present for a venue document, a directory, or when a fund was given. */
  readonly venue: {
    readonly scenarios: readonly VenueScenarioJson[];
    readonly insuranceFund: number | null;
    readonly worstLossScenario: string;
    readonly worstShortfallScenario: string;
    readonly survivesAll: boolean | null;
  } | null;
}

function accountSection(a: AccountStressJson, names: ReadonlyMap<string, ScenarioJson>, currency: string): string {
  const rows = a.results.map((r) => {
    const s = names.get(r.scenario);
    const step = s !== undefined && s.steps.length > 1 && r.pnl !== 0 ? ` (step ${r.worstStep + 1})` : '';
    return [r.scenario + step, money(r.pnl), money(r.equityAfter), money(r.maintenanceMargin), r.status, r.breachesMaintenance ? 'yes' : 'no', money(r.shortfall)];
  });
  const head = ['Scenario', 'PnL', 'Equity after', 'MM after', 'Status after', 'Below MM', 'Shortfall'];
  return [`Account ${a.accountId}: equity ${money(a.equity)} ${currency}, MM ${money(a.maintenanceMargin)}, ${a.status}`, table(head, rows, ['left', 'right', 'right', 'right', 'left', 'left', 'right'])].join('\n');
}

export function stressTable(json: StressJson): string {
  const names = new Map(json.scenarios.map((s) => [s.id, s] as const));
  const scenarioRows = json.scenarios.map((s) => [s.id, s.steps.join(' then ')]);
  const sections = [`Stress scenarios (figures in ${json.valuationAsset})`, table(['Scenario', 'Shocks'], scenarioRows, ['left', 'left'])];
  const v = json.venue;
  if (v !== null) {
    const rows = v.scenarios.map((s) => [
      s.scenario,
      money(s.venuePnl),
      money(s.venueLoss),
      String(s.accountsBreachingMaintenance),
      String(s.accountsInShortfall),
      money(s.venueShortfall),
      money(s.cover.shortfall),
      s.cover.survives === null ? '-' : s.cover.survives ? 'yes' : 'NO',
    ]);
    const n = v.scenarios[0]?.cover.accounts ?? 2;
    sections.push(
      '',
      `Venue: ${json.accounts.length} accounts${v.insuranceFund === null ? ', no insurance fund given' : `, insurance fund ${money(v.insuranceFund)}`}`,
      table(['Scenario', 'Venue PnL', 'Venue loss', 'Below MM', 'In shortfall', 'Shortfall', `Cover ${n}`, 'Fund survives'], rows, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left']),
      `Venue loss = sum of the account losses; shortfall = bad debt (negative equity after the shock, liquidation without slippage).`,
      `Cover ${n}: the ${n} accounts with the largest shortfall in the scenario default; the fund survives when it covers them.`,
    );
    const worst = v.scenarios.find((s) => s.scenario === v.worstShortfallScenario);
    if (worst !== undefined && worst.cover.largest.length > 0) {
      sections.push(`Largest shortfalls in ${worst.scenario}: ${worst.cover.largest.map((l) => `${l.accountId} ${money(l.shortfall)}`).join(', ')}`);
    }
    if (v.survivesAll !== null) sections.push(v.survivesAll ? `The fund survives cover ${n} in every scenario.` : `The fund does NOT survive cover ${n} in every scenario.`);
  }
  for (const a of json.accounts) sections.push('', accountSection(a, names, json.valuationAsset));
  return `${sections.join('\n')}\n`;
}

/** A reverse stress answer: `found` with the breaking move, `already` at today's prices, or `none` in range. */
export interface ReverseMoveJson {
  readonly kind: 'found' | 'already' | 'none';
  /** The smallest breaking move found (within 1e-9 of the range), or null. */
  readonly move: number | null;
  /** The largest move checked that does not break, or null. */
  readonly lastSafeMove: number | null;
}

export interface ReverseJson {
  readonly valuationAsset: string;
  readonly accounts: readonly {
    readonly accountId: string;
    readonly equity: number;
    readonly liquidation: { readonly fall: ReverseMoveJson; readonly rise: ReverseMoveJson };
    readonly insolvency: { readonly fall: ReverseMoveJson; readonly rise: ReverseMoveJson };
  }[];
  /** Against the venue's insurance fund (capacity 0 without one: the first bad debt). */
  readonly venue: { readonly capacity: number; readonly fall: ReverseMoveJson; readonly rise: ReverseMoveJson } | null;
}

export function reverseText(r: ReverseMoveJson): string {
  return r.kind === 'found' && r.move !== null ? signedPercent(r.move) : r.kind;
}

export function reverseTable(json: ReverseJson): string {
  const rows = json.accounts.map((a) => [
    a.accountId,
    money(a.equity),
    reverseText(a.liquidation.fall),
    reverseText(a.insolvency.fall),
    reverseText(a.liquidation.rise),
    reverseText(a.insolvency.rise),
  ]);
  const sections = [
    `Reverse stress: the smallest uniform move of every unpegged price that liquidates or bankrupts the account (figures in ${json.valuationAsset})`,
    table(['Account', 'Equity', 'Liquidated at fall', 'Insolvent at fall', 'Liquidated at rise', 'Insolvent at rise'], rows),
    "Searched from 0 down to -99% and up to +1,000%; 'already' = at today's prices, 'none' = not within the range.",
  ];
  if (json.venue !== null) {
    sections.push(
      '',
      `Venue: total shortfall exceeds ${json.venue.capacity > 0 ? `the insurance fund of ${money(json.venue.capacity)}` : 'zero (the first bad debt)'} at a fall of ${reverseText(json.venue.fall)} or a rise of ${reverseText(json.venue.rise)}`,
    );
  }
  return `${sections.join('\n')}\n`;
}
