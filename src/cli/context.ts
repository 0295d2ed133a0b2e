/**
 * What a command may touch. Output goes through injected writers so that tests run the CLI in
 * process and read exactly what a user would see; the file system is read through `documents.ts`.
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface CommandContext {
  readonly io: CliIo;
}

/** Exit codes: 0 success, 1 an unexpected failure (a bug), 2 bad input (usage, file, document). */
export const EXIT_OK = 0;
export const EXIT_UNEXPECTED = 1;
export const EXIT_INPUT = 2;
/** A check command ran and found a problem (a broken journal, a violated invariant). */
export const EXIT_CHECK_FAILED = 3;

/** Thrown by a check command after it has printed its report. */
export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
}

/**
 * An expected failure at the CLI's edge (a file that cannot be read, too large, ...), with a
 * stable code like the document issues have.
 */
export class CliInputError extends Error {
  override readonly name = 'CliInputError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
