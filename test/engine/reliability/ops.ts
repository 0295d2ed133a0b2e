/**
 * Random command sequences for the reliability laws. An `Op` is abstract (indices, fractions,
 * offsets in ticks); `commandOf` makes it concrete against the engine's current state (a fill
 * trades near the current mark, a withdrawal takes a fraction of the balance), so that shrunk
 * counterexamples stay meaningful and most commands are accepted.
 */
import fc from 'fast-check';
import type { Command, CommandResult, Engine, EngineState, ManualClock } from '../../../src/engine/index.js';
import { amount, price, rate, size, type Price } from '../../../src/risk/units/quantities.js';
import { EXPIRY_MS } from '../fixtures.js';
import { REF_VENUE, submit } from './harness.js';

export const ACCOUNTS = ['acct0', 'acct1', 'acct2', 'acct3', 'acct4', 'acct5'] as const;
/** Accounts that only a `create` op brings into being (until then, commands naming them are refused). */
export const LATE_ACCOUNTS = ['late0', 'late1'] as const;
export const SYMBOLS = ['BTCUSDT', 'BTC-PERP', 'BTCUSDT-FUT', 'BTCUSDT-MICRO'] as const;
export const ASSETS = ['USDT', 'BTC'] as const;
const UNIT = 10n ** 8n;

type AccountIndex = number;
type SymbolIndex = number;
type Asset = (typeof ASSETS)[number];

export type Op =
  | { readonly k: 'create'; readonly account: AccountIndex; readonly parent: AccountIndex | null; readonly isolated: boolean }
  | { readonly k: 'deposit'; readonly account: AccountIndex; readonly asset: Asset; readonly units: bigint }
  | { readonly k: 'withdraw'; readonly account: AccountIndex; readonly asset: Asset; readonly perMille: number }
  | { readonly k: 'transfer'; readonly from: AccountIndex; readonly to: AccountIndex; readonly family: boolean; readonly asset: Asset; readonly perMille: number }
  | { readonly k: 'prices'; readonly btcUsd: number; readonly markBps: readonly number[]; readonly lagged: boolean }
  | {
      readonly k: 'fill';
      readonly symbol: SymbolIndex;
      readonly buyer: AccountIndex;
      readonly seller: AccountIndex;
      readonly lots: number;
      readonly ticks: number;
      readonly aggressor: 'buy' | 'sell';
      readonly buyerOrder: boolean;
      readonly sellerOrder: boolean;
    }
  | { readonly k: 'funding'; readonly symbol: SymbolIndex; readonly rate: bigint }
  | { readonly k: 'expiry'; readonly symbol: SymbolIndex; readonly advance: boolean; readonly btcUsd: number; readonly fractionUnits: number }
  | {
      readonly k: 'place';
      readonly account: AccountIndex;
      readonly order: number;
      readonly symbol: SymbolIndex;
      readonly side: 'buy' | 'sell';
      readonly lots: number;
      readonly ticks: number;
      readonly reduceOnly: boolean;
    }
  | { readonly k: 'cancel'; readonly account: AccountIndex; readonly order: number }
  | { readonly k: 'leverage'; readonly account: AccountIndex; readonly symbol: SymbolIndex; readonly leverage: number }
  | { readonly k: 'isolatedMargin'; readonly account: AccountIndex; readonly symbol: SymbolIndex; readonly perMille: number };

/** acct4 is a subaccount of acct0, acct5 of acct1 (setupCommands). */
const FAMILY_PAIRS: readonly (readonly [number, number])[] = [
  [0, 4],
  [4, 0],
  [1, 5],
  [5, 1],
];

// Mostly the six set-up accounts; now and then a late account (refused until it is created).
const account: fc.Arbitrary<number> = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: ACCOUNTS.length - 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: ACCOUNTS.length, max: ACCOUNTS.length + LATE_ACCOUNTS.length - 1 }) },
);
const symbol = fc.integer({ min: 0, max: SYMBOLS.length - 1 });
const asset = fc.constantFrom(...ASSETS);
const side = fc.constantFrom('buy' as const, 'sell' as const);

export interface OpOptions {
  /** Isolated accounts, leverage and isolated margin moves (the reference model is cross only). */
  readonly isolated: boolean;
}

export function opArbitrary(options: OpOptions): fc.Arbitrary<Op> {
  const arbitraries: fc.WeightedArbitrary<Op>[] = [
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constant('create' as const),
        account: fc.integer({ min: 0, max: ACCOUNTS.length + LATE_ACCOUNTS.length - 1 }),
        parent: fc.option(account, { freq: 3, nil: null }),
        isolated: options.isolated ? fc.boolean() : fc.constant(false),
      }),
    },
    {
      weight: 10,
      arbitrary: fc.record({ k: fc.constant('deposit' as const), account, asset, units: fc.bigInt({ min: 1n, max: 50_000n * UNIT }) }),
    },
    { weight: 10, arbitrary: fc.record({ k: fc.constant('withdraw' as const), account, asset, perMille: fc.integer({ min: 1, max: 1_200 }) }) },
    {
      weight: 6,
      arbitrary: fc.record({ k: fc.constant('transfer' as const), from: account, to: account, family: fc.boolean(), asset, perMille: fc.integer({ min: 1, max: 1_200 }) }),
    },
    {
      weight: 10,
      arbitrary: fc.record({
        k: fc.constant('prices' as const),
        btcUsd: fc.integer({ min: 30_000, max: 70_000 }),
        markBps: fc.array(fc.integer({ min: -50, max: 50 }), { minLength: SYMBOLS.length, maxLength: SYMBOLS.length }),
        lagged: fc.boolean(),
      }),
    },
    {
      weight: 30,
      arbitrary: fc.record({
        k: fc.constant('fill' as const),
        symbol,
        buyer: account,
        seller: account,
        lots: fc.integer({ min: 1, max: 3_000 }),
        ticks: fc.integer({ min: -500, max: 500 }),
        aggressor: side,
        buyerOrder: fc.boolean(),
        sellerOrder: fc.boolean(),
      }),
    },
    { weight: 8, arbitrary: fc.record({ k: fc.constant('funding' as const), symbol, rate: fc.bigInt({ min: -3_300_000_000n, max: 3_300_000_000n }) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constant('expiry' as const),
        symbol: fc.constantFrom(2, 2, 2, 0),
        advance: fc.boolean(),
        btcUsd: fc.integer({ min: 30_000, max: 70_000 }),
        fractionUnits: fc.integer({ min: 0, max: 99_999_999 }),
      }),
    },
    {
      weight: 8,
      arbitrary: fc.record({
        k: fc.constant('place' as const),
        account,
        order: fc.integer({ min: 0, max: 5 }),
        symbol,
        side,
        lots: fc.integer({ min: 1, max: 3_000 }),
        ticks: fc.integer({ min: -500, max: 500 }),
        reduceOnly: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
      }),
    },
    { weight: 4, arbitrary: fc.record({ k: fc.constant('cancel' as const), account, order: fc.integer({ min: 0, max: 7 }) }) },
  ];
  if (options.isolated) {
    arbitraries.push(
      { weight: 3, arbitrary: fc.record({ k: fc.constant('leverage' as const), account, symbol, leverage: fc.integer({ min: 1, max: 125 }) }) },
      {
        weight: 5,
        arbitrary: fc.record({
          k: fc.constant('isolatedMargin' as const),
          account,
          symbol,
          perMille: fc.integer({ min: -1_000, max: 1_000 }).filter((x) => x !== 0),
        }),
      },
    );
  }
  return fc.oneof(...arbitraries);
}

/**
 * Sequences of up to `maxLength` ops, lengths spread over the whole range ('max'), and no
 * minimum length, so that a failure shrinks to the few ops that cause it.
 */
export function opsArbitrary(options: OpOptions & { maxLength: number }): fc.Arbitrary<Op[]> {
  return fc.array(opArbitrary(options), { minLength: 1, maxLength: options.maxLength, size: 'max' });
}

const usd = (dollars: number): bigint => BigInt(dollars) * UNIT;

/**
 * The start of every sequence: six funded accounts (acct4 is a subaccount of acct0, isolated when
 * asked; acct5 a subaccount of acct1) and a priced market.
 */
export function setupCommands(prefix: string, options: OpOptions = { isolated: false }): Command[] {
  const commands: Command[] = [];
  let n = 0;
  const id = () => `${prefix}setup${n++}`;
  for (const [i, accountId] of ACCOUNTS.entries()) {
    const parentId = i === 4 ? 'acct0' : i === 5 ? 'acct1' : undefined;
    const mode = i === 4 && options.isolated ? 'isolated' : 'cross';
    commands.push({ type: 'CreateAccount', id: id(), accountId, mode, ...(parentId === undefined ? {} : { parentId }) });
    commands.push({ type: 'Deposit', id: id(), accountId, asset: 'USDT', amount: amount(100_000n * UNIT) });
    commands.push({ type: 'Deposit', id: id(), accountId, asset: 'BTC', amount: amount(2n * UNIT) });
  }
  commands.push({
    type: 'UpdatePrices',
    id: id(),
    prices: { BTC: price(usd(50_000)), USDT: price(UNIT) },
    marks: Object.fromEntries(SYMBOLS.map((s) => [s, price(usd(50_000))])),
  });
  return commands;
}

function lotsToSize(symbolIndex: number, lots: number): bigint {
  const instrument = REF_VENUE.instruments.get(SYMBOLS[symbolIndex] as string);
  if (instrument === undefined) throw new Error('unknown symbol');
  // BTC-PERP contracts are 10 USD each, MICRO lots 0.00001 x 0.001 BTC: scale so that every
  // instrument trades up to ~3 BTC (MICRO by an odd factor, so that values need rounding).
  const scale = instrument.settlement === 'inverse' ? 50n : instrument.lot < 10_000n ? 100_003n : 1n;
  return BigInt(lots) * scale * instrument.lot;
}

function priceNearMark(state: EngineState, symbolIndex: number, ticks: number): Price {
  const symbolName = SYMBOLS[symbolIndex] as string;
  const instrument = REF_VENUE.instruments.get(symbolName);
  if (instrument === undefined) throw new Error('unknown symbol');
  const mark = state.market.marks.get(symbolName) ?? usd(50_000);
  const onTick = (mark / instrument.tick) * instrument.tick + BigInt(ticks) * instrument.tick;
  return price(onTick > 0n ? onTick : instrument.tick);
}

function fraction(units: bigint, perMille: number): bigint {
  const part = (units * BigInt(perMille)) / 1000n;
  return part > 0n ? part : UNIT / 100n;
}

/** The concrete command for `op` now; may move the clock (an expiry op advances past expiry). */
export function commandOf(op: Op, id: string, state: EngineState, clock: ManualClock): Command {
  const name = (i: number) => ([...ACCOUNTS, ...LATE_ACCOUNTS][i] as string);
  const balanceOf = (i: number, assetName: string) => state.accounts.get(name(i))?.balances.get(assetName) ?? 0n;
  switch (op.k) {
    case 'create':
      return {
        type: 'CreateAccount',
        id,
        accountId: name(op.account),
        mode: op.isolated ? 'isolated' : 'cross',
        ...(op.parent === null ? {} : { parentId: name(op.parent) }),
      };
    case 'deposit':
      return { type: 'Deposit', id, accountId: name(op.account), asset: op.asset, amount: amount(op.asset === 'BTC' ? op.units / 10_000n + 1n : op.units) };
    case 'withdraw':
      return { type: 'Withdraw', id, accountId: name(op.account), asset: op.asset, amount: amount(fraction(balanceOf(op.account, op.asset), op.perMille)) };
    case 'transfer': {
      // Within a family (parent and subaccount) when asked; otherwise any two accounts.
      const [from, to] = op.family ? (FAMILY_PAIRS[op.from % FAMILY_PAIRS.length] as [number, number]) : [op.from, op.to];
      return {
        type: 'Transfer',
        id,
        fromAccountId: name(from),
        toAccountId: name(to),
        asset: op.asset,
        amount: amount(fraction(balanceOf(from, op.asset), op.perMille)),
      };
    }
    case 'prices': {
      const btc = usd(op.btcUsd);
      const marks = Object.fromEntries(SYMBOLS.map((s, i) => [s, price((btc * BigInt(10_000 + (op.markBps[i] ?? 0))) / 10_000n)]));
      return {
        type: 'UpdatePrices',
        id,
        prices: { BTC: price(btc), USDT: price(UNIT) },
        marks,
        ...(op.lagged ? { laggedPrices: { BTC: price((btc * 99n) / 100n) } } : {}),
      };
    }
    case 'fill': {
      const symbolName = SYMBOLS[op.symbol] as string;
      let contracts = lotsToSize(op.symbol, op.lots);
      const restingOf = (accountIndex: number, sideName: 'buy' | 'sell', wanted: boolean) => {
        if (!wanted) return undefined;
        const orders = [...(state.accounts.get(name(accountIndex))?.orders.values() ?? [])];
        return orders.filter((o) => o.instrument === symbolName && o.side === sideName).sort((a, b) => (a.orderId < b.orderId ? -1 : 1))[0];
      };
      const buyOrder = restingOf(op.buyer, 'buy', op.buyerOrder);
      const sellOrder = restingOf(op.seller, 'sell', op.sellerOrder);
      for (const o of [buyOrder, sellOrder]) if (o !== undefined && o.size < contracts) contracts = o.size;
      return {
        type: 'ApplyFill',
        id,
        instrument: symbolName,
        price: priceNearMark(state, op.symbol, op.ticks),
        size: size(contracts),
        buyer: { accountId: name(op.buyer), ...(buyOrder === undefined ? {} : { orderId: buyOrder.orderId }) },
        seller: { accountId: name(op.seller), ...(sellOrder === undefined ? {} : { orderId: sellOrder.orderId }) },
        aggressor: op.aggressor,
      };
    }
    case 'funding':
      return { type: 'SettleFunding', id, instrument: SYMBOLS[op.symbol] as string, rate: rate(op.rate) };
    case 'expiry':
      if (op.advance && clock.nowMs() <= EXPIRY_MS) clock.set(EXPIRY_MS + 1_000);
      return { type: 'SettleExpiry', id, instrument: SYMBOLS[op.symbol] as string, price: price(usd(op.btcUsd) + BigInt(op.fractionUnits)) };
    case 'place':
      return {
        type: 'PlaceOrder',
        id,
        accountId: name(op.account),
        orderId: `o${op.order}`,
        instrument: SYMBOLS[op.symbol] as string,
        side: op.side,
        size: size(lotsToSize(op.symbol, op.lots)),
        price: priceNearMark(state, op.symbol, op.ticks),
        ...(op.reduceOnly ? { reduceOnly: true } : {}),
      };
    case 'cancel': {
      // Mostly one of the account's resting orders; index 7 names an order that never exists.
      const resting = [...(state.accounts.get(name(op.account))?.orders.keys() ?? [])].sort();
      const orderId = op.order < 7 && resting.length > 0 ? (resting[op.order % resting.length] as string) : `o${op.order}`;
      return { type: 'CancelOrder', id, accountId: name(op.account), orderId };
    }
    case 'leverage':
      return { type: 'SetLeverage', id, accountId: name(op.account), instrument: SYMBOLS[op.symbol] as string, leverage: op.leverage };
    case 'isolatedMargin': {
      const symbolName = SYMBOLS[op.symbol] as string;
      const settlementAsset = REF_VENUE.instruments.get(symbolName)?.asset ?? 'USDT';
      const held = state.accounts.get(name(op.account))?.positions.get(symbolName)?.isolatedMargin ?? 0n;
      const units = op.perMille > 0 ? fraction(balanceOf(op.account, settlementAsset), op.perMille) : -fraction(held, -op.perMille);
      return { type: 'MoveIsolatedMargin', id, accountId: name(op.account), instrument: symbolName, amount: amount(units) };
    }
  }
}

export interface Step {
  readonly index: number;
  readonly op: Op | undefined;
  readonly command: Command;
  readonly result: CommandResult;
  /** The stamp the command was submitted at (the manual clock's time). */
  readonly nowMs: number;
}

/**
 * Run the setup and then `ops`, one command per batch, calling `before` ahead of each submission
 * (with the concrete command) and `after` with its result. The clock moves 1 s per command.
 */
export async function runOps(
  harness: { readonly engine: Engine; readonly clock: ManualClock },
  ops: readonly Op[],
  prefix: string,
  hooks: { before?: (command: Command, nowMs: number) => void; after?: (step: Step) => void; options?: OpOptions } = {},
): Promise<Step[]> {
  const steps: Step[] = [];
  const send = async (command: Command, op: Op | undefined) => {
    const nowMs = harness.clock.nowMs();
    hooks.before?.(command, nowMs);
    const result = await submit(harness.engine, command);
    const step = { index: steps.length, op, command, result, nowMs };
    steps.push(step);
    hooks.after?.(step);
    harness.clock.advance(1_000);
  };
  for (const command of setupCommands(prefix, hooks.options)) await send(command, undefined);
  for (const [i, op] of ops.entries()) await send(commandOf(op, `${prefix}${i}`, harness.engine.state, harness.clock), op);
  return steps;
}
