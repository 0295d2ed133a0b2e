/**
 * The oracle demo, runnable: `npx tsx examples/oracle/demo.ts [seed]`. A test runs it too.
 *
 * Eight hours and five minutes of a seeded synthetic market (src/oracle/feeds/synthetic.ts) feed
 * the oracle configured in oracle.json, whose commands drive an engine on venue.json:
 *   +00:10  BTC drops 12% at once: the band (5% a minute) halts BTC until a minute of fresh,
 *           consistent prices confirms the new level;
 *   +01:00  one BTC source prints 16% below the others for 3 minutes: flagged, ignored;
 *   +02:00  ETH drops 15%: its guard walks the published price down one band a minute;
 *   +03:00  one USDT venue prints 1.30 for an hour (Compound, Nov 2020): flagged, ignored;
 *   +08:00  funding settles on BTCUSDT and ETHUSDT from the premium sampled each minute.
 * It prints each status change, each newly flagged source, the funding settlements and the
 * ledger invariants at the end.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadVenueParams } from '../../src/config/index.js';
import { createEngine, ManualClock, type EngineEvent } from '../../src/engine/index.js';
import { createOracle, loadOracleParams, runOracleInto, syntheticFeed, type FeedEvent } from '../../src/oracle/index.js';
import { createRandom } from '../../src/risk/analytics/random.js';
import { formatAmount, formatPrice, formatRate, parseAmount, parsePrice, parseSize } from '../../src/risk/units/quantities.js';
import { MemoryStore } from '../../src/store/memory.js';

const json = (name: string): unknown => JSON.parse(readFileSync(fileURLToPath(new URL(name, import.meta.url)), 'utf8'));

const T0 = 1_700_006_400_000; // 2023-11-15T00:00:00Z, a funding boundary
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

function feedOf(seed: number, toMs: number): FeedEvent[] {
  const sources = (ids: readonly string[], cadenceMs: number, noiseRate: number) => ids.map((id) => ({ id, cadenceMs, noiseRate }));
  const quotes = (instrument: string, premiumRate: number) => ({ instrument, cadenceMs: MINUTE, premiumRate, spreadRate: 0.0002, impactSpreadRate: 0.0006 });
  const btc = syntheticFeed(
    {
      symbol: 'BTC',
      sources: sources(['bitfinex', 'bitstamp', 'coinbase', 'gemini', 'kraken'], 10 * SECOND, 0.001),
      quotes: [quotes('BTCUSDT', 0.0015), quotes('BTCUSDT-FUT', 0.004)],
      fromMs: T0,
      toMs,
      startPrice: 9_150,
      volatilityPerHour: 0.005,
      shocks: [{ atMs: T0 + 10 * MINUTE, factor: 0.88 }],
      faults: [{ kind: 'price', source: 'gemini', fromMs: T0 + HOUR, toMs: T0 + HOUR + 3 * MINUTE, price: 6_800 }],
    },
    createRandom(seed),
  );
  const eth = syntheticFeed(
    {
      symbol: 'ETH',
      sources: sources(['bitstamp', 'coinbase', 'kraken'], 10 * SECOND, 0.001),
      quotes: [quotes('ETHUSDT', -0.0008)],
      fromMs: T0,
      toMs,
      startPrice: 200,
      volatilityPerHour: 0.005,
      shocks: [{ atMs: T0 + 2 * HOUR, factor: 0.85 }],
    },
    createRandom(seed + 1),
  );
  const usdt = syntheticFeed(
    {
      symbol: 'USDT',
      sources: [...sources(['coinbase', 'kraken'], MINUTE, 0.0002), { id: 'redemption', cadenceMs: MINUTE }],
      fromMs: T0,
      toMs,
      startPrice: 1,
      priceDecimals: 4,
      faults: [{ kind: 'price', source: 'kraken', fromMs: T0 + 3 * HOUR, toMs: T0 + 4 * HOUR, price: 1.3 }],
    },
    createRandom(seed + 2),
  );
  return [...btc, ...eth, ...usdt];
}

const clockText = (t: number): string => {
  const s = Math.round((t - T0) / SECOND);
  return `+${[Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':')}`;
};

export async function runDemo(seed = 1): Promise<string[]> {
  const lines: string[] = [];
  const venue = json('./venue.json');
  const oracle = createOracle(loadOracleParams(json('./oracle.json'), loadVenueParams(venue)));
  const clock = new ManualClock(T0);
  const engine = await createEngine({ store: new MemoryStore(), clock, params: venue, invariants: 'batch' });
  const setup = [
    ...['alice', 'bob', 'carol', 'dave'].flatMap((accountId, i) => [
      { type: 'CreateAccount' as const, id: `demo:create:${i}`, accountId, mode: 'cross' as const },
      { type: 'Deposit' as const, id: `demo:deposit:${i}`, accountId, asset: 'USDT', amount: parseAmount('100000') },
    ]),
    { type: 'UpdatePrices' as const, id: 'demo:prices:0', prices: { BTC: parsePrice('9150'), ETH: parsePrice('200'), USDT: parsePrice('1') }, marks: { BTCUSDT: parsePrice('9150'), ETHUSDT: parsePrice('200') } },
    { type: 'ApplyFill' as const, id: 'demo:fill:0', instrument: 'BTCUSDT', price: parsePrice('9150'), size: parseSize('1'), buyer: { accountId: 'alice' }, seller: { accountId: 'bob' }, aggressor: 'buy' as const },
    { type: 'ApplyFill' as const, id: 'demo:fill:1', instrument: 'ETHUSDT', price: parsePrice('200'), size: parseSize('20'), buyer: { accountId: 'carol' }, seller: { accountId: 'dave' }, aggressor: 'buy' as const },
  ];
  for (const command of setup) {
    const r = await engine.submit(command);
    if (!r.ok) throw new Error(`${command.id}: ${r.code}`);
  }
  const toMs = T0 + 8 * HOUR + 5 * MINUTE;
  lines.push(`oracle demo: seed ${seed}, ${clockText(toMs)} of BTC, ETH and USDT, a tick every 30 s`);
  const statuses = new Map<string, string>();
  const flagged = new Set<string>();
  const settled: Extract<EngineEvent, { type: 'FundingSettled' }>[] = [];
  const summary = await runOracleInto(
    {
      submit: async (command) => {
        const r = await engine.submit(command);
        if (r.ok) for (const e of r.events) if (e.type === 'FundingSettled') settled.push(e);
        return r;
      },
    },
    oracle,
    {
      events: feedOf(seed, toMs),
      fromMs: T0,
      toMs,
      tickMs: 30 * SECOND,
      clock,
      onTick: (tick) => {
        for (const [symbol, report] of Object.entries(tick.indexes)) {
          const before = statuses.get(symbol) ?? 'ok';
          if (report.status !== before) {
            const price = report.published === undefined ? 'no price forwarded' : `forwarded ${formatPrice(report.published)}`;
            lines.push(`${clockText(tick.nowMs)} ${symbol} ${before} -> ${report.status}${report.reason === undefined ? '' : ` (${report.reason})`}, ${price}`);
          }
          statuses.set(symbol, report.status);
          for (const [source, state] of Object.entries(report.sources)) {
            const key = `${symbol} ${source}`;
            if (state === 'outlier' && !flagged.has(key)) lines.push(`${clockText(tick.nowMs)} ${symbol} source ${source} flagged as an outlier, index ${formatPrice(report.published ?? (0n as never))}`);
            if (state === 'outlier') flagged.add(key);
            else flagged.delete(key);
          }
        }
      },
    },
  );
  for (const e of settled) {
    const payer = e.payments.find((p) => p.amount < 0n);
    lines.push(`funding ${e.instrument}: rate ${formatRate(e.rate)} at mark ${formatPrice(e.mark)}, ${payer?.accountId ?? 'nobody'} pays ${formatAmount((-(payer?.amount ?? 0n)) as never)}`);
  }
  const invariants = engine.invariants();
  lines.push(`engine: ${summary.ticks} ticks, ${summary.commands} commands, ${summary.rejectedCount} rejected; invariants ${invariants.ok ? 'ok' : invariants.violations.join('; ')}`);
  await engine.close();
  return lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await runDemo(Number(process.argv[2] ?? 1))) console.log(line);
}
