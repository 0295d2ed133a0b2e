/**
 * The liquidation queue: the accounts that are liquidatable or bankrupt, worst first, in a bounded
 * binary heap (STYLE.md habit 10). Worst means: bankrupt before liquidatable, then the lower margin
 * ratio (an account without a ratio, no MM, counts as the lowest), then the lower account index, so
 * that the order is total and deterministic.
 *
 * The queue holds at most `capacity` accounts. When more qualify, it keeps the worst: a newcomer
 * worse than the least bad member takes its place (a second heap, ordered the other way, finds that
 * member in O(log n)); otherwise it is left out and `overflowed` is set. `refill` rescans the
 * status column once the planner has made room, so nobody is lost for good.
 */
import { STATUS_BANKRUPT, STATUS_LIQUIDATABLE } from './status.js';
import { growF64, growU8, nextCapacity } from './store.js';

class IndexedHeap {
  readonly items: Int32Array;
  size = 0;
  position: Int32Array;

  /** `worstFirst`: the root is the worst account; otherwise the least bad. */
  constructor(
    capacity: number,
    accounts: number,
    private readonly queue: LiquidationQueue,
    private readonly worstFirst: boolean,
  ) {
    this.items = new Int32Array(capacity);
    this.position = new Int32Array(accounts).fill(-1);
  }

  private above(x: number, y: number): boolean {
    return this.worstFirst ? this.queue.worse(x, y) : this.queue.worse(y, x);
  }

  insert(account: number): void {
    const at = this.size++;
    this.items[at] = account;
    this.position[account] = at;
    this.up(at);
  }

  remove(account: number): void {
    const at = this.position[account]!;
    this.position[account] = -1;
    const last = --this.size;
    if (at === last) return;
    const moved = this.items[last]!;
    this.items[at] = moved;
    this.position[moved] = at;
    this.up(at);
    this.down(this.position[moved]!);
  }

  /** Restores order after the account's key changed. */
  fix(account: number): void {
    const at = this.position[account]!;
    this.up(at);
    this.down(this.position[account]!);
  }

  private up(at: number): void {
    const items = this.items;
    const account = items[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const other = items[parent]!;
      if (!this.above(account, other)) break;
      items[at] = other;
      this.position[other] = at;
      at = parent;
    }
    items[at] = account;
    this.position[account] = at;
  }

  private down(at: number): void {
    const items = this.items;
    const account = items[at]!;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && this.above(items[right]!, items[left]!) ? right : left;
      const other = items[child]!;
      if (!this.above(other, account)) break;
      items[at] = other;
      this.position[other] = at;
      at = child;
    }
    items[at] = account;
    this.position[account] = at;
  }

  ensureAccounts(n: number): void {
    if (n <= this.position.length) return;
    const grown = new Int32Array(nextCapacity(this.position.length, n)).fill(-1);
    grown.set(this.position);
    this.position = grown;
  }
}

export class LiquidationQueue {
  readonly capacity: number;
  /** Set when an account qualified but was left out; cleared by a refill that fits everyone. */
  overflowed = false;
  private rank: Uint8Array;
  private ratio: Float64Array;
  private readonly worstHeap: IndexedHeap;
  private readonly leastHeap: IndexedHeap;

  constructor(capacity: number, accounts: number) {
    this.capacity = Math.max(1, capacity);
    this.rank = new Uint8Array(accounts);
    this.ratio = new Float64Array(accounts);
    this.worstHeap = new IndexedHeap(this.capacity, accounts, this, true);
    this.leastHeap = new IndexedHeap(this.capacity, accounts, this, false);
  }

  get size(): number {
    return this.worstHeap.size;
  }

  ensureAccounts(n: number): void {
    if (n > this.rank.length) {
      const capacity = nextCapacity(this.rank.length, n);
      this.rank = growU8(this.rank, capacity);
      this.ratio = growF64(this.ratio, capacity);
    }
    this.worstHeap.ensureAccounts(n);
    this.leastHeap.ensureAccounts(n);
  }

  /** Whether account x is worse (liquidated earlier) than y. */
  worse(x: number, y: number): boolean {
    const rx = this.rank[x]!;
    const ry = this.rank[y]!;
    if (rx !== ry) return rx > ry;
    const kx = this.ratio[x]!;
    const ky = this.ratio[y]!;
    if (kx !== ky) return kx < ky;
    return x < y;
  }

  has(account: number): boolean {
    return this.worstHeap.position[account]! >= 0;
  }

  /** Called after every valuation of the account. */
  update(account: number, status: number, marginRatio: number): void {
    const qualifies = status === STATUS_LIQUIDATABLE || status === STATUS_BANKRUPT;
    const member = this.has(account);
    if (!qualifies) {
      if (member) {
        this.worstHeap.remove(account);
        this.leastHeap.remove(account);
      }
      return;
    }
    this.rank[account] = status;
    this.ratio[account] = marginRatio === marginRatio ? marginRatio : -Infinity;
    if (member) {
      this.worstHeap.fix(account);
      this.leastHeap.fix(account);
      return;
    }
    if (this.worstHeap.size < this.capacity) {
      this.worstHeap.insert(account);
      this.leastHeap.insert(account);
      return;
    }
    const least = this.leastHeap.items[0]!;
    this.overflowed = true;
    if (!this.worse(account, least)) return;
    this.worstHeap.remove(least);
    this.leastHeap.remove(least);
    this.worstHeap.insert(account);
    this.leastHeap.insert(account);
  }

  /** The worst account, or -1. */
  peek(): number {
    return this.worstHeap.size > 0 ? this.worstHeap.items[0]! : -1;
  }

  /** Removes and returns the worst account, or -1 (a later valuation may queue it again). */
  pop(): number {
    const account = this.peek();
    if (account < 0) return -1;
    this.worstHeap.remove(account);
    this.leastHeap.remove(account);
    return account;
  }

  /** The members, worst first (a copy; O(n log n)). */
  ordered(): number[] {
    const members = Array.from(this.worstHeap.items.subarray(0, this.worstHeap.size));
    return members.sort((x, y) => (this.worse(x, y) ? -1 : this.worse(y, x) ? 1 : 0));
  }

  /**
   * Requeues every liquidatable or bankrupt account that was left out (O(accounts)); call when
   * `overflowed` and the planner has made room.
   */
  refill(accounts: number, statusOf: (account: number) => number, marginRatioOf: (account: number) => number): void {
    this.overflowed = false;
    for (let a = 0; a < accounts; a++) {
      const s = statusOf(a);
      if ((s === STATUS_LIQUIDATABLE || s === STATUS_BANKRUPT) && !this.has(a)) this.update(a, s, marginRatioOf(a));
    }
  }

  bytes(): number {
    return this.rank.byteLength + this.ratio.byteLength + 2 * (this.worstHeap.items.byteLength + this.worstHeap.position.byteLength);
  }
}

