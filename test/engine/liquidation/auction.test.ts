/**
 * Mode (d), the Dutch auction of a slice of the whole portfolio (Lyra v2). Figures by hand:
 *
 * Alice deposits 80 USDC and buys 10 SOL at 104 (entry value 1,040). The mark falls to 100: her
 * PnL is -40, equity E = CM = 40, MM = 5% x 1,000 = 50 (ratio 0.8: liquidatable), buffer 2% x
 * 1,000 = 20, shortage S = 50 + 20 - 40 = 30. The pass starts an auction at t0 (no takeover).
 *
 * Schedule (Lyra): discount 5% at t0, 30% at t0 + 15 min (linear), then to 100% over 12 h.
 * At t0 + 6 min the discount is 5% + 25% x 6/15 = 15%. With the fund's fee of 1%, a unit of fraction
 * pays the account Q = 40 x (1 - 0.15 - 0.01) = 33.6, so the largest fraction is
 * f_max = S / (S + Q) = 30 / 63.6 = 0.471698113207547... = 0.471698113208 (rounded up).
 *
 * A bid of 0.25 takes 2.5 SOL at its share of the entry value, 260 (mark value 250: PnL -10), and
 * 20 of the 80 USDC: the slice is worth 20 - 10 = 10 = 0.25 x E. The bidder pays 10 x 0.85 = 8.5;
 * the fund takes 1% of 10 = 0.10 from the account. Alice: 7.5 SOL at 780, USDC 80 - 20 + 8.5 - 0.1
 * = 68.4, equity 68.4 - 30 = 38.4 (= 40 - 10 + 8.5 - 0.1), MM 37.5: ratio 1.024 > 1, the auction
 * ends (recovered). The bidder: +2.5 SOL at 260, USDC +20 - 8.5 = +11.5, a gain of 1.5 at mark.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadLiquidationParams } from '../../../src/config/load.js';
import { decode, encode, recover, snapshotOf, stateFromSnapshot, stateHashOf, type Command, type EngineState, type StateSnapshot } from '../../../src/engine/index.js';
import { AUCTION_SCHEDULE_DEFAULT } from '../../../src/risk/liquidation/auction.js';
import { parseRate, type Rate } from '../../../src/risk/units/quantities.js';
import { fcOptions } from '../reliability/harness.js';
import { audit, type AuditTally } from './journalCheck.js';
import { balance, bench, c, equity, FUND, ofType, position, usd, venue, type Bench } from './fixtures.js';

const MINUTE_MS = 60_000;
let n = 0;
const bid = (auctionId: string, liquidatorId: string, fraction: string | bigint): Command => ({
  type: 'BidLiquidationAuction',
  id: `bid${++n}`,
  auctionId,
  liquidatorId,
  fraction: (typeof fraction === 'string' ? parseRate(fraction) : fraction) as Rate,
});

const auctionsOf = (state: EngineState) => [...state.liquidation.auctions.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

/** Alice as above, the bidder `liq` with 5,000 USDC; returns the started auction. */
async function alice(liquidation: Record<string, unknown> = {}): Promise<{ b: Bench; auctionId: string; startMs: number }> {
  const b = await bench(venue({ execution: 'auction', ...liquidation }));
  await b.ok(
    c.create('alice'),
    c.create('bob'),
    c.create('liq'),
    c.deposit('alice', 'USDC', '80'),
    c.deposit('bob', 'USDC', '1000'),
    c.deposit('liq', 'USDC', '5000'),
    c.marks({ 'SOL-PERP': '104' }),
    c.fill('SOL-PERP', 'alice', 'bob', '10', '104'),
    c.marks({ 'SOL-PERP': '100' }),
  );
  const [started] = ofType(b.events(), 'LiquidationAuctionStarted');
  assert.ok(started !== undefined, 'the pass starts an auction');
  return { b, auctionId: started.auctionId, startMs: started.startMs };
}

async function assertReplays(b: Bench, tally: AuditTally = { steps: 0, bankruptcies: 0, adl: 0, socialised: 0, passes: 0 }): Promise<void> {
  const replayed = audit(b.store.records, { perTickMax: 100, fundFloor: 0n, adlOnlyWhenFundShort: false }, tally);
  assert.equal(stateHashOf(replayed), b.engine.stateHash(), 'the audit replay gives the engine state');
  assert.deepEqual(auctionsOf(replayed), auctionsOf(b.engine.state), 'and the same running auctions');
  const recovered = await recover(b.store, { processedMax: 1_000 });
  assert.equal(stateHashOf(recovered.state), b.engine.stateHash(), 'recovery gives the same state hash');
  assert.deepEqual(auctionsOf(recovered.state), auctionsOf(b.engine.state));
  // A snapshot carries the running auctions (a restart from it must not forget them).
  const restored = stateFromSnapshot(decode<StateSnapshot>(encode(snapshotOf(b.engine.state))));
  assert.deepEqual(auctionsOf(restored), auctionsOf(b.engine.state), 'a snapshot keeps the running auctions');
  assert.equal(stateHashOf(restored), b.engine.stateHash());
}

describe('Dutch auction of a slice of the portfolio (mode d, Lyra v2)', () => {
  it('a liquidatable account is put up for auction, not taken over, with the figures that justified it', async () => {
    const { b, startMs } = await alice();
    const [started] = ofType(b.events(), 'LiquidationAuctionStarted');
    assert.deepEqual([started?.equity, started?.collateralMaintenance, started?.maintenanceMargin, started?.marginRatio], [usd('40'), usd('40'), usd('50'), 0.8]);
    assert.equal(started?.endMs, startMs + 15 * MINUTE_MS + 12 * 60 * MINUTE_MS);
    assert.equal(started?.asset, 'USDC');
    assert.equal(ofType(b.events(), 'PositionLiquidated').length, 0, 'no takeover');
    assert.equal(position(b.engine, 'alice', 'SOL-PERP'), usd('10'));
    const [again] = await b.run(c.liquidate('alice'));
    assert.equal(again?.ok ? 'ok' : again?.code, 'liquidation_in_progress');
    await b.ok(c.marks({ 'SOL-PERP': '100' }));
    assert.equal(ofType(b.events(), 'LiquidationAuctionStarted').length, 1, 'one auction per account');
  });

  it('worked bid: discount 15% at 6 minutes, max fraction 0.471698113208, a 0.25 bid restores the account and ends the auction', async () => {
    const { b, auctionId } = await alice();
    b.clock.advance(6 * MINUTE_MS);
    const [tooLarge] = await b.run(bid(auctionId, 'liq', '0.5'));
    assert.equal(tooLarge?.ok ? 'ok' : tooLarge?.code, 'auction_bid_exceeds_max_fraction');
    await b.ok(bid(auctionId, 'liq', '0.25'));
    const [e] = ofType(b.events(), 'LiquidationAuctionBid');
    assert.equal(e?.discount, parseRate('0.15'));
    assert.equal(e?.fractionMax, parseRate('0.471698113208'));
    assert.deepEqual([e?.sliceValue, e?.payment, e?.insuranceFee], [usd('10'), usd('8.5'), usd('0.1')]);
    assert.deepEqual(e?.collateral, [{ asset: 'USDC', amount: usd('20') }]);
    const [taken] = ofType(b.events(), 'PositionLiquidated');
    assert.deepEqual([taken?.kind, taken?.takerId, taken?.size, taken?.value, taken?.markValue], ['auction', 'liq', usd('2.5'), usd('260'), usd('250')]);
    assert.equal(position(b.engine, 'alice', 'SOL-PERP'), usd('7.5'));
    assert.equal(b.engine.state.accounts.get('alice')?.positions.get('SOL-PERP')?.entryValue, usd('780'));
    assert.equal(balance(b.engine, 'alice'), usd('68.4'));
    assert.equal(equity(b.engine, 'alice'), usd('38.4'));
    assert.equal(b.engine.accountFigures('alice')?.marginRatio, 1.024);
    assert.equal(position(b.engine, 'liq', 'SOL-PERP'), usd('2.5'));
    assert.equal(balance(b.engine, 'liq'), usd('5011.5'));
    assert.equal(equity(b.engine, 'liq'), usd('5001.5'));
    assert.equal(balance(b.engine, FUND), usd('0.1'));
    assert.deepEqual(
      ofType(b.events(), 'LiquidationAuctionEnded').map((x) => x.reason),
      ['recovered'],
    );
    assert.equal(b.engine.state.liquidation.statuses.get('alice'), 'reduce_only');
    assert.equal(auctionsOf(b.engine.state).length, 0);
    await assertReplays(b);
  });

  it('the discount follows the schedule: 5% at the start, 30% after 15 minutes, 65% half-way through the slow phase', async () => {
    for (const [afterMs, discount, fractionMax] of [
      [0, '0.05', '0.443786982249'], // 30 / (30 + 40 x 0.94) = 30 / 67.6, rounded up
      [15 * MINUTE_MS, '0.3', '0.520833333334'], // 30 / (30 + 40 x 0.69) = 30 / 57.6
      [15 * MINUTE_MS + 6 * 60 * MINUTE_MS, '0.65', '0.688073394496'], // 30 / (30 + 40 x 0.34) = 30 / 43.6
    ] as const) {
      const { b, auctionId } = await alice();
      b.clock.advance(afterMs);
      await b.ok(bid(auctionId, 'liq', '0.01'));
      const [e] = ofType(b.events(), 'LiquidationAuctionBid');
      assert.equal(e?.discount, parseRate(discount), `discount after ${afterMs} ms`);
      assert.equal(e?.fractionMax, parseRate(fractionMax), `max fraction after ${afterMs} ms`);
    }
  });

  it('bad bids are refused with stable codes and change nothing', async () => {
    const { b, auctionId, startMs } = await alice();
    await b.ok(c.create('poor'), c.deposit('poor', 'USDC', '1'), c.create('iso'));
    await b.ok({ type: 'SetMarginMode', id: 'iso-mode', accountId: 'iso', mode: 'isolated' });
    const before = b.engine.stateHash();
    const cases: [Command, string][] = [
      [bid('auction:404:nobody', 'liq', '0.1'), 'liquidation_auction_unknown'],
      [bid(auctionId, 'alice', '0.1'), 'auction_bid_on_own_account'],
      [bid(auctionId, 'ghost', '0.1'), 'account_unknown'],
      [bid(auctionId, FUND, '0.1'), 'account_id_reserved'],
      [bid(auctionId, 'iso', '0.1'), 'liquidation_mode_unsupported'],
      [bid(auctionId, 'liq', 0n), 'auction_bid_fraction_invalid'],
      [bid(auctionId, 'liq', parseRate('1.000000000001')), 'auction_bid_fraction_invalid'],
      [bid(auctionId, 'liq', '0.45'), 'auction_bid_exceeds_max_fraction'], // f_max 0.4437... at the start
      // 2.5 SOL need 25 of IM; poor would hold 1 + 20 - 8.5 + (PnL -10) = 2.5 of equity.
      [bid(auctionId, 'poor', '0.25'), 'bidder_initial_margin_insufficient'],
    ];
    for (const [command, code] of cases) {
      const [r] = await b.run(command);
      assert.equal(r?.ok ? 'ok' : r?.code, code, JSON.stringify(command, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
    }
    assert.equal(b.engine.stateHash(), before, 'refused bids change nothing');
    b.clock.set(startMs + 15 * MINUTE_MS + 12 * 60 * MINUTE_MS);
    const [late] = await b.run(bid(auctionId, 'liq', '0.1'));
    assert.equal(late?.ok ? 'ok' : late?.code, 'liquidation_auction_ended', 'a bid on its own stamp after the end, even before a pass ran');
    assert.equal(b.engine.stateHash(), before);
  });

  it('an auction that times out goes to the backstop in the next pass, like an expired liquidation order', async () => {
    const { b, startMs } = await alice();
    b.clock.set(startMs + 15 * MINUTE_MS + 12 * 60 * MINUTE_MS);
    await b.ok(c.marks({ 'SOL-PERP': '100' }));
    assert.deepEqual(
      ofType(b.events(), 'LiquidationAuctionEnded').map((x) => x.reason),
      ['expired'],
    );
    const taken = ofType(b.events(), 'PositionLiquidated');
    assert.ok(taken.length > 0 && taken.every((t) => t.kind === 'backstop' && t.takerId === FUND), 'the fund takes over');
    assert.notEqual(b.engine.state.liquidation.statuses.get('alice'), 'liquidatable');
    assert.equal(auctionsOf(b.engine.state).length, 0);
    await assertReplays(b);
  });

  it('an insolvent account leaves the auction for the bankruptcy path; a recovered one ends it without a bid', async () => {
    const insolvent = await alice();
    await insolvent.b.ok(c.marks({ 'SOL-PERP': '95' })); // equity 80 - 90 = -10
    assert.deepEqual(
      ofType(insolvent.b.events(), 'LiquidationAuctionEnded').map((x) => x.reason),
      ['insolvent'],
    );
    assert.equal(ofType(insolvent.b.events(), 'LiquidationStarted').at(-1)?.path, 'bankruptcy');
    assert.equal(position(insolvent.b.engine, 'alice', 'SOL-PERP'), 0n);
    assert.equal(balance(insolvent.b.engine, 'alice'), 0n, 'the account ends at exactly zero, its deficit down the waterfall');
    await assertReplays(insolvent.b);

    const recovered = await alice();
    await recovered.b.ok(c.marks({ 'SOL-PERP': '103' }));
    assert.deepEqual(
      ofType(recovered.b.events(), 'LiquidationAuctionEnded').map((x) => x.reason),
      ['recovered'],
    );
    assert.equal(position(recovered.b.engine, 'alice', 'SOL-PERP'), usd('10'));
    await assertReplays(recovered.b);
  });

  it('a bid on an account no longer liquidatable, or insolvent, before the pass saw it, is refused', async () => {
    // A deposit runs no pass: the auction is still open when the bid comes.
    const topped = await alice();
    await topped.b.ok(c.deposit('alice', 'USDC', '100'));
    const [r] = await topped.b.run(bid(topped.auctionId, 'liq', '0.1'));
    assert.equal(r?.ok ? 'ok' : r?.code, 'account_not_liquidatable');
    // A fill (no pass either) that loses alice her equity: the next pass takes her down the waterfall.
    const broke = await alice();
    await broke.b.ok(c.create('carl'), c.deposit('carl', 'USDC', '1000'), c.fill('SOL-PERP', 'carl', 'alice', '5', '90')); // 50 below mark: equity -10
    const [insolvent] = await broke.b.run(bid(broke.auctionId, 'liq', '0.1'));
    assert.equal(insolvent?.ok ? 'ok' : insolvent?.code, 'liquidation_auction_insolvent');
  });
});

describe('bids with a limit (Derive: the worst terms the bidder accepts)', () => {
  const limited = (auctionId: string, fraction: string, limits: { paymentMax?: bigint; discountMin?: bigint }): Command => ({ ...bid(auctionId, 'liq', fraction), ...limits }) as Command;

  it('a bid is refused when the discount now is below its least, or the payment above its most; met limits are in the event', async () => {
    const { b, auctionId } = await alice();
    b.clock.advance(6 * MINUTE_MS); // discount 15%: a 0.25 bid pays 10 x 0.85 = 8.5
    const before = b.engine.stateHash();
    const [lowDiscount] = await b.run(limited(auctionId, '0.25', { discountMin: parseRate('0.16') }));
    assert.equal(lowDiscount?.ok ? 'ok' : lowDiscount?.code, 'auction_bid_beyond_limit');
    const [dear] = await b.run(limited(auctionId, '0.25', { paymentMax: usd('8.49999999') }));
    assert.equal(dear?.ok ? 'ok' : dear?.code, 'auction_bid_beyond_limit');
    assert.equal(b.engine.stateHash(), before, 'a refused bid changes nothing');
    await b.ok(limited(auctionId, '0.25', { paymentMax: usd('8.5'), discountMin: parseRate('0.15') }));
    const [e] = ofType(b.events(), 'LiquidationAuctionBid');
    assert.deepEqual([e?.payment, e?.paymentMax, e?.discount, e?.discountMin], [usd('8.5'), usd('8.5'), parseRate('0.15'), parseRate('0.15')]);
    await assertReplays(b);
  });

  it('a price move between quote and execution cannot make the bidder pay more than it named', async () => {
    const { b, auctionId } = await alice();
    b.clock.advance(6 * MINUTE_MS);
    // Quoted at mark 100: 0.25 pays 8.5. The mark moves to 101 before the bid executes: alice's
    // equity is 80 - 1,040 + 1,010 = 50 (MM 50.5: still liquidatable); the slice is worth
    // 20 + 2.5 x 101 - 260 = 12.5 and would cost 12.5 x 0.85 = 10.625.
    await b.ok(c.marks({ 'SOL-PERP': '101' }));
    const [moved] = await b.run(limited(auctionId, '0.25', { paymentMax: usd('8.5') }));
    assert.equal(moved?.ok ? 'ok' : moved?.code, 'auction_bid_beyond_limit');
    assert.match(moved?.ok ? '' : moved?.message ?? '', /1062500000/);
    assert.equal(position(b.engine, 'alice', 'SOL-PERP'), usd('10'), 'nothing taken');
    await b.ok(limited(auctionId, '0.25', { paymentMax: usd('10.625') }));
    assert.equal(ofType(b.events(), 'LiquidationAuctionBid')[0]?.payment, usd('10.625'));
    await assertReplays(b);
  });

  it('limits out of range are refused', async () => {
    const { b, auctionId } = await alice();
    const codes = [];
    for (const limits of [{ paymentMax: -1n }, { discountMin: -1n }, { discountMin: parseRate('1') + 1n }]) {
      const [r] = await b.run(limited(auctionId, '0.25', limits));
      codes.push(r?.ok ? 'ok' : r?.code);
    }
    assert.deepEqual(codes, ['auction_bid_limit_invalid', 'auction_bid_limit_invalid', 'auction_bid_limit_invalid']);
  });
});

describe('the owner during an auction: only risk-reducing orders, no withdrawals, deposits allowed', () => {
  const codeOf = (r: { ok: boolean; code?: string } | undefined): string | undefined => (r?.ok ? 'ok' : r?.code);

  it('orders that would grow or flip the position and withdrawals are refused; reducing orders and deposits pass', async () => {
    const { b, auctionId } = await alice(); // alice is long 10 SOL, in auction
    const withdraw: Command = { type: 'Withdraw', id: 'w1', accountId: 'alice', asset: 'USDC', amount: usd('1') };
    const [w] = await b.run(withdraw);
    assert.equal(codeOf(w), 'account_in_liquidation_auction');
    const [buy] = await b.run(c.order('alice', 'o1', 'SOL-PERP', 'buy', '0.01', '100'));
    assert.equal(codeOf(buy), 'account_in_liquidation_auction', 'a buy grows the long');
    const [flip] = await b.run(c.order('alice', 'o2', 'SOL-PERP', 'sell', '10.01', '100'));
    assert.equal(codeOf(flip), 'account_in_liquidation_auction', 'a sell beyond the position flips it');
    const [other] = await b.run(c.order('alice', 'o3', 'ETH-PERP', 'sell', '1', '100'));
    assert.equal(codeOf(other), 'account_in_liquidation_auction', 'a new position');
    await b.ok(c.order('alice', 'o4', 'SOL-PERP', 'sell', '4', '100'));
    const [tooMany] = await b.run(c.order('alice', 'o5', 'SOL-PERP', 'sell', '6.01', '100'));
    assert.equal(codeOf(tooMany), 'account_in_liquidation_auction', 'with the resting 4 it could sell more than the 10 held');
    await b.ok(c.order('alice', 'o6', 'SOL-PERP', 'sell', '6', '100'));
    await b.ok(c.deposit('alice', 'USDC', '1'));
    await b.ok({ type: 'CreateAccount', id: 'sub1', accountId: 'alice-sub', mode: 'cross', parentId: 'alice' });
    const [out] = await b.run({ type: 'Transfer', id: 'tr1', fromAccountId: 'alice', toAccountId: 'alice-sub', asset: 'USDC', amount: usd('1') });
    assert.equal(codeOf(out), 'account_in_liquidation_auction', 'a transfer out is a withdrawal');
    assert.equal(b.engine.state.liquidation.auctions.get(auctionId)?.accountId, 'alice', 'the auction still runs');
  });

  it('when the auction ends the restriction lifts', async () => {
    const { b, auctionId } = await alice();
    b.clock.advance(6 * MINUTE_MS);
    await b.ok(bid(auctionId, 'liq', '0.25')); // recovered: the auction ends
    const [w] = await b.run({ type: 'Withdraw', id: 'w2', accountId: 'alice', asset: 'USDC', amount: usd('1') });
    assert.notEqual(codeOf(w), 'account_in_liquidation_auction');
    const [buy] = await b.run(c.order('alice', 'o7', 'SOL-PERP', 'buy', '0.01', '100'));
    assert.notEqual(codeOf(buy), 'account_in_liquidation_auction');
  });
});

describe('the auction section of the venue document', () => {
  it('defaults to Derive\'s schedule; a schedule whose price rises, lasts no time or leaves [0, 1] refuses the document', () => {
    assert.deepEqual(loadLiquidationParams(venue({ execution: 'auction' }))?.auction, AUCTION_SCHEDULE_DEFAULT);
    assert.equal(loadLiquidationParams(venue({ instruments: { 'SOL-PERP': { execution: 'auction' } } }))?.instruments.get('SOL-PERP')?.execution, 'auction');
    for (const [auction, code] of [
      [{ discountStart: '0.5', discountFastEnd: '0.3' }, 'auction_discounts_not_ordered'],
      [{ fastDurationMs: '0', slowDurationMs: '0' }, 'value_out_of_range'],
      [{ discountEnd: '1.5' }, 'value_out_of_range'],
      [{ fastDurationMs: '1.5' }, 'value_not_integer'],
      [{ bogus: '1' }, 'field_unknown'],
    ] as const) {
      assert.throws(() => loadLiquidationParams(venue({ execution: 'auction', auction })), (e: Error) => e.message.includes(code), code);
    }
  });
});

/**
 * Laws over random accounts, price drops, bid times and fractions: a bid never lowers the
 * account's margin ratio unless it ends its positions; the account never ends below zero equity
 * because of the discount; money is conserved after every event (the engine runs with
 * `invariants: 'event'`); refused bids change nothing; the journal replays to the same state.
 */
describe('laws of the auction', () => {
  it('bids never lower the margin ratio, never take the account below zero equity, conserve money, and replay', async () => {
    const tally: AuditTally = { steps: 0, bankruptcies: 0, adl: 0, socialised: 0, passes: 0, bids: 0 };
    let accepted = 0;
    const refused = new Map<string, number>();
    const arb = fc.record({
      equity: fc.integer({ min: 1, max: 60 }),
      eth: fc.boolean(),
      dropBps: fc.integer({ min: 300, max: 1_400 }),
      btcCollateral: fc.constantFrom('0', '0', '0.001'),
      bids: fc.array(fc.record({ afterS: fc.integer({ min: 0, max: 20_000 }), ppm: fc.integer({ min: 1, max: 1_000_000 }), poor: fc.boolean() }), { minLength: 1, maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (x) => {
        const b = await bench(venue({ execution: 'auction' }));
        await b.ok(c.create('alice'), c.create('bob'), c.create('liq'), c.create('poor'), c.deposit('alice', 'USDC', String(x.dropBps / 10 + x.equity)), c.deposit('bob', 'USDC', '100000'));
        await b.ok(c.deposit('liq', 'USDC', '100000'), c.deposit('poor', 'USDC', '3'));
        if (x.btcCollateral !== '0') await b.ok(c.deposit('alice', 'BTC', x.btcCollateral));
        await b.ok(c.marks({ 'SOL-PERP': '100', 'ETH-PERP': '2000' }, { USDC: '1', BTC: '60000' }), c.fill('SOL-PERP', 'alice', 'bob', '10', '100'));
        if (x.eth) await b.ok(c.fill('ETH-PERP', 'bob', 'alice', '0.2', '2000'));
        const sol = (100 * (1 - x.dropBps / 10_000)).toFixed(2);
        await b.ok(c.marks({ 'SOL-PERP': sol, 'ETH-PERP': '2000' }, { USDC: '1', BTC: '60000' }));
        for (const step of x.bids) {
          const auction = auctionsOf(b.engine.state)[0]?.[1];
          if (auction === undefined) break;
          b.clock.advance(step.afterS * 1_000);
          const before = b.engine.stateHash();
          const [r] = await b.run(bid(auction.auctionId, step.poor ? 'poor' : 'liq', BigInt(step.ppm) * 1_000_000n));
          const report = b.engine.invariants();
          assert.ok(report.ok, report.violations.join('; '));
          if (r?.ok === true) accepted += 1;
          else {
            assert.equal(b.engine.stateHash(), before, `a refused bid (${r?.code}) changes nothing`);
            refused.set(r?.code ?? '', (refused.get(r?.code ?? '') ?? 0) + 1);
          }
          const m = b.engine.accountFigures('alice');
          assert.ok(m !== undefined && m.equity >= 0n, 'never below zero equity because of the discount');
        }
        await assertReplays(b, tally);
        await b.engine.close();
      }),
      fcOptions(0xa0c710, 60),
    );
    console.log(`auction laws: ${tally.bids ?? 0} bids audited, ${accepted} accepted, refused ${JSON.stringify([...refused].sort())}`);
    assert.ok((tally.bids ?? 0) > 20, 'the scenarios exercise bids');
  });
});
