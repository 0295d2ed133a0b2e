/**
 * Column storage of the book: growable typed arrays, per-account blocks in an arena, and index
 * lists (instrument -> position slots, asset -> accounts).
 *
 * An account's positions sit in one contiguous block of the position arena (and its assets in one
 * block of the asset arena), so that valuing an account reads consecutive slots. A block that
 * fills up moves to a block of twice the capacity; the freed block goes to a free list of its
 * capacity and is reused by the next account that needs exactly that capacity. Capacities after
 * the first move are powers of two, so the free lists serve each other and the arena stays within
 * about twice the live slots without a compaction pass (which would stall the event loop).
 */
import { invariant } from '../risk/errors.js';

/**
 * A zeroed Float64Array on a SharedArrayBuffer, for records that sweep workers (parallel.ts) read
 * and write in place. Books keep their records on ordinary ArrayBuffers until they use workers:
 * V8 counts those as external memory and collects garbage in step with them, while a 1.6 GiB
 * book on shared buffers lets the heap grow to a few hundred MiB of garbage between (longer)
 * major collections.
 */
export function sharedF64(capacity: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(capacity * Float64Array.BYTES_PER_ELEMENT));
}

/** `array` on a shared buffer: itself if it is one, else a copy. */
export function toShared(array: Float64Array): Float64Array {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const next = sharedF64(array.length);
  next.set(array);
  return next;
}

/** A copy of `array` in a larger buffer of the same kind (shared or not). */
export function growF64(array: Float64Array, capacity: number): Float64Array {
  const next = array.buffer instanceof SharedArrayBuffer ? sharedF64(capacity) : new Float64Array(capacity);
  next.set(array);
  return next;
}

export function growI32(array: Int32Array, capacity: number): Int32Array {
  const next = new Int32Array(capacity);
  next.set(array);
  return next;
}

export function growU8(array: Uint8Array, capacity: number): Uint8Array {
  const next = new Uint8Array(capacity);
  next.set(array);
  return next;
}

/** The next capacity for `needed` slots: 1.5x growth, at least `needed`. */
export function nextCapacity(current: number, needed: number): number {
  return Math.max(needed, Math.ceil(current * 1.5), 16);
}

/** Blocks of an arena: bump allocation plus one free list per capacity. */
export class BlockAllocator {
  top = 0;
  /** Slots in freed blocks not yet reused. */
  freeSlots = 0;
  private readonly free = new Map<number, number[]>();

  allocate(capacity: number): number {
    invariant(capacity > 0, 'blocks have a positive capacity');
    const list = this.free.get(capacity);
    if (list !== undefined && list.length > 0) {
      this.freeSlots -= capacity;
      return list.pop() as number;
    }
    const offset = this.top;
    this.top += capacity;
    return offset;
  }

  release(offset: number, capacity: number): void {
    if (capacity === 0) return;
    const list = this.free.get(capacity);
    if (list === undefined) this.free.set(capacity, [offset]);
    else list.push(offset);
    this.freeSlots += capacity;
  }
}

/** The capacity a full block grows to: powers of two from 4. */
export function grownBlockCapacity(capacity: number): number {
  let next = 4;
  while (next <= capacity) next *= 2;
  return next;
}

/**
 * Lists of int32 members, one per key (instrument -> position slots, asset -> accounts), with
 * O(1) append and O(1) removal by position (the last member fills the hole). The caller keeps each
 * member's position in its list (a back-pointer) and updates it when `remove` reports a move.
 */
export class IndexLists {
  lists: Int32Array[] = [];
  counts: Int32Array = new Int32Array(0);

  ensureKeys(keys: number): void {
    if (keys <= this.lists.length) return;
    while (this.lists.length < keys) this.lists.push(new Int32Array(8));
    this.counts = growI32(this.counts, keys);
  }

  /** Appends and returns the member's position in the list. */
  add(key: number, member: number): number {
    let list = this.lists[key] as Int32Array;
    const count = this.counts[key] as number;
    if (count === list.length) {
      list = growI32(list, list.length * 2);
      this.lists[key] = list;
    }
    list[count] = member;
    this.counts[key] = count + 1;
    return count;
  }

  /** Removes the member at `position`; returns the member moved into it, or -1. */
  remove(key: number, position: number): number {
    const list = this.lists[key] as Int32Array;
    const last = (this.counts[key] as number) - 1;
    this.counts[key] = last;
    if (position === last) return -1;
    const moved = list[last] as number;
    list[position] = moved;
    return moved;
  }

  bytes(): number {
    let total = this.counts.byteLength;
    for (const list of this.lists) total += list.byteLength;
    return total;
  }
}
