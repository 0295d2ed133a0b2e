/**
 * `solvent stress`, run in process: the named scenarios move prices as their table says, the
 * venue-wide loss is the sum of the account losses, the insurance fund is tested against the
 * default of the two accounts with the largest shortfall, a directory of risk documents gives the
 * same answers as one venue document, reverse stress finds the move worked out by hand, and bad
 * input exits 2 with a stable code.
 *
 * Figures are from the comment headers of examples/analytics/venue.yaml and crypto-account.yaml.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as yamlText } from 'yaml';
import { exampleDocument, runCli, writeScratch } from './support.js';

const VENUE = fileURLToPath(new URL('../../examples/analytics/venue.yaml', import.meta.url));
const SCENARIOS = fileURLToPath(new URL('../../examples/analytics/scenarios.yaml', import.meta.url));
const CRYPTO_ACCOUNT = fileURLToPath(new URL('../../examples/analytics/crypto-account.yaml', import.meta.url));

interface AccountResult {
  readonly scenario: string;
  readonly worstStep: number;
  readonly pnl: number;
  readonly equityAfter: number;
  readonly status: string;
  readonly breachesMaintenance: boolean;
  readonly shortfall: number;
}
interface StressReport {
  readonly scenarios: readonly { readonly id: string; readonly steps: readonly string[] }[];
  readonly accounts: readonly { readonly accountId: string; readonly equity: number; readonly results: readonly AccountResult[] }[];
  readonly venue: {
    readonly insuranceFund: number | null;
    readonly survivesAll: boolean | null;
    readonly scenarios: readonly {
      readonly scenario: string;
      readonly venuePnl: number;
      readonly venueLoss: number;
      readonly venueShortfall: number;
      readonly accountsBreachingMaintenance: number;
      readonly accountsInShortfall: number;
      readonly cover: { readonly accounts: number; readonly shortfall: number; readonly survives: boolean | null; readonly largest: readonly { readonly accountId: string; readonly shortfall: number }[] };
    }[];
  } | null;
}
interface ReverseMove {
  readonly kind: 'found' | 'already' | 'none';
  readonly move: number | null;
}
interface ReverseReport {
  readonly accounts: readonly { readonly accountId: string; readonly liquidation: { readonly fall: ReverseMove; readonly rise: ReverseMove }; readonly insolvency: { readonly fall: ReverseMove; readonly rise: ReverseMove } }[];
  readonly venue: { readonly capacity: number; readonly fall: ReverseMove; readonly rise: ReverseMove } | null;
}

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Number.isFinite(actual) && Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} +/- ${tolerance}, got ${actual}`);
}

async function report<T>(args: readonly string[]): Promise<T> {
  const result = await runCli(['stress', ...args, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

const resultOf = (r: StressReport, account: string, scenario: string): AccountResult =>
  r.accounts.find((a) => a.accountId === account)?.results.find((x) => x.scenario === scenario) as AccountResult;

describe('solvent stress: named scenarios', () => {
  test('the built-in table: 12 Mar 2020, Oct 2019, 10 Oct 2025 (both ends), Nov 2023 YFI', async () => {
    const r = await report<StressReport>([CRYPTO_ACCOUNT]);
    assert.deepEqual(r.scenarios.map((s) => s.id), ['2020-03-12', '2019-10-outlier', '2025-10-10-alts-30', '2025-10-10-alts-70', '2023-11-yfi']);
    assert.deepEqual(r.scenarios[0]?.steps, ['BTC -40%, ETH -43%, others -43%']);
    assert.deepEqual(r.scenarios[4]?.steps, ['YFI +215%', 'YFI +120.5%']);
    assert.equal(r.venue, null, 'one account and no fund: no venue section');
  });

  test('10 Oct 2025 at -70%: BTC -13%, alts -70%, USDe at 0.65 (worked in the example header)', async () => {
    const r = await report<StressReport>([CRYPTO_ACCOUNT]);
    const x = resultOf(r, 'carol', '2025-10-10-alts-70');
    // 2 x 60,000 x -13% + 20 x 3,000 x -70% + 200 x 150 x 70% + 20,000 x (0.65 - 1)
    assertClose(x.pnl, -15_600 - 42_000 + 21_000 - 7_000, 1e-6, 'PnL');
    assertClose(x.equityAfter, 16_400, 1e-6, 'equity after');
  });

  test('12 Mar 2020 bankrupts alice: 10 BTC x 60,000 x -40% on 40,000 of equity', async () => {
    const r = await report<StressReport>([VENUE]);
    const x = resultOf(r, 'alice', '2020-03-12');
    assert.equal(x.pnl, -240_000);
    assert.equal(x.shortfall, 200_000);
    assert.equal(x.status, 'bankrupt');
    assert.equal(x.breachesMaintenance, true);
  });

  test('a path scenario counts the worst step: the YFI short is hit at the top, +215%', async () => {
    const r = await report<StressReport>([VENUE]);
    const x = resultOf(r, 'erin', '2023-11-yfi');
    assert.equal(x.worstStep, 0);
    assert.equal(x.pnl, -20 * 5000 * 2.15);
  });
});

describe('solvent stress: venue-wide', () => {
  test('the venue loss is the sum of the account losses, and the shortfall the sum of theirs', async () => {
    const r = await report<StressReport>([VENUE, '--scenarios', SCENARIOS]);
    assert.ok(r.venue !== null);
    assert.equal(r.venue.scenarios.length, 8);
    r.venue.scenarios.forEach((s) => {
      const results = r.accounts.map((a) => a.results.find((x) => x.scenario === s.scenario) as AccountResult);
      assertClose(s.venueLoss, results.reduce((t, x) => t + Math.max(0, -x.pnl), 0), 1e-6, `${s.scenario} loss`);
      assertClose(s.venuePnl, results.reduce((t, x) => t + x.pnl, 0), 1e-6, `${s.scenario} PnL`);
      assertClose(s.venueShortfall, results.reduce((t, x) => t + x.shortfall, 0), 1e-6, `${s.scenario} shortfall`);
      assert.equal(s.accountsBreachingMaintenance, results.filter((x) => x.breachesMaintenance).length);
      assert.equal(s.accountsInShortfall, results.filter((x) => x.shortfall > 0).length);
    });
  });

  test('cover 2: a 250,000 fund does not survive alice and bob on 12 Mar 2020 (378,000)', async () => {
    const r = await report<StressReport>([VENUE]);
    const s = r.venue?.scenarios.find((x) => x.scenario === '2020-03-12');
    assert.deepEqual(s?.cover.largest.map((l) => l.accountId), ['alice', 'bob']);
    assert.equal(s?.cover.shortfall, 378_000);
    assert.equal(s?.cover.survives, false);
    assert.equal(r.venue?.survivesAll, false);
    const bigger = await report<StressReport>([VENUE, '--insurance-fund', '378000']);
    assert.equal(bigger.venue?.scenarios.find((x) => x.scenario === '2020-03-12')?.cover.survives, true);
    const cover1 = await report<StressReport>([VENUE, '--cover', '1']);
    assert.equal(cover1.venue?.scenarios.find((x) => x.scenario === '2020-03-12')?.cover.shortfall, 200_000);
  });

  test('a directory of risk documents gives the same account results as the venue document', async () => {
    const venue = parseYaml(readFileSync(VENUE, 'utf8')) as Record<string, any>;
    const { accounts, insuranceFund: _fund, $schema: _schema, ...shared } = venue;
    const dir = join(dirname(writeScratch('venue-dir-marker', '')), 'venue-dir');
    mkdirSync(dir, { recursive: true });
    for (const account of accounts as { id: string }[]) writeFileSync(join(dir, `${account.id}.yaml`), yamlText({ ...shared, account }));
    const fromDir = await report<StressReport>([dir]);
    const fromFile = await report<StressReport>([VENUE]);
    assert.deepEqual(fromDir.accounts, fromFile.accounts);
    assert.equal(fromDir.venue?.insuranceFund, null, 'a directory has no fund unless given');
    assert.deepEqual(fromDir.venue?.scenarios.map((s) => s.venueLoss), fromFile.venue?.scenarios.map((s) => s.venueLoss));
  });

  test('the table says whether the fund survives; --chart draws the bars and the fund', async () => {
    const chart = writeScratch('stress.svg', '');
    const result = await runCli(['stress', VENUE, '--chart', chart]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Venue: 5 accounts, insurance fund 250,000\.00/);
    assert.match(result.stdout, /The fund does NOT survive cover 2 in every scenario\./);
    const svg = readFileSync(chart, 'utf8');
    assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'));
    for (const text of ['2020-03-12', '2023-11-yfi', 'venue loss', 'insurance fund 250000']) assert.ok(svg.includes(text), text);
  });
});

describe('solvent stress --reverse', () => {
  test('a 10 BTC long at 60,000 on 90,000 USDT is insolvent at -15% and liquidated at -14.36%', async () => {
    const doc = exampleDocument('binance-cross.yaml') as Record<string, any>;
    doc['account'].balances.USDT = '90000';
    const file = writeScratch('reverse.yaml', yamlText(doc));
    const r = await report<ReverseReport>([file, '--reverse']);
    const a = r.accounts[0];
    assertClose(a?.insolvency.fall.move ?? NaN, -0.15, 1e-7, 'insolvency move');
    // 90,000 + 600,000 m = 600,000 (1 + m) x 1% - 1,300 (bracket 3): m = -85,300 / 594,000
    assertClose(a?.liquidation.fall.move ?? NaN, -85_300 / 594_000, 1e-7, 'liquidation move');
    assert.equal(a?.insolvency.rise.kind, 'none', 'a long is never insolvent on a rise');
    assert.equal(r.venue, null);
  });

  test('the liquidation move of binance-cross.yaml lands on its liquidation price, 57,444.44', async () => {
    const file = fileURLToPath(new URL('../../examples/binance-cross.yaml', import.meta.url));
    const r = await report<ReverseReport>([file, '--reverse']);
    assertClose(60_000 * (1 + (r.accounts[0]?.liquidation.fall.move ?? NaN)), 57_444.44, 0.01, 'price');
  });

  test('an inverse perpetual: the moves land on the liquidation and bankruptcy prices of its header', async () => {
    const file = fileURLToPath(new URL('../../examples/inverse-btc-perpetual.yaml', import.meta.url));
    const a = (await report<ReverseReport>([file, '--reverse'])).accounts[0];
    // The BTC wallet and the coin-settled PnL move with the price: 3.5 P - 100,000 = 0 at 28,571.43.
    assertClose(50_000 * (1 + (a?.insolvency.fall.move ?? NaN)), 28_571.43, 0.01, 'bankruptcy price');
    assertClose(50_000 * (1 + (a?.liquidation.fall.move ?? NaN)), 28_862.09, 0.01, 'liquidation price');
  });

  test('venue-wide: the move at which total bad debt exceeds the fund', async () => {
    const r = await report<ReverseReport>([VENUE, '--reverse']);
    assert.equal(r.venue?.capacity, 250_000);
    assert.equal(r.venue?.fall.kind, 'found');
    // A fall of m bankrupts alice below -6.67% (40,000 / 600,000) and bob below -13.33% (80,000 / 600,000):
    // (600,000 |m| - 40,000) + (600,000 |m| - 80,000) = 250,000 at |m| = 370,000 / 1,200,000, while
    // the shorts (dave, erin, frank) only gain.
    assertClose(r.venue?.fall.move ?? NaN, -370_000 / 1_200_000, 1e-7, 'venue fall');
    const chart = writeScratch('reverse.svg', '');
    assert.equal((await runCli(['stress', VENUE, '--reverse', '--chart', chart])).code, 0);
    assert.ok(readFileSync(chart, 'utf8').includes('total shortfall'));
  });
});

describe('solvent stress rejects bad input with exit 2 and a stable code', () => {
  const scenarioFile = (scenarios: unknown): string => writeScratch('bad-scenarios.yaml', yamlText({ version: 1, scenarios }));
  const cases: readonly { readonly name: string; readonly args: () => string[]; readonly code: string }[] = [
    { name: 'a fall of 100% or more', args: () => [CRYPTO_ACCOUNT, '--scenarios', scenarioFile([{ id: 'x', moves: { BTC: '-1' } }])], code: '/scenarios/0/moves/BTC: move_out_of_range' },
    { name: 'both one-step fields and steps', args: () => [CRYPTO_ACCOUNT, '--scenarios', scenarioFile([{ id: 'x', otherMove: '-0.1', steps: [{ otherMove: '-0.2' }] }])], code: '/scenarios/0: scenario_form_invalid' },
    { name: 'a built-in id reused', args: () => [CRYPTO_ACCOUNT, '--scenarios', scenarioFile([{ id: '2020-03-12', otherMove: '-0.1' }])], code: 'scenario_id_duplicate' },
    { name: 'a number where a decimal string belongs', args: () => [CRYPTO_ACCOUNT, '--scenarios', scenarioFile([{ id: 'x', otherMove: -0.1 }])], code: '/scenarios/0/otherMove: field_type_wrong' },
    { name: 'an unknown scenario in --only', args: () => [CRYPTO_ACCOUNT, '--only', 'tomorrow'], code: 'scenario_unknown' },
    { name: 'a negative insurance fund', args: () => [VENUE, '--insurance-fund', '-1'], code: 'option_value_invalid' },
    { name: 'a path that does not exist', args: () => ['nowhere.yaml'], code: 'file_not_found' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const result = await runCli(['stress', ...c.args()]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.ok(result.stderr.includes(c.code), `stderr names ${c.code}: ${result.stderr}`);
    });
  }

  test('a venue document reports an account\'s issue under /accounts/i, and duplicate ids', async () => {
    const venue = parseYaml(readFileSync(VENUE, 'utf8')) as Record<string, any>;
    venue['accounts'][1].positions[0].instrument = 'DOGEUSDT';
    venue['accounts'][2].id = 'alice';
    const result = await runCli(['stress', writeScratch('bad-venue.yaml', yamlText(venue))]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\/accounts\/1\/positions\/0\/instrument: instrument_unknown/);
    assert.match(result.stderr, /\/accounts\/2\/id: account_id_duplicate/);
  });
});
