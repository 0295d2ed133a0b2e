/**
 * `solvent margin FILE [--json]`: value the account of a risk document (JSON or YAML) and print
 * its margin report, as a table for people or as the wire JSON (docs/formats.md) for programs.
 * The exit code says whether the input was usable, not how healthy the account is: a liquidatable
 * account is a correct answer, printed with exit code 0.
 */
import type { Command } from 'commander';
import { valueAccount } from '../../risk/account/account.js';
import { accountJson } from '../../report/accountJson.js';
import { accountTable } from '../../report/accountTable.js';
import type { CommandContext } from '../context.js';
import { readRiskDocument } from '../documents.js';

export interface MarginOptions {
  readonly json?: boolean;
}

export function registerMarginCommand(program: Command, context: CommandContext): void {
  program
    .command('margin')
    .description('value an account: equity, IM, MM, free collateral, status, liquidation prices')
    .argument('<file>', 'risk document, JSON or YAML (format: docs/formats.md)')
    .option('--json', 'print the figures as JSON (amounts and prices as decimal strings)')
    .action(async (file: string, options: MarginOptions) => {
      const { params, market, account } = await readRiskDocument(file);
      const figures = valueAccount(account, market, params);
      context.io.stdout(options.json === true ? `${JSON.stringify(accountJson(figures), null, 2)}\n` : accountTable(figures));
    });
}
