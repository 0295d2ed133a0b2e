/** Time is an input (DESIGN.md D4): the shell reads a Clock once per command to stamp it. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that moves only when told to: for tests and simulations. */
export class ManualClock implements Clock {
  constructor(private timeMs = 0) {}

  nowMs(): number {
    return this.timeMs;
  }

  set(timeMs: number): void {
    this.timeMs = timeMs;
  }

  advance(deltaMs: number): void {
    this.timeMs += deltaMs;
  }
}
