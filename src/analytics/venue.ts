/**
 * The venue document (docs/formats.md): one set of parameters and prices with many accounts and an
 * optional insurance fund. Each account is loaded as the risk document it would be on its own, by
 * the same loader as `solvent margin`, so both formats accept and reject exactly the same things;
 * the issues of account i are reported under /accounts/i, and the document's own under their path
 * (once, however many accounts repeat them).
 */
import { VenueDocumentSchema, type VenueDocument } from '../config/analyticsSchema.js';
import { DocumentError, IssueCollector, type Issue } from '../config/issues.js';
import { loadRiskDocument } from '../config/load.js';
import { schemaIssues } from '../config/validate.js';
import type { Book } from './factors.js';

export interface LoadedVenue {
  readonly books: readonly Book[];
  readonly insuranceFund: number | null;
}

/** Whether a parsed document is a venue document (it has `accounts`) rather than a risk document. */
export function isVenueDocument(input: unknown): boolean {
  return input !== null && typeof input === 'object' && Object.hasOwn(input, 'accounts');
}

export function loadVenueDocument(input: unknown): LoadedVenue {
  const structural = schemaIssues(VenueDocumentSchema, input);
  if (structural.length > 0) throw new DocumentError(structural);
  const { accounts, insuranceFund, ...shared } = input as VenueDocument;
  const c = new IssueCollector();
  const seen = new Set<string>();
  const issueKeys = new Set<string>();
  const books: Book[] = [];
  accounts.forEach((account, i) => {
    if (seen.has(account.id)) c.add(`/accounts/${i}/id`, 'account_id_duplicate', `a second account called ${account.id}`);
    seen.add(account.id);
    try {
      books.push(loadRiskDocument({ ...shared, account }));
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
      for (const issue of error.issues) {
        const moved: Issue = { ...issue, path: issue.path.replace(/^\/account(?=\/|$)/, `/accounts/${i}`) };
        const key = `${moved.path}\u0000${moved.code}\u0000${moved.message}`;
        if (!issueKeys.has(key)) c.add(moved.path, moved.code, moved.message);
        issueKeys.add(key);
      }
    }
  });
  let fund: number | null = null;
  if (insuranceFund !== undefined) {
    fund = Number(insuranceFund);
    c.check(fund >= 0, '/insuranceFund', 'value_negative', 'must be >= 0');
  }
  c.throwIfAny();
  return { books, insuranceFund: fund };
}
