/**
 * The oracle and the engine together: funding settled from oracle samples is zero-sum and keeps
 * the ledger invariants (R28), redelivered or replayed oracle commands change nothing (R7), and
 * every oracle command is an engine command (checked by the compiler).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command, EngineEvent, MarketStatus as EngineStatus } from '../../src/engine/index.js';
import { runOracleInto, syntheticFeed, type CommandSink, type FeedEvent, type MarketStatus, type OracleCommand } from '../../src/oracle/index.js';
import { createRandom } from '../../src/risk/analytics/random.js';
import { fundingPaymentOf } from '../../src/risk/funding/funding.js';
import { formatRate, parseSize } from '../../src/risk/units/quantities.js';
import { engineWithMarkets, HOUR, MINUTE, oracleOf, T0, twoMarketDoc, V7, VENUE_PARAMS } from './support.js';

// Compile-time: an oracle command is an engine command, and both speak the same statuses.
type Assert<T extends true> = T;
export type OracleCommandsAreEngineCommands = Assert<OracleCommand extends Command ? true : false>;
export type SameStatuses = Assert<[MarketStatus] extends [EngineStatus] ? ([EngineStatus] extends [MarketStatus] ? true : false) : false>;

const INTERVAL = 8 * HOUR;

/** BTC and ETH: seven sources a minute each; the venue's books trade 0.2% over (BTC) and 0.1% under (ETH) the index. */
function fundingFeed(toMs: number): FeedEvent[] {
  const market = (symbol: string, instrument: string, startPrice: number, premiumRate: number, seed: number) =>
    syntheticFeed(
      {
        symbol,
        sources: V7.map((id) => ({ id, cadenceMs: MINUTE, noiseRate: 0.0005 })),
        quotes: [{ instrument, cadenceMs: MINUTE, premiumRate, spreadRate: 0.0002, impactSpreadRate: 0.0006 }],
        fromMs: T0,
        toMs,
        startPrice,
        volatilityPerHour: 0.003,
      },
      createRandom(seed),
    );
  return [...market('BTC', 'BTCUSDT', 9_150, 0.002, 11), ...market('ETH', 'ETHUSDT', 200, -0.001, 12)];
}

const fundingDoc = () =>
  twoMarketDoc({
    btc: { sources: Object.fromEntries(V7.map((id) => [id, { cadenceMs: MINUTE }])), recoveryMs: 0 },
    eth: { sources: Object.fromEntries(V7.map((id) => [id, { cadenceMs: MINUTE }])), recoveryMs: 0 },
    marks: {
      BTCUSDT: { method: 'medianOfThree', funding: { samplesMin: 400 } },
      ETHUSDT: { method: 'medianOfThree', funding: { samplesMin: 400 } },
    },
  });

describe('oracle into engine', () => {
  it('settles funding every 8 hours from the oracle samples: zero-sum, longs pay at F > 0, ledger invariants hold', async () => {
    const { engine, clock } = await engineWithMarkets();
    const events: EngineEvent[] = [];
    const sink: CommandSink = {
      submit: async (command) => {
        const result = await engine.submit(command);
        if (result.ok) events.push(...result.events);
        return result;
      },
    };
    const summary = await runOracleInto(sink, oracleOf(fundingDoc()), { events: fundingFeed(T0 + 2 * INTERVAL), fromMs: T0, toMs: T0 + 2 * INTERVAL, tickMs: MINUTE, clock });
    assert.deepEqual([summary.ticks, summary.rejectedCount, summary.refusedCount], [2 * 480 + 1, 0, 0]);
    const settled = events.filter((e): e is Extract<EngineEvent, { type: 'FundingSettled' }> => e.type === 'FundingSettled');
    // Closed form: BTC premium = 1.002 x (1 - 0.0003) - 1 = 0.16994%, F = P - 0.05% = 0.11994%;
    // ETH premium = 0.999 x (1 + 0.0003) - 1 = -0.07003%, F = P + 0.05% = -0.02003%. The index
    // noise (+/- 0.05%) moves the sampled figures by a little.
    assert.deepEqual(settled.map((e) => e.instrument), ['BTCUSDT', 'ETHUSDT', 'BTCUSDT', 'ETHUSDT']);
    for (const e of settled) {
      const expected = e.instrument === 'BTCUSDT' ? 0.0011994 : -0.0002003;
      assert.ok(Math.abs(Number(formatRate(e.rate)) - expected) < 0.00002, `${e.instrument} F ${formatRate(e.rate)}`);
    }
    for (const e of settled) {
      assert.equal(e.payments.reduce((t, p) => t + p.amount, 0n) + e.rounding, 0n, 'zero-sum');
      const instrument = VENUE_PARAMS.instruments.get(e.instrument);
      assert.ok(instrument !== undefined);
      const [long, short] = e.instrument === 'BTCUSDT' ? ['alice', 'bob'] : ['carol', 'dave'];
      const size = parseSize(e.instrument === 'BTCUSDT' ? '1' : '10');
      const paid = (id: string) => e.payments.find((p) => p.accountId === id)?.amount;
      assert.equal(paid(long), fundingPaymentOf(instrument, size, e.mark, e.rate));
      assert.equal(paid(short), fundingPaymentOf(instrument, -size as never, e.mark, e.rate));
      assert.equal(e.rate > 0n, (paid(long) ?? 0n) < 0n, 'longs pay when the rate is positive');
    }
    assert.deepEqual(engine.invariants().violations, []);
  });

  it('redelivered commands, and the commands of an oracle replayed from the same feed, change nothing (R7)', async () => {
    const { engine, clock } = await engineWithMarkets();
    const feed = fundingFeed(T0 + INTERVAL + 5 * MINUTE);
    const delivered: OracleCommand[] = [];
    await runOracleInto(engine, oracleOf(fundingDoc()), {
      events: feed,
      fromMs: T0,
      toMs: T0 + INTERVAL + 5 * MINUTE,
      tickMs: MINUTE,
      clock,
      onTick: (_tick, outcomes) => void delivered.push(...outcomes.map((o) => o.command)),
    });
    const hash = engine.stateHash();
    for (const command of delivered.slice(-10)) {
      const again = await engine.submit(command);
      assert.ok(again.ok && again.duplicate, `${command.id} is a duplicate`);
    }
    const replayed: OracleCommand[] = [];
    await runOracleInto({ submit: async (c) => (replayed.push(c), { ok: true }) }, oracleOf(fundingDoc()), {
      events: feed,
      fromMs: T0,
      toMs: T0 + INTERVAL + 5 * MINUTE,
      tickMs: MINUTE,
    });
    assert.deepEqual(replayed, delivered, 'same feed, same commands, same ids');
    const results = await Promise.all(replayed.map((c) => engine.submit(c)));
    assert.ok(results.every((r) => r.ok && r.duplicate));
    assert.equal(engine.stateHash(), hash);
    assert.ok(delivered.some((c) => c.id === `oracle:funding:BTCUSDT:${T0 + INTERVAL}`));
  });
});
