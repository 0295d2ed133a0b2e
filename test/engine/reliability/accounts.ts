/**
 * Random margin accounts for the withdrawal and pre-trade laws (R13, R23): cross traders with
 * multi-asset collateral, positions in the three instruments opened against a well-funded maker
 * (fills are facts, so some traders end up under IM, as in life), chosen leverage, resting
 * orders, and a price move (with a lagged price now and then) after the positions were opened.
 */
import fc from 'fast-check';
import type { Command, Engine } from '../../../src/engine/index.js';
import { amount, price, size } from '../../../src/risk/units/quantities.js';
import { REF_VENUE, startEngine, submit, type Harness } from './harness.js';
import { SYMBOLS } from './ops.js';

const UNIT = 10n ** 8n;
/** A command without its id (distributes over the union). */
type Unidentified<C> = C extends unknown ? Omit<C, 'id'> : never;
export const TRADERS = ['t0', 't1', 't2'] as const;
export const MAKER = 'maker';

export interface TraderSpec {
  readonly usdt: bigint;
  readonly btcMilli: number;
  readonly trades: readonly { readonly symbol: number; readonly side: 'buy' | 'sell'; readonly milliBtc: number }[];
  readonly leverage: readonly { readonly symbol: number; readonly leverage: number }[];
  readonly orders: readonly { readonly symbol: number; readonly side: 'buy' | 'sell'; readonly milliBtc: number }[];
}

export interface BookSpec {
  readonly btcUsd: number;
  readonly traders: readonly TraderSpec[];
  /** The BTC move after the positions were opened, in basis points. */
  readonly moveBps: number;
  readonly laggedBps: number | null;
}

const traderSpec: fc.Arbitrary<TraderSpec> = fc.record({
  usdt: fc.bigInt({ min: 0n, max: 60_000n * UNIT }),
  btcMilli: fc.integer({ min: 0, max: 2_000 }),
  trades: fc.array(fc.record({ symbol: fc.integer({ min: 0, max: SYMBOLS.length - 1 }), side: fc.constantFrom('buy' as const, 'sell' as const), milliBtc: fc.integer({ min: 1, max: 4_000 }) }), {
    maxLength: 4,
  }),
  // Low leverage often: that is where a chosen leverage, not the bracket, sets IM.
  leverage: fc.array(
    fc.record({
      symbol: fc.integer({ min: 0, max: SYMBOLS.length - 1 }),
      leverage: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 125 }) }),
    }),
    { maxLength: 3 },
  ),
  orders: fc.array(fc.record({ symbol: fc.integer({ min: 0, max: SYMBOLS.length - 1 }), side: fc.constantFrom('buy' as const, 'sell' as const), milliBtc: fc.integer({ min: 1, max: 2_000 }) }), {
    maxLength: 2,
  }),
});

export const bookArbitrary: fc.Arbitrary<BookSpec> = fc.record({
  btcUsd: fc.integer({ min: 20_000, max: 90_000 }),
  traders: fc.array(traderSpec, { minLength: TRADERS.length, maxLength: TRADERS.length }),
  moveBps: fc.integer({ min: -1_500, max: 1_500 }),
  laggedBps: fc.option(fc.integer({ min: -300, max: 300 }), { freq: 3 }),
});

/** Contracts of `symbol` worth about `milliBtc` thousandths of a BTC at `btcUsd`, on the lot grid. */
export function contractsFor(symbolIndex: number, milliBtc: number, btcUsd: number): bigint {
  const instrument = REF_VENUE.instruments.get(SYMBOLS[symbolIndex] as string);
  if (instrument === undefined) throw new Error('unknown symbol');
  const btc = (BigInt(milliBtc) * UNIT) / 1_000n; // BTC in 1e-8 units
  const contracts =
    instrument.settlement === 'linear'
      ? (btc * UNIT) / instrument.contractSize // contracts at SIZE scale
      : (btc * BigInt(btcUsd) * UNIT) / instrument.contractSize;
  const lots = contracts / instrument.lot;
  return (lots > 0n ? lots : 1n) * instrument.lot;
}

export function onTick(symbolIndex: number, units: bigint): bigint {
  const tick = REF_VENUE.instruments.get(SYMBOLS[symbolIndex] as string)?.tick ?? 1n;
  const rounded = (units / tick) * tick;
  return rounded > 0n ? rounded : tick;
}

function pricesCommand(id: string, btcUsd: number, bps: number, laggedBps: number | null): Command {
  const btc = (BigInt(btcUsd) * UNIT * BigInt(10_000 + bps)) / 10_000n;
  return {
    type: 'UpdatePrices',
    id,
    prices: { BTC: price(btc), USDT: price(UNIT) },
    marks: Object.fromEntries(SYMBOLS.map((s) => [s, price(btc)])),
    ...(laggedBps === null
      ? {}
      : { laggedPrices: { BTC: price((btc * BigInt(10_000 + laggedBps)) / 10_000n), ...Object.fromEntries(SYMBOLS.map((s) => [s, price((btc * BigInt(10_000 + laggedBps)) / 10_000n)])) } }),
  };
}

/** Build the book; every setup command must be accepted except orders the margin check refuses. */
export async function bookOf(spec: BookSpec): Promise<Harness> {
  const harness = await startEngine();
  const { engine } = harness;
  let n = 0;
  const must = async (command: Unidentified<Command>) => {
    const result = await submit(engine, { ...command, id: `book${n++}` } as Command);
    if (!result.ok) throw new Error(`setup ${command.type} refused: ${result.code} ${result.message}`);
  };
  await must({ type: 'CreateAccount', accountId: MAKER, mode: 'cross' });
  await must({ type: 'Deposit', accountId: MAKER, asset: 'USDT', amount: amount(100_000_000n * UNIT) });
  await must({ type: 'Deposit', accountId: MAKER, asset: 'BTC', amount: amount(10_000n * UNIT) });
  await must(pricesCommand('', spec.btcUsd, 0, null));
  for (const [t, trader] of spec.traders.entries()) {
    const accountId = TRADERS[t] as string;
    await must({ type: 'CreateAccount', accountId, mode: 'cross' });
    await must({ type: 'CreateAccount', accountId: `${accountId}-sub`, mode: 'cross', parentId: accountId });
    if (trader.usdt > 0n) await must({ type: 'Deposit', accountId, asset: 'USDT', amount: amount(trader.usdt) });
    if (trader.btcMilli > 0) await must({ type: 'Deposit', accountId, asset: 'BTC', amount: amount((BigInt(trader.btcMilli) * UNIT) / 1_000n) });
    for (const l of trader.leverage) await must({ type: 'SetLeverage', accountId, instrument: SYMBOLS[l.symbol] as string, leverage: l.leverage });
    for (const trade of trader.trades) {
      const buyer = trade.side === 'buy' ? accountId : MAKER;
      const seller = trade.side === 'buy' ? MAKER : accountId;
      await must({
        type: 'ApplyFill',
        instrument: SYMBOLS[trade.symbol] as string,
        price: price(onTick(trade.symbol, BigInt(spec.btcUsd) * UNIT)),
        size: size(contractsFor(trade.symbol, trade.milliBtc, spec.btcUsd)),
        buyer: { accountId: buyer },
        seller: { accountId: seller },
        aggressor: trade.side,
      });
    }
    for (const [o, order] of trader.orders.entries()) {
      await submit(engine, {
        type: 'PlaceOrder',
        id: `book${n++}`,
        accountId,
        orderId: `setup-${o}`,
        instrument: SYMBOLS[order.symbol] as string,
        side: order.side,
        size: size(contractsFor(order.symbol, order.milliBtc, spec.btcUsd)),
        price: price(onTick(order.symbol, BigInt(spec.btcUsd) * UNIT)),
      });
    }
  }
  await must(pricesCommand('', spec.btcUsd, spec.moveBps, spec.laggedBps));
  return harness;
}

/** Whether the account meets initial margin on a full recomputation. */
export function meetsInitial(engine: Engine, accountId: string): boolean {
  const figures = engine.accountFigures(accountId);
  if (figures === undefined) throw new Error(`no account ${accountId}`);
  return figures.collateralInitial >= figures.initialMargin;
}
