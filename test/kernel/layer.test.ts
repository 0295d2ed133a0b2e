/**
 * The kernel's layer rule (DESIGN.md layers): src/kernel imports src/risk and itself only, no npm
 * package or Node built-in, and reaches no clock, randomness or I/O, so that it stays as pure and
 * deterministic as the reference it is held equal to. One exception, named here: the parallel sweep
 * (parallel.ts and its worker's entry) imports node:worker_threads, and nothing else of Node. Its
 * results do not depend on scheduling (test/kernel/parallel.test.ts holds them bit-identical to a
 * sweep on one thread), so it adds hands, not nondeterminism. (test/architecture/boundaries.test.ts carries
 * the same rule for the whole tree once `kernel: ['kernel', 'risk']` is added to its table.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const KERNEL = resolve('src/kernel');
/** The Node built-ins a kernel file may import (see the file comment). */
const BUILTINS: Readonly<Record<string, readonly string[]>> = { 'parallel.ts': ['node:worker_threads'], 'sweepWorker.ts': ['node:worker_threads'] };
const FORBIDDEN = new Set(['Date', 'performance', 'process', 'setTimeout', 'setInterval', 'setImmediate', 'fetch', 'require', 'console', 'crypto', 'queueMicrotask']);

function offences(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const spec = node.moduleSpecifier.text;
      const target = relative(resolve('src'), resolve(dirname(path), spec)).split('/')[0];
      const builtin = (BUILTINS[relative(KERNEL, path)] ?? []).includes(spec);
      if (!builtin && (!spec.startsWith('.') || (target !== 'kernel' && target !== 'risk'))) out.push(`imports ${spec}`);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      out.push('dynamic import');
    } else if (ts.isIdentifier(node) && FORBIDDEN.has(node.text)) {
      const parent = node.parent;
      const isName = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node) || ts.isPropertySignature(parent);
      if (!isName) out.push(`uses ${node.text}`);
    } else if (ts.isPropertyAccessExpression(node) && node.getText() === 'Math.random') {
      out.push('uses Math.random');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out.map((o) => `${relative(KERNEL, path)} ${o}`);
}

describe('kernel layer', () => {
  it('imports risk/ and kernel/ only, and reaches no clock, randomness or I/O', () => {
    const files = readdirSync(KERNEL).filter((f) => f.endsWith('.ts')).map((f) => join(KERNEL, f));
    assert.ok(files.length > 5, 'finds the kernel sources');
    assert.deepEqual(files.flatMap(offences), []);
  });
});
