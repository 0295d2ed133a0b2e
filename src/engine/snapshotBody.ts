/**
 * The text of a snapshot (docs/formats.md, "Snapshots"): the state at a seq, the idempotency
 * window and the last timestamp. Two layouts are read; the second is written:
 *
 * 1. `{"state": <StateSnapshot>, "processed": [[id, seq], ...], "lastTimestampMs": n}`: one JSON
 *    document (engine/codec's tagged bigints). Written until issue 8; still read.
 * 2. Line-oriented, one account per line, so that a million accounts neither build one object
 *    tree nor one string by concatenation (at 1M accounts the first layout took about 40 s to
 *    encode and 17 s to decode here; this one a few seconds each):
 *      line 1: {"format":"solvent-snapshot","version":2,"lastTimestampMs":n,"accounts":n}
 *      line 2: the StateSnapshot without its accounts (tagged JSON, as layout 1)
 *      line 3: the idempotency window, oldest first: [[id, ...], [seq, ...]]
 *      then one line per account, in the state's own order:
 *        [id, parentId|null, mode, [asset, "amount", ...], [instrument, "size", "entryValue",
 *         "isolatedMargin"|null, ...], [[symbol, leverage], ...], orders?]
 *      where amounts are bigint decimal strings and `orders`, present only when the account has
 *      any, is the tagged JSON of its [orderId, OrderState] entries.
 * Accounts keep the live state's order (layout 1 sorted them), so a restarted engine iterates
 * them as the running one did.
 */
import { decode, encode, reviveTagged, snapshotOf, stateFromSnapshot, type StateSnapshot } from './codec.js';
import type { OrderState } from './events.js';
import type { Amount, Size } from '../risk/units/quantities.js';
import type { AccountState, EngineState, PositionState } from './state.js';

export interface SnapshotContent {
  readonly state: EngineState;
  /** Accepted command ids and their seq, oldest first. */
  readonly processed: ReadonlyMap<string, number>;
  /** The timestamp of the last record, so stamps never go back after a restart. */
  readonly lastTimestampMs: number;
}

/** A decoded snapshot: fresh maps the engine takes over. */
export interface DecodedSnapshot extends SnapshotContent {
  readonly processed: Map<string, number>;
}

/** Layout 1, as written before issue 8. */
export interface SnapshotBodyV1 {
  readonly state: StateSnapshot;
  readonly processed: [string, number][];
  readonly lastTimestampMs: number;
}

const FORMAT = 'solvent-snapshot';
const VERSION = 2;
const HEADER_PREFIX = `{"format":"${FORMAT}",`;

interface Header {
  readonly format: typeof FORMAT;
  readonly version: number;
  readonly lastTimestampMs: number;
  readonly accounts: number;
}

type AccountLine = [string, string | null, AccountState['mode'], string[], (string | null)[], [string, number][], unknown?];

function accountLine(a: AccountState): string {
  const balances: string[] = [];
  for (const [asset, amount] of a.balances) balances.push(asset, amount.toString());
  const positions: (string | null)[] = [];
  for (const p of a.positions.values()) positions.push(p.instrument, p.size.toString(), p.entryValue.toString(), p.isolatedMargin === undefined ? null : p.isolatedMargin.toString());
  const line = JSON.stringify([a.id, a.parentId ?? null, a.mode, balances, positions, [...a.leverage]]);
  return a.orders.size === 0 ? line : `${line.slice(0, -1)},${encode([...a.orders])}]`;
}

/** Account lines joined per chunk, so that each line's string dies young instead of waiting for the last. */
const ACCOUNTS_PER_CHUNK = 4_096;

/**
 * The snapshot's text. Encoding must see the state at the snapshot's seq (apply mutates it in
 * place), so the shell calls this before it decides the next batch.
 */
export function encodeSnapshot(content: SnapshotContent): string {
  const { state } = content;
  const header: Header = { format: FORMAT, version: VERSION, lastTimestampMs: content.lastTimestampMs, accounts: state.accounts.size };
  const parts = [
    JSON.stringify(header),
    encode(snapshotOf({ ...state, accounts: new Map() })),
    JSON.stringify([[...content.processed.keys()], [...content.processed.values()]]),
  ];
  let chunk: string[] = [];
  for (const a of state.accounts.values()) {
    chunk.push(accountLine(a));
    if (chunk.length === ACCOUNTS_PER_CHUNK) {
      parts.push(chunk.join('\n'));
      chunk = [];
    }
  }
  if (chunk.length > 0) parts.push(chunk.join('\n'));
  return parts.join('\n');
}

export function decodeSnapshot(body: string): DecodedSnapshot {
  if (!body.startsWith(HEADER_PREFIX)) {
    const v1 = decode<SnapshotBodyV1>(body);
    return { state: stateFromSnapshot(v1.state), processed: new Map(v1.processed), lastTimestampMs: v1.lastTimestampMs };
  }
  let from = 0;
  const nextLine = (): string => {
    const end = body.indexOf('\n', from);
    const line = body.slice(from, end < 0 ? body.length : end);
    from = end < 0 ? body.length + 1 : end + 1;
    return line;
  };
  const header = JSON.parse(nextLine()) as Header;
  if (header.version !== VERSION) throw new Error(`snapshot layout version ${String(header.version)} is not known (known: 1, ${VERSION})`);
  const state = stateFromSnapshot(decode<StateSnapshot>(nextLine()));
  const [ids, seqs] = JSON.parse(nextLine()) as [string[], number[]];
  if (ids.length !== seqs.length) throw new Error('snapshot: the idempotency window has ids and seqs of different lengths');
  const processed = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) processed.set(ids[i] as string, seqs[i] as number);
  for (let n = 0; n < header.accounts; n++) {
    if (from > body.length) throw new Error(`snapshot: ${header.accounts} accounts announced, ${n} found`);
    const account = accountOf(JSON.parse(nextLine()) as AccountLine);
    state.accounts.set(account.id, account);
  }
  if (from <= body.length) throw new Error('snapshot: text after the last account');
  return { state, processed, lastTimestampMs: header.lastTimestampMs };
}

function accountOf(line: AccountLine): AccountState {
  const [id, parentId, mode, balanceList, positionList, leverage, orders] = line;
  const balances = new Map<string, Amount>();
  for (let i = 0; i < balanceList.length; i += 2) balances.set(balanceList[i] as string, BigInt(balanceList[i + 1] as string) as Amount);
  const positions = new Map<string, PositionState>();
  for (let i = 0; i < positionList.length; i += 4) {
    const instrument = positionList[i] as string;
    const size = BigInt(positionList[i + 1] as string) as Size;
    const entryValue = BigInt(positionList[i + 2] as string) as Amount;
    const isolated = positionList[i + 3];
    positions.set(instrument, isolated === null || isolated === undefined ? { instrument, size, entryValue } : { instrument, size, entryValue, isolatedMargin: BigInt(isolated) as Amount });
  }
  const orderMap = orders === undefined ? new Map<string, OrderState>() : new Map(reviveTagged(orders) as [string, OrderState][]);
  const leverageMap = leverage.length === 0 ? new Map<string, number>() : new Map(leverage);
  // The same properties, in the same order, as stateFromSnapshot builds (no spread: a million of these).
  return parentId === null
    ? { id, mode, balances, positions, orders: orderMap, leverage: leverageMap }
    : { id, parentId, mode, balances, positions, orders: orderMap, leverage: leverageMap };
}
