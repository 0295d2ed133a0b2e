/**
 * `solvent option` prices and explains a European option from flags: Hull's worked figures
 * (METHODS.md section 3.1) come out of the table and the JSON, the implied vol of a quoted price is
 * found, a Deribit-style inverse option is priced in coin, and every bad input exits with 2, a
 * stable code on stderr and nothing on stdout.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OptionQuote } from '../../src/cli/commands/option.js';
import { runCli } from './support.js';

const HULL_CALL = ['option', '--kind', 'call', '--spot', '42', '--strike', '40', '--rate', '0.1', '--vol', '0.2', '--time', '0.5'];

async function quote(argv: readonly string[]): Promise<OptionQuote> {
  const result = await runCli([...argv, '--json']);
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  return JSON.parse(result.stdout) as OptionQuote;
}

const near = (actual: number, expected: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected}, got ${actual}`);

describe('solvent option', () => {
  test("prints Hull's call S 42, K 40, r 10%, vol 20%, T 0.5 at 4.759422 in a table", async () => {
    const result = await runCli(HULL_CALL);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^price +4\.759422 /m);
    assert.match(result.stdout, /Black-Scholes-Merton/);
  });

  test("gives Hull's put 0.808599 and the Greeks of S 49, K 50, r 5%, vol 20%, T 20/52 as JSON", async () => {
    const put = await quote(['option', '--kind', 'put', '--spot', '42', '--strike', '40', '--rate', '0.1', '--vol', '0.2', '--time', '0.5']);
    near(put.greeks.price, 0.808599, 5e-7, 'put');
    const call = await quote(['option', '--kind', 'call', '--spot', '49', '--strike', '50', '--rate', '0.05', '--vol', '0.2', '--time', String(20 / 52)]);
    near(call.greeks.price, 2.400527, 5e-7, 'price');
    near(call.greeks.delta, 0.521605, 5e-7, 'delta');
    near(call.greeks.gamma, 0.065544, 5e-7, 'gamma');
    near(call.greeks.theta, -4.30533, 5e-6, 'theta');
    near(call.greeks.vega, 12.10548, 5e-6, 'vega');
    near(call.greeks.rho, 8.906962, 5e-7, 'rho');
    assert.equal(call.impliedVol, null);
    assert.equal(call.coin, null);
  });

  test('finds the implied vol 0.2345 of a call priced 1.875 with S 21, K 20, r 10%, T 0.25', async () => {
    const argv = ['option', '--kind', 'call', '--spot', '21', '--strike', '20', '--rate', '0.1', '--time', '0.25', '--price', '1.875'];
    const q = await quote(argv);
    assert.ok(q.impliedVol !== null);
    near(q.impliedVol, 0.2345, 5e-5, 'implied vol');
    near(q.greeks.price, 1.875, 1e-9, 'the vol reproduces the price');
    const table = await runCli(argv);
    assert.match(table.stdout, /^implied vol +0\.2345\d\d /m);
  });

  test('prices the Black-76 put F 20, K 20, r 9%, vol 25%, T 4/12 at 1.116641', async () => {
    const q = await quote(['option', '--model', 'black76', '--kind', 'put', '--forward', '20', '--strike', '20', '--rate', '0.09', '--vol', '0.25', '--time', String(4 / 12)]);
    near(q.greeks.price, 1.116641, 5e-7, 'put');
  });

  test('prices an inverse call in coin: 6,853.94 USD / index 99,500 = 0.068884 BTC', async () => {
    const argv = ['option', '--model', 'black76', '--settlement', 'inverse', '--kind', 'call', '--forward', '100000', '--spot', '99500'];
    const q = await quote([...argv, '--strike', '100000', '--vol', '0.6', '--time', String(30 / 365)]);
    near(q.greeks.price, 6853.94, 0.005, 'quote value');
    assert.ok(q.coin !== null);
    near(q.coin.price, 0.068884, 5e-7, 'coin value');
    // Solving from the coin price gives the vol back.
    const back = await quote([...argv, '--strike', '100000', '--price', String(q.coin.price), '--time', String(30 / 365)]);
    near(back.impliedVol ?? Number.NaN, 0.6, 1e-9, 'implied vol from the coin price');
  });

  const BAD: readonly [name: string, argv: readonly string[], code: string][] = [
    ['a missing strike', ['option', '--kind', 'call', '--spot', '42', '--vol', '0.2', '--time', '0.5'], 'option_flag_missing'],
    ['a missing kind', ['option', '--spot', '42', '--strike', '40', '--vol', '0.2', '--time', '0.5'], 'option_flag_missing'],
    ['an unknown kind', [...HULL_CALL.slice(0, 1), '--kind', 'cal', ...HULL_CALL.slice(3)], 'option_flag_invalid'],
    ['an unknown model', [...HULL_CALL, '--model', 'heston'], 'option_flag_invalid'],
    ['a number that is not one', ['option', '--kind', 'call', '--spot', 'x', '--strike', '40', '--vol', '0.2', '--time', '0.5'], 'option_flag_invalid'],
    ['an infinite vol', ['option', '--kind', 'call', '--spot', '42', '--strike', '40', '--vol', 'Infinity', '--time', '0.5'], 'option_flag_invalid'],
    ['both vol and price', [...HULL_CALL, '--price', '4'], 'option_flag_invalid'],
    ['a negative spot', ['option', '--kind', 'call', '--spot', '-42', '--strike', '40', '--vol', '0.2', '--time', '0.5'], 'option_input_invalid'],
    ['a negative time', ['option', '--kind', 'call', '--spot', '42', '--strike', '40', '--vol', '0.2', '--time', '-1'], 'option_input_invalid'],
    ['a price below intrinsic value', ['option', '--kind', 'call', '--spot', '21', '--strike', '20', '--rate', '0.1', '--time', '0.25', '--price', '0.5'], 'implied_vol_none'],
    ['inverse settlement without an index', ['option', '--model', 'black76', '--settlement', 'inverse', '--kind', 'call', '--forward', '100', '--strike', '100', '--vol', '0.5', '--time', '1'], 'option_flag_missing'],
  ];
  for (const [name, argv, code] of BAD) {
    test(`${name} exits 2 with ${code} and prints nothing on stdout`, async () => {
      const result = await runCli(argv);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, new RegExp(`^solvent: .*\\(${code}\\)\\n$`));
    });
  }
});
