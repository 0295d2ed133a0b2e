/**
 * An independent audit of a journal with liquidation: it replays every record event by event on a
 * fresh state and checks, where each event happens, the laws of liquidation:
 * - conservation and open interest after every event (the engine's invariants, re-checked);
 * - a healthy account is never liquidated: every LiquidationStarted names an account that a full
 *   recomputation finds liquidatable or bankrupt, with the figures the event carries;
 * - every liquidation step raises the account's margin ratio or ends its positions;
 * - accounts without positions never pay (socialised-loss payers hold positions; ADL takers are
 *   opposite positions);
 * - the fund's exposure after a backstop takeover is within its cap, or the takeover reduced it;
 * - per pass, at most `perTickMax` accounts are liquidated;
 * - ADL only when the fund cannot pay: a pass whose deficits the fund could pay in full (its equity
 *   above the floor before the pass) has no ADL (checked when `adlOnlyWhenFundShort`);
 * - auctions (mode d): an auction starts only on a liquidatable account, with the recomputed
 *   figures; a bid takes at most its maximum fraction of a liquidatable account, never lowers its
 *   margin ratio unless it ends its positions, and never leaves it below zero equity.
 */
import assert from 'node:assert/strict';
import { marginOf } from '../../../src/risk/account/account.js';
import { exposureOf } from '../../../src/risk/account/position.js';
import { INSURANCE_FUND_ACCOUNT_ID } from '../../../src/risk/liquidation/params.js';
import { apply, assertInvariants, bodyOf, emptyState, riskAccountOf, riskMarketOf, type EngineEvent, type EngineState } from '../../../src/engine/index.js';
import type { JournalRecord } from '../../../src/store/port.js';

export interface AuditOptions {
  readonly perTickMax: number;
  readonly fundFloor: bigint;
  /** Check "no ADL while the fund can pay" (the waterfall starts with the fund, no exposure cap). */
  readonly adlOnlyWhenFundShort: boolean;
  /** The fund's exposure cap per instrument, quote notional. */
  readonly backstopNotionalMax?: number;
}

export interface AuditTally {
  bids?: number;
  steps: number;
  bankruptcies: number;
  adl: number;
  socialised: number;
  passes: number;
}

function margin(state: EngineState, id: string) {
  const params = state.params;
  const account = state.accounts.get(id);
  if (params === undefined || account === undefined) throw new Error(`no account ${id}`);
  return marginOf(riskAccountOf(account), riskMarketOf(state.market, state.openInterest, params.risk), params.risk);
}

export function audit(records: readonly JournalRecord[], options: AuditOptions, tally: AuditTally): EngineState {
  const state = emptyState();
  for (const record of records) {
    const events = bodyOf(record).events;
    const isPass = record.commandId.startsWith('engine:liquidation:');
    if (isPass) tally.passes += 1;
    const fundRoomBefore = isPass ? margin(state, INSURANCE_FUND_ACCOUNT_ID).equity - options.fundFloor : 0n;
    let deficits = 0n;
    let adlInRecord = false;
    let starts = 0;
    let open: { id: string; path: string; before: ReturnType<typeof margin> } | undefined;
    let bid: { id: string; before: ReturnType<typeof margin> } | undefined;
    const closeBid = () => {
      if (bid === undefined) return;
      const after = margin(state, bid.id);
      const ended = (state.accounts.get(bid.id)?.positions.size ?? 0) === 0;
      const kept =
        after.maintenanceMargin === 0n
          ? after.collateralMaintenance >= 0n
          : after.collateralMaintenance * bid.before.maintenanceMargin >= bid.before.collateralMaintenance * after.maintenanceMargin;
      assert.ok(ended || kept, `seq ${record.seq}: the bid on ${bid.id} lowered its margin ratio without ending its positions`);
      assert.ok(after.equity >= 0n, `seq ${record.seq}: the bid left ${bid.id} below zero equity (${after.equity})`);
      bid = undefined;
    };
    const close = () => {
      if (open === undefined) return;
      const after = margin(state, open.id);
      const ended = (state.accounts.get(open.id)?.positions.size ?? 0) === 0;
      const raised =
        after.maintenanceMargin > 0n && open.before.maintenanceMargin > 0n
          ? after.collateralMaintenance * open.before.maintenanceMargin > open.before.collateralMaintenance * after.maintenanceMargin
          : false;
      const onlyOrders = open.path === 'orders';
      assert.ok(ended || raised || onlyOrders, `seq ${record.seq}: the step of ${open.id} (${open.path}) neither raised the margin ratio nor ended its positions`);
      open = undefined;
    };
    for (const event of events as EngineEvent[]) {
      switch (event.type) {
        case 'LiquidationStarted': {
          close();
          starts += 1;
          tally.steps += 1;
          if (event.path === 'bankruptcy') tally.bankruptcies += 1;
          const m = margin(state, event.accountId);
          assert.ok(m.status === 'liquidatable' || m.status === 'bankrupt', `seq ${record.seq}: ${event.accountId} liquidated while ${m.status}`);
          assert.equal(m.collateralMaintenance, event.collateralMaintenance, `seq ${record.seq}: recorded figures are the recomputed ones`);
          assert.equal(m.maintenanceMargin, event.maintenanceMargin);
          open = { id: event.accountId, path: event.path, before: m };
          break;
        }
        case 'LiquidationAuctionStarted': {
          close();
          const m = margin(state, event.accountId);
          assert.equal(m.status, 'liquidatable', `seq ${record.seq}: an auction of ${event.accountId} started while ${m.status}`);
          assert.equal(m.collateralMaintenance, event.collateralMaintenance);
          assert.equal(m.maintenanceMargin, event.maintenanceMargin);
          break;
        }
        case 'LiquidationAuctionBid': {
          closeBid();
          tally.bids = (tally.bids ?? 0) + 1;
          const m = margin(state, event.accountId);
          assert.equal(m.status, 'liquidatable', `seq ${record.seq}: a bid on ${event.accountId} while ${m.status}`);
          assert.equal(m.collateralMaintenance, event.collateralMaintenance, `seq ${record.seq}: the bid carries the recomputed figures`);
          assert.ok(event.fraction > 0n && event.fraction <= event.fractionMax, `seq ${record.seq}: a bid above its maximum fraction`);
          bid = { id: event.accountId, before: m };
          break;
        }
        case 'LossSocialised':
          tally.socialised += 1;
          for (const p of event.payments) {
            assert.ok((state.accounts.get(p.accountId)?.positions.size ?? 0) > 0, `seq ${record.seq}: ${p.accountId} pays a socialised loss without positions`);
            deficits -= p.amount;
          }
          break;
        case 'InsuranceFundPaid':
          if (event.amount > 0n) deficits += event.amount;
          break;
        case 'PositionLiquidated': {
          const loss = event.value - event.markValue;
          deficits += loss < 0n ? -loss : loss;
          if (event.kind === 'adl') {
            adlInRecord = true;
            tally.adl += 1;
            const p = state.accounts.get(event.takerId)?.positions.get(event.instrument);
            assert.ok(p !== undefined && p.size !== 0n && (p.size > 0n) !== (event.account.sizeDelta < 0n), `seq ${record.seq}: ADL taker ${event.takerId} holds the opposite side`);
          }
          break;
        }
      }
      const fundBefore = state.accounts.get(INSURANCE_FUND_ACCOUNT_ID)?.positions.get(event.type === 'PositionLiquidated' ? event.instrument : '')?.size ?? 0n;
      apply(state, event);
      assertInvariants(state);
      if (event.type === 'PositionLiquidated' && event.kind === 'backstop' && options.backstopNotionalMax !== undefined) {
        const after = state.accounts.get(INSURANCE_FUND_ACCOUNT_ID)?.positions.get(event.instrument)?.size ?? 0n;
        const instrument = state.params?.risk.instruments.get(event.instrument);
        const mark = state.market.marks.get(event.instrument);
        if (instrument !== undefined && mark !== undefined) {
          const notional = exposureOf(instrument, after as never, mark).notional;
          const abs = (x: bigint) => (x < 0n ? -x : x);
          assert.ok(notional <= options.backstopNotionalMax * (1 + 1e-12) || abs(after) <= abs(fundBefore), `seq ${record.seq}: the fund holds ${notional} of ${event.instrument}, above its cap`);
        }
      }
    }
    close();
    closeBid();
    if (isPass) assert.ok(starts <= options.perTickMax, `seq ${record.seq}: ${starts} accounts liquidated in one pass`);
    if (options.adlOnlyWhenFundShort && adlInRecord) {
      assert.ok(fundRoomBefore < deficits, `seq ${record.seq}: ADL although the fund (room ${fundRoomBefore}) could pay the deficits (${deficits})`);
    }
  }
  return state;
}
