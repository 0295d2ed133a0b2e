/**
 * Reading a risk document from disk: the only file-system access of the `margin` command.
 * The size limit is checked before reading, so a mistaken path to a large file fails fast
 * instead of filling memory (STYLE.md habit 10).
 */
import { readFile, stat } from 'node:fs/promises';
import { DocumentError, type Issue } from '../config/issues.js';
import { DOCUMENT_BYTES_MAX, loadRiskDocument, parseDocumentText, type LoadedRiskDocument } from '../config/load.js';
import { CliInputError } from './context.js';

/** A document that was read but rejected: its issues, and the file they belong to. */
export class DocumentFileError extends Error {
  override readonly name = 'DocumentFileError';
  constructor(
    readonly file: string,
    readonly issues: readonly Issue[],
  ) {
    super(`${file}: document_invalid: ${issues.length} problem(s)`);
  }
}

export async function readDocumentText(file: string): Promise<string> {
  let bytes: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CliInputError('file_not_regular', `cannot read ${file}: not a regular file`);
    bytes = info.size;
  } catch (error) {
    throw asReadError(file, error);
  }
  if (bytes > DOCUMENT_BYTES_MAX) {
    throw new CliInputError('file_too_large', `cannot read ${file}: ${bytes} bytes, more than the ${DOCUMENT_BYTES_MAX} allowed`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw asReadError(file, error);
  }
  // Editors on Windows may save a byte-order mark; JSON.parse rejects it, so drop it here.
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

export async function readRiskDocument(file: string): Promise<LoadedRiskDocument> {
  const text = await readDocumentText(file);
  try {
    return loadRiskDocument(parseDocumentText(text, file));
  } catch (error) {
    if (error instanceof DocumentError) throw new DocumentFileError(file, error.issues);
    throw error;
  }
}

function asReadError(file: string, error: unknown): CliInputError {
  if (error instanceof CliInputError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new CliInputError('file_not_found', `cannot read ${file}: no such file`);
    case 'EACCES':
    case 'EPERM':
      return new CliInputError('file_not_permitted', `cannot read ${file}: permission denied`);
    case 'EISDIR':
      return new CliInputError('file_not_regular', `cannot read ${file}: it is a directory`);
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return new CliInputError('file_unreadable', `cannot read ${file}: ${detail}`);
    }
  }
}
