/**
 * Published parameter tables as a user writes them in a document (decimal strings), shared by the
 * tests that check figures computed from them.
 */

/** The historical Binance BTCUSDT table of METHODS.md §1.1: [notional floor, MMR, leverage max]. */
export const BINANCE_BTCUSDT_ROWS = [
  ['0', '0.004', '125'],
  ['50000', '0.005', '100'],
  ['250000', '0.01', '50'],
  ['1000000', '0.025', '20'],
  ['10000000', '0.05', '10'],
  ['20000000', '0.1', '5'],
  ['50000000', '0.125', '4'],
  ['100000000', '0.15', '3'],
  ['200000000', '0.25', '2'],
  ['300000000', '0.5', '1'],
] as const;
