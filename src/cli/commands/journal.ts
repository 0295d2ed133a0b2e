/**
 * `solvent verify DIR` checks the journal's hash chain; `solvent replay DIR` rebuilds the state
 * from genesis, prints its hash and the invariant check, and compares it with start-up recovery
 * (snapshot + tail). Both read a data directory of the default SQLite store and change nothing.
 * Exit 3 when the check finds a problem.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { replayJournal, verifyChain } from '../../engine/verify.js';
import { SqliteStore } from '../../store/sqlite.js';
import { CheckFailed, CliInputError, type CommandContext } from '../context.js';

function openStore(dir: string): SqliteStore {
  if (!existsSync(join(dir, 'journal.sqlite'))) {
    throw new CliInputError('data_dir_not_found', `${dir} holds no journal (journal.sqlite)`);
  }
  return new SqliteStore(dir);
}

export function registerJournalCommands(program: Command, context: CommandContext): void {
  program
    .command('verify')
    .description("check the journal's hash chain in a data directory (exit 3 if broken)")
    .argument('<dir>', 'data directory of the SQLite store')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const store = openStore(dir);
      try {
        const report = await verifyChain(store);
        if (options.json === true) context.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else if (report.firstProblem === undefined) context.io.stdout(`journal intact: ${report.records} records, last seq ${report.lastSeq}, last hash ${report.lastHash}\n`);
        else context.io.stdout(`journal broken at record ${report.firstProblem.seq}: ${report.firstProblem.problem} (${report.records} records before it are intact)\n`);
        if (report.firstProblem !== undefined) throw new CheckFailed('journal broken');
      } finally {
        await store.close();
      }
    });
  program
    .command('replay')
    .description('rebuild the state from the journal, print its hash and the invariant check (exit 3 on a failure)')
    .argument('<dir>', 'data directory of the SQLite store')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const store = openStore(dir);
      try {
        const report = await replayJournal(store);
        const matches = report.snapshotRecoveryHash === undefined || report.snapshotRecoveryHash === report.stateHash;
        if (options.json === true) context.io.stdout(`${JSON.stringify({ ...report, snapshotRecoveryMatches: matches }, null, 2)}\n`);
        else {
          const lines = [
            `replayed ${report.replayedRecords} records to seq ${report.lastSeq}: ${report.accounts} accounts`,
            `state hash ${report.stateHash}`,
            report.invariants.ok ? 'invariants: ok' : `invariants: VIOLATED\n  ${report.invariants.violations.join('\n  ')}`,
            report.snapshotRecoveryHash === undefined
              ? 'no snapshot'
              : `snapshot at seq ${report.snapshotSeq} + tail: ${matches ? 'same hash' : `DIFFERENT hash ${report.snapshotRecoveryHash}`}`,
          ];
          context.io.stdout(`${lines.join('\n')}\n`);
        }
        if (!report.invariants.ok || !matches) throw new CheckFailed('replay check failed');
      } finally {
        await store.close();
      }
    });
}
