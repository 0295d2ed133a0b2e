/**
 * Fills from the venue's matching engine. A trade is a fact: it is applied unless it is
 * malformed (unknown account or instrument, off the lot or tick grid, inconsistent with the
 * resting order it names). The decision computes everything apply needs: exchanged value, fees,
 * realised PnL, the positions after, and the margin moved into isolated positions.
 */
import { exposureOf, quoteToSettlement } from '../../risk/account/position.js';
import { feeOf, fillValueOf, positionAfterTrade } from '../../risk/account/trade.js';
import { settlementAssetOf, type LinearInstrument } from '../../risk/instruments/types.js';
import { requirementOf } from '../../risk/margin/requirement.js';
import { amount, amountFromNumber, rate, size as sizeOf, type Amount, type Price, type Size } from '../../risk/units/quantities.js';
import { absBig, divFloor } from '../../risk/units/rounding.js';
import type { Command, FillParty, Side } from '../commands.js';
import type { FillLeg } from '../events.js';
import type { AccountState, EngineState } from '../state.js';
import { accountIn, checkPriceOnTick, checkSizeOnLot, instrumentIn, isRejection } from './context.js';
import { accept, reject, type Decision, type Rejection } from './result.js';

type Of<T extends Command['type']> = Extract<Command, { type: T }>;

export function decideApplyFill(state: EngineState, c: Of<'ApplyFill'>): Decision {
  const instrument = instrumentIn(state, c.instrument);
  if (isRejection(instrument)) return instrument;
  if (state.settled.has(c.instrument)) return reject('instrument_settled', `${c.instrument} has expired`);
  const malformed = checkSizeOnLot(instrument, c.size) ?? checkPriceOnTick(instrument, c.price);
  if (malformed) return malformed;
  const buyer = accountIn(state, c.buyer.accountId);
  if (isRejection(buyer)) return buyer;
  const seller = accountIn(state, c.seller.accountId);
  if (isRejection(seller)) return seller;
  if (buyer.id === seller.id) return reject('fill_same_account', 'a fill needs two different accounts');
  const value = fillValueOf(instrument, c.size, c.price);
  const buyLeg = legOf(instrument, buyer, c.buyer, 'buy', c, value);
  if (isRejection(buyLeg)) return buyLeg;
  const sellLeg = legOf(instrument, seller, c.seller, 'sell', c, value);
  if (isRejection(sellLeg)) return sellLeg;
  return accept({
    type: 'FillApplied',
    instrument: c.instrument,
    asset: settlementAssetOf(instrument),
    price: c.price,
    size: c.size,
    value,
    buyer: buyLeg,
    seller: sellLeg,
  });
}

function legOf(
  instrument: LinearInstrument,
  account: AccountState,
  party: FillParty,
  side: Side,
  c: Of<'ApplyFill'>,
  value: Amount,
): FillLeg | Rejection {
  const sizeDelta = sizeOf(side === 'buy' ? c.size : -c.size);
  const position = account.positions.get(c.instrument);
  const before = { size: position?.size ?? sizeOf(0n), entryValue: position?.entryValue ?? amount(0n) };
  const after = positionAfterTrade(instrument.settlement, before, sizeDelta, amount(side === 'buy' ? value : -value));
  if (party.orderId !== undefined) {
    const order = account.orders.get(party.orderId);
    if (order === undefined || order.instrument !== c.instrument || order.side !== side) {
      return reject('fill_order_mismatch', `order ${party.orderId} of ${account.id} is not a ${side} order in ${c.instrument}`);
    }
    if (order.size < c.size) return reject('fill_exceeds_order', `order ${party.orderId} has ${order.size} left`);
    if (order.reduceOnly && absBig(after.sizeAfter) > absBig(before.size)) {
      return reject('fill_violates_reduce_only', `order ${party.orderId} is reduce-only`);
    }
  }
  const fees = instrument.fees;
  const feeRate = fees === undefined ? rate(0n) : c.aggressor === side ? fees.takerRate : fees.makerRate;
  const fee = feeOf(value, feeRate);
  const isolatedMarginDelta =
    account.mode === 'isolated'
      ? isolatedDelta(instrument, account, before.size, after.sizeAfter, c.price, after.realisedPnl - fee)
      : amount(0n);
  return {
    accountId: account.id,
    ...(party.orderId === undefined ? {} : { orderId: party.orderId }),
    sizeDelta,
    sizeAfter: after.sizeAfter,
    entryValueAfter: after.entryValueAfter,
    realisedPnl: after.realisedPnl,
    fee,
    isolatedMarginDelta,
  };
}

/**
 * Isolated positions: a fill that reduces releases margin in proportion; one that grows tops the
 * margin up to the position's IM at the fill price (Binance), from the wallet, as far as it goes.
 */
function isolatedDelta(
  instrument: LinearInstrument,
  account: AccountState,
  sizeBefore: Size,
  sizeAfter: Size,
  fillPrice: Price,
  walletChange: bigint,
): Amount {
  const held = account.positions.get(instrument.symbol)?.isolatedMargin ?? 0n;
  const flips = sizeBefore !== 0n && sizeAfter !== 0n && (sizeBefore > 0n) !== (sizeAfter > 0n);
  const release =
    sizeAfter === 0n || flips
      ? held
      : absBig(sizeAfter) < absBig(sizeBefore)
        ? divFloor(held * (absBig(sizeBefore) - absBig(sizeAfter)), absBig(sizeBefore))
        : 0n;
  const kept = held - release;
  const leverage = account.leverage.get(instrument.symbol);
  const requirement = requirementOf(instrument.margin, {
    position: { ...exposureOf(instrument, sizeAfter, fillPrice), openInterestNotional: 0 },
    ...(leverage === undefined ? {} : { leverage }),
  });
  const needed = amountFromNumber(quoteToSettlement(instrument, requirement.initial, fillPrice), 'ceil');
  const wallet = (account.balances.get(settlementAssetOf(instrument)) ?? 0n) + walletChange + release;
  const topUp = needed > kept && absBig(sizeAfter) > absBig(flips ? 0n : sizeBefore) ? needed - kept : 0n;
  const funded = topUp < wallet ? topUp : wallet > 0n ? wallet : 0n;
  return amount(funded - release);
}
