/**
 * The naive baseline of the kernel benchmark: what a straightforward implementation does, with
 * plain objects (an account holds an array of position objects and a record of balances) and
 * decimal.js arithmetic throughout (PnL, notional, brackets, haircuts, ratio). It computes the same
 * figures as the kernel for the benchmark's venue (brackets, flat and tiered collateral), so the
 * two are timed on the same work.
 */
import { Decimal } from 'decimal.js';
import { COLLATERAL_PRESETS } from '../src/config/presets.js';
import type { RiskParams } from '../src/risk/account/types.js';
import type { HaircutSchedule } from '../src/risk/collateral/types.js';
import { resolveBrackets } from '../src/risk/margin/brackets.js';
import { BTC_PRICE_UNITS, balancesOf, INSTRUMENT_COUNT, markUnits, positionOf, POSITIONS_PER_ACCOUNT, symbolOf } from './kernelBook.js';

interface NaiveBracket {
  readonly floor: Decimal;
  readonly rate: Decimal;
  readonly amount: Decimal;
  readonly leverage: Decimal;
}

export interface NaiveInstrument {
  readonly symbol: string;
  readonly contractSize: Decimal;
  readonly brackets: readonly NaiveBracket[];
}

export interface NaivePosition {
  readonly instrument: NaiveInstrument;
  size: Decimal;
  entryValue: Decimal;
  buy: Decimal;
  sell: Decimal;
}

export interface NaiveAccount {
  readonly id: string;
  readonly balances: Record<string, Decimal>;
  readonly positions: NaivePosition[];
}

export interface NaiveMarket {
  readonly marks: Record<string, Decimal>;
  readonly prices: Record<string, Decimal>;
}

export interface NaiveFigures {
  readonly initialMargin: Decimal;
  readonly maintenanceMargin: Decimal;
  readonly collateralInitial: Decimal;
  readonly collateralMaintenance: Decimal;
  readonly status: string;
}

const E8 = new Decimal(100_000_000);

export function naiveInstruments(params: RiskParams): NaiveInstrument[] {
  return [...params.instruments.values()].map((spec) => {
    if (spec.margin.model !== 'brackets') throw new Error('the naive baseline models brackets only');
    return {
      symbol: spec.symbol,
      contractSize: new Decimal(spec.contractSize.toString()).div(E8),
      brackets: resolveBrackets(spec.margin.brackets).map((b) => ({
        floor: new Decimal(b.notionalFloor),
        rate: new Decimal(b.maintenanceRate),
        amount: new Decimal(b.maintenanceAmount),
        leverage: new Decimal(b.leverageMax),
      })),
    };
  });
}

export function naiveMarket(move = 0): NaiveMarket {
  const marks: Record<string, Decimal> = {};
  for (let i = 0; i < INSTRUMENT_COUNT; i++) marks[symbolOf(i)] = new Decimal(markUnits(i, move)).div(E8);
  return { marks, prices: { USDT: new Decimal(1), BTC: new Decimal(BTC_PRICE_UNITS).div(E8) } };
}

/** The benchmark book's account a as plain objects. */
export function naiveAccount(a: number, accounts: number, hotHolders: number, instruments: readonly NaiveInstrument[]): NaiveAccount {
  const positions: NaivePosition[] = [];
  let notional = 0;
  for (let k = 0; k < POSITIONS_PER_ACCOUNT; k++) {
    const p = positionOf(a, k, accounts, hotHolders);
    positions.push({
      instrument: instruments[p.instrument] as NaiveInstrument,
      size: new Decimal(p.sizeUnits).div(E8),
      entryValue: new Decimal(p.entryUnits).div(E8),
      buy: new Decimal(0),
      sell: new Decimal(0),
    });
    notional += Math.abs((p.sizeUnits * markUnits(p.instrument)) / 1e8);
  }
  const b = balancesOf(a, notional);
  const balances: Record<string, Decimal> = { USDT: new Decimal(b.usdtUnits).div(E8) };
  if (b.btcUnits > 0) balances['BTC'] = new Decimal(b.btcUnits).div(E8);
  return { id: `a${a}`, balances, positions };
}

function requirement(instrument: NaiveInstrument, size: Decimal, mark: Decimal): { initial: Decimal; maintenance: Decimal } {
  const notional = size.times(instrument.contractSize).times(mark).abs();
  let bracket = instrument.brackets[0] as NaiveBracket;
  for (const b of instrument.brackets) {
    if (b.floor.lte(notional)) bracket = b;
    else break;
  }
  const maintenance = Decimal.max(0, notional.times(bracket.rate).minus(bracket.amount));
  const initial = Decimal.max(notional.div(bracket.leverage), maintenance);
  return { initial, maintenance };
}

/** The book's BTC collateral (bench/kernelBook.ts uses the same preset). */
const BYBIT_BTC: HaircutSchedule = (COLLATERAL_PRESETS['bybit-btc-tiered'] as { initial: HaircutSchedule }).initial;

function collateralValue(asset: string, quantity: Decimal, unitPrice: Decimal): Decimal {
  if (quantity.lte(0)) return quantity.times(unitPrice); // liabilities at weight 1
  if (asset !== 'BTC' || BYBIT_BTC.kind !== 'tiered') return quantity.times(unitPrice);
  let weighted = new Decimal(0);
  BYBIT_BTC.tiers.forEach((tier, i) => {
    const next = BYBIT_BTC.tiers[i + 1]?.floor;
    const top = next === undefined ? quantity : Decimal.min(quantity, next);
    const band = Decimal.max(0, top.minus(tier.floor));
    weighted = weighted.plus(band.times(tier.weight));
  });
  return weighted.times(unitPrice);
}

/** IM, MM, collateral and status of one account, every figure a Decimal. */
export function naiveMargin(account: NaiveAccount, market: NaiveMarket): NaiveFigures {
  let initialMargin = new Decimal(0);
  let maintenanceMargin = new Decimal(0);
  let pnl = new Decimal(0);
  for (const p of account.positions) {
    const mark = market.marks[p.instrument.symbol] as Decimal;
    pnl = pnl.plus(p.size.times(p.instrument.contractSize).times(mark).minus(p.entryValue));
    const held = requirement(p.instrument, p.size, mark);
    let initial = held.initial;
    if (p.buy.gt(0)) initial = Decimal.max(initial, requirement(p.instrument, p.size.plus(p.buy), mark).initial);
    if (p.sell.gt(0)) initial = Decimal.max(initial, requirement(p.instrument, p.size.minus(p.sell), mark).initial);
    initialMargin = initialMargin.plus(initial.toDecimalPlaces(8, Decimal.ROUND_CEIL));
    maintenanceMargin = maintenanceMargin.plus(held.maintenance.toDecimalPlaces(8, Decimal.ROUND_CEIL));
  }
  let collateral = new Decimal(0);
  for (const [asset, balance] of Object.entries(account.balances)) {
    const quantity = asset === 'USDT' ? balance.plus(pnl) : balance;
    collateral = collateral.plus(collateralValue(asset, quantity, market.prices[asset] as Decimal).toDecimalPlaces(8, Decimal.ROUND_FLOOR));
  }
  if (account.balances['USDT'] === undefined) collateral = collateral.plus(pnl);
  const ratio = maintenanceMargin.gt(0) ? collateral.div(maintenanceMargin) : new Decimal(Infinity);
  const status = collateral.lt(0) ? 'bankrupt' : ratio.lt(1) ? 'liquidatable' : ratio.lt(1.2) ? 'reduce_only' : ratio.lt(1.5) ? 'margin_call' : 'healthy';
  return { initialMargin, maintenanceMargin, collateralInitial: collateral, collateralMaintenance: collateral, status };
}

/** The naive pre-trade check: the account's IM with the order resting, against its collateral. */
export function naiveCheck(account: NaiveAccount, market: NaiveMarket, position: number, side: 'buy' | 'sell', size: Decimal): boolean {
  const p = account.positions[position] as NaivePosition;
  const before = naiveMargin(account, market);
  if (side === 'buy') p.buy = p.buy.plus(size);
  else p.sell = p.sell.plus(size);
  const after = naiveMargin(account, market);
  if (side === 'buy') p.buy = p.buy.minus(size);
  else p.sell = p.sell.minus(size);
  if (after.initialMargin.lte(before.initialMargin)) return true;
  return after.initialMargin.lte(after.collateralInitial);
}
