/**
 * `solvent schema`: print the JSON Schema of the risk document. The same text is committed as
 * docs/schema/risk-document.schema.json (scripts/export-schema.ts writes it, and a test keeps the
 * two equal), so editors can validate documents through their `$schema` line.
 */
import type { Command } from 'commander';
import { RiskDocumentSchema } from '../../config/schema.js';
import type { CommandContext } from '../context.js';

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** The schema as TypeBox emits it, with the dialect named first. */
export function riskDocumentJsonSchema(): Record<string, unknown> {
  // A JSON round trip keeps exactly what JSON Schema readers see: no functions, no symbols.
  const emitted = JSON.parse(JSON.stringify(RiskDocumentSchema)) as Record<string, unknown>;
  return { $schema: JSON_SCHEMA_DIALECT, ...emitted };
}

/** Pretty JSON with a final newline: the committed file's exact bytes. */
export function riskDocumentJsonSchemaText(): string {
  return `${JSON.stringify(riskDocumentJsonSchema(), null, 2)}\n`;
}

export function registerSchemaCommand(program: Command, context: CommandContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of the risk document (docs/schema/risk-document.schema.json)')
    .action(() => {
      context.io.stdout(riskDocumentJsonSchemaText());
    });
}
