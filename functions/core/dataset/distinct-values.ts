/** Slots of the table of values seen as bytes (a power of two). */
const SLOTS = 1024;
/** Slots tried for one value before it is decoded and looked up as a string. */
const PROBES = 8;

/** A copy that does not keep the text it was cut from alive (V8 slices share their parent). */
const detached = (value: string) => ` ${value}`.slice(1);

/** Whether `b[at, end)` holds the first `n` bytes of `key`. */
function same(key: Buffer, n: number, b: Buffer, at: number, end: number): boolean {
  if (n !== end - at) return false;
  for (let i = 0; i < n; i++) if (key[i] !== b[at + i]) return false;
  return true;
}

/**
 * Counts the distinct values of a column given as strings or as UTF-8 byte ranges. Bytes are
 * compared first with the previous value (logs are mostly grouped by case), then with a
 * small table of values seen before (hash of the bytes, linear probing): a string is made
 * only for a value the table does not hold. The table holds the first `SLOTS` values that
 * fit; the others are decoded every time, so memory stays bounded by the distinct values.
 */
export class DistinctValues {
  private readonly values = new Set<string>();
  private readonly keys: Array<Buffer | undefined> = new Array(SLOTS).fill(undefined);
  /** The previous value: `lastLength` bytes of `last` (a key of the table or `scratch`). */
  private last: Buffer = Buffer.alloc(0);
  private lastLength = 0;
  private scratch: Buffer = Buffer.alloc(64);

  /** How many distinct values were added. */
  get size(): number {
    return this.values.size;
  }

  /** Adds a value given as a string. */
  add(value: string): void {
    if (!this.values.has(value)) this.values.add(detached(value));
  }

  /** Adds the value whose UTF-8 bytes are `b[at, end)`. */
  addBytes(b: Buffer, at: number, end: number): void {
    const n = end - at;
    if (same(this.last, this.lastLength, b, at, end)) return;
    this.lastLength = n;
    // A few bytes and the length pick the slot; the whole value is compared there.
    const hash = n * 31 + b[at]! * 7 + b[end - 1]! * 131 + b[at + (n >> 1)]! * 17 + b[at + (n >> 2)]!;
    for (let probe = 0; probe < PROBES; probe++) {
      const slot = (hash + probe) & (SLOTS - 1);
      const key = this.keys[slot];
      if (key === undefined) {
        this.values.add(b.toString('utf8', at, end));
        this.keys[slot] = this.last = Buffer.from(b.subarray(at, end));
        return;
      }
      if (same(key, key.length, b, at, end)) {
        this.last = key;
        return;
      }
    }
    this.values.add(b.toString('utf8', at, end));
    if (this.scratch.length < n) this.scratch = Buffer.alloc(2 * n);
    b.copy(this.scratch, 0, at, end);
    this.last = this.scratch;
  }
}
