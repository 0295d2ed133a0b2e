/** Account commands: create, deposit, withdraw, transfer, isolated margin, leverage, margin mode. */
import { settlementAssetOf } from '../../risk/instruments/types.js';
import { amount } from '../../risk/units/quantities.js';
import type { Command } from '../commands.js';
import { auctionRestriction } from '../liquidation/auction.js';
import type { AccountState, EngineState } from '../state.js';
import { accountIn, assetKnown, checkAmount, checkStillCovered, ID_PATTERN, instrumentIn, isRejection, paramsOf, riskError } from './context.js';
import { accept, LIMITS, reject, type Decision } from './result.js';
import { accountMarginOf, riskAccountOf } from '../riskView.js';

type Of<T extends Command['type']> = Extract<Command, { type: T }>;

export function decideCreateAccount(state: EngineState, c: Of<'CreateAccount'>): Decision {
  const params = paramsOf(state);
  if (isRejection(params)) return params;
  if (typeof c.accountId !== 'string' || !ID_PATTERN.test(c.accountId)) return reject('account_id_invalid', 'an account id is 1-128 printable ASCII characters');
  if (state.accounts.has(c.accountId)) return reject('account_exists', `account ${c.accountId} exists`);
  if (state.accounts.size >= LIMITS.accountsMax) return reject('account_limit_reached', `at most ${LIMITS.accountsMax} accounts`);
  if (c.parentId !== undefined && !state.accounts.has(c.parentId)) {
    return reject('account_parent_unknown', `no parent account ${c.parentId}`);
  }
  return accept({ type: 'AccountCreated', accountId: c.accountId, mode: c.mode, ...(c.parentId === undefined ? {} : { parentId: c.parentId }) });
}

export function decideDeposit(state: EngineState, c: Of<'Deposit'>): Decision {
  const account = accountIn(state, c.accountId);
  if (isRejection(account)) return account;
  const unknown = assetKnown(state, c.asset);
  if (unknown) return unknown;
  const badAmount = checkAmount(c.amount, 'a deposit');
  if (badAmount) return badAmount;
  return accept({ type: 'Deposited', accountId: c.accountId, asset: c.asset, amount: c.amount });
}

export function decideWithdraw(state: EngineState, c: Of<'Withdraw'>): Decision {
  const account = accountIn(state, c.accountId);
  if (isRejection(account)) return account;
  const unknown = assetKnown(state, c.asset);
  if (unknown) return unknown;
  const badAmount = checkAmount(c.amount, 'a withdrawal');
  if (badAmount) return badAmount;
  const inAuction = auctionRestriction(state, account.id);
  if (inAuction) return inAuction;
  if ((account.balances.get(c.asset) ?? 0n) < c.amount) {
    return reject('withdrawal_exceeds_balance', `the ${c.asset} balance is below ${c.amount}`);
  }
  const uncovered = checkStillCovered(state, account, c.asset, -c.amount);
  if (uncovered) return uncovered;
  return accept({ type: 'Withdrawn', accountId: c.accountId, asset: c.asset, amount: c.amount });
}

/** The root of an account's family: itself, or the parent it was created under. */
function ownerOf(account: AccountState): string {
  return account.parentId ?? account.id;
}

export function decideTransfer(state: EngineState, c: Of<'Transfer'>): Decision {
  const from = accountIn(state, c.fromAccountId);
  if (isRejection(from)) return from;
  const to = accountIn(state, c.toAccountId);
  if (isRejection(to)) return to;
  if (from.id === to.id) return reject('transfer_to_self', 'an account cannot transfer to itself');
  if (ownerOf(from) !== ownerOf(to)) {
    return reject('transfer_between_owners_forbidden', 'transfers move funds between an account and its subaccounts only');
  }
  const unknown = assetKnown(state, c.asset);
  if (unknown) return unknown;
  const badAmount = checkAmount(c.amount, 'a transfer');
  if (badAmount) return badAmount;
  const inAuction = auctionRestriction(state, from.id);
  if (inAuction) return inAuction;
  if ((from.balances.get(c.asset) ?? 0n) < c.amount) {
    return reject('withdrawal_exceeds_balance', `the ${c.asset} balance of ${from.id} is below ${c.amount}`);
  }
  const uncovered = checkStillCovered(state, from, c.asset, -c.amount);
  if (uncovered) return uncovered;
  return accept({ type: 'Transferred', fromAccountId: from.id, toAccountId: to.id, asset: c.asset, amount: c.amount });
}

export function decideMoveIsolatedMargin(state: EngineState, c: Of<'MoveIsolatedMargin'>): Decision {
  const account = accountIn(state, c.accountId);
  if (isRejection(account)) return account;
  const instrument = instrumentIn(state, c.instrument);
  if (isRejection(instrument)) return instrument;
  if (account.mode !== 'isolated') return reject('isolated_margin_requires_isolated_mode', `account ${account.id} is not isolated`);
  if (c.amount === 0n) return reject('amount_zero', 'moving zero margin changes nothing');
  const badAmount = checkAmount(c.amount < 0n ? -c.amount : c.amount, 'moved margin');
  if (badAmount) return badAmount;
  const asset = settlementAssetOf(instrument);
  const held = account.positions.get(c.instrument)?.isolatedMargin ?? 0n;
  if (c.amount > 0n) {
    if ((account.balances.get(asset) ?? 0n) < c.amount) return reject('withdrawal_exceeds_balance', `the ${asset} balance is below ${c.amount}`);
  } else {
    if (held < -c.amount) return reject('isolated_margin_insufficient', `the isolated margin of ${c.instrument} is below ${-c.amount}`);
    const view = riskAccountOf(account);
    const positions = view.positions.map((p) => (p.instrument === c.instrument ? { ...p, isolatedMargin: amount(held + c.amount) } : p));
    try {
      const after = accountMarginOf(state, { ...view, positions });
      if (after.pools.some((p) => p.collateralInitial < p.initialMargin)) {
        return reject('withdrawal_exceeds_free_collateral', `removing ${-c.amount} would leave the ${c.instrument} position below IM`);
      }
    } catch (error) {
      return riskError(error);
    }
  }
  return accept({ type: 'IsolatedMarginMoved', accountId: account.id, instrument: c.instrument, asset, amount: c.amount });
}

export function decideSetLeverage(state: EngineState, c: Of<'SetLeverage'>): Decision {
  const account = accountIn(state, c.accountId);
  if (isRejection(account)) return account;
  const instrument = instrumentIn(state, c.instrument);
  if (isRejection(instrument)) return instrument;
  if (!Number.isFinite(c.leverage) || c.leverage < 1 || c.leverage > LIMITS.leverageMax) {
    return reject('leverage_out_of_range', `leverage must be within [1, ${LIMITS.leverageMax}]`);
  }
  return accept({ type: 'LeverageSet', accountId: account.id, instrument: c.instrument, leverage: c.leverage });
}

export function decideSetMarginMode(state: EngineState, c: Of<'SetMarginMode'>): Decision {
  const account = accountIn(state, c.accountId);
  if (isRejection(account)) return account;
  if (account.mode === c.mode) return reject('margin_mode_unchanged', `account ${account.id} is already ${c.mode}`);
  if (account.positions.size > 0 || account.orders.size > 0) {
    return reject('margin_mode_change_with_positions', 'close positions and cancel orders before changing the margin mode');
  }
  return accept({ type: 'MarginModeSet', accountId: account.id, mode: c.mode });
}
