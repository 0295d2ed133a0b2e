/**
 * Account figures for report tests, built the production way: a risk document parsed and loaded
 * by src/config, valued by the risk core. `edit` changes the parsed document before loading.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { loadRiskDocument } from '../../src/config/load.js';
import { valueAccount, type AccountFigures } from '../../src/risk/account/account.js';

// Parsed documents are edited freely by each test: `any` is the honest type of parsed JSON here.
export type Document = Record<string, any>;

export function figuresOf(example: string, edit: (doc: Document) => void = () => {}): AccountFigures {
  const doc = parseYaml(readFileSync(new URL(`../../examples/${example}`, import.meta.url), 'utf8')) as Document;
  edit(doc);
  const { params, market, account } = loadRiskDocument(doc);
  return valueAccount(account, market, params);
}
