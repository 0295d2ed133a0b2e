/**
 * Expected rejections at the edge of the risk core: malformed numbers, invalid parameters. Each
 * carries a stable, sentence-like code (STYLE.md habit 6) and, when it comes from a document, the
 * JSON path of the offending value so that a user can find it.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly code: string,
    message: string,
    readonly path: string = '',
  ) {
    super(path === '' ? `${code}: ${message}` : `${code} at ${path}: ${message}`);
  }
}

/** A programmer error: the caller broke a documented precondition. It crashes (STYLE.md habit 7). */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`Invariant: ${message}`);
}
