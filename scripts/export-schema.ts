/**
 * Writes docs/schema/risk-document.schema.json from the TypeBox source in src/config/schema.ts.
 * Run after changing the schema: `node --import tsx scripts/export-schema.ts`. A test
 * (test/cli/schema.test.ts) fails when the committed file and the source drift apart.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { riskDocumentJsonSchemaText } from '../src/cli/commands/schema.js';

const SCHEMA_FILE_URL = new URL('../docs/schema/risk-document.schema.json', import.meta.url);

writeFileSync(SCHEMA_FILE_URL, riskDocumentJsonSchemaText());
process.stdout.write(`wrote ${fileURLToPath(SCHEMA_FILE_URL)}\n`);
