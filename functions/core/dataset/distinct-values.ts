import { randomInt } from 'node:crypto';

/** Slots of a new table (a power of two); it doubles when half full. */
const FIRST_SLOTS = 1024;

/** Whether `a[from, from + n)` holds the same bytes as `b[at, at + n)` (compared from the end: ids differ there). */
function same(a: Buffer, from: number, b: Buffer, at: number, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) if (a[from + i] !== b[at + i]) return false;
  return true;
}

/**
 * Counts the distinct values of a column, given as strings or as UTF-8 byte ranges, without
 * making a string per value: the bytes of each distinct value are kept once in an arena and
 * found through an open-addressing table (FNV-1a hash, linear probing). A value equal to the
 * previous one (logs are mostly grouped by case) is not even hashed. Memory grows with the
 * distinct values' bytes alone. The hash starts from a random seed per table, as V8's own
 * string hashes do, so a log cannot be crafted to make its ids collide (probing would then
 * turn quadratic).
 */
export class DistinctValues {
  private arena = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  /** Per slot: where the value's bytes start in `arena` (-1: empty), how many, their hash. */
  private starts = new Int32Array(FIRST_SLOTS).fill(-1);
  private lengths = new Int32Array(FIRST_SLOTS);
  private hashes = new Int32Array(FIRST_SLOTS);
  private readonly seed = 0x811c9dc5 ^ randomInt(0x7fffffff);
  private lastStart = 0;
  private lastLength = -1;
  /** How many distinct values were added. */
  size = 0;

  /** Adds a value given as a string. */
  add(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.addBytes(bytes, 0, bytes.length);
  }

  /** Adds the value whose UTF-8 bytes are `b[at, end)`. */
  addBytes(b: Buffer, at: number, end: number): void {
    const n = end - at;
    if (n === this.lastLength && same(this.arena, this.lastStart, b, at, n)) return;
    let hash = this.seed | 0;
    for (let i = at; i < end; i++) hash = Math.imul(hash ^ b[i]!, 16_777_619);
    const mask = this.starts.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const start = this.starts[slot]!;
      if (start < 0) {
        this.insert(slot, hash, b, at, end);
        return;
      }
      if (this.hashes[slot] === hash && this.lengths[slot] === n && same(this.arena, start, b, at, n)) {
        this.lastStart = start;
        this.lastLength = n;
        return;
      }
    }
  }

  private insert(slot: number, hash: number, b: Buffer, at: number, end: number): void {
    const n = end - at;
    if (this.used + n > this.arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.arena.length, this.used + n));
      this.arena.copy(bigger, 0, 0, this.used);
      this.arena = bigger;
    }
    b.copy(this.arena, this.used, at, end);
    this.starts[slot] = this.lastStart = this.used;
    this.lengths[slot] = this.lastLength = n;
    this.hashes[slot] = hash;
    this.used += n;
    if (++this.size * 2 > this.starts.length) this.grow();
  }

  /** Doubles the table, placing every value again. */
  private grow(): void {
    const { starts, lengths, hashes } = this;
    const slots = 2 * starts.length;
    this.starts = new Int32Array(slots).fill(-1);
    this.lengths = new Int32Array(slots);
    this.hashes = new Int32Array(slots);
    for (let old = 0; old < starts.length; old++) {
      if (starts[old]! < 0) continue;
      let slot = hashes[old]! & (slots - 1);
      while (this.starts[slot]! >= 0) slot = (slot + 1) & (slots - 1);
      this.starts[slot] = starts[old]!;
      this.lengths[slot] = lengths[old]!;
      this.hashes[slot] = hashes[old]!;
    }
  }
}
