/**
 * Every example document, run through `solvent margin FILE --json` exactly as a user would, gives
 * the key figures its comment header works out by hand from METHODS.md. The expectations below
 * repeat the header's numbers, and a test checks that the header still states each of them, so
 * the prose, the file and the engine cannot drift apart.
 *
 * How figures are compared:
 * - amounts are exact decimal strings, allowed one ledger unit (0.00000001) either way; the
 *   published requirement figures are also checked exactly below (float noise such as
 *   2% + 25 x 0.005% = 0.021250000000000002 must not round a requirement up by a unit);
 * - liquidation and bankruptcy prices: the engine answers on the 1e-8 price grid with PnL rounded
 *   against the account, the header to the cent; they agree within half a unit of the header's
 *   last decimal plus one grid step, or within one part per million, whichever is looser.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import type { AccountJson, PositionJson } from '../../src/report/accountJson.js';
import { groupDigits } from '../../src/report/accountTable.js';
import { EXAMPLES_DIR, exampleFiles, runCli } from './support.js';

type AccountAmount =
  | 'equity'
  | 'unrealisedPnl'
  | 'collateralInitial'
  | 'collateralMaintenance'
  | 'initialMargin'
  | 'maintenanceMargin'
  | 'freeCollateral';

interface ExpectedPosition {
  readonly instrument: string;
  readonly notional?: string;
  readonly unrealisedPnl?: string;
  readonly unrealisedPnlSettlement?: string;
  readonly initialMargin?: string;
  readonly maintenanceMargin?: string;
  /** A price as the header writes it (to the cent), or null when the header says there is none. */
  readonly liquidationPrice: string | null;
  readonly bankruptcyPrice: string | null;
  readonly initialRule?: RegExp;
  readonly maintenanceRule?: RegExp;
}

interface ExpectedCollateral {
  readonly asset: string;
  readonly value?: string;
  readonly initialValue?: string;
  readonly maintenanceValue?: string;
  readonly rule?: RegExp;
}

interface ExpectedExample {
  readonly file: string;
  readonly account: Partial<Record<AccountAmount, string>>;
  readonly status?: AccountJson['status'];
  /** Margin ratio in percent as the header writes it, e.g. "638.30". */
  readonly marginRatioPercent?: string;
  readonly effectiveLeverage?: string;
  readonly positions: readonly ExpectedPosition[];
  readonly collateral?: readonly ExpectedCollateral[];
}

const EXPECTED: readonly ExpectedExample[] = [
  {
    file: 'binance-isolated.yaml',
    account: {},
    positions: [
      {
        instrument: 'BTCUSDT',
        notional: '84000',
        liquidationPrice: '75929.65',
        bankruptcyPrice: '75600',
        maintenanceRule: /bracket 2 .*MMR 0\.5%, maintenance amount 50\b/,
      },
    ],
  },
  {
    file: 'binance-cross.yaml',
    account: { equity: '30000', initialMargin: '30000', maintenanceMargin: '4700', freeCollateral: '0' },
    status: 'healthy',
    marginRatioPercent: '638.30',
    positions: [
      {
        instrument: 'BTCUSDT',
        notional: '600000',
        initialMargin: '30000',
        maintenanceMargin: '4700',
        liquidationPrice: '57444.44',
        bankruptcyPrice: '57000',
        initialRule: /bracket 3 .*MMR 1%, maintenance amount 1300\b.*IM at user leverage 20x/,
        maintenanceRule: /bracket 3 .*MMR 1%, maintenance amount 1300\b/,
      },
    ],
  },
  {
    file: 'hyperliquid-isolated.yaml',
    account: { equity: '10500', initialMargin: '7500', maintenanceMargin: '2175', freeCollateral: '500' },
    status: 'healthy',
    positions: [
      {
        instrument: 'BTC-PERP',
        notional: '75000',
        initialMargin: '7500',
        maintenanceMargin: '2175',
        liquidationPrice: '44508.77',
        bankruptcyPrice: '43333.33',
        maintenanceRule: /bracket 3 .*MMR 5%, maintenance amount 1575\b.*leverage max 10x/,
      },
    ],
  },
  {
    file: 'deribit-linear.yaml',
    account: { equity: '100000', initialMargin: '53125', maintenanceMargin: '28125', freeCollateral: '46875' },
    status: 'healthy',
    marginRatioPercent: '355.56',
    positions: [
      {
        instrument: 'BTC_USDC-PERPETUAL',
        initialMargin: '53125',
        maintenanceMargin: '28125',
        liquidationPrice: '97092.29',
        bankruptcyPrice: '96000',
        initialRule: /IM 2% \+ 25 x 0\.005% = 2\.125%/,
        maintenanceRule: /MM 1% \+ 25 x 0\.005% = 1\.125%/,
      },
    ],
  },
  {
    file: 'drift-size-premium.yaml',
    account: { equity: '20000', initialMargin: '13000', maintenanceMargin: '9000', freeCollateral: '7000' },
    status: 'healthy',
    marginRatioPercent: '222.22',
    positions: [
      {
        instrument: 'DOGE-PERP',
        notional: '100000',
        initialMargin: '13000',
        maintenanceMargin: '9000',
        liquidationPrice: '0.08791209',
        bankruptcyPrice: '0.08',
        initialRule: /IM 13%, MM 9%/,
      },
    ],
  },
  {
    file: 'dydx-open-interest.yaml',
    account: { equity: '400000', initialMargin: '300000', maintenanceMargin: '50000', freeCollateral: '100000' },
    status: 'healthy',
    marginRatioPercent: '800',
    positions: [
      {
        instrument: 'BTC-USD',
        notional: '500000',
        initialMargin: '300000',
        maintenanceMargin: '50000',
        liquidationPrice: '11111.11',
        bankruptcyPrice: '10000',
        initialRule: /scale 0\.5, IMF 60%/,
        maintenanceRule: /MMF 20% x 0\.5 = 10%/,
      },
    ],
  },
  {
    file: 'inverse-btc-perpetual.yaml',
    account: { equity: '75000', unrealisedPnl: '25000', initialMargin: '2010', maintenanceMargin: '1010', freeCollateral: '72990' },
    status: 'healthy',
    marginRatioPercent: '7425.74',
    effectiveLeverage: '1.33',
    positions: [
      {
        instrument: 'BTC-PERPETUAL',
        unrealisedPnl: '25000',
        unrealisedPnlSettlement: '0.5',
        initialMargin: '2010',
        maintenanceMargin: '1010',
        liquidationPrice: '28862.09',
        bankruptcyPrice: '28571.43',
        initialRule: /IM 2% \+ 2 x 0\.005% = 2\.01%/,
      },
    ],
    collateral: [{ asset: 'BTC', value: '75000' }],
  },
  {
    file: 'multi-asset-collateral.yaml',
    account: {
      equity: '1300000',
      collateralInitial: '1228000',
      collateralMaintenance: '1228000',
      initialMargin: '12000',
      maintenanceMargin: '4700',
      freeCollateral: '1216000',
    },
    status: 'healthy',
    marginRatioPercent: '26127.66',
    positions: [
      { instrument: 'BTCUSDT', initialMargin: '12000', maintenanceMargin: '4700', liquidationPrice: null, bankruptcyPrice: null },
    ],
    collateral: [
      { asset: 'BTC', value: '1500000', initialValue: '1428000', maintenanceValue: '1428000', rule: /10 x 0\.98 \+ 10 x 0\.95 \+ 5 x 0\.9/ },
      { asset: 'USDT', value: '-200000', initialValue: '-200000', maintenanceValue: '-200000', rule: /liability at weight 1/ },
    ],
  },
  {
    file: 'open-orders.yaml',
    account: { equity: '10000', initialMargin: '6000', maintenanceMargin: '250', freeCollateral: '4000' },
    status: 'healthy',
    marginRatioPercent: '4000',
    positions: [
      {
        instrument: 'BTCUSDT',
        notional: '60000',
        initialMargin: '6000',
        maintenanceMargin: '250',
        liquidationPrice: '50201.01',
        bankruptcyPrice: '50000',
        initialRule: /^open orders, worst side filled \(notional 300000\): bracket 3 /,
        maintenanceRule: /^bracket 2 /,
      },
    ],
  },
  {
    file: 'lagged-prices.yaml',
    account: {
      equity: '16500',
      collateralInitial: '10800',
      collateralMaintenance: '15000',
      initialMargin: '150',
      maintenanceMargin: '75',
      freeCollateral: '10650',
    },
    status: 'healthy',
    marginRatioPercent: '20000',
    positions: [
      { instrument: 'SOL-PERP', unrealisedPnl: '500', initialMargin: '150', maintenanceMargin: '75', liquidationPrice: null, bankruptcyPrice: null },
    ],
    collateral: [
      { asset: 'SOL', value: '15000', initialValue: '9600', maintenanceValue: '13500' },
      { asset: 'USDC', value: '1500', initialValue: '1200', maintenanceValue: '1500' },
    ],
  },
  {
    file: 'minimum-margin.yaml',
    account: { equity: '50', initialMargin: '10', maintenanceMargin: '5', freeCollateral: '40' },
    status: 'healthy',
    marginRatioPercent: '1000',
    positions: [
      {
        instrument: 'BTCUSDT',
        notional: '600',
        initialMargin: '10',
        maintenanceMargin: '5',
        liquidationPrice: '55500',
        bankruptcyPrice: '55000',
        initialRule: /IM minimum 10/,
        maintenanceRule: /MM minimum 5/,
      },
    ],
  },
  {
    file: 'deribit-options-standard.yaml',
    account: { equity: '100000', initialMargin: '23500', maintenanceMargin: '18500', freeCollateral: '76500' },
    status: 'healthy',
    marginRatioPercent: '540.54',
    positions: [
      {
        instrument: 'BTC-27MAR26-110000-C',
        initialMargin: '12000',
        maintenanceMargin: '9500',
        liquidationPrice: null,
        bankruptcyPrice: null,
        initialRule: /^short call: IM = max\(0\.15 - OTM\/S 0\.1000, 0\.10\) \+ mark 0\.0200 = 0\.1200; MM = 0\.075 \+ mark 0\.0200 = 0\.0950/,
      },
      {
        instrument: 'BTC-27MAR26-90000-P',
        initialMargin: '11500',
        maintenanceMargin: '9000',
        liquidationPrice: null,
        bankruptcyPrice: null,
        initialRule: /^short put: MM = max\(0\.075, 0\.075 \* mark\) \+ mark 0\.0150 = 0\.0900; IM = .* = 0\.1150/,
      },
    ],
  },
  {
    file: 'portfolio-covered-call.yaml',
    account: { equity: '100000', initialMargin: '17363.23691664', maintenanceMargin: '13890.58953331', freeCollateral: '82636.76308336' },
    status: 'healthy',
    marginRatioPercent: '719.91',
    positions: [
      {
        instrument: 'BTC-31JAN26-110000-C',
        unrealisedPnl: '0',
        initialMargin: '0',
        maintenanceMargin: '0',
        liquidationPrice: null,
        bankruptcyPrice: null,
        maintenanceRule: /^portfolio margin: see the BTC portfolio$/,
      },
    ],
    collateral: [{ asset: 'BTC', value: '100000' }],
  },
  {
    file: 'portfolio-eth-futures.yaml',
    account: { equity: '10000', initialMargin: '4568.62965', maintenanceMargin: '3514.3305', freeCollateral: '5431.37035' },
    status: 'healthy',
    marginRatioPercent: '284.55',
    positions: [
      { instrument: 'ETH-21JAN26', notional: '22531.55', initialMargin: '0', maintenanceMargin: '0', liquidationPrice: null, bankruptcyPrice: null },
    ],
  },
];

const LEDGER_UNIT = 0.00000001;

async function marginJson(file: string): Promise<AccountJson> {
  const result = await runCli(['margin', join(EXAMPLES_DIR, file), '--json']);
  assert.equal(result.stderr, '', `${file}: nothing on stderr`);
  assert.equal(result.code, 0, `${file}: exit code`);
  return JSON.parse(result.stdout) as AccountJson;
}

function positionOf(account: AccountJson, instrument: string): PositionJson {
  const found = account.positions.find((p) => p.instrument === instrument);
  assert.ok(found !== undefined, `no position in ${instrument}`);
  return found;
}

/** Exact amounts, but one ledger unit of float noise is tolerated here (see the file comment). */
function assertAmount(actual: string, expected: string, what: string): void {
  const difference = Math.abs(Number(actual) - Number(expected));
  assert.ok(difference <= LEDGER_UNIT * 1.5, `${what}: expected ${expected}, got ${actual}`);
}

function assertAdversePrice(actual: string | null, note: string | null, expected: string | null, what: string): void {
  if (expected === null) {
    assert.equal(actual, null, `${what}: expected none, got ${actual}`);
    assert.ok(note !== null && note.length > 0, `${what}: a missing price carries a note`);
    return;
  }
  assert.ok(actual !== null, `${what}: expected ${expected}, got none (${note})`);
  assert.equal(note, null, `${what}: a price carries no note`);
  const decimals = expected.split('.')[1]?.length ?? 0;
  const tolerance = Math.max(0.5 * 10 ** -decimals + LEDGER_UNIT, Number(expected) * 1e-6);
  const difference = Math.abs(Number(actual) - Number(expected));
  assert.ok(difference <= tolerance, `${what}: expected ${expected} (within ${tolerance}), got ${actual}`);
}

function headerOf(file: string): string {
  const lines = readFileSync(join(EXAMPLES_DIR, file), 'utf8').split('\n');
  const header = lines.slice(0, lines.findIndex((line) => !line.startsWith('#')));
  return header.join('\n');
}

/** Every figure the test checks, as the header writes it. */
function statedFigures(e: ExpectedExample): string[] {
  const figures: string[] = Object.values(e.account).map(groupDigits);
  if (e.marginRatioPercent !== undefined) figures.push(`${groupDigits(e.marginRatioPercent)}%`);
  if (e.effectiveLeverage !== undefined) figures.push(`${e.effectiveLeverage}x`);
  for (const p of e.positions) {
    for (const value of [p.notional, p.initialMargin, p.maintenanceMargin, p.liquidationPrice, p.bankruptcyPrice]) {
      if (value !== undefined && value !== null) figures.push(groupDigits(value));
    }
  }
  for (const c of e.collateral ?? []) {
    for (const value of [c.initialValue, c.maintenanceValue]) if (value !== undefined) figures.push(groupDigits(value));
  }
  return figures;
}

describe('examples: solvent margin --json reproduces the figures worked out in each header', () => {
  test('every example file has expectations, and every expectation has a file', () => {
    assert.deepEqual(exampleFiles().map((f) => basename(f)), EXPECTED.map((e) => e.file).sort());
  });

  for (const e of EXPECTED) {
    test(`${e.file}: the header states the figures checked here, and points at the schema`, () => {
      const header = headerOf(e.file);
      assert.ok(header.split('\n').length >= 3, 'a header of a few lines explains the figures');
      for (const figure of statedFigures(e)) assert.ok(header.includes(figure), `the header states ${figure}`);
      assert.match(readFileSync(join(EXAMPLES_DIR, e.file), 'utf8'), /^\$schema: \.\.\/docs\/schema\/risk-document\.schema\.json$/m);
    });

    test(`${e.file}: account, position and collateral figures match the header`, async () => {
      const account = await marginJson(e.file);
      for (const [field, expected] of Object.entries(e.account) as [AccountAmount, string][]) {
        assertAmount(account[field], expected, field);
      }
      if (e.status !== undefined) assert.equal(account.status, e.status);
      if (e.marginRatioPercent !== undefined) {
        assert.ok(account.marginRatio !== null, 'margin ratio present');
        assert.equal(Number((account.marginRatio * 100).toFixed(2)), Number(e.marginRatioPercent), 'margin ratio');
      }
      if (e.effectiveLeverage !== undefined) {
        assert.ok(account.effectiveLeverage !== null, 'effective leverage present');
        assert.equal(account.effectiveLeverage.toFixed(2), e.effectiveLeverage, 'effective leverage');
      }
      for (const expected of e.positions) {
        const p = positionOf(account, expected.instrument);
        const amounts = ['notional', 'unrealisedPnl', 'unrealisedPnlSettlement', 'initialMargin', 'maintenanceMargin'] as const;
        for (const field of amounts) {
          const value = expected[field];
          if (value !== undefined) assertAmount(p[field], value, `${p.instrument} ${field}`);
        }
        assertAdversePrice(p.liquidationPrice, p.liquidationPriceNote, expected.liquidationPrice, `${p.instrument} liquidation price`);
        assertAdversePrice(p.bankruptcyPrice, p.bankruptcyPriceNote, expected.bankruptcyPrice, `${p.instrument} bankruptcy price`);
        if (expected.initialRule !== undefined) assert.match(p.initialRule, expected.initialRule);
        if (expected.maintenanceRule !== undefined) assert.match(p.maintenanceRule, expected.maintenanceRule);
      }
      for (const expected of e.collateral ?? []) {
        const c = account.collateral.find((row) => row.asset === expected.asset);
        assert.ok(c !== undefined, `collateral row for ${expected.asset}`);
        for (const field of ['value', 'initialValue', 'maintenanceValue'] as const) {
          const value = expected[field];
          if (value !== undefined) assertAmount(c[field], value, `${c.asset} ${field}`);
        }
        if (expected.rule !== undefined) assert.match(c.initialRule, expected.rule);
      }
    });
  }

  // The figures above are tolerated one ledger unit. These are the exact figures the venues
  // publish: float noise in summed rates must not round a requirement up by a unit
  // (amountFromNumber snaps values within FLOAT_NOISE_RELATIVE of a unit).
  const exactCases: readonly [file: string, field: AccountAmount, expected: string][] = [
    ['deribit-linear.yaml', 'initialMargin', '53125'],
    ['deribit-linear.yaml', 'freeCollateral', '46875'],
    ['drift-size-premium.yaml', 'maintenanceMargin', '9000'],
    ['dydx-open-interest.yaml', 'initialMargin', '300000'],
    ['dydx-open-interest.yaml', 'freeCollateral', '100000'],
    ['deribit-options-standard.yaml', 'initialMargin', '23500'],
    ['deribit-options-standard.yaml', 'maintenanceMargin', '18500'],
    ['portfolio-eth-futures.yaml', 'maintenanceMargin', '3514.3305'],
  ];
  test(
    'published requirement figures are met to the ledger unit, without float noise',
    async () => {
      const mismatches: string[] = [];
      for (const [file, field, expected] of exactCases) {
        const actual = (await marginJson(file))[field];
        if (actual !== expected) mismatches.push(`${file} ${field}: expected ${expected}, got ${actual}`);
      }
      assert.deepEqual(mismatches, []);
    },
  );
});
