/**
 * Bad input never produces figures: each broken document exits with code 2, prints nothing on
 * stdout, and names the offending value's JSON path and a stable code on stderr, one issue per
 * line as `path: code: message`. Usage mistakes and unreadable files exit 2 as well; only a bug
 * exits 1. Each document is a valid example with exactly one thing broken.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify as yamlText } from 'yaml';
import { CliInputError } from '../../src/cli/context.js';
import { COMMANDS } from '../../src/cli/main.js';
import { EXAMPLES_DIR, exampleDocument, runCli, writeScratch } from './support.js';

// Documents are parsed JSON that each case breaks in its own way: `any` is the honest type here.
type Document = Record<string, any>;

interface BrokenCase {
  readonly name: string;
  readonly format: 'yaml' | 'json';
  readonly breakIt: (doc: Document) => void;
  readonly issues: readonly (readonly [path: string, code: string])[];
}

const CASES: readonly BrokenCase[] = [
  {
    name: 'a number where a decimal string belongs',
    format: 'yaml',
    breakIt: (d) => void (d['account'].positions[0].size = 10),
    issues: [['/account/positions/0/size', 'field_type_wrong']],
  },
  {
    name: 'a number where a decimal string belongs, in JSON',
    format: 'json',
    breakIt: (d) => void (d['prices'].BTC = 60000),
    issues: [['/prices/BTC', 'field_type_wrong']],
  },
  {
    name: 'a field that is not part of the format',
    format: 'yaml',
    breakIt: (d) => void (d['account'].nickname = 'bob'),
    issues: [['/account/nickname', 'field_unknown']],
  },
  {
    name: 'an unknown margin preset',
    format: 'yaml',
    breakIt: (d) => void (d['instruments'].BTCUSDT.margin.preset = 'binance-ethusdt'),
    issues: [['/instruments/BTCUSDT/margin/preset', 'preset_unknown']],
  },
  {
    name: 'an unknown collateral preset',
    format: 'json',
    breakIt: (d) => void (d['assets'].USDT.preset = 'tether'),
    issues: [['/assets/USDT/preset', 'preset_unknown']],
  },
  {
    name: 'more decimals than the ledger keeps ("0.123456789")',
    format: 'yaml',
    breakIt: (d) => void (d['account'].balances.USDT = '0.123456789'),
    issues: [['/account/balances/USDT', 'decimal_excess_precision']],
  },
  {
    name: 'NaN as a YAML number (.nan)',
    format: 'yaml',
    breakIt: (d) => void (d['account'].balances.USDT = Number.NaN),
    issues: [['/account/balances/USDT', 'field_type_wrong']],
  },
  {
    name: 'NaN as a string',
    format: 'yaml',
    breakIt: (d) => void (d['marks'].BTCUSDT = 'NaN'),
    issues: [['/marks/BTCUSDT', 'field_malformed']],
  },
  {
    name: 'Infinity as a YAML number (.inf)',
    format: 'yaml',
    breakIt: (d) => void (d['account'].positions[0].entryPrice = Number.POSITIVE_INFINITY),
    issues: [['/account/positions/0/entryPrice', 'field_type_wrong']],
  },
  {
    name: 'exponent notation ("1e5")',
    format: 'yaml',
    breakIt: (d) => void (d['account'].balances.USDT = '1e5'),
    issues: [['/account/balances/USDT', 'field_malformed']],
  },
  {
    name: 'a price that is not positive',
    format: 'yaml',
    breakIt: (d) => void (d['marks'].BTCUSDT = '0'),
    issues: [['/marks/BTCUSDT', 'price_not_positive']],
  },
  {
    name: 'a missing price for the settlement asset',
    format: 'yaml',
    breakIt: (d) => void delete d['prices'].USDT,
    issues: [['/prices/USDT', 'price_missing']],
  },
  {
    name: 'a missing mark price for a position',
    format: 'yaml',
    breakIt: (d) => void delete d['marks'].BTCUSDT,
    issues: [['/marks/BTCUSDT', 'mark_price_missing']],
  },
  {
    name: 'a missing required field',
    format: 'json',
    breakIt: (d) => void delete d['account'].mode,
    issues: [['/account/mode', 'field_missing']],
  },
];

function brokenFile(c: BrokenCase, index: number): string {
  const doc = exampleDocument('binance-cross.yaml') as Document;
  c.breakIt(doc);
  const text = c.format === 'json' ? JSON.stringify(doc, null, 2) : yamlText(doc);
  return writeScratch(`broken-${index}.${c.format}`, text);
}

function assertRejected(result: { code: number; stdout: string; stderr: string }, issues: BrokenCase['issues']): void {
  assert.equal(result.code, 2, `exit code 2, stderr: ${result.stderr}`);
  assert.equal(result.stdout, '', 'nothing on stdout');
  for (const [path, code] of issues) {
    assert.ok(result.stderr.split('\n').some((line) => line.startsWith(`${path}: ${code}: `)), `stderr names ${path}: ${code}:\n${result.stderr}`);
  }
}

describe('bad documents exit 2 with the path and a stable code, and print no figures', () => {
  CASES.forEach((c, index) => {
    for (const flags of [['--json'], []]) {
      test(`${c.name}${flags.length > 0 ? ' (--json)' : ''}`, async () => {
        assertRejected(await runCli(['margin', brokenFile(c, index), ...flags]), c.issues);
      });
    }
  });

  test('a document with schema problems reports every one of them, not only the first', async () => {
    const doc = exampleDocument('binance-cross.yaml') as Document;
    doc['account'].balances.USDT = 30000;
    doc['account'].positions[0].leverage = 20;
    doc['valuationAsset'] = 'US DOLLAR';
    const result = await runCli(['margin', writeScratch('many.yaml', yamlText(doc))]);
    assertRejected(result, [
      ['/account/balances/USDT', 'field_type_wrong'],
      ['/account/positions/0/leverage', 'field_type_wrong'],
      ['/valuationAsset', 'field_malformed'],
    ]);
    assert.match(result.stderr, /is not a valid risk document \(3 problems\)/);
  });

  test('a document rejected after the schema lists each semantic problem too', async () => {
    const doc = exampleDocument('binance-cross.yaml') as Document;
    doc['instruments'].BTCUSDT.margin.preset = 'nope';
    delete doc['prices'].USDT;
    const result = await runCli(['margin', writeScratch('semantic.yaml', yamlText(doc)), '--json']);
    assertRejected(result, [
      ['/instruments/BTCUSDT/margin/preset', 'preset_unknown'],
      ['/prices/USDT', 'price_missing'],
    ]);
  });

  test('text that is neither JSON nor YAML is reported at the root as unreadable', async () => {
    assertRejected(await runCli(['margin', writeScratch('garbage.yaml', 'account: [\n')]), [['/', 'document_unreadable']]);
    assertRejected(await runCli(['margin', writeScratch('garbage.json', '{"version": 1,')]), [['/', 'document_unreadable']]);
  });

  test('an empty file is not a document', async () => {
    assertRejected(await runCli(['margin', writeScratch('empty.yaml', '')]), [['/', 'field_type_wrong']]);
  });

  test('a JSON file saved with a byte-order mark is read like any other', async () => {
    const text = `\uFEFF${JSON.stringify(exampleDocument('binance-cross.yaml'))}`;
    const result = await runCli(['margin', writeScratch('bom.json', text), '--json']);
    assert.equal(result.code, 0, result.stderr);
  });
});

describe('files that cannot be read exit 2 with a clear message', () => {
  test('a path that does not exist', async () => {
    const result = await runCli(['margin', `${EXAMPLES_DIR}no-such-file.yaml`, '--json']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^solvent: cannot read .*no-such-file\.yaml: no such file \(file_not_found\)\n$/);
  });

  test('a file over the 4 MiB document limit, refused before it is read', async () => {
    const path = writeScratch('huge.yaml', `# ${'x'.repeat(4 * 1024 * 1024)}\n`);
    const result = await runCli(['margin', path, '--json']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /more than the 4194304 allowed \(file_too_large\)\n$/);
  });

  test('a directory', async () => {
    const result = await runCli(['margin', EXAMPLES_DIR]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /not a regular file \(file_not_regular\)/);
  });
});

describe('usage', () => {
  test('no command prints the usage on stderr and exits 2', async () => {
    const result = await runCli([]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Usage: solvent/);
    assert.match(result.stderr, /margin \[options\] <file>/);
  });

  test('a missing file argument, an unknown option or command exit 2 and say what is wrong', async () => {
    for (const [argv, message] of [
      [['margin'], /missing required argument 'file'/],
      [['margin', 'x.yaml', '--jsn'], /unknown option '--jsn'/],
      [['margins', 'x.yaml'], /unknown command 'margins'/],
      [['margin', 'a.yaml', 'b.yaml'], /too many arguments/],
    ] as const) {
      const result = await runCli(argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.equal(result.stdout, '');
      assert.match(result.stderr, message);
    }
  });

  test('--help prints the usage on stdout and exits 0', async () => {
    const result = await runCli(['margin', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: solvent margin \[options\] <file>/);
    assert.match(result.stdout, /--json/);
    assert.equal(result.stderr, '');
  });

  test('--version prints the package version and exits 0', async () => {
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+/);
  });
});

describe('unexpected errors', () => {
  test('a bug exits 1 with its stack, not 2', async () => {
    const failing = (program: import('commander').Command) => {
      program.command('explode').action(() => {
        throw new Error('Invariant: something impossible happened');
      });
    };
    const result = await runCli(['explode'], [...COMMANDS, failing]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /unexpected error/);
    assert.match(result.stderr, /Invariant: something impossible happened/);
  });

  test('an expected rejection raised by a command exits 2 with its code', async () => {
    const rejecting = (program: import('commander').Command) => {
      program.command('reject').action(() => {
        throw new CliInputError('file_too_large', 'cannot read big.yaml: too large');
      });
    };
    const result = await runCli(['reject'], [rejecting]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\(file_too_large\)/);
  });
});
