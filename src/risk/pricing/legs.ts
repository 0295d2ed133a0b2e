/**
 * The discounted legs of a European option: S e^-qT and K e^-rT, whose difference is the
 * discounted intrinsic value of the forward F = S e^((r-q)T). Shared by the pricer and the
 * implied-vol solver so that both discount identically.
 */
export interface LegsInput {
  readonly spot: number;
  readonly strike: number;
  readonly rate: number;
  readonly yield: number;
  readonly timeYears: number;
}

export interface Legs {
  /** e^-qT */
  readonly yieldDiscount: number;
  /** e^-rT */
  readonly rateDiscount: number;
  /** S e^-qT, the value today of one unit of the underlying delivered at T. */
  readonly spotYield: number;
  /** K e^-rT, the value today of the strike paid at T. */
  readonly strikeRate: number;
}

export function bsmLegs(input: LegsInput): Legs {
  const yieldDiscount = Math.exp(-input.yield * input.timeYears);
  const rateDiscount = Math.exp(-input.rate * input.timeYears);
  return {
    yieldDiscount,
    rateDiscount,
    spotYield: input.spot * yieldDiscount,
    strikeRate: input.strike * rateDiscount,
  };
}
