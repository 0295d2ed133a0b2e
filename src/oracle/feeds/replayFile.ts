/**
 * Reading a replay file from disk: the one place in src/oracle that does I/O. The format follows
 * the extension (.ndjson or .jsonl: NDJSON; .csv: CSV); parsing is feeds/replay.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../../risk/errors.js';
import type { FeedEvent } from '../types.js';
import { parseReplay, REPLAY_LIMITS, type ReplayFormat } from './replay.js';

export function replayFormatOf(path: string): ReplayFormat {
  if (/\.(ndjson|jsonl)$/i.test(path)) return 'ndjson';
  if (/\.csv$/i.test(path)) return 'csv';
  throw new InputError('replay_format_unknown', 'a replay file ends in .ndjson, .jsonl or .csv', path);
}

export async function readReplayFile(path: string): Promise<FeedEvent[]> {
  const format = replayFormatOf(path);
  // Bytes bound characters from above, so the size check runs before the file is read.
  if ((await stat(path)).size > REPLAY_LIMITS.textLengthMax * 4) throw new InputError('replay_too_large', 'the file is too large', path);
  return parseReplay(await readFile(path, 'utf8'), format);
}
