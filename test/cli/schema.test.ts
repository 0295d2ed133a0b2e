/**
 * The published JSON Schema (docs/schema/risk-document.schema.json) is generated from the TypeBox
 * source and must never drift from it; every example validates both against that published file
 * (as an editor would, through its `$schema` line) and through the loader the CLI uses.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { riskDocumentJsonSchemaText } from '../../src/cli/commands/schema.js';
import { loadRiskDocument, parseDocumentText } from '../../src/config/load.js';
import { exampleFiles, runCli } from './support.js';

const SCHEMA_FILE = new URL('../../docs/schema/risk-document.schema.json', import.meta.url);

describe('the published JSON Schema', () => {
  test('equals the schema generated from src/config/schema.ts (run scripts/export-schema.ts after a change)', () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), riskDocumentJsonSchemaText());
  });

  test('names the 2020-12 dialect first', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    assert.equal(Object.keys(schema)[0], '$schema');
    assert.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
  });

  test('is what `solvent schema` prints', async () => {
    const result = await runCli(['schema']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, readFileSync(SCHEMA_FILE, 'utf8'));
  });

  test('is a valid 2020-12 schema that a stock validator compiles', () => {
    // Ajv's defaults are strict about unknown keywords and formats, which is what matters to editors.
    const ajv = new Ajv2020({ allErrors: true, discriminator: true });
    assert.doesNotThrow(() => ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object));
  });
});

describe('every example document is valid', () => {
  const ajv = new Ajv2020({ allErrors: true, discriminator: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);

  for (const file of exampleFiles()) {
    test(`${basename(file)} validates against the published schema and loads`, () => {
      const text = readFileSync(file, 'utf8');
      const ok = validate(parseYaml(text));
      assert.ok(ok, JSON.stringify(validate.errors, null, 2));
      assert.doesNotThrow(() => loadRiskDocument(parseDocumentText(text, file)));
    });
  }
});
