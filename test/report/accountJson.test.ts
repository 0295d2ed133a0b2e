/**
 * The wire form of account figures (src/report/accountJson.ts): exact decimal strings for ledger
 * values, numbers or null for ratios, a price or null-with-a-note for liquidation and bankruptcy,
 * and the same keys in the same order every time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { accountJson, PRICE_REACHED_NOTE, type AccountJson } from '../../src/report/accountJson.js';
import { decimalOfNumber } from '../../src/report/decimalText.js';
import { formatDecimal, parseDecimal } from '../../src/risk/units/decimal.js';
import { figuresOf } from './support.js';

const ACCOUNT_KEYS = [
  'accountId', 'mode', 'valuationAsset', 'equity', 'unrealisedPnl', 'collateralInitial', 'collateralMaintenance',
  'initialMargin', 'maintenanceMargin', 'freeCollateral', 'marginRatio', 'effectiveLeverage', 'status',
  'positions', 'collateral', 'pools', 'portfolio',
];
const POSITION_KEYS = [
  'instrument', 'margin', 'size', 'settlementAsset', 'entryPrice', 'markPrice', 'notional', 'unrealisedPnl',
  'unrealisedPnlSettlement', 'initialMargin', 'maintenanceMargin', 'initialRule', 'maintenanceRule', 'status',
  'liquidationPrice', 'liquidationPriceNote', 'bankruptcyPrice', 'bankruptcyPriceNote',
];
const COLLATERAL_KEYS = [
  'asset', 'balance', 'unrealisedPnl', 'price', 'value', 'initialValue', 'maintenanceValue', 'initialRule', 'maintenanceRule',
];
const POOL_KEYS = [
  'kind', 'instruments', 'equity', 'unrealisedPnl', 'collateralInitial', 'collateralMaintenance', 'initialMargin',
  'maintenanceMargin', 'freeCollateral', 'marginRatio', 'notional', 'status',
];

const DECIMAL_FIELDS = {
  account: ['equity', 'unrealisedPnl', 'collateralInitial', 'collateralMaintenance', 'initialMargin', 'maintenanceMargin', 'freeCollateral'],
  position: ['size', 'entryPrice', 'markPrice', 'notional', 'unrealisedPnl', 'unrealisedPnlSettlement', 'initialMargin', 'maintenanceMargin'],
  collateral: ['balance', 'unrealisedPnl', 'price', 'value', 'initialValue', 'maintenanceValue'],
} as const;

function assertExactDecimal(value: unknown, what: string): void {
  assert.equal(typeof value, 'string', `${what} is a string`);
  assert.doesNotThrow(() => parseDecimal(value, 8, what), `${what} = ${String(value)} is a plain decimal of at most 8 places`);
}

describe('accountJson: the wire form of account figures', () => {
  test('keys come in one fixed order at every level', () => {
    const json = accountJson(figuresOf('binance-isolated.yaml'));
    assert.deepEqual(Object.keys(json), ACCOUNT_KEYS);
    for (const p of json.positions) assert.deepEqual(Object.keys(p), POSITION_KEYS);
    for (const c of json.collateral) assert.deepEqual(Object.keys(c), COLLATERAL_KEYS);
    for (const p of json.pools) assert.deepEqual(Object.keys(p), POOL_KEYS);
  });

  test('every ledger value is an exact decimal string that parses back to the same integer', () => {
    const figures = figuresOf('multi-asset-collateral.yaml');
    const json = accountJson(figures);
    for (const field of DECIMAL_FIELDS.account) assertExactDecimal(json[field], field);
    for (const p of json.positions) for (const field of DECIMAL_FIELDS.position) assertExactDecimal(p[field], `position ${field}`);
    for (const c of json.collateral) for (const field of DECIMAL_FIELDS.collateral) assertExactDecimal(c[field], `collateral ${field}`);
    assert.equal(parseDecimal(json.equity, 8), figures.equity);
    assert.equal(parseDecimal(json.collateral[1]?.balance, 8), figures.collateral[1]?.balance);
    assert.equal(json.collateral[1]?.balance, '-200000', 'a liability keeps its sign');
  });

  test('the JSON text round-trips: no bigint, NaN or undefined leaks into it', () => {
    const json = accountJson(figuresOf('lagged-prices.yaml'));
    assert.deepEqual(JSON.parse(JSON.stringify(json)) as AccountJson, json);
  });

  test('an account without maintenance margin has a null margin ratio, not Infinity', () => {
    const json = accountJson(figuresOf('binance-cross.yaml', (d) => void (d['account'].positions = [])));
    assert.equal(json.marginRatio, null);
    assert.equal(json.positions.length, 0);
    assert.equal(json.status, 'healthy');
  });

  test('a price already crossed at the mark is null with the note "already reached at mark"', () => {
    // 10 BTC long on 30,000: equity 27,000 at 57,300 against MM 5,730 - 1,300 = 4,430.
    const json = accountJson(figuresOf('binance-cross.yaml', (d) => void (d['marks'].BTCUSDT = '57300')));
    const p = json.positions[0];
    assert.ok(p !== undefined);
    assert.equal(json.status, 'liquidatable');
    assert.equal(p.liquidationPrice, null);
    assert.equal(p.liquidationPriceNote, PRICE_REACHED_NOTE);
    assert.equal(p.bankruptcyPrice, '57000');
    assert.equal(p.bankruptcyPriceNote, null);
  });

  test('a price that no move reaches is null with the risk core\'s reason', () => {
    const p = accountJson(figuresOf('multi-asset-collateral.yaml')).positions[0];
    assert.ok(p !== undefined);
    assert.equal(p.liquidationPrice, null);
    assert.match(p.liquidationPriceNote ?? '', /^no price up to \d+x the mark reaches the threshold$/);
  });

  test('pools are summarised with the instruments they hold', () => {
    const json = accountJson(figuresOf('binance-isolated.yaml'));
    assert.deepEqual(json.pools.map((p) => [p.kind, p.instruments, p.equity]), [
      ['cross', [], '1000'],
      ['isolated', ['BTCUSDT'], '8400'],
    ]);
  });

  test('an average entry price with float noise prints rounded half to even at 8 places', () => {
    // 3 contracts at 0.1: the entry value 0.3 over 3 is 0.09999999999999999 in float64.
    const json = accountJson(
      figuresOf('drift-size-premium.yaml', (d) => {
        d['account'].positions[0].size = '3';
        d['account'].positions[0].entryPrice = '0.1';
      }),
    );
    assert.equal(json.positions[0]?.entryPrice, '0.1');
  });
});

describe('decimalOfNumber: floats to decimal strings, half to even', () => {
  test('a float that holds at most 8 decimals prints exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n }), (units) => {
        assert.equal(decimalOfNumber(Number(units) / 1e8, 8), formatDecimal(units, 8));
      }),
    );
  });

  test('the result is within half a unit of the float', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 8 }), (value, decimals) => {
        const printed = Number(decimalOfNumber(value, decimals));
        assert.ok(Math.abs(printed - value) <= 0.5 * 10 ** -decimals * (1 + 1e-9) + Math.abs(value) * 1e-15);
      }),
    );
  });

  test('ties go to the even neighbour, in decimal, not in binary', () => {
    const cases: [number, number, string][] = [
      [0.125, 2, '0.12'],
      [0.375, 2, '0.38'],
      // "0.015" is a tie in its shortest form and goes to the even 2, though the binary value lies
      // just below 0.015 (toFixed(2) says "0.01"): the rounding is of the decimal, by design.
      [0.015, 2, '0.02'],
      [-0.015, 2, '-0.02'],
      [2.5e-8, 8, '0.00000002'],
      [1.5e-8, 8, '0.00000002'],
      [0.5, 0, '0'],
      [1.5, 0, '2'],
      [57444.444444444445, 8, '57444.44444444'],
    ];
    for (const [value, decimals, expected] of cases) assert.equal(decimalOfNumber(value, decimals), expected, `${value}`);
  });

  test('exponent forms and signed zero print as plain decimals', () => {
    assert.equal(decimalOfNumber(1e21, 8), '1000000000000000000000');
    assert.equal(decimalOfNumber(1e-7, 8), '0.0000001');
    assert.equal(decimalOfNumber(-4e-9, 8), '0');
    assert.equal(decimalOfNumber(-0, 8), '0');
  });

  test('a non-finite value is a programmer error', () => {
    assert.throws(() => decimalOfNumber(Number.NaN, 8), /Invariant/);
    assert.throws(() => decimalOfNumber(Number.POSITIVE_INFINITY, 8), /Invariant/);
  });
});
