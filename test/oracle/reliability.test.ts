/**
 * RELIABILITY.md oracle scenarios, end to end: a seeded feed drives the oracle, whose commands
 * drive a real engine (MemoryStore), and the engine's answers are checked with the scenario's
 * numbers. Where a scenario says "no liquidation fires", the venue opts in to automatic
 * liquidation (a pass after every price update), traders sit just above MM at known prices, and
 * the engine's journal is read for liquidation events; a control then shows the same traders
 * would have been liquidated had the faulty price reached the engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Command, Engine, EngineEvent } from '../../src/engine/index.js';
import {
  liquidationPriceOf,
  runOracleInto,
  syntheticFeed,
  type FeedEvent,
  type Oracle,
  type OracleTick,
  type RunSummary,
  type SyntheticFeedOptions,
} from '../../src/oracle/index.js';
import { createRandom } from '../../src/risk/analytics/random.js';
import { formatPrice, parseAmount, parsePrice, parseSize, type Price } from '../../src/risk/units/quantities.js';
import { absBig } from '../../src/risk/units/rounding.js';
import { cmd } from '../engine/fixtures.js';
import { audit } from '../engine/liquidation/journalCheck.js';
import {
  codeOf,
  engineWithMarkets,
  indexDoc,
  isPassRecord,
  journalReader,
  liquidationSection,
  liquidationsIn,
  MINUTE,
  oracleOf,
  riskIncreasingOrder,
  SECOND,
  sourcesDoc,
  T0,
  twoMarketDoc,
  usdeBackedLong,
  usdeBackedThreshold,
  usdtLongLiquidationPrice,
  usdtLongNearMm,
  V7,
  waiting,
  type EngineFixture,
  type JournalEntry,
  type TraderSpec,
} from './support.js';

/** Relative distance |a - b| / b as a float, for assertions only. */
const distance = (a: bigint, b: bigint): number => Number(absBig(a - b)) / Number(b);

function feed(symbol: string, startPrice: number, seed: number, extra: Partial<SyntheticFeedOptions> = {}): FeedEvent[] {
  return syntheticFeed(
    { symbol, sources: V7.map((id) => ({ id, cadenceMs: SECOND, noiseRate: 0.002 })), fromMs: T0, toMs: T0 + 10 * MINUTE, startPrice, ...extra },
    createRandom(seed),
  );
}

const ethFeed = (toMs: number) => feed('ETH', 200, 2, { toMs });
const sent = (tick: OracleTick, symbol: string): Price | undefined => {
  const c = tick.commands[0];
  return c?.type === 'UpdatePrices' ? c.prices?.[symbol] : undefined;
};

/** One oracle tick and the journal records its commands produced (the liquidation pass's included). */
interface Step {
  readonly tick: OracleTick;
  readonly records: readonly JournalEntry[];
}

/** Runs the oracle into the fixture's engine from T0, one `Step` per tick. */
async function drive(
  fx: EngineFixture,
  oracle: Oracle,
  o: { readonly events: readonly FeedEvent[]; readonly toMs: number; readonly tickMs: number; readonly onStep?: (step: Step) => void | Promise<void> },
): Promise<{ steps: Step[]; summary: RunSummary }> {
  const journal = journalReader(fx.store);
  const steps: Step[] = [];
  const summary = await runOracleInto(fx.engine, oracle, {
    events: o.events,
    fromMs: T0,
    toMs: o.toMs,
    tickMs: o.tickMs,
    clock: fx.clock,
    onTick: async (tick) => {
      const step = { tick, records: journal.next() };
      steps.push(step);
      await o.onStep?.(step);
    },
  });
  return { steps, summary };
}

function eventsOf<T extends EngineEvent['type']>(records: readonly JournalEntry[], type: T): Extract<EngineEvent, { type: T }>[] {
  return records.flatMap((r) => r.events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type));
}

const startedIn = (records: readonly JournalEntry[]) => eventsOf(records.filter(isPassRecord), 'LiquidationStarted');
const ids = (traders: readonly TraderSpec[]) => traders.map((t) => t.id);
let operatorCommands = 0;
const liquidate = (accountId: string): Command => ({ type: 'Liquidate', id: `op-liquidate-${accountId}-${++operatorCommands}`, accountId });

/** Longs of 1 BTCUSDT at 9,150 on USDT that fall below MM 0.75%, 1%, 2%, 5% and 10% lower. */
const nearMmBtc = (): TraderSpec[] => [0.0075, 0.01, 0.02, 0.05, 0.1].map((d) => usdtLongNearMm(`btc-near-${(d * 100).toFixed(2)}pc`, d));

/** Long 1 BTCUSDT and 10 ETHUSDT on 100 USDT: healthy at 9,150 and 200, below MM once ETH is 4% lower. */
const MIXED: TraderSpec = {
  id: 'mixed',
  deposit: { asset: 'USDT', amount: '100' },
  longs: [
    { instrument: 'BTCUSDT', size: '1', price: '9150' },
    { instrument: 'ETHUSDT', size: '10', price: '200' },
  ],
};

/** No liquidation action in the records and no account turned liquidatable; a failure lists them. */
function assertNoLiquidation(records: readonly JournalEntry[], what: string): void {
  const { actions, turnedLiquidatable } = liquidationsIn(records);
  assert.deepEqual(actions, [], `${what}: no liquidation step, takeover, ADL or liquidation order`);
  assert.deepEqual(turnedLiquidatable, [], `${what}: no account turns liquidatable`);
}

/** Control: the price the oracle kept out reaches the engine directly; every listed trader turns liquidatable or bankrupt. */
async function assertWouldLiquidate(fx: EngineFixture, update: Command, traders: readonly string[]): Promise<void> {
  const journal = journalReader(fx.store);
  assert.equal(codeOf(await fx.engine.submit(update)), 'ok');
  const turned = eventsOf(journal.next(), 'AccountStatusChanged')
    .filter((e) => e.to === 'liquidatable' || e.to === 'bankrupt')
    .map((e) => e.accountId);
  assert.deepEqual([...new Set(turned)].sort(), [...traders].sort(), 'control: the kept-out price would have put every one of them below MM');
}

const ratioOf = (engine: Engine, id: string): number => engine.accountFigures(id)?.marginRatio ?? Number.NEGATIVE_INFINITY;

describe('R8 outlier source (Deribit, Oct 2019)', () => {
  const faults = (source: string) => [
    { kind: 'silent' as const, source, fromMs: T0 + 60 * SECOND, toMs: T0 + 120 * SECOND },
    { kind: 'price' as const, source, fromMs: T0 + 120 * SECOND, toMs: T0 + 270 * SECOND, price: 7_700 },
  ];

  it('seven sources at 9,150, one silent then at 7,700 (-16%), the rest within 0.2%: the engine receives an index within 0.5% and ok, the source is flagged within one cadence', async () => {
    const { engine, clock } = await engineWithMarkets();
    const oracle = oracleOf(twoMarketDoc());
    let flaggedAtMs: number | undefined;
    const summary = await runOracleInto(engine, oracle, {
      events: [...feed('BTC', 9_150, 1, { faults: faults('v7') }), ...ethFeed(T0 + 6 * MINUTE)],
      fromMs: T0,
      toMs: T0 + 6 * MINUTE,
      tickMs: SECOND,
      clock,
      onTick: (tick) => {
        assert.equal(tick.indexes.BTC?.status, 'ok');
        assert.ok(distance(engine.state.market.prices.get('BTC') as bigint, parsePrice('9150')) < 0.005);
        if (flaggedAtMs === undefined && tick.indexes.BTC?.sources.v7 === 'outlier') flaggedAtMs = tick.nowMs;
      },
    });
    assert.deepEqual([summary.rejectedCount, summary.refusedCount], [0, 0]);
    assert.ok(flaggedAtMs !== undefined && flaggedAtMs - (T0 + 120 * SECOND) <= SECOND, `flagged at +${((flaggedAtMs ?? 0) - T0) / SECOND}s`);
    assert.equal(engine.state.market.statuses.get('BTC'), undefined, 'the engine holds BTC as ok');
    assert.deepEqual(engine.checkOrder(riskIncreasingOrder('alice', 'BTCUSDT', '9150')), { ok: true });
    assert.deepEqual(engine.invariants().violations, []);
  });

  it('for any seed and any faulty source, the index stays within 0.5% of 9,150 (oracle alone)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.constantFrom(...V7), (seed, source) => {
        const oracle = oracleOf({ indexes: { BTC: indexDoc() } });
        const events = feed('BTC', 9_150, seed, { faults: faults(source), toMs: T0 + 5 * MINUTE });
        let next = 0;
        for (let t = T0; t <= T0 + 5 * MINUTE; t += SECOND) {
          for (; next < events.length && (events[next]?.atMs ?? Infinity) <= t; next++) {
            const e = events[next];
            if (e?.kind === 'observation') oracle.observe(e.observation, e.atMs);
          }
          const btc = oracle.tick(t).indexes.BTC;
          assert.equal(btc?.status, 'ok');
          assert.ok(distance(btc?.published as bigint, parsePrice('9150')) < 0.005);
        }
      }),
      { seed: 2019, numRuns: 8 },
    );
  });

  it('three of seven sources stale: the index reports insufficient sources, the engine refuses risk-increasing orders on BTC, liquidations get only the guarded price', async () => {
    const { engine, clock } = await engineWithMarkets();
    const oracle = oracleOf(twoMarketDoc());
    const silent = ['v1', 'v2', 'v3'].map((source) => ({ kind: 'silent' as const, source, fromMs: T0 + 60 * SECOND, toMs: T0 + 10 * MINUTE }));
    let degradedTicks = 0;
    await runOracleInto(engine, oracle, {
      events: [...feed('BTC', 9_150, 3, { faults: silent, toMs: T0 + 2 * MINUTE }), ...ethFeed(T0 + 2 * MINUTE)],
      fromMs: T0,
      toMs: T0 + 2 * MINUTE,
      tickMs: SECOND,
      clock,
      onTick: (tick) => {
        const btc = tick.indexes.BTC;
        if (tick.nowMs < T0 + 63 * SECOND) return assert.equal(btc?.status, 'ok');
        degradedTicks++;
        assert.deepEqual([btc?.status, btc?.reason], ['degraded', 'sources_insufficient']);
        const p = sent(tick, 'BTC');
        assert.ok(p !== undefined && distance(p, parsePrice('9150')) < 0.005, 'the guarded price is forwarded');
        assert.deepEqual(liquidationPriceOf(btc?.status, btc?.published), { kind: 'price', price: p, guarded: true });
      },
    });
    assert.equal(degradedTicks, 58);
    assert.equal(engine.state.market.statuses.get('BTC'), 'degraded');
    assert.equal(codeOf(engine.checkOrder(riskIncreasingOrder('alice', 'BTCUSDT', '9150')) as never), 'oracle_price_stale');
    assert.equal(codeOf(engine.checkOrder({ ...riskIncreasingOrder('carol', 'BTC-PERP', '9150'), size: parseSize('1') }) as never), 'oracle_price_stale', 'every instrument on BTC');
    assert.deepEqual(engine.checkOrder({ ...riskIncreasingOrder('alice', 'BTCUSDT', '9150'), side: 'sell', reduceOnly: true }), { ok: true });
    assert.deepEqual(engine.checkOrder(riskIncreasingOrder('carol', 'ETHUSDT', '200')), { ok: true }, 'the ETH market keeps working');
  });

  it('R8: with accounts 0.75% to 10% above their liquidation price on BTC, the source printing 7,700 for 2.5 minutes fires no liquidation: no takeover, ADL or liquidation order, no account turns liquidatable', async () => {
    const traders = nearMmBtc();
    const fx = await engineWithMarkets({ liquidation: liquidationSection(), traders });
    const { steps, summary } = await drive(fx, oracleOf(twoMarketDoc()), {
      events: [...feed('BTC', 9_150, 1, { faults: faults('v7') }), ...ethFeed(T0 + 6 * MINUTE)],
      toMs: T0 + 6 * MINUTE,
      tickMs: SECOND,
    });
    assert.deepEqual([summary.rejectedCount, summary.refusedCount], [0, 0]);
    assert.equal(steps.filter((s) => s.tick.indexes.BTC?.sources.v7 === 'outlier').length, 150, 'the outlier is flagged for its 2.5 minutes');
    const lowest = Math.min(...steps.map((s) => Number(s.tick.marks.BTCUSDT?.mark))) / 1e8;
    const closest = usdtLongLiquidationPrice(traders[0] as TraderSpec);
    assert.ok(lowest > closest && (lowest - closest) / closest < 0.01, `the closest account came within ${(((lowest - closest) / closest) * 100).toFixed(2)}% of its liquidation price`);
    assertNoLiquidation(steps.flatMap((s) => s.records), 'outlier');
    assert.deepEqual(waiting(fx.engine), []);
    assert.deepEqual(fx.engine.invariants().violations, []);
    await assertWouldLiquidate(fx, cmd.prices({ BTC: '7700' }, { BTCUSDT: '7700' }), ids(traders));
  });

  it('R8: three of seven sources stale: BTC is degraded and liquidation acts on the guarded price only: the accounts whose liquidation price it crosses are taken over at the mark forwarded from it, the others untouched', async () => {
    const traders = nearMmBtc();
    const fx = await engineWithMarkets({ liquidation: liquidationSection(), traders });
    const silent = ['v1', 'v2', 'v3'].map((source) => ({ kind: 'silent' as const, source, fromMs: T0 + 60 * SECOND, toMs: T0 + 10 * MINUTE }));
    // The four sources left move 1.2% lower at +90 s: within the band, so the guarded price is their median.
    const shocks = [{ atMs: T0 + 90 * SECOND, factor: 0.988 }];
    let liquidatedTicks = 0;
    const { steps } = await drive(fx, oracleOf(twoMarketDoc()), {
      events: [...feed('BTC', 9_150, 3, { faults: silent, shocks, toMs: T0 + 150 * SECOND }), ...ethFeed(T0 + 150 * SECOND)],
      toMs: T0 + 150 * SECOND,
      tickMs: SECOND,
      onStep: ({ tick, records }) => {
        const taken = eventsOf(records.filter(isPassRecord), 'PositionLiquidated').filter((e) => e.instrument === 'BTCUSDT');
        if (taken.length === 0) return;
        liquidatedTicks++;
        const btc = tick.indexes.BTC;
        assert.deepEqual([btc?.status, btc?.reason], ['degraded', 'sources_insufficient'], `+${(tick.nowMs - T0) / SECOND}s: liquidation only while degraded`);
        const guarded = liquidationPriceOf(btc?.status, btc?.published);
        assert.ok(guarded.kind === 'price' && guarded.guarded, 'the hook gives the guarded price');
        assert.equal(sent(tick, 'BTC'), guarded.price, 'the engine received the guarded price');
        assert.ok(distance(guarded.price, parsePrice('9150')) < 0.05, 'within the band of the last good price');
        const mark = tick.marks.BTCUSDT?.mark as Price;
        assert.equal(fx.engine.state.market.marks.get('BTCUSDT'), mark);
        for (const e of taken) {
          // Taken over at the mark from the guarded price (neither account is bankrupt there).
          const atMark = (e.size * mark) / 100_000_000n;
          assert.ok(absBig(e.markValue - atMark) <= 1n, `${e.accountId}: ${e.markValue} is ${e.size} at the mark ${formatPrice(mark)}`);
          assert.equal(e.value, e.markValue, `${e.accountId}: at mark, not at a bankruptcy value`);
        }
      },
    });
    const all = steps.flatMap((s) => s.records);
    const started = startedIn(all);
    const lowestMark = Math.min(...steps.map((s) => Number(s.tick.marks.BTCUSDT?.mark))) / 1e8;
    const crossed = traders.filter((t) => usdtLongLiquidationPrice(t) > lowestMark).map((t) => t.id);
    assert.deepEqual(crossed, ['btc-near-0.75pc', 'btc-near-1.00pc'], `the guarded price went down to ${lowestMark}`);
    assert.deepEqual([...new Set(started.map((e) => e.accountId))].sort(), crossed, 'exactly the accounts the guarded price put below MM');
    assert.ok(started.every((e) => (e.marginRatio ?? -1) < 1), 'each was below MM when liquidated');
    assert.ok(liquidatedTicks >= 1, 'the guarded price did liquidate');
    assert.deepEqual(waiting(fx.engine), [], 'each is back above MM');
    assert.deepEqual(fx.engine.invariants().violations, []);
  });
});

describe('R9 staleness', () => {
  it('no update for 3x the cadence: stale, no price forwarded, risk-increasing orders and dependent withdrawals refused; the ETH market keeps working', async () => {
    const { engine, clock } = await engineWithMarkets();
    const oracle = oracleOf(twoMarketDoc());
    const silent = V7.map((source) => ({ kind: 'silent' as const, source, fromMs: T0 + 60 * SECOND, toMs: T0 + 10 * MINUTE }));
    const lastGood: { price: bigint | undefined } = { price: undefined };
    const btcSeen: string[] = [];
    await runOracleInto(engine, oracle, {
      events: [...feed('BTC', 9_150, 4, { faults: silent, toMs: T0 + 2 * MINUTE }), ...ethFeed(T0 + 2 * MINUTE)],
      fromMs: T0,
      toMs: T0 + 2 * MINUTE,
      tickMs: SECOND,
      clock,
      onTick: (tick) => {
        const status = tick.indexes.BTC?.status as string;
        btcSeen.push(status);
        if (status === 'ok') lastGood.price = sent(tick, 'BTC');
        else {
          assert.equal(sent(tick, 'BTC'), undefined, 'no stale price is forwarded');
          assert.equal(tick.commands[0]?.type === 'UpdatePrices' ? tick.commands[0].marks?.BTCUSDT : 'x', undefined, 'nor a mark on it');
          assert.equal(engine.state.market.prices.get('BTC'), lastGood.price);
        }
        assert.equal(tick.indexes.ETH?.status, 'ok');
      },
    });
    // The last prints are at +59 s; with a 1 s cadence the source is fresh for 3 s, stale after.
    assert.deepEqual([btcSeen[62], btcSeen[63]], ['ok', 'stale']);
    assert.equal(btcSeen.lastIndexOf('ok'), 62);
    assert.equal(engine.state.market.statuses.get('BTC'), 'stale');
    assert.equal(codeOf(engine.checkOrder(riskIncreasingOrder('alice', 'BTCUSDT', '9150')) as never), 'oracle_price_stale');
    assert.equal(codeOf(await engine.submit(cmd.withdraw('alice', 'USDT', '10'))), 'oracle_price_stale');
    assert.deepEqual(liquidationPriceOf('stale', engine.state.market.prices.get('BTC')), { kind: 'paused', status: 'stale' });
    assert.deepEqual(engine.checkOrder(riskIncreasingOrder('carol', 'ETHUSDT', '200')), { ok: true });
    assert.equal(codeOf(await engine.submit(cmd.withdraw('carol', 'USDT', '10'))), 'ok');
    assert.deepEqual(engine.invariants().violations, []);
  });

  it('R9: while BTC is stale no liquidation fires, even for an account below MM at the last BTC price; the ETH market keeps liquidating; the waiting account goes at the first tick BTC is vouched for again', async () => {
    const ethOnly = usdtLongNearMm('eth-near-2pc', 0.02, 'ETHUSDT', 10, 200);
    const btcTraders = nearMmBtc();
    const fx = await engineWithMarkets({ liquidation: liquidationSection(), traders: [...btcTraders, MIXED, ethOnly] });
    const pauseFromMs = T0 + 60 * SECOND;
    const resumeMs = T0 + 150 * SECOND;
    const silent = V7.map((source) => ({ kind: 'silent' as const, source, fromMs: pauseFromMs, toMs: resumeMs }));
    const ethDropMs = T0 + 90 * SECOND;
    let staleTicksBelowMm = 0;
    const { steps } = await drive(fx, oracleOf(twoMarketDoc()), {
      events: [...feed('BTC', 9_150, 4, { faults: silent, toMs: T0 + 3 * MINUTE }), ...feed('ETH', 200, 2, { shocks: [{ atMs: ethDropMs, factor: 0.96 }], toMs: T0 + 3 * MINUTE })],
      toMs: T0 + 3 * MINUTE,
      tickMs: SECOND,
      onStep: async ({ tick }) => {
        assert.equal(tick.indexes.ETH?.status, 'ok');
        if (tick.indexes.BTC?.status === 'stale' && fx.engine.state.liquidation.statuses.get('mixed') === 'liquidatable') {
          // Below MM at the last BTC price the engine holds, and still not liquidated, not even by hand.
          assert.equal(fx.engine.accountFigures('mixed')?.status, 'liquidatable');
          if (staleTicksBelowMm++ === 0) assert.equal(codeOf(await fx.engine.submit(liquidate('mixed'))), 'oracle_price_stale');
        }
      },
    });
    const stale = steps.filter((s) => s.tick.indexes.BTC?.status === 'stale');
    assert.ok(stale.length >= 80, `${stale.length} stale ticks`);
    const onStale = startedIn(stale.flatMap((s) => s.records)).map((e) => e.accountId);
    assert.deepEqual([...new Set(onStale)], ['eth-near-2pc'], 'while BTC is stale only the ETH-only account is liquidated');
    const ethTick = steps.find((s) => startedIn(s.records).some((e) => e.accountId === 'eth-near-2pc'));
    assert.equal(ethTick?.tick.nowMs, ethDropMs, 'the ETH account goes on the tick ETH falls');
    assert.ok(eventsOf(ethTick?.records ?? [], 'AccountStatusChanged').some((e) => e.accountId === 'mixed' && e.to === 'liquidatable'), 'the mixed account is recorded below MM on the same tick');
    assert.ok(staleTicksBelowMm > 50, `the mixed account waited ${staleTicksBelowMm} stale ticks below MM`);
    const lastStaleMs = stale[stale.length - 1]?.tick.nowMs ?? T0;
    const firstVouched = steps.find((s) => s.tick.nowMs > lastStaleMs);
    assert.ok(firstVouched !== undefined && firstVouched.tick.nowMs >= resumeMs, `BTC vouched for again at +${((firstVouched?.tick.nowMs ?? T0) - T0) / SECOND}s`);
    const mixedTick = steps.find((s) => startedIn(s.records).some((e) => e.accountId === 'mixed'));
    assert.equal(mixedTick?.tick.nowMs, firstVouched.tick.nowMs, `the mixed account goes on the first tick BTC is ${firstVouched.tick.indexes.BTC?.status} again`);
    assert.ok(distance(sent(firstVouched.tick, 'BTC') as bigint, parsePrice('9150')) < 0.005, 'on a fresh price');
    assert.deepEqual(
      startedIn(steps.flatMap((s) => s.records)).filter((e) => ids(btcTraders).includes(e.accountId)),
      [],
      'the BTC accounts near MM are never liquidated',
    );
    assert.deepEqual(waiting(fx.engine), []);
    assert.deepEqual(fx.engine.invariants().violations, []);
  });
});

describe('R10 stablecoin spike (Compound, Nov 2020)', () => {
  const usdtOracle = () => oracleOf({ indexes: { USDT: indexDoc({ sources: sourcesDoc(5, 10 * SECOND), sourcesMin: 3, outlierBandRate: '0.01' }) } });
  /** Five USDT venues every 10 s; v3 prints 1.30 from +5 to +65 minutes. */
  const spikeFeed = (): FeedEvent[] =>
    syntheticFeed(
      {
        symbol: 'USDT',
        sources: ['v1', 'v2', 'v3', 'v4', 'v5'].map((id) => ({ id, cadenceMs: 10 * SECOND, noiseRate: 0.0005 })),
        fromMs: T0,
        toMs: T0 + 70 * MINUTE,
        startPrice: 1,
        priceDecimals: 4,
        faults: [{ kind: 'price', source: 'v3', fromMs: T0 + 5 * MINUTE, toMs: T0 + 65 * MINUTE, price: 1.3 }],
      },
      createRandom(2020),
    );

  it('one of five venues prints 1.30 for an hour: the index stays within 1% of 1 and ok, the venue is flagged', async () => {
    const { engine, clock } = await engineWithMarkets();
    const oracle = usdtOracle();
    const events = spikeFeed();
    const aliceBefore = engine.accountFigures('alice')?.collateralMaintenance as bigint;
    let flagged = 0;
    await runOracleInto(engine, oracle, {
      events,
      fromMs: T0,
      toMs: T0 + 70 * MINUTE,
      tickMs: 10 * SECOND,
      clock,
      onTick: (tick) => {
        assert.equal(tick.indexes.USDT?.status, 'ok');
        assert.ok(distance(engine.state.market.prices.get('USDT') as bigint, parsePrice('1')) < 0.01);
        assert.ok(distance(engine.accountFigures('alice')?.collateralMaintenance as bigint, aliceBefore) < 0.01);
        if (tick.indexes.USDT?.sources.v3 === 'outlier') flagged++;
      },
    });
    assert.equal(flagged, 6 * 60);
    assert.deepEqual(engine.invariants().violations, []);
  });

  it('R10: one of five venues at 1.30 for an hour fires no liquidation, though the traders\' USDT losses would put them below MM at 1.02 to 1.20', async () => {
    // Long 1 BTCUSDT bought at 9,600 with the mark at 9,150, on USDE: a USDT debt that grows with USDT.
    const traders = [1.02, 1.05, 1.1, 1.2].map((u) => usdeBackedLong(`usdt-debt-${u.toFixed(2)}`, { usdtAt: u }, 9_600));
    const fx = await engineWithMarkets({ liquidation: liquidationSection(), traders });
    for (const t of traders) assert.ok(ratioOf(fx.engine, t.id) > 1, `${t.id} starts above MM`);
    const oracle = usdtOracle();
    const events = spikeFeed();
    const { steps } = await drive(fx, oracle, { events, toMs: T0 + 70 * MINUTE, tickMs: 10 * SECOND });
    assert.equal(steps.filter((s) => s.tick.indexes.USDT?.sources.v3 === 'outlier').length, 6 * 60);
    const highest = Math.max(...steps.map((s) => Number(s.tick.indexes.USDT?.published)));
    assert.ok(highest / 1e8 < 1.01 && highest / 1e8 < usdeBackedThreshold(traders[0] as TraderSpec, 'USDT'), `USDT went up to ${highest / 1e8}`);
    assertNoLiquidation(steps.flatMap((s) => s.records), 'USDT spike');
    assert.deepEqual(waiting(fx.engine), []);
    assert.deepEqual(fx.engine.invariants().violations, []);
    await assertWouldLiquidate(fx, cmd.prices({ USDT: '1.3' }, {}), ids(traders));
  });
});

describe('R15 collateral depeg on one venue (10 Oct 2025)', () => {
  const usdeDoc = {
    indexes: {
      USDE: indexDoc({
        // Four venues and the issuer's redemption rate, one vote each.
        sources: { v1: { cadenceMs: 10 * SECOND }, v2: { cadenceMs: 10 * SECOND }, v3: { cadenceMs: 10 * SECOND }, v4: { cadenceMs: 10 * SECOND }, redemption: { cadenceMs: MINUTE } },
        sourcesMin: 3,
        outlierBandRate: '0.01',
        band: { rate: '0.02', intervalMs: MINUTE, onBreach: 'guard' },
        recoveryMs: MINUTE,
        lagged: { kind: 'rateLimited', moveRatePerHour: '0.1' },
      }),
    },
  };

  function usdeFeed(o: Pick<SyntheticFeedOptions, 'faults' | 'shocks' | 'toMs'>): FeedEvent[] {
    const venues = syntheticFeed(
      { symbol: 'USDE', sources: ['v1', 'v2', 'v3', 'v4'].map((id) => ({ id, cadenceMs: 10 * SECOND, noiseRate: 0.0005 })), fromMs: T0, startPrice: 1, priceDecimals: 4, ...o },
      createRandom(1010),
    );
    const redemption = syntheticFeed({ symbol: 'USDE', sources: [{ id: 'redemption', cadenceMs: MINUTE }], fromMs: T0, toMs: o.toMs, startPrice: 1 }, createRandom(1));
    return [...venues, ...redemption];
  }

  async function erinWithUsde(): Promise<{ engine: Engine; clock: { set(t: number): void } }> {
    const fixture = await engineWithMarkets();
    for (const c of [cmd.create('erin'), cmd.deposit('erin', 'USDE', '100000')]) assert.equal(codeOf(await fixture.engine.submit(c)), 'ok');
    return fixture;
  }

  it('one venue at 0.65 for 40 minutes: the collateral index (four venues and the redemption rate) moves < 1%, the holder\'s collateral too', async () => {
    const { engine, clock } = await erinWithUsde();
    const before = engine.accountFigures('erin')?.collateralMaintenance as bigint;
    const oracle = oracleOf(usdeDoc);
    await runOracleInto(engine, oracle, {
      events: usdeFeed({ faults: [{ kind: 'price', source: 'v2', fromMs: T0 + 5 * MINUTE, toMs: T0 + 45 * MINUTE, price: 0.65 }], toMs: T0 + 50 * MINUTE }),
      fromMs: T0,
      toMs: T0 + 50 * MINUTE,
      tickMs: 10 * SECOND,
      clock,
      onTick: (tick) => {
        assert.equal(tick.indexes.USDE?.status, 'ok');
        assert.ok(distance(tick.indexes.USDE?.published as bigint, parsePrice('1')) < 0.01);
        assert.ok(distance(engine.accountFigures('erin')?.collateralMaintenance as bigint, before) < 0.01);
      },
    });
  });

  it('a genuine depeg everywhere moves the index to 0.65 through the band, a band per minute at most, while initial margin values the collateral at the market at once', async () => {
    const { engine, clock } = await erinWithUsde();
    const oracle = oracleOf(usdeDoc);
    const values: bigint[] = [];
    const statuses = new Set<string>();
    let guardedTicks = 0;
    await runOracleInto(engine, oracle, {
      events: usdeFeed({ shocks: [{ atMs: T0 + 5 * MINUTE, factor: 0.65 }], toMs: T0 + 40 * MINUTE }),
      fromMs: T0,
      toMs: T0 + 40 * MINUTE,
      tickMs: 10 * SECOND,
      clock,
      onTick: (tick) => {
        const usde = tick.indexes.USDE;
        statuses.add(usde?.status ?? '');
        if (usde?.reason === 'band_guard') {
          guardedTicks++;
          // Initial margin values the collateral at the market at once (100,000 x 0.65 x 0.9);
          // maintenance margin, and so liquidation, walks with the guarded price.
          assert.equal(usde.lagged, usde.candidate, 'the market price is sent as the lagged price');
          assert.ok((usde.candidate as bigint) < (usde.published as bigint));
          assert.ok(distance(engine.accountFigures('erin')?.collateralInitial as bigint, parseAmount('58500')) < 0.01);
        }
        values.push(engine.accountFigures('erin')?.collateralMaintenance as bigint);
      },
    });
    assert.deepEqual([...statuses].sort(), ['degraded', 'ok']);
    assert.ok(guardedTicks > 100, `${guardedTicks} ticks under the guard`);
    values.forEach((v, i) => {
      if (i > 0) assert.ok(distance(v, values[i - 1] as bigint) <= 0.02 + 1e-9, `tick ${i}: ${v} after ${values[i - 1]}`);
    });
    assert.ok(distance(engine.state.market.prices.get('USDE') as bigint, parsePrice('0.65')) < 0.01);
    assert.equal(oracle.lastTick?.indexes.USDE?.status, 'ok');
    assert.equal(oracle.lastTick?.indexes.USDE?.sources.redemption, 'outlier');
  });

  /** Long 1 BTCUSDT on USDE only, below MM once USDE is under 0.97, 0.90, 0.80 and 0.70; and one that survives 0.65 (below MM under 0.55). */
  const usdeTraders = (): TraderSpec[] => [0.97, 0.9, 0.8, 0.7, 0.55].map((u) => usdeBackedLong(`usde-${u.toFixed(2)}`, { usdeAt: u }));

  it('R15: one venue at 0.65 for 40 minutes fires no liquidation, though USDE at 0.97 would put the first trader below MM', async () => {
    const traders = usdeTraders();
    const fx = await engineWithMarkets({ liquidation: liquidationSection(), traders });
    const { steps } = await drive(fx, oracleOf(usdeDoc), {
      events: usdeFeed({ faults: [{ kind: 'price', source: 'v2', fromMs: T0 + 5 * MINUTE, toMs: T0 + 45 * MINUTE, price: 0.65 }], toMs: T0 + 50 * MINUTE }),
      toMs: T0 + 50 * MINUTE,
      tickMs: 10 * SECOND,
    });
    const lowest = Math.min(...steps.map((s) => Number(s.tick.indexes.USDE?.published)));
    assert.ok(lowest / 1e8 > 0.99 && lowest / 1e8 > usdeBackedThreshold(traders[0] as TraderSpec, 'USDE'), `USDE went down to ${lowest / 1e8}`);
    assertNoLiquidation(steps.flatMap((s) => s.records), 'one-venue depeg');
    assert.deepEqual(waiting(fx.engine), []);
    assert.deepEqual(fx.engine.invariants().violations, []);
    await assertWouldLiquidate(fx, cmd.prices({ USDE: '0.65' }, {}), ids(traders.slice(0, 4)));
  });

  it('R15: a genuine depeg everywhere walks the collateral down a band per minute; each trader is liquidated on the first tick the guarded price puts it below MM, in turn, only those truly below MM, and money is conserved', async () => {
    const traders = usdeTraders();
    const fx = await engineWithMarkets({ liquidation: liquidationSection(), traders });
    const survivor = 'usde-0.55';
    const usdeAt: number[] = [];
    const { steps } = await drive(fx, oracleOf(usdeDoc), {
      events: usdeFeed({ shocks: [{ atMs: T0 + 5 * MINUTE, factor: 0.65 }], toMs: T0 + 40 * MINUTE }),
      toMs: T0 + 40 * MINUTE,
      tickMs: 10 * SECOND,
      onStep: ({ tick, records }) => {
        usdeAt.push(Number(fx.engine.state.market.prices.get('USDE')) / 1e8);
        for (const e of startedIn(records)) {
          // Liquidation acts on the price the oracle sent this tick: the guarded one while it walks.
          assert.ok(tick.indexes.USDE?.status === 'ok' || tick.indexes.USDE?.reason === 'band_guard', `${e.accountId}: ${tick.indexes.USDE?.status}`);
          assert.equal(fx.engine.state.market.prices.get('USDE'), tick.indexes.USDE?.published);
          assert.ok((e.marginRatio ?? -1) < 1, `${e.accountId} was below MM (${e.marginRatio})`);
        }
      },
    });
    const firstTick = (id: string) => steps.findIndex((s) => startedIn(s.records).some((e) => e.accountId === id));
    const liquidated = ids(traders).filter((id) => firstTick(id) >= 0);
    assert.deepEqual(liquidated, ids(traders.slice(0, 4)), 'the four whose threshold lies above 0.65; the survivor never');
    const times: number[] = [];
    for (const t of traders.slice(0, 4)) {
      const k = firstTick(t.id);
      const threshold = usdeBackedThreshold(t, 'USDE');
      assert.ok((usdeAt[k] as number) < threshold && (usdeAt[k - 1] as number) >= threshold, `${t.id} (below MM under ${threshold.toFixed(4)}): liquidated at ${usdeAt[k]} after ${usdeAt[k - 1]}`);
      times.push((steps[k]?.tick.nowMs as number) - T0);
    }
    assert.ok(
      times.every((t, i) => i === 0 || t > (times[i - 1] as number)),
      `one after the other as the price walks: ${times.map((t) => t / MINUTE).join(', ')} min`,
    );
    assert.ok((times[3] as number) - (times[0] as number) >= 10 * MINUTE, 'spread over the walk, not at once');
    usdeAt.forEach((v, i) => {
      if (i > 0) assert.ok(Math.abs(v / (usdeAt[i - 1] as number) - 1) <= 0.02 + 1e-9, `tick ${i}: the collateral's price ${v} after ${usdeAt[i - 1]}: at most a band per step`);
    });
    assert.ok(distance(fx.engine.state.market.prices.get('USDE') as bigint, parsePrice('0.65')) < 0.01);
    assert.ok(ratioOf(fx.engine, survivor) > 1, 'the survivor stays above MM at 0.65');
    assert.deepEqual(waiting(fx.engine), [], 'no account is left below MM');
    assert.deepEqual(fx.engine.invariants().violations, []);
    audit(fx.store.records, { perTickMax: 3, fundFloor: 0n, adlOnlyWhenFundShort: true }, { steps: 0, bankruptcies: 0, adl: 0, socialised: 0, passes: 0 });
  });
});

describe('R17 stall and resume (12 Mar 2020)', () => {
  it('after a 25-minute pause prices resume 20% lower: stale during the pause, halted on the breach, ok again only on fresh, consistent prices; no stale price forwarded', async () => {
    const { engine, clock } = await engineWithMarkets();
    const oracle = oracleOf(twoMarketDoc());
    const pauseFromMs = T0 + MINUTE;
    const resumeMs = pauseFromMs + 25 * MINUTE;
    const silent = V7.map((source) => ({ kind: 'silent' as const, source, fromMs: pauseFromMs, toMs: resumeMs }));
    const phases: string[] = [];
    let haltChecked = false;
    await runOracleInto(engine, oracle, {
      events: [...feed('BTC', 9_150, 5, { faults: silent, shocks: [{ atMs: resumeMs, factor: 0.8 }], toMs: resumeMs + MINUTE }), ...ethFeed(resumeMs + MINUTE)],
      fromMs: T0,
      toMs: resumeMs + MINUTE,
      tickMs: 5 * SECOND,
      clock,
      onTick: async (tick) => {
        const btc = tick.indexes.BTC;
        if (phases[phases.length - 1] !== btc?.status) phases.push(btc?.status ?? '');
        const p = sent(tick, 'BTC');
        if (btc?.status === 'stale' || btc?.status === 'halted') assert.equal(p, undefined);
        if (tick.nowMs < resumeMs) assert.ok(p === undefined || distance(p, parsePrice('9150')) < 0.05, 'within the band of the last good price');
        if (btc?.status === 'halted' && !haltChecked) {
          haltChecked = true;
          assert.equal(codeOf(engine.checkOrder(riskIncreasingOrder('alice', 'BTCUSDT', '9150')) as never), 'market_halted');
          assert.equal(codeOf(await engine.submit(cmd.withdraw('alice', 'USDT', '10'))), 'oracle_price_stale');
          assert.deepEqual(engine.checkOrder(riskIncreasingOrder('carol', 'ETHUSDT', '200')), { ok: true });
          assert.deepEqual(liquidationPriceOf('halted', engine.state.market.prices.get('BTC')), { kind: 'paused', status: 'halted' });
          assert.ok(distance(engine.state.market.prices.get('BTC') as bigint, parsePrice('9150')) < 0.005, 'the engine still holds the last good price');
        }
      },
    });
    assert.deepEqual(phases, ['ok', 'stale', 'halted', 'ok']);
    assert.ok(haltChecked);
    assert.ok(distance(engine.state.market.prices.get('BTC') as bigint, parsePrice('7320')) < 0.005, `resumed at ${formatPrice(engine.state.market.prices.get('BTC') as never)}`);
    assert.deepEqual(engine.checkOrder(riskIncreasingOrder('alice', 'BTCUSDT', '7320')), { ok: true });
    assert.deepEqual(engine.invariants().violations, []);
  });

  it('R17: after the resume 20% lower, no liquidation on the stale or halted price; once BTC is ok, liquidations run worst-first, accountsPerTickMax per pass, until every account below MM is handled; money is conserved', async () => {
    // Eight longs fall below MM between -0.75% and -19.76% (most go bankrupt at -20%), two survive (-25%, -30%),
    // and the mixed account falls below MM during the pause, when ETH drops 4%.
    const below = [0.0075, 0.01, 0.02, 0.05, 0.1, 0.15, 0.19, 0.1976].map((d) => usdtLongNearMm(`btc-${(d * 100).toFixed(2)}pc`, d));
    const survivors = [0.25, 0.3].map((d) => usdtLongNearMm(`btc-${(d * 100).toFixed(2)}pc`, d));
    const perPass = 3;
    const fx = await engineWithMarkets({ liquidation: liquidationSection({ accountsPerTickMax: String(perPass) }), traders: [...below, ...survivors, MIXED] });
    const pauseFromMs = T0 + MINUTE;
    const resumeMs = pauseFromMs + 25 * MINUTE;
    const silent = V7.map((source) => ({ kind: 'silent' as const, source, fromMs: pauseFromMs, toMs: resumeMs }));
    const refused = new Map<string, string>();
    const passSizes: number[] = [];
    const { steps } = await drive(fx, oracleOf(twoMarketDoc()), {
      events: [
        ...feed('BTC', 9_150, 5, { faults: silent, shocks: [{ atMs: resumeMs, factor: 0.8 }], toMs: resumeMs + MINUTE }),
        ...feed('ETH', 200, 2, { shocks: [{ atMs: pauseFromMs + 5 * MINUTE, factor: 0.96 }], toMs: resumeMs + MINUTE }),
      ],
      toMs: resumeMs + MINUTE,
      tickMs: 5 * SECOND,
      onStep: async ({ tick, records }) => {
        const status = tick.indexes.BTC?.status as string;
        const started = startedIn(records);
        if (status === 'stale' || status === 'halted') {
          assert.deepEqual(started, [], `+${(tick.nowMs - T0) / SECOND}s: no liquidation while BTC is ${status}`);
          if (!refused.has(status) && fx.engine.state.liquidation.statuses.get('mixed') === 'liquidatable') {
            refused.set(status, codeOf(await fx.engine.submit(liquidate('mixed'))));
          }
          return;
        }
        if (started.length === 0) return;
        // Bounded: at most perPass accounts a pass. Worst first: every account left waiting is no worse than any taken.
        assert.equal(status, 'ok');
        const taken = new Set(started.map((e) => e.accountId));
        assert.ok(taken.size <= perPass && started.length === taken.size, `${[...taken].join(', ')} in one pass`);
        const worstTaken = Math.max(...started.map((e) => e.marginRatio ?? Number.NEGATIVE_INFINITY));
        const left = waiting(fx.engine).filter((id) => !taken.has(id));
        for (const id of left) assert.ok(ratioOf(fx.engine, id) >= worstTaken, `${id} (ratio ${ratioOf(fx.engine, id)}) waits while a better account (${worstTaken}) is liquidated`);
        if (left.length > 0) assert.equal(taken.size, perPass, 'the pass uses its whole budget while accounts wait');
        passSizes.push(taken.size);
      },
    });
    const phases = steps.map((s) => s.tick.indexes.BTC?.status).filter((st, i, all) => i === 0 || st !== all[i - 1]);
    assert.deepEqual(phases, ['ok', 'stale', 'halted', 'ok']);
    assert.deepEqual(Object.fromEntries(refused), { stale: 'oracle_price_stale', halted: 'market_halted' }, 'the mixed account waits below MM, refused even by hand');
    const firstOk = steps.find((s) => s.tick.nowMs > resumeMs && s.tick.indexes.BTC?.status === 'ok');
    assert.ok(distance(sent(firstOk?.tick as OracleTick, 'BTC') as bigint, parsePrice('7320')) < 0.005, 'BTC resumes at 7,320');
    const all = steps.flatMap((s) => s.records);
    const order = [...new Set(startedIn(all).map((e) => e.accountId))];
    const firstPass = steps.find((s) => startedIn(s.records).length > 0);
    assert.equal(firstPass?.tick.nowMs, firstOk?.tick.nowMs, 'liquidation starts on the first ok tick');
    assert.deepEqual(passSizes, [3, 3, 3], 'nine accounts in three passes of three');
    assert.deepEqual(order.slice().sort(), [...ids(below), 'mixed'].sort(), 'every account below MM is handled, the survivors never');
    // Same position, same mark: the smaller deposit is the worse ratio, so BTC longs go in deposit order.
    const btcOrder = order.filter((id) => id !== 'mixed');
    assert.deepEqual(btcOrder, ids(below), 'worst first');
    assert.deepEqual(waiting(fx.engine), []);
    for (const id of ids(survivors)) assert.ok(ratioOf(fx.engine, id) > 1, `${id} survives above MM`);
    assert.deepEqual(fx.engine.invariants().violations, []);
    const tally = { steps: 0, bankruptcies: 0, adl: 0, socialised: 0, passes: 0 };
    audit(fx.store.records, { perTickMax: perPass, fundFloor: 0n, adlOnlyWhenFundShort: true }, tally);
    assert.ok(tally.bankruptcies > 0, `the 20% gap bankrupts accounts (${JSON.stringify(tally)})`);
  });

  /**
   * Liquidation orders (mode c, time-to-live one minute) and a 25-minute pause: BTC falls 1.2% at
   * +30 s, which puts the 1% account below MM, and the pass sends a reduce-only liquidation order
   * expiring at +90 s; all sources fall silent at +40 s. With `oracleTicks`, the oracle keeps
   * ticking through the pause (BTC stale); without, the oracle itself stalls (no command at all).
   * At the resume the venue's matching engine fills the old order at its limit, before any price.
   */
  async function liquidationOrderThroughPause(oracleTicks: boolean) {
    const trader = usdtLongNearMm('btc-near-1.00pc', 0.01);
    const fx = await engineWithMarkets({ liquidation: liquidationSection({ execution: 'orders', orderTtlMs: String(MINUTE) }), traders: [trader] });
    const pauseFromMs = T0 + 40 * SECOND;
    const resumeMs = pauseFromMs + 25 * MINUTE;
    const silent = V7.map((source) => ({ kind: 'silent' as const, source, fromMs: pauseFromMs, toMs: resumeMs }));
    const { steps } = await drive(fx, oracleOf(twoMarketDoc()), {
      events: [...feed('BTC', 9_150, 6, { faults: silent, shocks: [{ atMs: T0 + 30 * SECOND, factor: 0.988 }], toMs: resumeMs }), ...ethFeed(resumeMs)],
      toMs: oracleTicks ? resumeMs - 5 * SECOND : pauseFromMs,
      tickMs: 5 * SECOND,
    });
    const [emitted] = eventsOf(steps.flatMap((s) => s.records), 'LiquidationOrderEmitted');
    assert.ok(emitted !== undefined, 'a liquidation order was sent');
    assert.equal(emitted.expiresMs, T0 + 90 * SECOND);
    const held = fx.engine.state.accounts.get(trader.id)?.positions.get('BTCUSDT')?.size;
    const recordedAtResume = fx.engine.state.liquidation.orders.has(emitted.order.orderId);
    fx.clock.set(resumeMs);
    const fill: Command = {
      type: 'ApplyFill',
      id: `venue-fill-${emitted.order.orderId}`,
      instrument: 'BTCUSDT',
      price: emitted.order.price,
      size: emitted.order.size,
      buyer: { accountId: 'maker' },
      seller: { accountId: trader.id, orderId: emitted.order.orderId },
      aggressor: 'buy',
    };
    const late = await fx.engine.submit(fill);
    return { fx, steps, emitted, held, late, trader, recordedAtResume };
  }

  it('R17: with the oracle ticking through the pause, a liquidation order is cancelled at its time-to-live, the stale account waits, and the venue\'s late fill of the order is refused', async () => {
    const { fx, steps, emitted, held, late, trader } = await liquidationOrderThroughPause(true);
    const cancelled = steps.find((s) => eventsOf(s.records, 'OrderCancelled').some((e) => e.orderId === emitted.order.orderId));
    assert.equal(cancelled?.tick.nowMs, emitted.expiresMs, 'cancelled by the first pass at its time-to-live');
    assert.equal(cancelled?.tick.indexes.BTC?.status, 'stale');
    assert.deepEqual(eventsOf(cancelled?.records ?? [], 'OrderCancelled').map((e) => e.reason), ['liquidation_order_expired']);
    assert.deepEqual(eventsOf(steps.flatMap((s) => s.records), 'PositionLiquidated'), [], 'the backstop does not take over on the stale price');
    assert.deepEqual(waiting(fx.engine), [trader.id], 'the account waits below MM');
    assert.notEqual(codeOf(late), 'ok', 'the expired order does not execute');
    assert.equal(fx.engine.state.accounts.get(trader.id)?.positions.get('BTCUSDT')?.size, held);
    assert.deepEqual(fx.engine.invariants().violations, []);
  });

  it('R17: a liquidation order past its time-to-live never executes, even when the price feed itself stalls and no pass has run since it expired', async () => {
    const { fx, emitted, held, late, trader, recordedAtResume } = await liquidationOrderThroughPause(false);
    assert.ok(recordedAtResume, 'no pass ran during the stall: the order is still recorded, 24 min 10 s past its time-to-live');
    // BUG (engine): expiry is enforced only by a liquidation pass, which runs only after a price
    // update; `withLiquidationFill` (src/engine/liquidation/orders.ts) checks the limit but not
    // `expiresMs`, so the venue's fill 24 min 10 s after the order expired executes.
    assert.notEqual(codeOf(late), 'ok', `the fill of ${emitted.order.orderId}, expired at +90 s, arrives at +25 min 40 s and must be refused`);
    assert.equal(fx.engine.state.accounts.get(trader.id)?.positions.get('BTCUSDT')?.size, held, 'the position is unchanged');
  });
});
