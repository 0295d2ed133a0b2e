/**
 * Laws of liquidation over random books and price paths (fast-check, fixed seeds): conservation
 * after every event (the engine runs with `invariants: 'event'`), a healthy account is never
 * liquidated, every step raises the margin ratio or ends the positions, accounts without positions
 * never pay, ADL only when the fund cannot pay, at most `accountsPerTickMax` per pass, no
 * liquidation check skipped, and the journal replays to the same state hash.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { marginOf } from '../../../src/risk/account/account.js';
import type { Status } from '../../../src/risk/account/types.js';
import { recover, riskAccountOf, riskMarketOf, stateHashOf, type Command, type Engine } from '../../../src/engine/index.js';
import { parsePrice, parseSize } from '../../../src/risk/units/quantities.js';
import { fcOptions } from '../reliability/harness.js';
import { audit, type AuditTally } from './journalCheck.js';
import { bench, c, FUND, venue } from './fixtures.js';

const IF = { step: 'insuranceFund' };
const ADL = { step: 'adl' };
const SOC = { step: 'socialisedLoss' };

const configArb = fc.record({
  execution: fc.constantFrom('backstop', 'liquidator'),
  adl: fc.constantFrom('queue', 'proRata'),
  waterfall: fc.constantFrom([IF, ADL, SOC], [IF, ADL, SOC], [IF, SOC], [IF, ADL], [ADL, IF, SOC]),
  fractionMax: fc.constantFrom('1', '0.25'),
  perTick: fc.integer({ min: 1, max: 4 }),
  backstopCap: fc.constantFrom(undefined, undefined, '1500'),
  fund: fc.integer({ min: 0, max: 1_500 }),
  floor: fc.constantFrom('0', '40'),
});

const scenarioArb = fc.record({
  config: configArb,
  deposits: fc.array(fc.integer({ min: 5, max: 2_500 }), { minLength: 3, maxLength: 7 }),
  fills: fc.array(
    fc.record({ eth: fc.boolean(), buyer: fc.nat(6), seller: fc.nat(5), lots: fc.integer({ min: 1, max: 4_000 }), ticks: fc.integer({ min: -50, max: 50 }) }),
    { minLength: 3, maxLength: 14 },
  ),
  path: fc.array(
    fc.record({ solBps: fc.integer({ min: -2_000, max: 900 }), ethBps: fc.integer({ min: -1_500, max: 900 }), pass: fc.boolean(), halt: fc.constantFrom('none', 'none', 'halt', 'resume') }),
    { minLength: 3, maxLength: 10 },
  ),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function params(config: Scenario['config']) {
  return venue({
    execution: config.execution,
    liquidatorAccountId: 'liq',
    adl: { mode: config.adl },
    waterfall: config.waterfall,
    accountsPerTickMax: String(config.perTick),
    fundFloor: config.floor,
    stepLimits: { fractionMax: config.fractionMax, notionalMinPerStep: '0', notionalMaxPerAccountStep: '1000000000', remainderMin: '1' },
    ...(config.backstopCap === undefined ? {} : { instruments: { 'SOL-PERP': { backstopNotionalMax: config.backstopCap }, 'ETH-PERP': { backstopNotionalMax: config.backstopCap } } }),
  });
}

/** Every account the price update touched holds the status a full recomputation gives it. */
function noCheckSkipped(engine: Engine, symbols: readonly string[]): void {
  const state = engine.state;
  const params = state.params;
  if (params === undefined) return;
  const market = riskMarketOf(state.market, state.openInterest, params.risk);
  for (const a of state.accounts.values()) {
    if (a.id.startsWith('system:') || ![...a.positions.keys()].some((s) => symbols.includes(s))) continue;
    const actual: Status = marginOf(riskAccountOf(a), market, params.risk).status;
    const recorded: Status = state.liquidation.statuses.get(a.id) ?? 'healthy';
    assert.equal(recorded, actual, `${a.id}: recorded ${recorded}, recomputed ${actual}`);
  }
}

async function runScenario(s: Scenario, tally: AuditTally): Promise<void> {
  const b = await bench(params(s.config));
  const ids = s.deposits.map((_, i) => `u${i}`);
  await b.ok(c.create('liq'), c.create('spectator'), c.deposit('liq', 'USDC', '5000'), c.deposit('spectator', 'USDC', '777'));
  if (s.config.fund > 0) await b.ok(c.deposit(FUND, 'USDC', String(s.config.fund)));
  for (const [i, id] of ids.entries()) await b.ok(c.create(id), c.deposit(id, 'USDC', String(s.deposits[i])));
  let sol = 100;
  let eth = 2_000;
  await b.ok(c.marks({ 'SOL-PERP': '100', 'ETH-PERP': '2000' }));
  for (const f of s.fills) {
    const buyer = ids[f.buyer % ids.length] as string;
    const seller = ids[(f.buyer + 1 + (f.seller % (ids.length - 1))) % ids.length] as string;
    const instrument = f.eth ? 'ETH-PERP' : 'SOL-PERP';
    const price = ((f.eth ? eth : sol) + f.ticks * 0.01).toFixed(2);
    const size = (f.lots / (f.eth ? 1_000 : 100)).toFixed(2);
    if (Number(size) <= 0) continue;
    await b.ok({ type: 'ApplyFill', id: `f${tally.steps}-${buyer}-${seller}-${f.lots}-${price}-${instrument}`, instrument, price: parsePrice(price), size: parseSize(size), buyer: { accountId: buyer }, seller: { accountId: seller }, aggressor: 'buy' });
  }
  const spectatorBefore = b.engine.state.accounts.get('spectator')?.balances.get('USDC');
  for (const step of s.path) {
    sol = Math.max(1, Math.round(sol * (1 + step.solBps / 10_000) * 100) / 100);
    eth = Math.max(1, Math.round(eth * (1 + step.ethBps / 10_000) * 100) / 100);
    if (step.halt === 'halt') await b.ok(c.statuses({ 'ETH-PERP': 'halted' }));
    if (step.halt === 'resume') await b.ok(c.statuses({ 'ETH-PERP': 'ok' }));
    await b.ok(c.marks({ 'SOL-PERP': sol.toFixed(2), 'ETH-PERP': eth.toFixed(2) }));
    noCheckSkipped(b.engine, ['SOL-PERP', 'ETH-PERP']);
    if (step.pass) await b.ok(c.pass() as Command);
  }
  assert.equal(b.engine.state.accounts.get('spectator')?.balances.get('USDC'), spectatorBefore, 'an account without positions never pays');
  const replayed = audit(
    b.store.records,
    {
      perTickMax: s.config.perTick,
      fundFloor: BigInt(Number(s.config.floor) * 1e8),
      adlOnlyWhenFundShort: s.config.waterfall[0] === IF && s.config.backstopCap === undefined,
      ...(s.config.backstopCap === undefined ? {} : { backstopNotionalMax: Number(s.config.backstopCap) }),
    },
    tally,
  );
  assert.equal(stateHashOf(replayed), b.engine.stateHash(), 'the audit replay gives the engine state');
  const recovered = await recover(b.store, { processedMax: 1_000 });
  assert.equal(stateHashOf(recovered.state), b.engine.stateHash(), 'recovery gives the same state hash');
  await b.engine.close();
}

describe('laws of liquidation over random books and price paths', () => {
  it('conservation, no healthy account liquidated, every step raises the ratio or ends the positions, ADL only when the fund is short, replay equal', async () => {
    const tally: AuditTally = { steps: 0, bankruptcies: 0, adl: 0, socialised: 0, passes: 0 };
    await fc.assert(fc.asyncProperty(scenarioArb, (s) => runScenario(s, tally)), fcOptions(0x11a_0006, 80));
    console.log(`liquidation laws: ${tally.passes} passes, ${tally.steps} steps, ${tally.bankruptcies} bankruptcies, ${tally.adl} ADL takeovers, ${tally.socialised} socialised losses`);
    assert.ok(tally.steps > 50 && tally.bankruptcies > 10 && tally.adl > 5, 'the scenarios exercise the paths');
  });
});
