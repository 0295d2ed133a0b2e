/**
 * The layer rules of DESIGN.md, checked on the source: `risk/` stays pure (no I/O, clock,
 * randomness or npm runtime dependency), and no layer imports one that sits above it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const SRC = resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sourceFiles(path);
      return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
    });
}

interface Scan {
  readonly imports: string[];
  readonly globals: string[];
}

/** Clock, randomness and I/O reached through globals rather than imports. */
const FORBIDDEN_GLOBALS = new Set(['Date', 'performance', 'process', 'setTimeout', 'setInterval', 'setImmediate', 'fetch', 'require', 'console', 'crypto', 'queueMicrotask']);

function scan(path: string, text = readFileSync(path, 'utf8')): Scan {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const imports: string[] = [];
  const globals: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      imports.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      imports.push('<dynamic import>');
    } else if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text) && !isPropertyName(node)) {
      globals.push(node.text);
    } else if (ts.isPropertyAccessExpression(node) && node.getText() === 'Math.random') {
      globals.push('Math.random');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, globals };
}

function isPropertyName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (
    (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
    (ts.isPropertyAssignment(parent) && parent.name === node) ||
    ts.isPropertySignature(parent) ||
    (ts.isMethodDeclaration(parent) && parent.name === node)
  );
}

function layerOf(file: string): string {
  return relative(SRC, file).split('/')[0] ?? '';
}

/** Which layers each layer may import (DESIGN.md "Layers, and what each may import"). */
const ALLOWED: Record<string, readonly string[]> = {
  risk: ['risk'],
  config: ['config', 'risk'],
  engine: ['engine', 'risk', 'config', 'kernel', 'store/port.ts'],
  oracle: ['oracle', 'risk', 'config'],
  store: ['store'],
  sim: ['sim', 'risk', 'engine', 'oracle', 'config'],
  report: ['report', 'risk', 'config'],
  kernel: ['kernel', 'risk'],
  analytics: ['analytics', 'risk', 'config', 'report'],
  server: ['server', 'risk', 'engine', 'oracle', 'store', 'config', 'report', 'sim'],
  cli: ['cli', 'risk', 'engine', 'oracle', 'store', 'config', 'report', 'sim', 'server', 'analytics', 'kernel'],
  'index.ts': ['risk', 'config', 'engine', 'oracle', 'report'],
};

describe('layer boundaries', () => {
  const files = sourceFiles(SRC);

  it('finds the source tree', () => {
    assert.ok(files.some((f) => layerOf(f) === 'risk'), 'no files under src/risk');
  });

  it('risk/ imports nothing but other risk/ files, and reaches no clock, randomness or I/O', () => {
    const offences: string[] = [];
    for (const file of files.filter((f) => layerOf(f) === 'risk')) {
      const { imports, globals } = scan(file);
      for (const spec of imports) {
        const target = spec.startsWith('.') ? resolve(dirname(file), spec) : spec;
        if (!spec.startsWith('.') || layerOf(target) !== 'risk') offences.push(`${relative(SRC, file)} imports ${spec}`);
      }
      for (const name of globals) offences.push(`${relative(SRC, file)} uses ${name}`);
    }
    assert.deepEqual(offences, []);
  });

  it('no layer imports a layer above it', () => {
    const offences: string[] = [];
    for (const file of files) {
      const layer = layerOf(file);
      const allowed = ALLOWED[layer];
      if (allowed === undefined) {
        offences.push(`${relative(SRC, file)}: layer "${layer}" has no rule in this test`);
        continue;
      }
      for (const spec of scan(file).imports.filter((s) => s.startsWith('.'))) {
        const targetPath = relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts');
        const target = layerOf(resolve(dirname(file), spec));
        // A rule names a layer ('store') or one file of it ('store/port.ts': the port, not its adapters).
        if (!allowed.includes(target) && !allowed.includes(targetPath)) offences.push(`${relative(SRC, file)} (${layer}) imports ${spec} (${target})`);
      }
    }
    assert.deepEqual(offences, []);
  });

  it('the check itself catches a forbidden import and a clock read', () => {
    const probe = join(SRC, 'risk', '__probe__.ts');
    const text = "import { readFileSync } from 'node:fs';\nexport const now = () => Date.now() + Math.random();\n";
    const { imports, globals } = scan(probe, text);
    const found = [...imports, ...globals];
    assert.deepEqual(found.sort(), ['Date', 'Math.random', 'node:fs']);
  });
});
