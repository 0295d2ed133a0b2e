import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

test('the README library example runs and prints the binance-cross figures', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/library.ts'], { encoding: 'utf8' });
  assert.equal(out, 'healthy 4700\nBTCUSDT 57444.44444444\n');
});
