/**
 * The hash chain of the journal (DESIGN.md D3, R5): each record's hash covers its content and its
 * predecessor's hash, so a flipped bit, a torn tail or a reordered record is detected on read and
 * never applied.
 */
import type { JournalRecord } from '../store/port.js';
import { decode, encode, sha256 } from './codec.js';
import type { Command } from './commands.js';
import type { EngineEvent } from './events.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface RecordBody {
  readonly command: Command | { readonly type: 'Genesis' };
  readonly events: readonly EngineEvent[];
}

export function hashOf(r: Omit<JournalRecord, 'hash'>): string {
  return hashOfFields(r.seq, r.commandId, r.timestampMs, r.prevHash, r.body);
}

function hashOfFields(seq: number, commandId: string, timestampMs: number, prevHash: string, body: string): string {
  return sha256(`${seq}\n${commandId}\n${timestampMs}\n${prevHash}\n${body}`);
}

export function makeRecord(input: { seq: number; commandId: string; timestampMs: number; prevHash: string; body: RecordBody }): JournalRecord {
  const { seq, commandId, timestampMs, prevHash } = input;
  const body = encode(input.body);
  // One object per record (no unsigned copy spread into a signed one): this runs for every command.
  return { seq, commandId, timestampMs, body, prevHash, hash: hashOfFields(seq, commandId, timestampMs, prevHash, body) };
}

export type RecordProblem = 'hash_mismatch' | 'chain_broken' | 'seq_gap' | 'body_unreadable';

export type CheckedRecord = { readonly ok: true; readonly body: RecordBody } | { readonly ok: false; readonly problem: RecordProblem };

/** A record after `prev`, checked and decoded once (decoding is most of the cost of replay). */
export function checkRecord(record: JournalRecord, prevSeq: number, prevHash: string): CheckedRecord {
  if (record.seq !== prevSeq + 1) return { ok: false, problem: 'seq_gap' };
  if (record.prevHash !== prevHash) return { ok: false, problem: 'chain_broken' };
  if (hashOf(record) !== record.hash) return { ok: false, problem: 'hash_mismatch' };
  try {
    return { ok: true, body: decode<RecordBody>(record.body) };
  } catch {
    return { ok: false, problem: 'body_unreadable' };
  }
}

/** Why a record cannot be trusted after `prev`, or undefined when it can. */
export function problemOf(record: JournalRecord, prevSeq: number, prevHash: string): RecordProblem | undefined {
  const checked = checkRecord(record, prevSeq, prevHash);
  return checked.ok ? undefined : checked.problem;
}

export function bodyOf(record: JournalRecord): RecordBody {
  return decode<RecordBody>(record.body);
}
