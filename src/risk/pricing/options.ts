/**
 * European cash-settled options on a crypto underlying, as listed by Deribit:
 * - linear (quote-settled, e.g. USDC options): value in the quote asset per 1 unit of underlying;
 *   at expiry a call pays max(S - K, 0) quote, a put max(K - S, 0).
 * - inverse (coin-settled, e.g. BTC options margined in BTC): value in coin per 1 unit of
 *   underlying; at expiry a call pays max(S - K, 0) / S coin, a put max(K - S, 0) / S.
 *
 * Before expiry both are priced with Black-76 on the expiry forward F. Deribit discounts at a 0%
 * rate ("the implied volatility displayed uses the forward, rather than the index, as the
 * underlying price", Deribit support, "Inverse Options"); `rate` is an input so that 0 is a
 * preset, not a constant. An inverse option's coin value is its quote value divided by the index
 * price S (Deribit: "the price in USD is calculated by using the latest index price"), which is
 * exact: the quote value converts to coin at today's exchange rate. So, for every option,
 * inverse value * S = linear value.
 *
 * Coin Greeks of an inverse option (F/S held fixed when the index moves, i.e. a constant basis):
 * - deltaCoin = S dV_coin/dS = (F/S) dV/dF - V_coin: the coin P&L per unit relative move of the
 *   index, which is Deribit's "net transaction delta" (Black-Scholes delta minus the coin mark:
 *   a call with delta 0.50 bought for 0.10 BTC adds 0.40 to DeltaTotal, Deribit FAQ);
 * - vegaCoin = vega / S and thetaCoin = theta / S (the index does not move).
 * Gamma is left in quote terms (greeksQuote.gamma), as Deribit reports it.
 */
import { black76 } from './blackScholes.js';
import type { Greeks, OptionKind } from './blackScholes.js';
import { optionInputInvalid, requireFinite, requireNonNegative, requirePositive } from './inputs.js';

export type OptionSettlement = 'linear' | 'inverse';

export interface EuropeanOption {
  readonly kind: OptionKind;
  readonly strike: number;
  readonly settlement: OptionSettlement;
}

export interface OptionMarket {
  /** The forward to the option's expiry, quote per unit of underlying. */
  readonly forward: number;
  /** The spot index, quote per unit of underlying; converts quote values to coin. */
  readonly indexPrice: number;
  readonly vol: number;
  readonly timeYears: number;
  /** Discount rate of the payoff; 0 on Deribit. */
  readonly rate: number;
}

export interface LinearOptionValuation {
  readonly settlement: 'linear';
  /** Quote per unit of underlying. */
  readonly valueQuote: number;
  /** Black-76 Greeks in quote; delta and gamma are with respect to the forward. */
  readonly greeksQuote: Greeks;
}

export interface InverseOptionValuation {
  readonly settlement: 'inverse';
  /** Coin per unit of underlying. */
  readonly valueCoin: number;
  /** Coin P&L per unit relative move of the index (Deribit's net transaction delta). */
  readonly deltaCoin: number;
  /** Coin per 1.00 of vol. */
  readonly vegaCoin: number;
  /** Coin per year. */
  readonly thetaCoin: number;
  /** The Black-76 Greeks of the same option in quote. */
  readonly greeksQuote: Greeks;
}

export type OptionValuation = LinearOptionValuation | InverseOptionValuation;

export type SettlementValue =
  | { readonly settlement: 'linear'; readonly valueQuote: number }
  | { readonly settlement: 'inverse'; readonly valueCoin: number };

function quoteGreeks(option: EuropeanOption, market: OptionMarket): Greeks {
  return black76({
    kind: option.kind,
    forward: market.forward,
    strike: option.strike,
    rate: market.rate,
    vol: market.vol,
    timeYears: market.timeYears,
  });
}

/**
 * Worked (linear): call K 100,000, F 100,000, vol 60%, T 30/365, r 0: Black-76 gives
 * 100,000 (2 N(0.3 sqrt(30/365)) - 1) = 6,853.94 USDC per BTC.
 */
export function valueLinearOption(option: EuropeanOption, market: OptionMarket): LinearOptionValuation {
  const greeksQuote = quoteGreeks(option, market);
  return { settlement: 'linear', valueQuote: greeksQuote.price, greeksQuote };
}

/**
 * Worked (inverse): the same call with the index at 99,500 is worth 6,853.94 / 99,500
 * = 0.068884 BTC.
 */
export function valueInverseOption(option: EuropeanOption, market: OptionMarket): InverseOptionValuation {
  requirePositive('indexPrice', market.indexPrice);
  const greeksQuote = quoteGreeks(option, market);
  const index = market.indexPrice;
  const valueCoin = greeksQuote.price / index;
  return {
    settlement: 'inverse',
    valueCoin,
    deltaCoin: (market.forward / index) * greeksQuote.delta - valueCoin,
    vegaCoin: greeksQuote.vega / index,
    thetaCoin: greeksQuote.theta / index,
    greeksQuote,
  };
}

export function valueOption(option: EuropeanOption, market: OptionMarket): OptionValuation {
  switch (option.settlement) {
    case 'linear':
      return valueLinearOption(option, market);
    case 'inverse':
      return valueInverseOption(option, market);
    default:
      throw optionInputInvalid('settlement must be linear or inverse');
  }
}

/**
 * The payoff at expiry against the settlement price S (Deribit: the 30-minute TWAP of the index).
 * Worked (Deribit support, "Inverse Options"): call K 100,000 settled at 125,000 pays 25,000 USD,
 * that is 25,000 / 125,000 = 0.2 BTC per inverse contract.
 */
export function settlementValue(option: EuropeanOption, settlementPrice: number): SettlementValue {
  requireNonNegative('strike', option.strike);
  requireFinite('settlementPrice', settlementPrice);
  const moneyness = option.kind === 'call' ? settlementPrice - option.strike : option.strike - settlementPrice;
  const payoff = Math.max(moneyness, 0);
  switch (option.settlement) {
    case 'linear':
      requireNonNegative('settlementPrice', settlementPrice);
      return { settlement: 'linear', valueQuote: payoff };
    case 'inverse':
      requirePositive('settlementPrice', settlementPrice);
      return { settlement: 'inverse', valueCoin: payoff / settlementPrice };
    default:
      throw optionInputInvalid('settlement must be linear or inverse');
  }
}
