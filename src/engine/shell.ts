/**
 * The engine shell: the only part of the engine that touches time and storage. It stamps each
 * command once, decides and applies it in memory, appends the batch's records to the journal in
 * one transaction (group commit), and acknowledges nothing before that transaction is durable.
 *
 * When a write fails, the shell fails closed (R6): every command of the batch is answered
 * `journal_write_failed`, the in-memory state is rebuilt from the durable journal (the same path
 * as start-up), and an alarm is raised; nothing unjournaled survives.
 */
import { valueAccount, type AccountFigures } from '../risk/account/account.js';
import type { Size } from '../risk/units/quantities.js';
import { StoreWriteError, type JournalRecord, type Store } from '../store/port.js';
import { apply } from './apply.js';
import type { Clock } from './clock.js';
import { canonical, stateHashOf } from './codec.js';
import type { Command } from './commands.js';
import { activationsDue, decide, type RejectionCode } from './decide/index.js';
import { ID_PATTERN } from './decide/context.js';
import { dryRunParams, type DryRunResult } from './dryRun.js';
import type { EngineEvent } from './events.js';
import { assertInvariants, checkLedgerInvariants, type InvariantReport } from './invariants.js';
import { bodyOf, GENESIS_HASH, makeRecord } from './journal.js';
import { checkOrder, maxOrderSize, referenceMarginCheck, type CheckResult, type MarginCheck, type OrderIntent } from './pretrade.js';
import { RiskMirror } from './mirror.js';
import { recover, remember, snapshotHashOf } from './recovery.js';
import { encodeSnapshot } from './snapshotBody.js';
import { riskAccountOf, riskMarketOf } from './riskView.js';
import { automaticPassSymbols, liquidationPass } from './liquidation/pass.js';
import type { EngineState } from './state.js';

export type CommandResult =
  | { readonly ok: true; readonly seq: number; readonly events: readonly EngineEvent[]; readonly duplicate: boolean }
  | { readonly ok: false; readonly code: RejectionCode | 'journal_write_failed' | 'engine_batch_failed' | 'engine_unavailable' | 'engine_closed' | 'command_id_invalid'; readonly message: string };

export interface EngineOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** The venue parameters document, journaled as the genesis record of an empty store. */
  readonly params?: unknown;
  /** Commands per group commit (a limit: STYLE.md habit 10). */
  readonly batchMax?: number;
  /** Records between snapshots. */
  readonly snapshotEvery?: number;
  /** Accepted command ids remembered for idempotency. */
  readonly processedMax?: number;
  /** 'event' checks the ledger invariants after every event (tests); 'batch' once per batch. */
  readonly invariants?: 'event' | 'batch' | 'off';
  readonly onAlarm?: (alarm: { code: string; message: string }) => void;
  /**
   * The columnar mirror of the state (mirror.ts) answers the pre-trade check and finds the
   * liquidation pass's candidates (default true). False: the reference answers everything (the
   * same answers, slower; tests compare the two).
   */
  readonly riskKernel?: boolean;
}

export interface Engine {
  submit(command: Command): Promise<CommandResult>;
  checkOrder(intent: OrderIntent): CheckResult;
  maxOrderSize(intent: Omit<OrderIntent, 'size'>): Size;
  accountFigures(accountId: string): AccountFigures | undefined;
  /** Which accounts a parameter change would push into a worse status (nothing is applied). */
  dryRunParams(document: unknown): DryRunResult;
  readonly state: EngineState;
  stateHash(): string;
  invariants(): InvariantReport;
  lastSeq(): number;
  close(): Promise<void>;
}

export const COMMAND_ID_LENGTH_MAX = 128;

/**
 * Commands the journal could not store faithfully are refused before they are decided. Ids are
 * stored raw, so they are printable ASCII; the body is JSON, whose encoder escapes a lone
 * surrogate (\udXXX), so any text inside a command is stored exactly.
 */
function malformedCommand(command: Command): CommandResult | undefined {
  if (typeof command.id !== 'string' || !ID_PATTERN.test(command.id) || command.id.startsWith('engine:')) {
    return { ok: false, code: 'command_id_invalid', message: `a command id is 1-${COMMAND_ID_LENGTH_MAX} printable ASCII characters and does not start with "engine:"` };
  }
  return undefined;
}

interface Pending {
  readonly command: Command;
  readonly resolve: (result: CommandResult) => void;
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const engine = new EngineShell(options);
  await engine.start();
  return engine;
}

class EngineShell implements Engine {
  state!: EngineState;
  private processed = new Map<string, number>();
  private seq = 0;
  private hash = GENESIS_HASH;
  private timestampMs = 0;
  private snapshotSeq = 0;
  /** The snapshot being written behind the batches, if any (its text was taken at its seq). */
  private snapshotWriting: Promise<void> | undefined;
  private readonly queue: Pending[] = [];
  private flushing = false;
  private closed = false;
  /** Set when a batch failed: the state must be rebuilt from the journal before the next one. */
  private needsReload = false;
  private readonly batchMax: number;
  private readonly snapshotEvery: number;
  private readonly processedMax: number;
  private readonly mirror: RiskMirror | undefined;
  private readonly marginCheck: MarginCheck;

  constructor(private readonly options: EngineOptions) {
    this.batchMax = options.batchMax ?? 1_000;
    this.snapshotEvery = options.snapshotEvery ?? 100_000;
    this.processedMax = options.processedMax ?? 1_000_000;
    this.mirror = options.riskKernel === false ? undefined : new RiskMirror((message) => options.onAlarm?.({ code: 'risk_kernel_failed', message }));
    const mirror = this.mirror;
    this.marginCheck = mirror === undefined ? referenceMarginCheck : (state, account, instrument, order) => mirror.checkMargin(state, order) ?? referenceMarginCheck(state, account, instrument, order);
  }

  async start(): Promise<void> {
    await this.reload();
    if (this.seq === 0 && this.options.params !== undefined) {
      const events: EngineEvent[] = [{ type: 'EngineInitialised', document: this.options.params }];
      const record = makeRecord({ seq: 1, commandId: 'engine:genesis', timestampMs: this.stamp(), prevHash: this.hash, body: { command: { type: 'Genesis' }, events } });
      for (const event of events) apply(this.state, event);
      await this.options.store.append([record]);
      this.seq = 1;
      this.hash = record.hash;
    }
  }

  private async reload(): Promise<void> {
    const recovered = await recover(this.options.store, { processedMax: this.processedMax });
    this.state = recovered.state;
    this.processed = recovered.processed;
    this.seq = recovered.lastSeq;
    this.hash = recovered.lastHash;
    this.snapshotSeq = recovered.lastSeq;
    this.timestampMs = Math.max(this.timestampMs, recovered.lastTimestampMs);
    if (recovered.stoppedAt !== undefined) {
      // A torn or corrupt last record was never acknowledged (nothing is, before its commit):
      // raise the alarm, then cut it so that the journal can grow again.
      this.options.onAlarm?.({ code: 'journal_tail_discarded', message: `record ${recovered.stoppedAt.seq}: ${recovered.stoppedAt.problem}` });
      await this.options.store.truncate(recovered.stoppedAt.seq);
    }
  }

  submit(command: Command): Promise<CommandResult> {
    if (this.closed) return Promise.resolve({ ok: false, code: 'engine_closed', message: 'the engine is closed' });
    return new Promise((resolve) => {
      this.queue.push({ command, resolve });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private stamp(): number {
    this.timestampMs = Math.max(this.timestampMs, this.options.clock.nowMs());
    return this.timestampMs;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.batchMax);
        if (this.needsReload && !(await this.tryReload())) {
          batch.forEach(({ resolve }) => resolve({ ok: false, code: 'engine_unavailable', message: 'the journal cannot be read; retry later' }));
          continue;
        }
        await this.commit(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Decide, apply and journal one batch. Any failure fails closed: nothing of the batch is
   * acknowledged, and the state is rebuilt from the durable journal before the next batch.
   */
  private async commit(batch: readonly Pending[]): Promise<void> {
    let results: CommandResult[];
    try {
      results = await this.decideAndAppend(batch);
    } catch (error) {
      const writeFailed = error instanceof StoreWriteError;
      const message = error instanceof Error ? error.message : String(error);
      this.options.onAlarm?.({ code: writeFailed ? 'journal_write_failed' : 'engine_batch_failed', message });
      const answer: CommandResult = writeFailed
        ? { ok: false, code: 'journal_write_failed', message: 'the journal refused the write; nothing was applied' }
        : { ok: false, code: 'engine_batch_failed', message: 'the batch failed and was not applied; nothing was acknowledged' };
      // Rebuild first, answer second: when a caller hears of the failure, nothing of it survives.
      this.needsReload = true;
      await this.tryReload();
      batch.forEach(({ resolve }) => resolve(answer));
      return;
    }
    batch.forEach(({ resolve }, i) => resolve(results[i] as CommandResult));
    if (this.seq - this.snapshotSeq >= this.snapshotEvery && this.snapshotWriting === undefined) {
      // snapshot() encodes the state now, before the next batch mutates it; its write is not
      // awaited: the next batch is decided while the store writes (issue 8).
      this.snapshotWriting = this.snapshot()
        .catch((error: unknown) => {
          // A snapshot only shortens recovery: its failure is an alarm, never a lost command.
          this.snapshotSeq = this.seq;
          this.options.onAlarm?.({ code: 'snapshot_failed', message: error instanceof Error ? error.message : String(error) });
        })
        .finally(() => {
          this.snapshotWriting = undefined;
        });
    }
  }

  private async tryReload(): Promise<boolean> {
    try {
      await this.reload();
      this.needsReload = false;
      return true;
    } catch (error) {
      this.options.onAlarm?.({ code: 'engine_unavailable', message: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }

  private async decideAndAppend(batch: readonly Pending[]): Promise<CommandResult[]> {
    const records: JournalRecord[] = [];
    const results: CommandResult[] = [];
    for (const { command } of batch) {
      const malformed = malformedCommand(command);
      if (malformed !== undefined) {
        results.push(malformed);
        continue;
      }
      const earlier = this.processed.get(command.id);
      if (earlier !== undefined) {
        results.push(await this.duplicateOf(command, earlier, records));
        continue;
      }
      const stamp = { seq: this.seq + 1, timestampMs: this.stamp() };
      const activations = activationsDue(this.state, stamp);
      activations.forEach((e) => {
        apply(this.state, e);
        this.mirror?.note(e);
      });
      const decision = decide(this.state, command, stamp);
      if (!decision.ok && activations.length === 0) {
        results.push(decision);
        continue;
      }
      const events = decision.ok ? [...activations, ...decision.events] : activations;
      if (decision.ok) decision.events.forEach((e) => this.applyChecked(e));
      const commandId = decision.ok ? command.id : `engine:activation:${stamp.seq}`;
      const record = makeRecord({ seq: stamp.seq, commandId, timestampMs: stamp.timestampMs, prevHash: this.hash, body: { command, events } });
      records.push(record);
      this.seq = record.seq;
      this.hash = record.hash;
      if (decision.ok) {
        remember(this.processed, command.id, record.seq, this.processedMax);
        results.push({ ok: true, seq: record.seq, events: decision.events, duplicate: false });
        const pass = this.liquidationAfter(decision.events, stamp.timestampMs);
        if (pass !== undefined) records.push(pass);
      } else {
        results.push(decision);
      }
    }
    if (this.options.invariants === 'batch' && records.length > 0) assertInvariants(this.state);
    if (records.length > 0) await this.options.store.append(records);
    return results;
  }

  /**
   * Liquidation hook (issue 6): after a price update, a pass over the accounts it touches, its
   * events journaled as their own record `engine:liquidation:<seq>` (with the pass as its command,
   * so the record says what was decided and replay only applies it). Nothing when no pass is due
   * or it decides nothing.
   */
  private liquidationAfter(events: readonly EngineEvent[], timestampMs: number): JournalRecord | undefined {
    const symbols = automaticPassSymbols(this.state, events);
    if (symbols === undefined) return undefined;
    const stamp = { seq: this.seq + 1, timestampMs };
    const passEvents = liquidationPass(this.state, stamp, { symbols, candidates: this.mirror?.candidates(this.state, symbols) });
    if (passEvents.length === 0) return undefined;
    passEvents.forEach((e) => this.applyChecked(e));
    const command: Command = { type: 'LiquidationPass', id: `engine:liquidation:${stamp.seq}`, symbols };
    const record = makeRecord({ seq: stamp.seq, commandId: command.id, timestampMs, prevHash: this.hash, body: { command, events: passEvents } });
    this.seq = record.seq;
    this.hash = record.hash;
    return record;
  }

  private applyChecked(event: EngineEvent): void {
    apply(this.state, event);
    this.mirror?.note(event);
    if (this.options.invariants === 'event') assertInvariants(this.state);
  }

  /**
   * The first result of an accepted command, from this batch or from the journal. The same id
   * with different content is a client bug, not a redelivery: it is refused, never merged.
   */
  private async duplicateOf(command: Command, seq: number, inBatch: readonly JournalRecord[]): Promise<CommandResult> {
    const record = inBatch.find((r) => r.seq === seq) ?? (await this.options.store.read(seq, 1))[0];
    if (record === undefined) return { ok: true, seq, events: [], duplicate: true };
    const body = bodyOf(record);
    if (canonical(body.command) !== canonical(command)) {
      return { ok: false, code: 'command_id_reused', message: `command id ${command.id} was accepted at seq ${seq} for a different command` };
    }
    return { ok: true, seq, events: body.events.filter((e) => e.type !== 'ParamsActivated'), duplicate: true };
  }

  /**
   * Write a snapshot of the state at the current seq. Everything up to the store's write runs
   * synchronously (apply mutates the state in place, so the text must be taken before anything
   * else runs); the write itself may overlap later batches.
   */
  async snapshot(): Promise<void> {
    const seq = this.seq;
    const lastHash = this.hash;
    const body = encodeSnapshot({ state: this.state, processed: this.processed, lastTimestampMs: this.timestampMs });
    this.snapshotSeq = seq;
    await this.options.store.writeSnapshot({ seq, lastHash, stateHash: snapshotHashOf(seq, lastHash, body), body });
  }

  checkOrder(intent: OrderIntent): CheckResult {
    return checkOrder(this.state, intent, this.marginCheck);
  }

  maxOrderSize(intent: Omit<OrderIntent, 'size'>): Size {
    return maxOrderSize(this.state, intent, this.marginCheck);
  }

  accountFigures(accountId: string): AccountFigures | undefined {
    const account = this.state.accounts.get(accountId);
    const params = this.state.params;
    if (account === undefined || params === undefined) return undefined;
    return valueAccount(riskAccountOf(account), riskMarketOf(this.state.market, this.state.openInterest, params.risk), params.risk);
  }

  dryRunParams(document: unknown): DryRunResult {
    return dryRunParams(this.state, document);
  }

  stateHash(): string {
    return stateHashOf(this.state);
  }

  invariants(): InvariantReport {
    return checkLedgerInvariants(this.state);
  }

  lastSeq(): number {
    return this.seq;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await new Promise((r) => setImmediate(r));
    await this.snapshotWriting;
    await this.options.store.close();
  }
}
