/**
 * The bankruptcy path and the loss waterfall: the account's equity, the insurance fund (drawdown
 * tracked, exposure capped per market: R14), ADL (queue or pro-rata, minimal), socialised loss.
 * Alice is long 10 SOL from 100 on 10 USDC; the mark gaps to 95: her cash at mark is -40, so her
 * bankruptcy price is 99 and the deficit is exactly 40.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRate } from '../../../src/risk/units/quantities.js';
import { balance, bench, c, FUND, ofType, position, usd, venue } from './fixtures.js';

async function gap(options: { fund: string; liquidation?: Record<string, unknown>; shorts?: [string, string][] }) {
  const b = await bench(venue(options.liquidation ?? {}));
  const shorts = options.shorts ?? [['bob', '10']];
  await b.ok(c.create('alice'), c.create('dave'), c.deposit('alice', 'USDC', '10'), c.deposit('dave', 'USDC', '500'), c.marks({ 'SOL-PERP': '100' }));
  for (const [id, size] of shorts) await b.ok(c.create(id), c.deposit(id, 'USDC', '10000'), c.fill('SOL-PERP', 'alice', id, size, '100'));
  if (options.fund !== '0') await b.ok(c.deposit(FUND, 'USDC', options.fund));
  const before = { dave: balance(b.engine, 'dave') };
  await b.ok(c.marks({ 'SOL-PERP': '95' }));
  const events = b.events();
  const started = events.findIndex((e) => e.type === 'LiquidationStarted');
  return { b, events: events.slice(started), before };
}

const deficitOf = (e: { value: bigint; markValue: bigint }) => e.value - e.markValue; // the takers buy alice's long

describe('bankruptcy and the loss waterfall', () => {
  it('the fund takes the position at the bankruptcy price: its drawdown is the deficit, exactly; alice ends at zero', async () => {
    const { b, events } = await gap({ fund: '1000' });
    const taken = ofType(events, 'PositionLiquidated');
    assert.deepEqual(taken.map((e) => [e.kind, e.size, e.value, e.markValue, e.price]), [['backstop', usd('10'), usd('990'), usd('950'), usd('99')]]);
    assert.equal(taken[0]?.fundLoss, usd('40'));
    assert.equal(b.engine.state.liquidation.fundDrawdown.get('SOL-PERP'), usd('40'));
    assert.equal(balance(b.engine, 'alice'), 0n);
    assert.equal(b.engine.state.accounts.get('alice')?.positions.size, 0);
    assert.equal(ofType(events, 'LiquidationStarted')[0]?.path, 'bankruptcy');
    assert.equal(ofType(events, 'LiquidationFeesCharged').length, 0, 'no fee on the bankruptcy path');
    assert.equal(position(b.engine, 'bob', 'SOL-PERP'), usd('-10'), 'no ADL while the fund can pay');
  });

  it('a fund that cannot pay it all pays what it can; ADL takes the rest at the bankruptcy price, no more than needed', async () => {
    const { b, events } = await gap({ fund: '15' });
    const taken = ofType(events, 'PositionLiquidated');
    assert.deepEqual(taken.map((e) => [e.kind, e.takerId, e.size, deficitOf(e)]), [
      ['backstop', FUND, usd('3.75'), usd('15')],
      ['adl', 'bob', usd('6.25'), usd('25')],
    ]);
    assert.equal(position(b.engine, 'bob', 'SOL-PERP'), usd('-3.75'));
    assert.equal(balance(b.engine, 'alice'), 0n);
    assert.equal(b.engine.accountFigures(FUND)?.equity, 0n, 'the fund is drawn to its floor, not below');
  });

  it('ADL only when the fund cannot pay: a fund of exactly the deficit pays it all; one cent short, ADL takes one lot', async () => {
    const exact = await gap({ fund: '40' });
    assert.deepEqual(ofType(exact.events, 'PositionLiquidated').map((e) => [e.kind, e.size]), [['backstop', usd('10')]]);
    const short = await gap({ fund: '39.99' });
    assert.deepEqual(ofType(short.events, 'PositionLiquidated').map((e) => [e.kind, e.size, deficitOf(e)]), [
      ['backstop', usd('9.99'), usd('39.96')],
      ['adl', usd('0.01'), usd('0.04')],
    ]);
  });

  it('the fund floor keeps part of the fund out of reach', async () => {
    const { events } = await gap({ fund: '15', liquidation: { fundFloor: '5' } });
    const taken = ofType(events, 'PositionLiquidated');
    assert.deepEqual(taken.map((e) => [e.kind, e.size, deficitOf(e)]), [
      ['backstop', usd('2.5'), usd('10')],
      ['adl', usd('7.5'), usd('30')],
    ]);
  });

  it('queue ADL closes the highest PnL% x leverage first; pro-rata spreads over every profitable short', async () => {
    const shorts: [string, string][] = [
      ['bob', '6'],
      ['carol', '4'],
    ];
    // Both shorts are +5% at mark; carol holds the same 10,000 USDC on less notional: bob ranks first.
    const queue = await gap({ fund: '0', shorts });
    assert.deepEqual(ofType(queue.events, 'PositionLiquidated').map((e) => [e.kind, e.takerId, e.size]), [
      ['adl', 'bob', usd('6')],
      ['adl', 'carol', usd('4')],
    ]);
    const proRata = await gap({ fund: '12', shorts, liquidation: { adl: { mode: 'proRata' } } });
    assert.deepEqual(ofType(proRata.events, 'PositionLiquidated').map((e) => [e.kind, e.takerId, e.size]), [
      ['backstop', FUND, usd('3')],
      ['adl', 'bob', usd('4.2')],
      ['adl', 'carol', usd('2.8')],
    ]);
    assert.equal(position(proRata.b.engine, 'bob', 'SOL-PERP'), usd('-1.8'));
    assert.equal(position(proRata.b.engine, 'carol', 'SOL-PERP'), usd('-1.2'));
  });

  it('socialised loss (no ADL configured): the fund takes the rest at mark; the opposite side pays the deficit pro-rata; accounts without positions never pay', async () => {
    const { b, events, before } = await gap({
      fund: '15',
      shorts: [
        ['bob', '6'],
        ['carol', '4'],
      ],
      liquidation: { waterfall: [{ step: 'insuranceFund' }, { step: 'socialisedLoss' }] },
    });
    const taken = ofType(events, 'PositionLiquidated');
    assert.deepEqual(taken.map((e) => [e.kind, e.size, deficitOf(e)]), [
      ['backstop', usd('3.75'), usd('15')],
      ['socialised', usd('6.25'), 0n],
    ]);
    const [social] = ofType(events, 'LossSocialised');
    assert.deepEqual(social?.payments, [
      { accountId: 'bob', amount: usd('-15') },
      { accountId: 'carol', amount: usd('-10') },
    ]);
    assert.equal(balance(b.engine, 'alice'), 0n);
    assert.equal(balance(b.engine, 'dave'), before.dave);
  });

  it('R14: the fund takes no more than its exposure cap in the market; the excess goes to ADL; money is conserved', async () => {
    const { b, events } = await gap({ fund: '1000', liquidation: { instruments: { 'SOL-PERP': { backstopNotionalMax: '500' } } } });
    const taken = ofType(events, 'PositionLiquidated');
    assert.deepEqual(taken.map((e) => [e.kind, e.size]), [
      ['backstop', usd('5.26')],
      ['adl', usd('4.74')],
    ]);
    assert.ok(Math.abs(Number(position(b.engine, FUND, 'SOL-PERP')) / 1e8) * 95 <= 500);
    assert.ok(b.engine.invariants().ok);
    // Settlement with the fund as a holder stays zero-sum and conserves money.
    await b.ok({ type: 'SettleFunding', id: 'r14-funding', instrument: 'SOL-PERP', rate: parseRate('0.000123') });
    const [funding] = ofType(b.events(), 'FundingSettled');
    assert.ok(funding?.payments.some((p) => p.accountId === FUND));
    assert.equal((funding?.payments.reduce((t, p) => t + p.amount, 0n) ?? 0n) + (funding?.rounding ?? 0n), 0n);
  });

  it('a per-market drawdown budget stops the fund paying for that market beyond it', async () => {
    const { events } = await gap({ fund: '1000', liquidation: { instruments: { 'SOL-PERP': { fundDrawdownMax: '8' } } } });
    assert.deepEqual(ofType(events, 'PositionLiquidated').map((e) => [e.kind, e.size, deficitOf(e)]), [
      ['backstop', usd('2'), usd('8')],
      ['adl', usd('8'), usd('32')],
    ]);
  });

  it('an isolated pool is liquidated whole, its fees cut to its own equity, the wallet untouched by its deficit', async () => {
    const isolated = async (mark: string) => {
      const b = await bench(venue());
      await b.ok(
        { type: 'CreateAccount', id: `iso-${mark}`, accountId: 'alice', mode: 'isolated' },
        c.create('bob'),
        c.deposit('alice', 'USDC', '150'),
        c.deposit('bob', 'USDC', '10000'),
        c.deposit(FUND, 'USDC', '1000'),
        c.marks({ 'SOL-PERP': '100' }),
        c.fill('SOL-PERP', 'alice', 'bob', '10', '100'), // 100 of margin moves into the pool: the wallet keeps 50
      );
      assert.equal(b.engine.state.accounts.get('alice')?.positions.get('SOL-PERP')?.isolatedMargin, usd('100'));
      await b.ok(c.marks({ 'SOL-PERP': mark }));
      return b;
    };
    const whole = await isolated('94.5'); // pool equity 45 < MM 47.25
    const [fees] = ofType(whole.events(), 'LiquidationFeesCharged');
    assert.deepEqual([fees?.liquidatorFee, fees?.insuranceFee], [usd('9.45'), usd('9.45')]);
    assert.equal(ofType(whole.events(), 'LiquidationStarted')[0]?.path, 'whole');
    assert.equal(position(whole.engine, 'alice', 'SOL-PERP'), 0n);
    assert.equal(balance(whole.engine, 'alice'), usd('76.1'), 'the wallet gets back what the pool had left: 50 + 45 - 18.90');
    const bankrupt = await isolated('89'); // pool equity -10
    const [taken] = ofType(bankrupt.events(), 'PositionLiquidated');
    assert.deepEqual([taken?.kind, taken?.price, taken?.fundLoss], ['backstop', usd('90'), usd('10')]);
    assert.equal(balance(bankrupt.engine, 'alice'), usd('50'), 'the wallet does not pay for the isolated pool');
  });

  it("a bankrupt account's collateral in another asset is seized into its deficit before anyone else pays", async () => {
    const b = await bench(venue());
    await b.ok(
      c.create('alice'),
      c.create('bob'),
      c.deposit('alice', 'BTC', '0.001'),
      c.deposit('bob', 'USDC', '10000'),
      c.deposit(FUND, 'USDC', '1000'),
      c.marks({ 'SOL-PERP': '100' }, { USDC: '1', BTC: '20000' }),
      c.fill('SOL-PERP', 'alice', 'bob', '10', '100'),
      c.marks({ 'SOL-PERP': '97' }, { USDC: '1', BTC: '20000' }),
    );
    const events = b.events();
    const [seized] = ofType(events, 'CollateralSeized');
    assert.deepEqual([seized?.asset, seized?.amount, seized?.creditAsset, seized?.creditAmount], ['BTC', usd('0.001'), 'USDC', usd('20')]);
    const [taken] = ofType(events, 'PositionLiquidated');
    assert.equal(taken?.fundLoss, usd('10'), 'the deficit of 30 less the 20 seized');
    assert.equal(balance(b.engine, 'alice', 'BTC'), 0n);
    assert.equal(balance(b.engine, 'alice'), 0n);
  });
});
