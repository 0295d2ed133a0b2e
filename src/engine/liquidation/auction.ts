/**
 * Mode (d): Dutch auctions of a slice of the whole portfolio (Lyra v2; docs/methodology/liquidation.md
 * §4 d). A liquidatable cross account all of whose instruments are in `auction` mode is not taken
 * over: the pass starts an auction (`LiquidationAuctionStarted`, with its schedule). Bidders then
 * take a fraction of every position and balance at the current discount off the slice's value at
 * mark (`BidLiquidationAuction`), never more than the fraction that restores MM plus the buffer.
 * The auction ends when the account is back above MM, when nothing is left, when the account is
 * insolvent (its equity is gone: the bankruptcy path takes it down the waterfall) or when it times
 * out (the backstop takes over, as for an expired liquidation order).
 */
import type { AccountMargin } from '../../risk/account/account.js';
import { auctionDurationMs, auctionPaymentOf, discountAt, fractionMaxOf, sliceBalance, sliceUnits } from '../../risk/liquidation/auction.js';
import { chargeOf } from '../../risk/liquidation/fees.js';
import { SYSTEM_ACCOUNT_PREFIX, instrumentLiquidationOf, type LiquidationParams } from '../../risk/liquidation/params.js';
import { settlementAssetOf } from '../../risk/instruments/types.js';
import { RATE_ONE, amount, rate, rateFromNumber, type Amount, type Price, type Rate } from '../../risk/units/quantities.js';
import { absBig, divCeil, divFloor, divHalfEven } from '../../risk/units/rounding.js';
import { apply } from '../apply.js';
import type { Command } from '../commands.js';
import { accept, reject, type Decision, type Rejection, type Stamp } from '../decide/result.js';
import type { EngineEvent } from '../events.js';
import type { AccountState, EngineState } from '../state.js';
import type { AssetAmount, AuctionEndReason, LiquidationAuctionState } from './events.js';
import { assetPriceIn, instrumentIn, isLiquidatable, kappaOf, marginIn, markIn, markValueOf, takeoverEvent, type Takeover } from './ledger.js';
import { marketBlocked } from './markets.js';
import { liquidationParamsIn } from './pass.js';
import { scratchOf, type Scratch } from './scratch.js';
import type { PlanContext } from './waterfall.js';

type Of<T extends Command['type']> = Extract<Command, { type: T }>;

const byId = (a: LiquidationAuctionState, b: LiquidationAuctionState): number => (a.auctionId < b.auctionId ? -1 : a.auctionId > b.auctionId ? 1 : 0);

export function auctionOf(s: EngineState, accountId: string): LiquidationAuctionState | undefined {
  for (const a of s.liquidation.auctions.values()) if (a.accountId === accountId) return a;
  return undefined;
}

/**
 * While its auction runs the owner may only reduce risk: withdrawals and transfers out are refused,
 * and so is an order unless it reduces a position (opposite to it, and with the owner's other
 * orders on that side no larger than it: whatever fills, the position only shrinks). Deposits pass.
 */
export function auctionRestriction(state: EngineState, accountId: string, order?: { readonly instrument: string; readonly side: 'buy' | 'sell'; readonly size: bigint }): Rejection | undefined {
  const auction = auctionOf(state, accountId);
  if (auction === undefined) return undefined;
  const refused = (what: string): Rejection => reject('account_in_liquidation_auction', `${accountId} is in liquidation auction ${auction.auctionId}: ${what}`);
  if (order === undefined) return refused('no funds leave the account until it ends');
  const account = state.accounts.get(accountId);
  const held = account?.positions.get(order.instrument)?.size ?? 0n;
  const sell = order.side === 'sell';
  let resting = 0n;
  for (const o of account?.orders.values() ?? []) if (o.instrument === order.instrument && o.side === order.side) resting += o.size;
  const reduces = (sell ? held > 0n : held < 0n) && resting + order.size <= absBig(held);
  return reduces ? undefined : refused('only orders that reduce a position are accepted until it ends');
}

/** Auctions apply to cross accounts whose every position is in an instrument in `auction` mode. */
export function auctionApplies(ctx: Pick<PlanContext, 's' | 'lp'>, account: AccountState): boolean {
  if (account.mode !== 'cross') return false;
  const held = [...account.positions.values()].filter((p) => p.size !== 0n);
  return held.length > 0 && held.every((p) => instrumentLiquidationOf(ctx.lp, p.instrument).execution === 'auction');
}

/** Put the account up for auction (the pass's step in mode d); nothing if one is running. */
export function startAuction(ctx: PlanContext, accountId: string, m: AccountMargin): void {
  const { s, lp, stamp } = ctx;
  if (auctionOf(s, accountId) !== undefined) return;
  const account = s.accounts.peek(accountId) as AccountState;
  const first = [...account.positions.keys()].sort()[0];
  if (first === undefined) throw new Error(`Invariant: auction of ${accountId} without positions`);
  ctx.emit({
    type: 'LiquidationAuctionStarted',
    auctionId: `auction:${stamp.seq}:${accountId}`,
    accountId,
    asset: settlementAssetOf(instrumentIn(s, first)),
    startMs: stamp.timestampMs,
    endMs: stamp.timestampMs + auctionDurationMs(lp.auction),
    schedule: lp.auction,
    equity: m.equity,
    collateralMaintenance: m.collateralMaintenance,
    maintenanceMargin: m.maintenanceMargin,
    marginRatio: m.marginRatio,
  });
}

/**
 * The pass's look at running auctions, before it selects accounts: an auction ends when it has
 * timed out, when its account is insolvent, back above MM, or has nothing left. Returns the
 * accounts the backstop must take now (timed out or insolvent), like expired liquidation orders.
 */
export function settleAuctions(ctx: PlanContext): string[] {
  const { s, stamp } = ctx;
  const forced: string[] = [];
  for (const a of [...s.liquidation.auctions.values()].sort(byId)) {
    const account = s.accounts.peek(a.accountId) as AccountState;
    const m = marginIn(s, account);
    let reason: AuctionEndReason | undefined;
    if (stamp.timestampMs >= a.endMs) reason = 'expired';
    else if (m === undefined) continue; // a price is missing: it waits
    else if (m.status === 'bankrupt') reason = 'insolvent';
    else if (!isLiquidatable(m.status)) reason = 'recovered';
    else if (account.positions.size === 0) reason = 'liquidated';
    if (reason === undefined) continue;
    ctx.emit({ type: 'LiquidationAuctionEnded', auctionId: a.auctionId, accountId: a.accountId, reason });
    if (reason === 'expired' || reason === 'insolvent') forced.push(a.accountId);
  }
  return forced;
}

/** A quantity of `from` valued in `to` at the oracle prices, rounded down (a debt's value up). */
function valueIn(s: EngineState, quantity: bigint, from: string, to: string): bigint | undefined {
  if (from === to || quantity === 0n) return quantity;
  const pFrom = assetPriceIn(s, from);
  const pTo = assetPriceIn(s, to);
  if (pFrom === undefined || pTo === undefined) return undefined;
  return quantity > 0n ? divFloor(quantity * pFrom, pTo) : -divCeil(-quantity * pFrom, pTo);
}

interface Slice {
  readonly takeovers: Omit<Takeover, 'accountId' | 'takerId' | 'kind' | 'fundLoss'>[];
  readonly collateral: AssetAmount[];
  /** The slice's value at mark in the auction's asset: its positions' PnL plus its balances. */
  readonly value: Amount;
}

/**
 * `fraction` of every position (rounded down to the lot, at its share of the entry value: the
 * account realises nothing, the bidder takes the slice's PnL with it) and of every balance
 * (rounded toward zero). Undefined when a price is missing.
 */
function sliceOf(s: EngineState, account: AccountState, asset: string, fraction: bigint): Slice | undefined {
  const f = rate(fraction);
  const takeovers: Slice['takeovers'][number][] = [];
  let value = 0n;
  for (const symbol of [...account.positions.keys()].sort()) {
    const p = account.positions.get(symbol);
    if (p === undefined || p.size === 0n) continue;
    const instrument = instrumentIn(s, symbol);
    const units = sliceUnits(p.size, f, instrument.lot);
    const mark: Price | undefined = markIn(s, symbol);
    if (mark === undefined) return undefined;
    if (units === 0n) continue;
    const sizeAfter = p.size > 0n ? p.size - units : p.size + units;
    const entryShare = amount(absBig(p.entryValue - divHalfEven(p.entryValue * sizeAfter, p.size)));
    const markValue = markValueOf(instrument, units, mark);
    const pnl = valueIn(s, BigInt(kappaOf(instrument, p.size)) * (markValue - entryShare), settlementAssetOf(instrument), asset);
    if (pnl === undefined) return undefined;
    value += pnl;
    takeovers.push({ instrument, size: units, value: entryShare, markValue });
  }
  const collateral: AssetAmount[] = [];
  for (const [a, balance] of [...account.balances].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const share = sliceBalance(balance, f);
    if (share === 0n) continue;
    const v = valueIn(s, share, a, asset);
    if (v === undefined) return undefined;
    value += v;
    collateral.push({ asset: a, amount: share });
  }
  return { takeovers, collateral, value: amount(value) };
}

/** CM_after / MM_after >= CM_before / MM_before, exactly (or no requirement left and CM >= 0). */
function keepsRatio(before: AccountMargin, after: AccountMargin): boolean {
  if (after.maintenanceMargin === 0n) return after.collateralMaintenance >= 0n;
  return after.collateralMaintenance * before.maintenanceMargin >= before.collateralMaintenance * after.maintenanceMargin;
}

function recordStatus(s: Scratch, emit: (e: EngineEvent) => void, accountId: string): AccountMargin | undefined {
  const m = marginIn(s, s.accounts.peek(accountId) as AccountState);
  if (m === undefined) return undefined;
  const from = s.liquidation.statuses.get(accountId) ?? 'healthy';
  if (from !== m.status) emit({ type: 'AccountStatusChanged', accountId, from, to: m.status, marginRatio: m.marginRatio });
  return m;
}

/** The bidder: an existing cross account of a customer, not the account auctioned. */
function bidderProblem(state: EngineState, auction: LiquidationAuctionState, liquidatorId: unknown): Decision | undefined {
  if (typeof liquidatorId !== 'string') return reject('account_unknown', 'liquidatorId names the bidding account');
  if (liquidatorId === auction.accountId) return reject('auction_bid_on_own_account', `${liquidatorId} may not bid on its own auction ${auction.auctionId}`);
  if (liquidatorId.startsWith(SYSTEM_ACCOUNT_PREFIX)) return reject('account_id_reserved', `${liquidatorId} is the venue's own account: it takes over through the backstop`);
  const bidder = state.accounts.get(liquidatorId);
  if (bidder === undefined) return reject('account_unknown', `no account ${liquidatorId}`);
  if (bidder.mode !== 'cross') return reject('liquidation_mode_unsupported', `bidder ${liquidatorId} is ${bidder.mode}: only cross accounts bid`);
  return undefined;
}

/** The account's largest fraction at this discount (the buffer is a share of its cross notional). */
function fractionMaxNow(lp: LiquidationParams, m: AccountMargin, discount: Rate): Rate {
  const notional = m.pools[0]?.positions.reduce((t, p) => t + absBig(p.notional), 0n) ?? 0n;
  const buffer = rateFromNumber(lp.buffer, 'halfEven');
  return fractionMaxOf({
    collateralMaintenance: m.collateralMaintenance,
    maintenanceMargin: m.maintenanceMargin,
    bufferAmount: amount(divCeil(notional * buffer, RATE_ONE)),
    equity: m.equity,
    discount,
    insuranceFee: lp.insuranceFee,
  });
}

/**
 * `BidLiquidationAuction`: the bidder takes `fraction` of the account as it is now, at the discount
 * of the command's stamp. Refused, with nothing changed, when the auction is unknown or over, the
 * bidder is not a customer's other cross account, the account's prices are unreliable, it is no
 * longer liquidatable or is insolvent, or the fraction is above the auction's maximum; and, tried on
 * a copy, when the bid would lower the account's margin ratio or take it below zero equity, or the
 * bidder would not cover its own IM afterwards.
 */
export function decideBidLiquidationAuction(state: EngineState, c: Of<'BidLiquidationAuction'>, stamp: Stamp): Decision {
  if (state.params === undefined) return reject('engine_not_initialised', 'the engine has no parameters yet');
  const auction = typeof c.auctionId === 'string' ? state.liquidation.auctions.get(c.auctionId) : undefined;
  if (auction === undefined) return reject('liquidation_auction_unknown', `no running auction ${String(c.auctionId)}`);
  if (typeof c.fraction !== 'bigint' || c.fraction <= 0n || c.fraction > RATE_ONE) {
    return reject('auction_bid_fraction_invalid', 'fraction is a share of the account in (0, 1]');
  }
  const limitRejection = limitProblem(c);
  if (limitRejection !== undefined) return limitRejection;
  if (stamp.timestampMs >= auction.endMs) return reject('liquidation_auction_ended', `auction ${auction.auctionId} ended at ${auction.endMs}`);
  const bidderRejection = bidderProblem(state, auction, c.liquidatorId);
  if (bidderRejection !== undefined) return bidderRejection;
  const lp = liquidationParamsIn(state);
  const account = state.accounts.get(auction.accountId) as AccountState;
  const blocked = marketBlocked(state, lp, account);
  if (blocked !== undefined) return blocked;
  const m = marginIn(state, account);
  if (m === undefined) return reject('price_missing', `account ${account.id} cannot be valued: a price is missing`);
  if (m.status === 'bankrupt') return reject('liquidation_auction_insolvent', `account ${account.id} is insolvent: the bankruptcy path takes it in the next pass`);
  if (!isLiquidatable(m.status)) return reject('account_not_liquidatable', `account ${account.id} is ${m.status}: the auction ends in the next pass`);
  const discount = discountAt(auction.schedule, Math.max(0, stamp.timestampMs - auction.startMs));
  const fractionMax = fractionMaxNow(lp, m, discount);
  if (c.fraction > fractionMax) {
    return reject('auction_bid_exceeds_max_fraction', `at most ${fractionMax} / 10^12 of ${account.id} restores MM plus the buffer now: more would take more than needed`);
  }
  const slice = sliceOf(state, account, auction.asset, c.fraction);
  if (slice === undefined) return reject('price_missing', `account ${account.id} cannot be valued: a price is missing`);
  const payment = auctionPaymentOf(slice.value, discount);
  if (c.discountMin !== undefined && discount < c.discountMin) {
    return reject('auction_bid_beyond_limit', `the discount is ${discount} / 10^12 now, below the bid's least ${c.discountMin} / 10^12`);
  }
  if (c.paymentMax !== undefined && payment > c.paymentMax) {
    return reject('auction_bid_beyond_limit', `the slice costs ${payment} (1e-8 ${auction.asset}) now, above the bid's most ${c.paymentMax}`);
  }
  const limits = { ...(c.paymentMax === undefined ? {} : { paymentMax: c.paymentMax }), ...(c.discountMin === undefined ? {} : { discountMin: c.discountMin }) };
  return executeBid(state, { auction, bidderId: c.liquidatorId, fraction: rate(c.fraction), fractionMax, discount, slice, payment, before: m, insuranceFeeRate: lp.insuranceFee, limits });
}

/** The bid's optional limits: a payment of at least zero, a discount in [0, 1]. */
function limitProblem(c: Of<'BidLiquidationAuction'>): Decision | undefined {
  if (c.paymentMax !== undefined && (typeof c.paymentMax !== 'bigint' || c.paymentMax < 0n)) {
    return reject('auction_bid_limit_invalid', 'paymentMax is the most the bidder pays, an amount >= 0 in the auction\'s asset');
  }
  if (c.discountMin !== undefined && (typeof c.discountMin !== 'bigint' || c.discountMin < 0n || c.discountMin > RATE_ONE)) {
    return reject('auction_bid_limit_invalid', 'discountMin is the least discount the bidder accepts, a rate in [0, 1]');
  }
  return undefined;
}

interface Bid {
  readonly auction: LiquidationAuctionState;
  readonly bidderId: string;
  readonly fraction: Rate;
  readonly fractionMax: Rate;
  readonly discount: Rate;
  readonly slice: Slice;
  readonly payment: Amount;
  readonly before: AccountMargin;
  readonly insuranceFeeRate: Rate;
  readonly limits: { readonly paymentMax?: Amount; readonly discountMin?: Rate };
}

/** The bid's events, planned on a copy and checked there: the account's ratio and equity, the bidder's IM. */
function executeBid(state: EngineState, bid: Bid): Decision {
  const { auction, bidderId, slice, payment, before: m } = bid;
  const accountId = auction.accountId;
  // The fund's fee on the slice never exceeds what the bidder pays: the account's cash never falls.
  const fee = chargeOf(amount(slice.value > 0n ? slice.value : 0n), bid.insuranceFeeRate);
  const s = scratchOf(state);
  const events: EngineEvent[] = [];
  const emit = (e: EngineEvent): void => {
    apply(s, e);
    events.push(e);
  };
  emit({
    type: 'LiquidationAuctionBid',
    auctionId: auction.auctionId,
    accountId,
    liquidatorId: bidderId,
    fraction: bid.fraction,
    fractionMax: bid.fractionMax,
    discount: bid.discount,
    asset: auction.asset,
    sliceValue: slice.value,
    payment,
    insuranceFee: amount(fee < payment ? fee : payment),
    collateral: slice.collateral,
    equity: m.equity,
    collateralMaintenance: m.collateralMaintenance,
    maintenanceMargin: m.maintenanceMargin,
    ...bid.limits,
  });
  for (const t of slice.takeovers) {
    const from = s.accounts.peek(accountId) as AccountState;
    const to = s.accounts.peek(bidderId) as AccountState;
    emit(takeoverEvent(from, to, { ...t, accountId, takerId: bidderId, kind: 'auction', fundLoss: amount(0n) }));
  }
  const closed = (s.accounts.peek(accountId)?.positions.size ?? 0) === 0;
  const after = marginIn(s, s.accounts.peek(accountId) as AccountState);
  if (after === undefined) return reject('price_missing', `account ${accountId} cannot be valued: a price is missing`);
  if (after.equity < 0n) return reject('liquidation_auction_insolvent', `the bid would take ${accountId} below zero equity`);
  if (!closed && !keepsRatio(m, after)) return reject('auction_bid_lowers_margin_ratio', `the bid would lower the margin ratio of ${accountId}: bid earlier or for more`);
  const bidderAfter = marginIn(s, s.accounts.peek(bidderId) as AccountState)?.pools[0];
  if (bidderAfter === undefined || bidderAfter.collateralInitial < bidderAfter.initialMargin) {
    return reject('bidder_initial_margin_insufficient', `${bidderId} would not cover its initial margin after taking the slice`);
  }
  recordStatus(s, emit, bidderId);
  const status = recordStatus(s, emit, accountId)?.status ?? after.status;
  const reason: AuctionEndReason | undefined = !isLiquidatable(status) ? 'recovered' : closed ? 'liquidated' : undefined;
  if (reason !== undefined) emit({ type: 'LiquidationAuctionEnded', auctionId: auction.auctionId, accountId, reason });
  return accept(...events);
}
