/**
 * RELIABILITY.md scenarios for liquidation: R11 (manipulated thin market), R12 (slow pump, fast
 * dump), R16 (cascade). R14 (backstop concentration) is in waterfall.test.ts and the laws; R19 (no
 * zero bids) in orders.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marginOf } from '../../../src/risk/account/account.js';
import { riskAccountOf, riskMarketOf, type Command, type Engine } from '../../../src/engine/index.js';
import { parsePrice, parseSize } from '../../../src/risk/units/quantities.js';
import { audit } from './journalCheck.js';
import { balance, bench, c, FUND, ofType, position, usd, venue } from './fixtures.js';

/** The fixture venue plus a thin market, with caps, IM that grows with size, and gains counted at half for IM. */
function thinVenue(liquidation: Record<string, unknown>, gainWeightInitial = '0.5', margin: Record<string, string> = { initialRate: '0.2', maintenanceRate: '0.1', initialRatePerUnit: '0.0002', maintenanceRatePerUnit: '0.0001' }) {
  const base = venue(liquidation) as { instruments: Record<string, unknown>; liquidation: Record<string, unknown> };
  return {
    ...base,
    instruments: {
      ...base.instruments,
      'THIN-PERP': {
        kind: 'perpetual',
        underlying: 'THIN',
        quoteAsset: 'USDC',
        settlement: 'linear',
        contractSize: '1',
        tick: '0.0001',
        lot: '1',
        margin: { model: 'linearInSize', ...margin },
      },
    },
    risk: { unrealisedPnlWeight: { initial: gainWeightInitial, maintenance: '1' } },
  };
}

const thinMark = (mark: string, lagged?: string): Command => ({
  type: 'UpdatePrices',
  id: `thin-${mark}-${lagged ?? ''}-${Math.random().toString(36).slice(2)}`,
  prices: { USDC: parsePrice('1') },
  marks: { 'THIN-PERP': parsePrice(mark) },
  ...(lagged === undefined ? {} : { laggedPrices: { 'THIN-PERP': parsePrice(lagged) } }),
});

const intent = (accountId: string, side: 'buy' | 'sell', size: string, price: string) => ({ accountId, instrument: 'THIN-PERP', side, size: parseSize(size), price: parsePrice(price) });

describe('R11 manipulated thin market (Mango, Oct 2022)', () => {
  it('position and open-interest caps hold; gains count for withdrawals only after their haircut; the fund loses at most its configured share', async () => {
    const b = await bench(
      thinVenue({
        fundFloor: '8000', // the protocol risks at most 20% of a 10,000 fund
        instruments: { 'THIN-PERP': { openInterestMax: '1000', positionMax: '500' } },
      }),
    );
    await b.ok(c.create('attacker'), c.create('attacker2'), c.create('maker'), c.create('maker2'));
    await b.ok(c.deposit('attacker', 'USDC', '200'), c.deposit('attacker2', 'USDC', '200'), c.deposit('maker', 'USDC', '300'), c.deposit('maker2', 'USDC', '300'));
    await b.ok(c.deposit(FUND, 'USDC', '10000'), thinMark('1'));
    assert.equal((b.engine.checkOrder(intent('attacker', 'buy', '501', '1')) as { code?: string }).code, 'position_cap_reached');
    assert.deepEqual(b.engine.checkOrder(intent('attacker', 'buy', '500', '1')), { ok: true });
    await b.ok(c.order('attacker', 'a1', 'THIN-PERP', 'buy', '500', '1'), c.order('maker', 'm1', 'THIN-PERP', 'sell', '500', '1'));
    await b.ok(c.fill('THIN-PERP', 'attacker', 'maker', '500', '1', { buyer: 'a1', seller: 'm1' }));
    // A second account may not take open interest past its cap either.
    assert.equal((b.engine.checkOrder(intent('attacker2', 'buy', '501', '1')) as { code?: string }).code, 'position_cap_reached');
    await b.ok(c.order('attacker2', 'a2', 'THIN-PERP', 'buy', '500', '1'), c.order('maker2', 'm2', 'THIN-PERP', 'sell', '500', '1'));
    await b.ok(c.fill('THIN-PERP', 'attacker2', 'maker2', '500', '1', { buyer: 'a2', seller: 'm2' }));
    await b.ok(c.create('attacker3'), c.deposit('attacker3', 'USDC', '200'));
    assert.equal((b.engine.checkOrder(intent('attacker3', 'buy', '1', '1')) as { code?: string }).code, 'open_interest_cap_reached');
    assert.deepEqual(b.engine.checkOrder(intent('attacker', 'sell', '100', '1')), { ok: true }, 'reducing always passes');
    // Pump 24x in ten minutes; the lagged (stable) price lags behind.
    b.clock.advance(600_000);
    await b.ok(thinMark('24', '2'));
    const withdrawAll = await b.run(c.deposit('attacker', 'USDC', '0.00000001'), { type: 'Withdraw', id: 'w-all', accountId: 'attacker', asset: 'USDC', amount: usd('200') });
    assert.equal(withdrawAll[1]?.ok ? 'ok' : withdrawAll[1]?.code, 'withdrawal_exceeds_free_collateral', 'gains at the stable price, at half weight, do not back the IM of a 12,000 position');
    // The makers are bankrupt: the fund pays up to its floor, ADL claws back the attacker's gains.
    const drawdown = b.engine.state.liquidation.fundDrawdown.get('THIN-PERP') ?? 0n;
    assert.ok(drawdown <= usd('2000'), `fund drawdown ${drawdown} within 20% of the fund`);
    assert.ok((b.engine.accountFigures(FUND)?.equity ?? 0n) >= usd('8000'));
    assert.ok(ofType(b.events(), 'PositionLiquidated').some((e) => e.kind === 'adl' && e.takerId.startsWith('attacker')), 'ADL takes from the attacker');
    assert.ok(position(b.engine, 'attacker', 'THIN-PERP') + position(b.engine, 'attacker2', 'THIN-PERP') < usd('1000'));
    assert.ok(b.engine.invariants().ok);
  });
});

/** A whale reinvests its gains every day for 14 days (+200%), then the price falls 30% in an hour. */
const SIZE_SCALED = { initialRate: '0.05', maintenanceRate: '0.03', initialRatePerUnit: '0.00001', maintenanceRatePerUnit: '0.000005' };
const FLAT = { initialRate: '0.05', maintenanceRate: '0.03', initialRatePerUnit: '0', maintenanceRatePerUnit: '0' };

async function pumpAndDump(caps: Record<string, string>, margin: Record<string, string>) {
  const b = await bench(thinVenue({ instruments: { 'THIN-PERP': { fundDrawdownMax: '500', ...caps } } }, '1', margin));
  // The maker sells without a pre-trade check here (fills are facts): it holds enough never to fail.
  await b.ok(c.create('whale'), c.create('maker'), c.deposit('whale', 'USDC', '1000'), c.deposit('maker', 'USDC', '10000000000'), c.deposit(FUND, 'USDC', '20000'), thinMark('1'));
  let mark = 1;
  let refusedAtCap = 0;
  let largest = 0n;
  for (let day = 0; day < 14; day++) {
    mark = Math.round(mark * 1.082 * 10_000) / 10_000;
    b.clock.advance(86_400_000);
    await b.ok(thinMark(mark.toFixed(4)));
    const price = mark.toFixed(4);
    const max = b.engine.maxOrderSize(intent('whale', 'buy', '0', price));
    if (max > 0n) {
      const id = `whale-${day}`;
      await b.ok({ type: 'PlaceOrder', id: `o-${id}`, accountId: 'whale', orderId: id, instrument: 'THIN-PERP', side: 'buy', size: max, price: parsePrice(price) });
      await b.ok(c.fill('THIN-PERP', 'whale', 'maker', (Number(max) / 1e8).toFixed(0), price, { buyer: id }));
    }
    const check = b.engine.checkOrder(intent('whale', 'buy', '1', price));
    if (!check.ok && (check.code === 'position_cap_reached' || check.code === 'open_interest_cap_reached')) refusedAtCap += 1;
    const held = position(b.engine, 'whale', 'THIN-PERP');
    if (held > largest) largest = held;
  }
  // The dump, in two gaps of half an hour (at a tenth of the depth, nothing trades in between).
  for (let halfHour = 0; halfHour < 2; halfHour++) {
    mark = Math.round(mark * 0.8367 * 10_000) / 10_000;
    b.clock.advance(1_800_000);
    await b.ok(thinMark(mark.toFixed(4)));
  }
  return { b, refusedAtCap, largest, drawdown: b.engine.state.liquidation.fundDrawdown.get('THIN-PERP') ?? 0n };
}

describe('R12 slow pump, fast dump (dYdX YFI, Nov 2023)', () => {
  it('the caps stop a reinvested position; the whale survives the dump and the fund pays nothing', async () => {
    const capped = await pumpAndDump({ openInterestMax: '3000', positionMax: '2500' }, SIZE_SCALED);
    assert.ok(capped.refusedAtCap > 0, 'the cap stopped the growth');
    assert.ok(capped.largest <= usd('2500'), 'the position never passes its cap');
    assert.equal(ofType(capped.b.events(), 'LiquidationStarted').filter((e) => e.path === 'bankruptcy').length, 0);
    assert.equal(capped.drawdown, 0n);
    assert.ok(capped.b.engine.invariants().ok);
  });

  it('without caps, size-scaled IM alone keeps the reinvested whale solvent: it is liquidated at mark, without a deficit', async () => {
    const scaled = await pumpAndDump({}, SIZE_SCALED);
    assert.ok(scaled.largest > usd('2500'), `the position grows to ${scaled.largest}`);
    assert.ok(ofType(scaled.b.events(), 'LiquidationStarted').some((e) => e.accountId === 'whale' && e.path === 'partial'));
    assert.equal(scaled.drawdown, 0n);
  });

  it('with flat IM and no caps the whale goes bankrupt; the fund pays no more than its budget for the market, ADL the rest', async () => {
    const flat = await pumpAndDump({}, FLAT);
    assert.ok(ofType(flat.b.events(), 'LiquidationStarted').some((e) => e.accountId === 'whale' && e.path === 'bankruptcy'));
    assert.ok(flat.drawdown > 0n && flat.drawdown <= usd('500'), `fund drawdown ${flat.drawdown} within the budget of 500`);
    assert.ok(ofType(flat.b.events(), 'PositionLiquidated').some((e) => e.kind === 'adl'));
    assert.ok(flat.b.engine.invariants().ok);
  });
});

/** Accounts whose recorded status differs from a full recomputation (none: no check skipped). */
function skippedChecks(engine: Engine): string[] {
  const state = engine.state;
  const params = state.params;
  if (params === undefined) return [];
  const market = riskMarketOf(state.market, state.openInterest, params.risk);
  const out: string[] = [];
  for (const a of state.accounts.values()) {
    if (a.id.startsWith('system:') || a.positions.size === 0) continue;
    const actual = marginOf(riskAccountOf(a), market, params.risk).status;
    if ((state.liquidation.statuses.get(a.id) ?? 'healthy') !== actual) out.push(`${a.id}: ${actual}`);
  }
  return out;
}

describe('R16 cascade (10 Oct 2025)', () => {
  it('BTC -13% and alts -30..-70% in 12 minutes over 60 accounts near MM: no check skipped, queue bounded, deficits go fund then ADL (no more than needed), spectators untouched', async () => {
    const perTick = 5;
    const b = await bench(venue({ accountsPerTickMax: String(perTick), adl: { mode: 'proRata' } }));
    const marks = { SOL: 100, ETH: 2000, BTC: 50000 };
    await b.ok(c.create('maker'), c.deposit('maker', 'USDC', '10000000'), c.create('spectator'), c.deposit('spectator', 'USDC', '1234'), c.deposit(FUND, 'USDC', '300'));
    await b.ok(c.marks({ 'SOL-PERP': '100', 'ETH-PERP': '2000', 'BTC-PERP': '50000' }));
    const traders: string[] = [];
    for (let i = 0; i < 60; i++) {
      const id = `t${String(i).padStart(2, '0')}`;
      traders.push(id);
      const [instrument, size, mark, mmr] = i % 3 === 0 ? ['SOL-PERP', '10', marks.SOL, 0.05] : i % 3 === 1 ? ['ETH-PERP', '0.5', marks.ETH, 0.05] : ['BTC-PERP', '0.02', marks.BTC, 0.1];
      const notional = Number(size) * (mark as number);
      const ratio = 1.05 + (i % 7) * 0.06; // 1.05 .. 1.41 of MM
      await b.ok(c.create(id), c.deposit(id, 'USDC', (notional * (mmr as number) * ratio).toFixed(2)), c.fill(instrument as string, id, 'maker', size as string, String(mark)));
    }
    const spectatorBefore = balance(b.engine, 'spectator');
    const totalMoves = { SOL: 0.5, ETH: 0.7, BTC: 0.87 }; // -50%, -30%, -13%
    for (let minute = 1; minute <= 12; minute++) {
      b.clock.advance(60_000);
      const at = (k: keyof typeof marks) => (marks[k] * (1 - ((1 - totalMoves[k]) * minute) / 12)).toFixed(2);
      await b.ok(c.marks({ 'SOL-PERP': at('SOL'), 'ETH-PERP': at('ETH'), 'BTC-PERP': at('BTC') }));
      assert.deepEqual(skippedChecks(b.engine), [], `minute ${minute}: every account's status is current`);
      const waiting = [...b.engine.state.liquidation.statuses.values()].filter((s) => s === 'liquidatable' || s === 'bankrupt').length;
      assert.ok(waiting <= traders.length, 'the queue holds each account at most once');
    }
    for (let drain = 0; drain < 30 && [...b.engine.state.liquidation.statuses.values()].some((s) => s === 'liquidatable' || s === 'bankrupt'); drain++) {
      await b.ok(c.pass());
    }
    const tally = { steps: 0, bankruptcies: 0, adl: 0, socialised: 0, passes: 0 };
    audit(b.store.records, { perTickMax: perTick, fundFloor: 0n, adlOnlyWhenFundShort: true }, tally);
    assert.ok(tally.bankruptcies > 0 && tally.adl > 0, `the cascade bankrupts accounts and reaches ADL (${JSON.stringify(tally)})`);
    // Every bankruptcy: the account ends at zero; the takers' losses equal its deficit exactly.
    const events = b.events();
    for (const [i, e] of events.entries()) {
      if (e.type !== 'LiquidationStarted' || e.path !== 'bankruptcy') continue;
      const next = events.findIndex((x, j) => j > i && x.type === 'LiquidationStarted');
      const step = events.slice(i, next < 0 ? undefined : next);
      let covered = 0n;
      for (const x of step) {
        if (x.type === 'PositionLiquidated' && x.accountId === e.accountId) covered += x.value - x.markValue; // longs: the takers pay above mark
        if (x.type === 'LossSocialised') for (const p of x.payments) covered -= p.amount;
      }
      assert.equal(covered, -e.equity, `${e.accountId}: the deficit is covered exactly`);
      assert.equal(balance(b.engine, e.accountId), 0n);
    }
    assert.equal(balance(b.engine, 'spectator'), spectatorBefore, 'an account without positions is untouched');
    assert.ok(b.engine.invariants().ok);
  });
});
