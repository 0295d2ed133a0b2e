/** Option pricing maths: normal distribution, Black-Scholes-Merton and Black-76, implied vol,
 * vol surfaces, and European linear and inverse options. Pure float64 functions. */
export { PricingInputError } from './inputs.js';
export { erf, erfc, normCdf, normInv, normPdf } from './normal.js';
export { black76, bsm } from './blackScholes.js';
export type { Black76Input, BsmInput, Greeks, OptionKind } from './blackScholes.js';
export { impliedVol, impliedVolBlack76 } from './impliedVol.js';
export type { ImpliedVolBlack76Input, ImpliedVolInput, ImpliedVolNoneReason, ImpliedVolResult } from './impliedVol.js';
export {
  GRID_POINTS_MAX,
  SLICES_MAX,
  checkSviParams,
  makeVolSlice,
  makeVolSurface,
  sliceTotalVariance,
  sliceVol,
  surfaceForward,
  surfaceTotalVariance,
  surfaceVol,
  sviTotalVariance,
} from './volSurface.js';
export type { GridPoint, Smile, SmileInput, SviParams, VolSlice, VolSliceInput, VolSurface } from './volSurface.js';
export { settlementValue, valueInverseOption, valueLinearOption, valueOption } from './options.js';
export type {
  EuropeanOption,
  InverseOptionValuation,
  LinearOptionValuation,
  OptionMarket,
  OptionSettlement,
  OptionValuation,
  SettlementValue,
} from './options.js';
