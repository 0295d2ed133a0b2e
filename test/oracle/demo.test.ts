/** The oracle demo (examples/oracle/demo.ts) runs end to end and tells the story its header promises. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDemo } from '../../examples/oracle/demo.js';

describe('oracle demo', () => {
  it('halts BTC on a 12% drop and resumes on confirmed prices, flags the outlier sources, guards ETH, settles funding, keeps the invariants', async () => {
    const lines = await runDemo(1);
    const has = (pattern: RegExp) => assert.ok(lines.some((l) => pattern.test(l)), `no line matches ${pattern}\n${lines.join('\n')}`);
    has(/^\+00:10:00 BTC ok -> halted \(band_breach\), no price forwarded$/);
    has(/^\+00:11:00 BTC halted -> ok, forwarded 80\d\d/);
    has(/^\+01:00:00 BTC source gemini flagged as an outlier/);
    has(/^\+02:00:00 ETH ok -> degraded \(band_guard\), forwarded 189\.8/);
    has(/^\+03:00:00 USDT source kraken flagged as an outlier, index 0\.99/);
    has(/^funding BTCUSDT: rate 0\.0007\d+ at mark \d+(\.\d+)?, alice pays /);
    has(/^funding ETHUSDT: /);
    assert.match(lines[lines.length - 1] ?? '', /^engine: 971 ticks, 973 commands, 0 rejected; invariants ok$/);
  });
});
