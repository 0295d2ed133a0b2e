/**
 * Moving averages over time, exact in bigint, with time as an argument and bounded memory.
 *
 * `SlotAverage`: one sample per slot of `periodMs` (the first value offered in the slot), the plain
 * mean of the samples whose slot lies within the last `windowMs`, rounded half-even. Binance's
 * MA(basis) samples once a minute over 30 minutes; a TWAP of published prices is the same
 * structure. A slot with no sample (an outage) is left out rather than filled.
 *
 * `TimeEma`: an exponential moving average with time constant tau, alpha = 1 - exp(-dt / tau) for
 * a step of dt (Deribit's 30-second EMA of the basis). alpha is a float rounded to the rate scale
 * (12 decimals), then applied exactly; the result rounds half-even.
 */
import { RATE_ONE } from '../risk/units/quantities.js';
import { divHalfEven } from '../risk/units/rounding.js';

export class SlotAverage {
  private readonly samples: { readonly slot: number; readonly value: bigint }[] = [];
  private readonly slotsInWindow: number;

  constructor(
    windowMs: number,
    private readonly periodMs: number,
  ) {
    this.slotsInWindow = Math.max(1, Math.floor(windowMs / periodMs));
  }

  /** Offer a value at a time; only the first of each slot is kept. Returns whether it was kept. */
  offer(nowMs: number, value: bigint): boolean {
    const slot = Math.floor(nowMs / this.periodMs);
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && last.slot >= slot) return false;
    this.samples.push({ slot, value });
    this.trim(nowMs);
    return true;
  }

  /** The mean over the window ending now, or undefined without samples. */
  averageAt(nowMs: number): bigint | undefined {
    this.trim(nowMs);
    if (this.samples.length === 0) return undefined;
    let total = 0n;
    for (const s of this.samples) total += s.value;
    return divHalfEven(total, BigInt(this.samples.length));
  }

  get count(): number {
    return this.samples.length;
  }

  private trim(nowMs: number): void {
    // Slots (oldest, current]: the window holds slotsInWindow slots ending with the current one.
    const oldest = Math.floor(nowMs / this.periodMs) - this.slotsInWindow;
    while ((this.samples[0]?.slot ?? Infinity) <= oldest) this.samples.shift();
  }
}

export class TimeEma {
  private value: bigint | undefined;
  private lastMs = 0;

  constructor(private readonly tauMs: number) {}

  update(nowMs: number, x: bigint): bigint {
    if (this.value === undefined) {
      this.value = x;
    } else {
      const dt = Math.max(0, nowMs - this.lastMs);
      const alpha = BigInt(Math.round((1 - Math.exp(-dt / this.tauMs)) * Number(RATE_ONE)));
      this.value += divHalfEven((x - this.value) * alpha, RATE_ONE);
    }
    this.lastMs = Math.max(this.lastMs, nowMs);
    return this.value;
  }

  get current(): bigint | undefined {
    return this.value;
  }
}
