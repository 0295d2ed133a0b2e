/**
 * Collateral-only liquidation (Mango, Drift spot liquidation): an account without positions whose
 * debt outweighs its collateral has it repaid from the collateral at the oracle price, with the
 * fees; what the collateral cannot repay goes down the loss waterfall; accounts without positions
 * never pay for it.
 *
 * The debt: the account deposits BTC, buys 10 SOL at 100 and sells them at 50 (realised -500): it
 * owes 500 USDC with no position left. BTC counts at 95% for MM, the debt at 100%.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stateHashOf } from '../../../src/engine/index.js';
import { audit } from './journalCheck.js';
import { balance, bench, c, FUND, ofType, usd, venue, type Bench } from './fixtures.js';

async function indebted(b: Bench, id: string, btc: string, btcPrice: string): Promise<void> {
  await b.ok(
    c.create(id),
    c.deposit(id, 'BTC', btc),
    c.marks({ 'SOL-PERP': '100' }, { USDC: '1', BTC: btcPrice }),
    c.fill('SOL-PERP', id, 'bob', '10', '100'),
    c.fill('SOL-PERP', 'bob', id, '10', '50'),
  );
  assert.equal(balance(b.engine, id), usd('-500'));
  assert.equal(b.engine.state.accounts.get(id)?.positions.size, 0);
}

async function withBob(liquidation: Record<string, unknown> = {}): Promise<Bench> {
  const b = await bench(venue(liquidation));
  await b.ok(c.create('bob'), c.deposit('bob', 'USDC', '10000'));
  return b;
}

function assertReplays(b: Bench): void {
  const replayed = audit(b.store.records, { perTickMax: 100, fundFloor: 0n, adlOnlyWhenFundShort: false }, { steps: 0, bankruptcies: 0, adl: 0, socialised: 0, passes: 0 });
  assert.equal(stateHashOf(replayed), b.engine.stateHash());
}

describe('collateral-only liquidation', () => {
  it('a debt below MM is repaid from the collateral at the oracle price, with the fees, and the account ends healthy', async () => {
    const b = await withBob();
    await indebted(b, 'carol', '1', '1000'); // MM collateral 950 - 500 = 450: healthy
    assert.equal(b.engine.state.liquidation.statuses.get('carol'), undefined);
    // BTC at 520: MM collateral 494 - 500 = -6 < 0 = MM: liquidatable (equity 20).
    await b.ok(c.marks({ 'SOL-PERP': '100' }, { USDC: '1', BTC: '520' }));
    assert.equal(ofType(b.events(), 'LiquidationStarted').at(-1)?.path, 'collateral');
    // The fund repays 500 USDC and takes 500 / 520 = 0.96153846... BTC, rounded up: 0.96153847.
    const [seized] = ofType(b.events(), 'CollateralSeized');
    assert.deepEqual([seized?.asset, seized?.amount, seized?.creditAsset, seized?.creditAmount, seized?.takerId], ['BTC', usd('0.96153847'), 'USDC', usd('500'), undefined]);
    // Fees, 1% + 1% of the BTC taken, rounded up: 0.00961539 each, within the 0.03846153 BTC left.
    const [fees] = ofType(b.events(), 'LiquidationFeesCharged');
    assert.deepEqual([fees?.asset, fees?.liquidatorId, fees?.liquidatorFee, fees?.insuranceFee], ['BTC', FUND, usd('0.00961539'), usd('0.00961539')]);
    assert.equal(balance(b.engine, 'carol'), 0n);
    assert.equal(balance(b.engine, 'carol', 'BTC'), usd('0.01923075'));
    assert.equal(balance(b.engine, FUND, 'BTC'), usd('0.98076925'));
    assert.equal(balance(b.engine, FUND), usd('-500'));
    assert.equal(b.engine.state.liquidation.statuses.get('carol'), undefined, 'healthy again');
    assertReplays(b);
  });

  it('in liquidator mode the liquidator repays the debt and takes the collateral and its fee; the fund its fee', async () => {
    const b = await withBob({ execution: 'liquidator', liquidatorAccountId: 'liq' });
    await b.ok(c.create('liq'), c.deposit('liq', 'USDC', '5000'));
    await indebted(b, 'carol', '1', '1000');
    await b.ok(c.marks({ 'SOL-PERP': '100' }, { USDC: '1', BTC: '520' }));
    const [seized] = ofType(b.events(), 'CollateralSeized');
    assert.equal(seized?.takerId, 'liq');
    assert.equal(balance(b.engine, 'liq'), usd('4500'));
    assert.equal(balance(b.engine, 'liq', 'BTC'), usd('0.97115386')); // 0.96153847 + 0.00961539
    assert.equal(balance(b.engine, FUND, 'BTC'), usd('0.00961539'));
    assertReplays(b);
  });

  it('a deficit the collateral cannot repay is paid by the fund', async () => {
    const b = await withBob();
    await b.ok(c.deposit(FUND, 'USDC', '1000'));
    await indebted(b, 'dave', '0.5', '1000');
    // BTC at 900: 0.5 BTC is worth 450 against a debt of 500: equity -50 (bankrupt).
    await b.ok(c.marks({ 'SOL-PERP': '100' }, { USDC: '1', BTC: '900' }));
    const [seized] = ofType(b.events(), 'CollateralSeized');
    assert.deepEqual([seized?.amount, seized?.creditAmount], [usd('0.5'), usd('450')]);
    assert.equal(ofType(b.events(), 'LiquidationFeesCharged').length, 0, 'no fee without equity');
    const paid = ofType(b.events(), 'InsuranceFundPaid');
    assert.deepEqual(
      paid.map((p) => [p.accountId, p.asset, p.amount]),
      [['dave', 'USDC', usd('50')]],
    );
    assert.deepEqual([balance(b.engine, 'dave'), balance(b.engine, 'dave', 'BTC')], [0n, 0n]);
    assert.deepEqual([balance(b.engine, FUND), balance(b.engine, FUND, 'BTC')], [usd('500'), usd('0.5')]);
    assert.equal(b.engine.state.liquidation.fundDrawdown.get('USDC'), usd('50'), "a debt's drawdown counts under its asset");
    assertReplays(b);
  });

  it('beyond the fund the deficit is socialised over holders of positions; accounts without positions never pay', async () => {
    const b = await withBob();
    await b.ok(c.create('erin'), c.create('frank'), c.create('sam'), c.deposit('erin', 'USDC', '1000'), c.deposit('frank', 'USDC', '1000'), c.deposit('sam', 'USDC', '100'));
    await b.ok(c.marks({ 'SOL-PERP': '100' }), c.fill('SOL-PERP', 'erin', 'frank', '3', '100'));
    await indebted(b, 'dave', '0.5', '1000');
    await b.ok(c.marks({ 'SOL-PERP': '100' }, { USDC: '1', BTC: '900' }));
    const [social] = ofType(b.events(), 'LossSocialised');
    assert.deepEqual(
      social?.payments.map((p) => [p.accountId, p.amount]),
      [
        ['erin', usd('-25')],
        ['frank', usd('-25')],
      ],
    );
    assert.equal(ofType(b.events(), 'InsuranceFundPaid').length, 0, 'the fund had nothing above its floor');
    assert.equal(balance(b.engine, 'sam'), usd('100'), 'sam holds no position and pays nothing');
    assert.equal(balance(b.engine, 'dave'), 0n);
    assertReplays(b);
  });
});
