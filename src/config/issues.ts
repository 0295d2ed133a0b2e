/**
 * A document is validated as a whole: every problem is collected with the JSON path of the
 * offending value, and nothing is built unless there are none (DESIGN.md D6: all or nothing).
 */
import { InputError } from '../risk/errors.js';

export interface Issue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export class DocumentError extends Error {
  override readonly name = 'DocumentError';
  readonly code = 'document_invalid';
  constructor(readonly issues: readonly Issue[]) {
    super(`document_invalid: ${issues.length} problem(s)\n${issues.map((i) => `  ${i.path || '/'}: ${i.code}: ${i.message}`).join('\n')}`);
  }
}

export class IssueCollector {
  readonly issues: Issue[] = [];

  add(path: string, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }

  /** Run a conversion that may throw InputError; record the error and return undefined. */
  try<T>(path: string, convert: () => T): T | undefined {
    try {
      return convert();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      this.add(error.path || path, error.code, error.message.replace(/^[a-z_]+( at \S+)?: /, ''));
      return undefined;
    }
  }

  check(condition: boolean, path: string, code: string, message: string): void {
    if (!condition) this.add(path, code, message);
  }

  throwIfAny(): void {
    if (this.issues.length > 0) throw new DocumentError(this.issues);
  }
}

/** A record's entries in key order: every map the loaders build iterates deterministically. */
export function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A rate, weight or other risk parameter: a decimal string (already checked by the schema) read as
 * float64, within [min, max]; out of range is an issue at `path`. Money is never read this way.
 */
export function parameterOf(c: IssueCollector, path: string, text: string, min = 0, max = Infinity): number {
  const value = Number(text);
  c.check(value >= min && value <= max, path, 'value_out_of_range', `${text} must be within [${min}, ${max}]`);
  return value;
}
