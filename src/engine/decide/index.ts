/**
 * decide(state, command, stamp): validate a command against the state and return the events that
 * record its effect, or a rejection with a stable code. Pure: it reads the state and never changes
 * it; the stamp is the only time it knows (DESIGN.md D2, D4).
 */
import type { Command } from '../commands.js';
import type { EngineState } from '../state.js';
import {
  decideCreateAccount,
  decideDeposit,
  decideMoveIsolatedMargin,
  decideSetLeverage,
  decideSetMarginMode,
  decideTransfer,
  decideWithdraw,
} from './accounts.js';
import { decideApplyFill } from './fills.js';
import { decideChangeParams, decideSettleExpiry, decideSettleFunding, decideUpdatePrices } from './market.js';
import { decideCancelOrder, decidePlaceOrder } from './orders.js';
import { reject, type Decision, type Stamp } from './result.js';
import { guardCancel, withLiquidationFill } from '../liquidation/orders.js';
import { decideLiquidate, decideLiquidationPass, isSystemAccount } from '../liquidation/pass.js';
import { decideBidLiquidationAuction } from '../liquidation/auction.js';

export function decide(state: EngineState, command: Command, stamp: Stamp): Decision {
  switch (command.type) {
    case 'CreateAccount':
      // Liquidation hook: ids starting with "system:" belong to the venue (the insurance fund).
      if (typeof command.accountId === 'string' && isSystemAccount(command.accountId)) {
        return reject('account_id_reserved', `account ids starting with "system:" are the venue's own`);
      }
      return decideCreateAccount(state, command);
    case 'Deposit':
      return decideDeposit(state, command);
    case 'Withdraw':
      return decideWithdraw(state, command);
    case 'Transfer':
      return decideTransfer(state, command);
    case 'MoveIsolatedMargin':
      return decideMoveIsolatedMargin(state, command);
    case 'SetLeverage':
      return decideSetLeverage(state, command);
    case 'SetMarginMode':
      return decideSetMarginMode(state, command);
    case 'PlaceOrder':
      return decidePlaceOrder(state, command);
    case 'CancelOrder':
      return guardCancel(state, command) ?? decideCancelOrder(state, command);
    case 'ApplyFill':
      // Liquidation hook: a fill of a liquidation order respects its limit and pays the fund its share.
      return withLiquidationFill(state, command, decideApplyFill(state, command), stamp);
    case 'UpdatePrices':
      return decideUpdatePrices(state, command);
    case 'SettleFunding':
      return decideSettleFunding(state, command);
    case 'SettleExpiry':
      return decideSettleExpiry(state, command, stamp);
    case 'ChangeParams':
      return decideChangeParams(state, command, stamp);
    case 'Liquidate':
      return decideLiquidate(state, command, stamp);
    case 'LiquidationPass':
      return decideLiquidationPass(state, command, stamp);
    case 'BidLiquidationAuction':
      return decideBidLiquidationAuction(state, command, stamp);
  }
}

export { activationsDue } from './market.js';
export * from './result.js';
