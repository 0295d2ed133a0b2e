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
import fc from 'fast-check';
import { stateHashOf } from '../../../src/engine/index.js';
import { debtFiguresOf, debtRatioHolds, meetsDebtBuffer } from '../../../src/risk/liquidation/sizing.js';
import { rate } from '../../../src/risk/units/quantities.js';
import { fcOptions } from '../reliability/harness.js';
import { audit } from './journalCheck.js';
import { balance, bench, c, FUND, ofType, show, usd, venue, type Bench } from './fixtures.js';

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

/** Carol (500 USDC owed against 1 BTC) under these step limits after BTC falls to `btcPrice`; the sizing and repayment of her step. */
async function carolUnder(limits: { fractionMax: string; remainderMin: string }, btcPrice: string): Promise<{ b: Bench; sizing: unknown; repay: unknown }> {
  const b = await withBob({ stepLimits: { notionalMinPerStep: '0', notionalMaxPerAccountStep: '1000000000', ...limits } });
  await indebted(b, 'carol', '1', '1000');
  await b.ok(c.marks({ 'SOL-PERP': '100' }, { USDC: '1', BTC: btcPrice }));
  const started = ofType(b.events(), 'LiquidationStarted').at(-1);
  return { b, sizing: started?.repayment?.sizing, repay: started?.repayment?.repay };
}

function assertReplays(b: Bench): void {
  const replayed = audit(b.store.records, { perTickMax: 100, fundFloor: 0n, adlOnlyWhenFundShort: false }, { steps: 0, bankruptcies: 0, adl: 0, socialised: 0, passes: 0 });
  assert.equal(stateHashOf(replayed), b.engine.stateHash());
}

describe('collateral-only liquidation', () => {
  it('a debt below MM is repaid only as far as MM plus the buffer needs (Drift liquidate_spot), with the fees; the account ends healthy', async () => {
    const b = await withBob();
    await indebted(b, 'carol', '1', '1000'); // MM collateral 950 - 500 = 450: healthy
    assert.equal(b.engine.state.liquidation.statuses.get('carol'), undefined);
    // BTC at 520: MM collateral 494 - 500 = -6 < 0 = MM: liquidatable (equity 20).
    await b.ok(c.marks({ 'SOL-PERP': '100' }, { USDC: '1', BTC: '520' }));
    // Target CM >= 2% x debt. Shortage 0.02 x 500 - (-6) = 16; a dollar repaid covers
    // wD + buffer - wC x (1 + fees) = 1 + 0.02 - 0.95 x 1.02 = 0.051: r = 16 / 0.051 = 313.7254902.
    // On the grid the BTC taken and both fees round up (3 x 1e-8 BTC at 520): the least repayment
    // that still meets the target exactly is 313.72563289 (one unit less falls short).
    const started = ofType(b.events(), 'LiquidationStarted').at(-1);
    assert.equal(started?.path, 'collateral');
    assert.deepEqual(started?.repayment, { sizing: 'least', buffer: 20_000_000_000n, debtValue: usd('500'), shortage: usd('16'), repay: [{ asset: 'USDC', amount: usd('313.72563289') }] });
    // BTC taken: 313.72563289 / 520 = 0.603318524..., up: 0.60331853.
    const [seized] = ofType(b.events(), 'CollateralSeized');
    assert.deepEqual([seized?.asset, seized?.amount, seized?.creditAsset, seized?.creditAmount, seized?.takerId], ['BTC', usd('0.60331853'), 'USDC', usd('313.72563289'), undefined]);
    // Fees, 1% + 1% of the BTC taken, up: 0.00603319 each.
    const [fees] = ofType(b.events(), 'LiquidationFeesCharged');
    assert.deepEqual([fees?.asset, fees?.liquidatorId, fees?.liquidatorFee, fees?.insuranceFee], ['BTC', FUND, usd('0.00603319'), usd('0.00603319')]);
    // Left: 186.27436711 USDC owed, 1 - 0.60331853 - 2 x 0.00603319 = 0.38461509 BTC, worth
    // 0.38461509 x 520 x 0.95 = 189.99985446: CM 3.72548735 >= 2% x 186.27436711 = 3.72548734.
    assert.equal(balance(b.engine, 'carol'), usd('-186.27436711'));
    assert.equal(balance(b.engine, 'carol', 'BTC'), usd('0.38461509'));
    assert.equal(b.engine.accountFigures('carol')?.collateralMaintenance, usd('3.72548735'));
    assert.equal(balance(b.engine, FUND, 'BTC'), usd('0.61538491')); // 0.60331853 + 2 x 0.00603319
    assert.equal(balance(b.engine, FUND), usd('-313.72563289'));
    assert.equal(b.engine.state.liquidation.statuses.get('carol'), undefined, 'healthy again');
    // Repaying the whole debt (the old rule) would have cost carol 0.01923078 BTC of fees; this costs 0.01206638.
    assertReplays(b);
  });

  it('in liquidator mode the liquidator repays the debt and takes the collateral and its fee; the fund its fee', async () => {
    const b = await withBob({ execution: 'liquidator', liquidatorAccountId: 'liq' });
    await b.ok(c.create('liq'), c.deposit('liq', 'USDC', '5000'));
    await indebted(b, 'carol', '1', '1000');
    await b.ok(c.marks({ 'SOL-PERP': '100' }, { USDC: '1', BTC: '520' }));
    const [seized] = ofType(b.events(), 'CollateralSeized');
    assert.equal(seized?.takerId, 'liq');
    assert.equal(balance(b.engine, 'liq'), usd('4686.27436711')); // 5000 - 313.72563289
    assert.equal(balance(b.engine, 'liq', 'BTC'), usd('0.60935172')); // 0.60331853 + 0.00603319
    assert.equal(balance(b.engine, FUND, 'BTC'), usd('0.00603319'));
    assertReplays(b);
  });

  it('the step limits cut the repayment (it still raises the margin ratio); the account is above MM, short of the buffer', async () => {
    const { b, sizing, repay } = await carolUnder({ fractionMax: '0.5', remainderMin: '0' }, '520');
    // At most half the debt: 250 of the 313.72563289 wanted. BTC taken 250 / 520 = 0.48076924 (up),
    // fees 0.00480770 each; left 0.50961536 BTC worth 0.50961536 x 520 x 0.95 = 251.74998784
    // against 250 owed: ratio 1.00699995 (before 494 / 500 = 0.988), CM 1.74998784 >= 0 = MM.
    assert.deepEqual([sizing, repay], ['limited', [{ asset: 'USDC', amount: usd('250') }]]);
    assert.equal(balance(b.engine, 'carol'), usd('-250'));
    assert.equal(balance(b.engine, 'carol', 'BTC'), usd('0.50961536'));
    assert.equal(b.engine.accountFigures('carol')?.collateralMaintenance, usd('1.74998784'));
    assertReplays(b);
  });

  it('a remainder below the minimum closes the whole debt', async () => {
    const { b, sizing, repay } = await carolUnder({ fractionMax: '1', remainderMin: '200' }, '520');
    // 186.27 would be left, below 200: the whole 500 goes, 500 / 520 = 0.96153847 BTC, fees 0.00961539 each.
    assert.deepEqual([sizing, repay], ['remainder', [{ asset: 'USDC', amount: usd('500') }]]);
    const [seized] = ofType(b.events(), 'CollateralSeized');
    assert.equal(seized?.amount, usd('0.96153847'));
    assert.deepEqual([balance(b.engine, 'carol'), balance(b.engine, 'carol', 'BTC')], [0n, usd('0.01923075')]);
    assertReplays(b);
  });

  it('a limited repayment that would lower the margin ratio closes the whole debt instead', async () => {
    // BTC at 505: ratio 479.75 / 500 = 0.9595 < 0.95 x 1.02 = 0.969 (what a dollar repaid costs in
    // weighted collateral): every partial repayment lowers the ratio. Equity 5 > 0: not bankrupt.
    const { b, sizing, repay } = await carolUnder({ fractionMax: '0.5', remainderMin: '0' }, '505');
    assert.deepEqual([sizing, repay], ['ratio', [{ asset: 'USDC', amount: usd('500') }]]);
    // 500 / 505 = 0.99009901 BTC (up); fees cut to the 0.00990099 BTC left (equity 5 = 0.00990099 BTC).
    assert.equal(balance(b.engine, 'carol'), 0n);
    assert.equal(ofType(b.events(), 'CollateralSeized')[0]?.amount, usd('0.99009901'));
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
    assert.equal(ofType(b.events(), 'LiquidationStarted').at(-1)?.repayment?.sizing, 'bankrupt', 'a bankrupt account repays its whole debt');
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

/** BTC's price after the crash: the BTC held worth 0.98 to 1.06 x the debt of 10 x (100 - loss) (bankrupt below 1, liquidatable below 1 / 0.95). */
const crashOf = (x: { btc: number; band: number; loss: number }): string => ((10 * (100 - x.loss) * (0.98 + (0.08 * x.band) / 1000)) / (x.btc / 100)).toFixed(2);

describe('collateral-only liquidation: the law of the partial repayment (fast-check, fixed seed)', () => {
  const arb = fc.record({
    btc: fc.integer({ min: 20, max: 300 }), // hundredths of a BTC
    band: fc.integer({ min: 0, max: 1000 }), // BTC held worth 0.98 to 1.06 x the debt after the crash
    loss: fc.integer({ min: 20, max: 60 }), // SOL's sale price: the debt is 10 x (100 - loss)
    buffer: fc.integer({ min: 0, max: 100 }), // thousandths
    fee: fc.integer({ min: 0, max: 12 }), // thousandths, each fee
    fractionMax: fc.constantFrom('1', '0.5', '0.25', '0.1'),
    remainderMin: fc.constantFrom('0', '50'),
  });
  it('the repayment never exceeds the debt, never lowers the margin ratio, and restores MM plus the buffer when the collateral allows', async () => {
    const tally = { least: 0, limited: 0, whole: 0 };
    await fc.assert(
      fc.asyncProperty(arb, async (x) => {
        const b = await withBob({
          automatic: false,
          buffer: (x.buffer / 1000).toString(),
          liquidatorFee: (x.fee / 1000).toString(),
          insuranceFee: (x.fee / 1000).toString(),
          stepLimits: { fractionMax: x.fractionMax, notionalMinPerStep: '0', notionalMaxPerAccountStep: '1000000000', remainderMin: x.remainderMin },
        });
        await b.ok(
          c.create('carol'),
          c.deposit('carol', 'BTC', (x.btc / 100).toString()),
          c.marks({ 'SOL-PERP': '100' }, { USDC: '1', BTC: '2000' }),
          c.fill('SOL-PERP', 'carol', 'bob', '10', '100'),
          c.fill('SOL-PERP', 'bob', 'carol', '10', x.loss.toString()),
          c.marks({ 'SOL-PERP': '100' }, { USDC: '1', BTC: crashOf(x) }),
        );
        const owed = -balance(b.engine, 'carol');
        const figures = b.engine.accountFigures('carol');
        assert.ok(figures !== undefined);
        const before = debtFiguresOf(figures.collateral);
        const liquidatable = figures.status === 'liquidatable' || figures.status === 'bankrupt';
        if (!liquidatable) return;
        await b.ok(c.liquidate('carol'));
        const started = ofType(b.events(), 'LiquidationStarted').at(-1);
        const sizing = started?.repayment?.sizing;
        const repaid = ofType(b.events(), 'CollateralSeized').reduce((t, e) => t + e.creditAmount, 0n);
        assert.ok(repaid <= owed, `repaid ${show(repaid)} of ${show(owed)}`);
        const left = -balance(b.engine, 'carol');
        const after = debtFiguresOf(b.engine.accountFigures('carol')?.collateral ?? []);
        if (left > 0n) {
          assert.ok(debtRatioHolds(before, after), `${sizing}: the ratio fell from ${show(before.assets)}/${show(before.liabilities)} to ${show(after.assets)}/${show(after.liabilities)}`);
          if (x.fractionMax === '1') assert.ok(meetsDebtBuffer(after, started?.repayment?.buffer ?? rate(0n)), `${sizing}: MM plus the buffer not restored`);
        }
        if (sizing === 'least') tally.least++;
        else if (sizing === 'limited') tally.limited++;
        else tally.whole++;
        assertReplays(b);
      }),
      fcOptions(0xc011a7, 100),
    );
    assert.ok(tally.least > 5 && tally.limited > 2 && tally.whole > 5, `the scenarios exercise the paths: ${JSON.stringify(tally)}`);
  });
});
