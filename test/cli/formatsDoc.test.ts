/**
 * docs/formats.md stays true to the code it documents: its complete example is the example file,
 * it lists every example, and its sample error output is what the CLI prints.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { EXAMPLES_DIR, exampleDocument, exampleFiles, runCli, writeScratch } from './support.js';

const FORMATS = readFileSync(new URL('../../docs/formats.md', import.meta.url), 'utf8');

/** The bodies of the fenced code blocks opened with ```language (an empty language: plain fences). */
function fencedBlocks(language: string): string[] {
  const blocks: string[] = [];
  let open: { language: string; lines: string[] } | undefined;
  for (const line of FORMATS.split('\n')) {
    if (!line.startsWith('```')) {
      open?.lines.push(line);
    } else if (open === undefined) {
      open = { language: line.slice(3).trim(), lines: [] };
    } else {
      if (open.language === language) blocks.push(open.lines.map((l) => `${l}\n`).join(''));
      open = undefined;
    }
  }
  return blocks;
}

describe('docs/formats.md', () => {
  test('its complete example document is examples/binance-cross.yaml', () => {
    const complete = fencedBlocks('yaml').find((block) => block.startsWith('$schema:') && block.includes('account:'));
    assert.ok(complete !== undefined, 'a complete example');
    const file = readFileSync(join(EXAMPLES_DIR, 'binance-cross.yaml'), 'utf8');
    assert.equal(complete, file.slice(file.indexOf('$schema:')));
  });

  test('its example snippets are valid YAML', () => {
    for (const block of fencedBlocks('yaml')) assert.doesNotThrow(() => parseYaml(block), block);
  });

  test('it lists every example file', () => {
    for (const file of exampleFiles()) assert.ok(FORMATS.includes(`\`${basename(file)}\``), basename(file));
  });

  test('its sample error output is what solvent prints', async () => {
    const doc = exampleDocument('binance-cross.yaml') as Record<string, any>;
    doc['account'].positions[0].size = 10;
    doc['account'].balances.USDT = '1e5';
    const result = await runCli(['margin', writeScratch('bad.yaml', JSON.stringify(doc))]);
    assert.equal(result.code, 2);
    const sample = fencedBlocks('').find((block) => block.startsWith('solvent: bad.yaml'));
    assert.ok(sample !== undefined, 'a sample error output');
    assert.equal(result.stderr.replace(/^solvent: \S*bad\.yaml/, 'solvent: bad.yaml'), sample);
  });
});
