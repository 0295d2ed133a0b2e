/**
 * The engine's columnar mirror (src/engine/mirror.ts) against the reference, over random books
 * and price paths (fast-check, fixed seeds):
 * - kept in step event by event, the mirror's status of every account equals the reference's
 *   (`accountMarginOf`), and equals a mirror built from scratch;
 * - an engine with the mirror and one without journal exactly the same records (the liquidation
 *   pass's candidates from the mirror decide what the full scan decides), and answer every
 *   pre-trade check and max order size the same, code for code and message for message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { accountMarginOf, createEngine, ManualClock, type Command, type Engine, type EngineEvent } from '../../src/engine/index.js';
import { RiskMirror } from '../../src/engine/mirror.js';
import { decode } from '../../src/engine/codec.js';
import { InputError } from '../../src/risk/errors.js';
import { statusName } from '../../src/kernel/index.js';
import { parseAmount, parsePrice, parseSize, type Size } from '../../src/risk/units/quantities.js';
import { MemoryStore } from '../../src/store/memory.js';
import { fcOptions } from './reliability/harness.js';
import { START_MS, venue } from './liquidation/fixtures.js';

const INSTRUMENTS = ['SOL-PERP', 'BTC-PERP', 'ETH-PERP'] as const;
const LOT = { 'SOL-PERP': 0.01, 'BTC-PERP': 0.001, 'ETH-PERP': 0.01 } as const;
const TICK = { 'SOL-PERP': 0.01, 'BTC-PERP': 0.5, 'ETH-PERP': 0.01 } as const;
const START = { 'SOL-PERP': 100, 'BTC-PERP': 60_000, 'ETH-PERP': 2_000 } as const;

const opArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('fill' as const), i: fc.nat(2), buyer: fc.nat(7), seller: fc.nat(7), lots: fc.integer({ min: 1, max: 3_000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('order' as const), i: fc.nat(2), who: fc.nat(7), buy: fc.boolean(), lots: fc.integer({ min: 1, max: 3_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), who: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leverage' as const), i: fc.nat(2), who: fc.nat(7), leverage: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), who: fc.nat(7), amount: fc.integer({ min: 1, max: 3_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('btc' as const), who: fc.nat(7), amount: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('move' as const), bps: fc.array(fc.integer({ min: -1_500, max: 900 }), { minLength: 3, maxLength: 3 }), btcPrice: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('status' as const), i: fc.nat(2), status: fc.constantFrom('halted', 'stale', 'ok', 'ok') }) },
);

const scenarioArb = fc.record({
  deposits: fc.array(fc.integer({ min: 50, max: 20_000 }), { minLength: 8, maxLength: 8 }),
  isolated: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  ops: fc.array(opArb, { minLength: 10, maxLength: 60 }),
  checks: fc.array(fc.record({ who: fc.nat(7), i: fc.nat(2), buy: fc.boolean(), lots: fc.integer({ min: 1, max: 50_000 }), ticks: fc.integer({ min: -200, max: 200 }), reduceOnly: fc.boolean() }), { minLength: 4, maxLength: 4 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

const fixed = (value: number, step: number): string => (Math.round(value / step) * step).toFixed(step >= 1 ? 0 : String(step).split('.')[1]!.length);

/** The commands of a scenario: the same list for both engines. */
function commandsOf(s: Scenario): Command[] {
  let n = 0;
  const id = () => `m${++n}`;
  const users = s.deposits.map((_, k) => `u${k}`);
  const marks: Record<string, number> = { ...START };
  const out: Command[] = [
    { type: 'Deposit', id: id(), accountId: 'system:insurance-fund', asset: 'USDC', amount: parseAmount('2000') },
    { type: 'UpdatePrices', id: id(), prices: { USDC: parsePrice('1'), BTC: parsePrice('60000') }, marks: Object.fromEntries(INSTRUMENTS.map((i) => [i, parsePrice(String(START[i]))])) },
  ];
  for (const [k, u] of users.entries()) {
    out.push({ type: 'CreateAccount', id: id(), accountId: u, mode: s.isolated[k] === true ? 'isolated' : 'cross' });
    out.push({ type: 'Deposit', id: id(), accountId: u, asset: 'USDC', amount: parseAmount(String(s.deposits[k])) });
  }
  let orders = 0;
  for (const op of s.ops) {
    const user = (k: number) => users[k % users.length] as string;
    switch (op.kind) {
      case 'fill': {
        const instrument = INSTRUMENTS[op.i]!;
        const buyer = user(op.buyer);
        const seller = user(op.buyer + 1 + (op.seller % (users.length - 1)));
        const size = parseSize(fixed(op.lots * LOT[instrument], LOT[instrument]));
        out.push({ type: 'ApplyFill', id: id(), instrument, price: parsePrice(fixed(marks[instrument]!, TICK[instrument])), size, buyer: { accountId: buyer }, seller: { accountId: seller }, aggressor: 'buy' });
        break;
      }
      case 'order': {
        const instrument = INSTRUMENTS[op.i]!;
        out.push({
          type: 'PlaceOrder',
          id: id(),
          accountId: user(op.who),
          orderId: `o${++orders}`,
          instrument,
          side: op.buy ? 'buy' : 'sell',
          size: parseSize(fixed(op.lots * LOT[instrument], LOT[instrument])),
          price: parsePrice(fixed(marks[instrument]! * (op.buy ? 0.99 : 1.01), TICK[instrument])),
        });
        break;
      }
      case 'cancel':
        out.push({ type: 'CancelOrder', id: id(), accountId: user(op.who), orderId: `o${Math.max(1, orders)}` });
        break;
      case 'leverage':
        out.push({ type: 'SetLeverage', id: id(), accountId: user(op.who), instrument: INSTRUMENTS[op.i]!, leverage: op.leverage });
        break;
      case 'withdraw':
        out.push({ type: 'Withdraw', id: id(), accountId: user(op.who), asset: 'USDC', amount: parseAmount(String(op.amount)) });
        break;
      case 'btc':
        out.push({ type: 'Deposit', id: id(), accountId: user(op.who), asset: 'BTC', amount: parseAmount((op.amount / 1_000).toFixed(3)) });
        break;
      case 'move': {
        INSTRUMENTS.forEach((i, k) => (marks[i] = Math.max(TICK[i] * 10, marks[i]! * (1 + op.bps[k]! / 10_000))));
        out.push({
          type: 'UpdatePrices',
          id: id(),
          prices: op.btcPrice ? { BTC: parsePrice(fixed(marks['BTC-PERP']!, 0.5)) } : {},
          marks: Object.fromEntries(INSTRUMENTS.map((i) => [i, parsePrice(fixed(marks[i]!, TICK[i]))])),
        });
        break;
      }
      case 'status':
        out.push({ type: 'UpdatePrices', id: id(), statuses: { [INSTRUMENTS[op.i]!]: op.status } });
        break;
    }
  }
  return out;
}

const eventsOf = (body: string): EngineEvent[] => (decode(body) as { events: EngineEvent[] }).events;

function assertMirrorAgrees(mirror: RiskMirror, engine: Engine, where: string): void {
  const book = mirror.sync(engine.state);
  assert.ok(book !== undefined, `${where}: the mirror has a book`);
  const fresh = new RiskMirror().sync(engine.state);
  assert.ok(fresh !== undefined);
  for (const account of engine.state.accounts.values()) {
    let expected: string;
    try {
      expected = accountMarginOf(engine.state, account).status;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      expected = 'unvalued';
    }
    const a = book.accountIndex(account.id);
    assert.ok(a !== undefined, `${where}: ${account.id} is in the mirror`);
    assert.equal(statusName(book.status(a)), expected, `${where}: ${account.id}`);
    assert.equal(statusName(fresh.status(fresh.accountIndex(account.id)!)), expected, `${where}: ${account.id} (fresh)`);
  }
}

async function runScenario(s: Scenario, tally: { passes: number; checks: number; statuses: number }): Promise<void> {
  const params = venue({ execution: 'backstop', accountsPerTickMax: '3' });
  const start = async (riskKernel: boolean) => {
    const store = new MemoryStore();
    const engine = await createEngine({ store, clock: new ManualClock(START_MS), params, riskKernel, invariants: 'batch' });
    return { store, engine };
  };
  const withKernel = await start(true);
  const reference = await start(false);
  const mirror = new RiskMirror();
  mirror.sync(withKernel.engine.state);
  let seen = 1;
  for (const [k, command] of commandsOf(s).entries()) {
    const [a, b] = [await withKernel.engine.submit(command), await reference.engine.submit(command)];
    assert.deepEqual(a.ok ? { ok: true } : { ok: false, code: a.code, message: a.message }, b.ok ? { ok: true } : { ok: false, code: b.code, message: b.message }, `${command.type} ${command.id}`);
    for (const record of withKernel.store.records.slice(seen)) for (const e of eventsOf(record.body)) mirror.note(e);
    seen = withKernel.store.records.length;
    if (command.type === 'UpdatePrices' || k % 7 === 0) {
      assertMirrorAgrees(mirror, withKernel.engine, `after ${command.id}`);
      tally.statuses++;
    }
    if (command.type === 'UpdatePrices' || command.type === 'ApplyFill') {
      for (const check of s.checks) {
        const instrument = INSTRUMENTS[check.i]!;
        const intent = {
          accountId: `u${check.who}`,
          instrument,
          side: check.buy ? ('buy' as const) : ('sell' as const),
          size: parseSize(fixed(check.lots * LOT[instrument], LOT[instrument])),
          price: parsePrice(fixed(START[instrument] * (1 + check.ticks / 1_000), TICK[instrument])),
          reduceOnly: check.reduceOnly,
        };
        assert.deepEqual(withKernel.engine.checkOrder(intent), reference.engine.checkOrder(intent), `check after ${command.id}`);
        const { size: _size, ...rest } = intent;
        assert.equal(withKernel.engine.maxOrderSize(rest) as Size, reference.engine.maxOrderSize(rest) as Size, `max size after ${command.id}`);
        tally.checks++;
      }
    }
  }
  assert.equal(withKernel.store.records.length, reference.store.records.length, 'the same number of records');
  for (const [k, r] of withKernel.store.records.entries()) {
    const other = reference.store.records[k]!;
    if (r.body !== other.body) assert.deepEqual(eventsOf(r.body), eventsOf(other.body), `record ${r.seq}`);
    assert.equal(r.hash, other.hash, `record ${r.seq}: the same hash`);
    if (r.commandId.startsWith('engine:liquidation:')) tally.passes++;
  }
  assert.equal(withKernel.engine.stateHash(), reference.engine.stateHash());
  await withKernel.engine.close();
  await reference.engine.close();
}

describe('the engine mirror (columnar kernel on the hot path)', () => {
  it('statuses equal the reference event by event; journals, pre-trade answers and max sizes equal an engine without it', async () => {
    const tally = { passes: 0, checks: 0, statuses: 0 };
    await fc.assert(
      fc.asyncProperty(scenarioArb, (s) => runScenario(s, tally)),
      fcOptions(0x5eed_0008, 40),
    );
    // The property ran on books where it matters: liquidation passes happened, checks were made.
    assert.ok(tally.passes > 20, `liquidation records: ${tally.passes}`);
    assert.ok(tally.checks > 500, `checks: ${tally.checks}`);
    assert.ok(tally.statuses > 200, `status comparisons: ${tally.statuses}`);
  });

  it('a reload (a new state object) rebuilds the book; no change keeps it', async () => {
    const store = new MemoryStore();
    const engine = await createEngine({ store, clock: new ManualClock(START_MS), params: venue(), riskKernel: true });
    const mirror = new RiskMirror();
    const book = mirror.sync(engine.state);
    assert.ok(book !== undefined);
    assert.equal(mirror.rebuilds, 1);
    assert.equal(mirror.sync(engine.state), book, 'no change: the same book');
    // A new state object (what a fail-closed reload gives) is a rebuild.
    const { recover } = await import('../../src/engine/index.js');
    const recovered = await recover(store, { processedMax: 100 });
    assert.notEqual(mirror.sync(recovered.state), book);
    assert.equal(mirror.rebuilds, 2);
    await engine.close();
  });

  it('a failure inside the mirror raises one alarm and hands every answer to the reference until the state changes', async () => {
    const engine = await createEngine({ store: new MemoryStore(), clock: new ManualClock(START_MS), params: venue(), riskKernel: true });
    await engine.submit({ type: 'UpdatePrices', id: 'p1', prices: { USDC: parsePrice('1') }, marks: { 'SOL-PERP': parsePrice('100') } });
    const alarms: string[] = [];
    const mirror = new RiskMirror((message) => alarms.push(message));
    assert.ok(mirror.sync(engine.state) !== undefined);
    // Something the mirror cannot follow (here, a mark vanishing from the state, which no event does).
    engine.state.market.marks.delete('SOL-PERP');
    mirror.note({ type: 'PricesUpdated', prices: {}, marks: {}, laggedPrices: {} });
    assert.equal(mirror.sync(engine.state), undefined);
    assert.equal(mirror.sync(engine.state), undefined, 'no rebuild per call on the same state');
    assert.equal(alarms.length, 1);
    assert.match(alarms[0]!, /a price left the market/);
    assert.equal(mirror.rebuilds, 1);
  });
});
