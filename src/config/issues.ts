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
