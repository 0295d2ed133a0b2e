/**
 * The terminal report (src/report/accountTable.ts, `solvent margin FILE`): the summary carries the
 * status and the headline figures, each table is followed by the rules that produced it, missing
 * prices are explained, and the text is the same bytes on every run and terminal.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { accountJson } from '../../src/report/accountJson.js';
import { accountTable, amountText, groupDigits, percentText } from '../../src/report/accountTable.js';
import { EXAMPLES_DIR, runCli } from '../cli/support.js';
import { figuresOf } from './support.js';

/** The block of the report that starts with a line beginning `title`, up to the next blank line. */
function section(text: string, title: string): string {
  const start = text.startsWith(title) ? 0 : text.indexOf(`\n${title}`) + 1;
  assert.ok(start > 0 || text.startsWith(title), `a section starting "${title}"`);
  const end = text.indexOf('\n\n', start);
  return text.slice(start, end < 0 ? undefined : end);
}

describe('accountTable: the margin report for people', () => {
  test('`solvent margin FILE` prints the table on stdout and exits 0', async () => {
    const result = await runCli(['margin', join(EXAMPLES_DIR, 'binance-cross.yaml')]);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, accountTable(figuresOf('binance-cross.yaml')));
  });

  test('the summary states the status and the headline figures, exact, with separators', () => {
    const summary = section(accountTable(figuresOf('binance-cross.yaml')), 'Account bob');
    assert.match(summary, /Account bob \(cross margin, figures in USD\)/);
    assert.match(summary, /Status\s+│\s+healthy/);
    assert.match(summary, /Equity\s+│\s+30,000\.00/);
    assert.match(summary, /Initial margin \(IM\)\s+│\s+30,000\.00/);
    assert.match(summary, /Maintenance margin \(MM\)\s+│\s+4,700\.00/);
    assert.match(summary, /Free collateral\s+│\s+0\.00/);
    assert.match(summary, /Margin ratio\s+│\s+638\.30%/);
    assert.match(summary, /Effective leverage\s+│\s+20\.00x/);
  });

  test('the positions table is followed by the rule behind each margin figure', () => {
    const positions = section(accountTable(figuresOf('open-orders.yaml')), 'Positions');
    assert.match(positions, /BTCUSDT.*│ cross .*│\s+1 │\s+60,000 │\s+60,000 │\s+60,000\.00 │/);
    assert.match(positions, /Rules:\n {2}BTCUSDT IM: open orders, worst side filled \(notional 300000\): bracket 3 /);
    assert.match(positions, /\n {2}BTCUSDT MM: bracket 2 \(notional >= 50000\): MMR 0\.5%, maintenance amount 50/);
  });

  test('one rule line serves IM and MM when they share it', () => {
    const positions = section(accountTable(figuresOf('deribit-linear.yaml')), 'Positions');
    assert.match(positions, /BTC_USDC-PERPETUAL IM and MM: rate linear in size: IM 2% \+ 25 x 0\.005% = 2\.125%/);
  });

  test('the collateral table is followed by the haircut rule of each asset', () => {
    const collateral = section(accountTable(figuresOf('multi-asset-collateral.yaml')), 'Collateral of the cross pool');
    assert.match(collateral, /BTC\s+│\s+25 │\s+0 │\s+60,000 │\s+1,500,000\.00 │\s+1,428,000\.00 │\s+1,428,000\.00 │/);
    assert.match(collateral, /USDT\s+│\s+-200,000 │.*│\s+-200,000\.00 │/);
    assert.match(collateral, /BTC IM and MM: tiered by quantity: 10 x 0\.98 \+ 10 x 0\.95 \+ 5 x 0\.9 at 60000/);
    assert.match(collateral, /USDT IM and MM: liability at weight 1/);
  });

  test('different IM and MM haircuts get a rule line each', () => {
    const collateral = section(accountTable(figuresOf('lagged-prices.yaml')), 'Collateral of the cross pool');
    assert.match(collateral, /SOL IM: flat weight 0\.8 \(at the lagged price 120, below the live 150\)\n {2}SOL MM: flat weight 0\.9/);
  });

  test('a liquidatable account says so, and explains the missing liquidation price', () => {
    const text = accountTable(figuresOf('binance-cross.yaml', (d) => void (d['marks'].BTCUSDT = '57300')));
    assert.match(section(text, 'Account'), /Status\s+│\s+liquidatable/);
    const positions = section(text, 'Positions');
    assert.match(positions, /│\s+reached │\s+57,000 │ liquidatable │/);
    assert.match(positions, /BTCUSDT liquidation price: already reached at mark/);
  });

  test('a bankrupt account says so', () => {
    const text = accountTable(figuresOf('binance-cross.yaml', (d) => void (d['marks'].BTCUSDT = '56000')));
    assert.match(section(text, 'Account'), /Status\s+│\s+bankrupt/);
    assert.match(section(text, 'Account'), /Effective leverage\s+│\s+n\/a \(equity not positive\)/);
    assert.match(section(text, 'Positions'), /BTCUSDT bankruptcy price: already reached at mark/);
  });

  test('a price no move reaches is shown as none, with the reason under the table', () => {
    const positions = section(accountTable(figuresOf('multi-asset-collateral.yaml')), 'Positions');
    assert.match(positions, /│\s+none │\s+none │ healthy │/);
    assert.match(positions, /BTCUSDT liquidation price: no price up to \d+x the mark reaches the threshold/);
  });

  test('isolated positions add a pools table; a cross-only account does not', () => {
    const isolated = accountTable(figuresOf('hyperliquid-isolated.yaml'));
    const pools = section(isolated, 'Margin pools');
    assert.match(pools, /cross\s+│ -\s+│\s+500\.00 │/);
    assert.match(pools, /isolated │ BTC-PERP\s+│\s+10,000\.00 │\s+10,000\.00 │\s+7,500\.00 │\s+2,175\.00 │\s+2,500\.00 │/);
    assert.match(section(isolated, 'Account'), /the status is the worst pool's \(see Margin pools\)/);
    assert.ok(!accountTable(figuresOf('binance-cross.yaml')).includes('Margin pools'));
  });

  test('an account without positions says so instead of printing an empty table', () => {
    const text = accountTable(figuresOf('binance-cross.yaml', (d) => void (d['account'].positions = [])));
    assert.match(text, /Positions: none/);
    assert.match(text, /Margin ratio\s+│\s+n\/a \(no maintenance margin\)/);
  });

  test('the report is plain text: no colour codes, the same bytes every time', () => {
    const once = accountTable(figuresOf('inverse-btc-perpetual.yaml'));
    assert.equal(accountTable(figuresOf('inverse-btc-perpetual.yaml')), once);
    assert.ok(!once.includes('\u001b['), 'no ANSI escapes');
    assert.ok(once.endsWith('\n'));
  });

  test('the table prints the same figures as the JSON', () => {
    const figures = figuresOf('lagged-prices.yaml');
    const json = accountJson(figures);
    const text = accountTable(figures);
    for (const value of [json.equity, json.collateralInitial, json.collateralMaintenance, json.initialMargin, json.freeCollateral]) {
      assert.ok(text.includes(amountText(value)), `the table shows ${value}`);
    }
  });
});

describe('display helpers', () => {
  test('amounts get thousands separators and at least two decimals, exact beyond', () => {
    assert.equal(amountText('1428000'), '1,428,000.00');
    assert.equal(amountText('-200000'), '-200,000.00');
    assert.equal(amountText('0.5'), '0.50');
    assert.equal(amountText('53125.00000001'), '53,125.00000001');
    assert.equal(amountText('999'), '999.00');
  });

  test('digits are grouped in the whole part only', () => {
    assert.equal(groupDigits('1234567.12345678'), '1,234,567.12345678');
    assert.equal(groupDigits('-1000'), '-1,000');
    assert.equal(groupDigits('0.00001234'), '0.00001234');
  });

  test('ratios print as percentages with two decimals', () => {
    assert.equal(percentText(6.382978723404255), '638.30%');
    assert.equal(percentText(261.27659574468083), '26,127.66%');
    assert.equal(percentText(0.5), '50.00%');
    assert.equal(percentText(1e20), '1.00e+22%');
  });
});
