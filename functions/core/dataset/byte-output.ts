/** Room kept past the flush size so that a line rarely needs the buffer to grow. */
const SLACK = 64 * 1024;

/**
 * Normalised CSV written straight into byte buffers of about `size` bytes, each handed out
 * whole by `take` (the next one is allocated when written to, as the taker keeps the old one).
 */
export class ByteOutput {
  private buffer = Buffer.alloc(0);
  /** Bytes written into `buffer`. */
  length = 0;

  constructor(private readonly size: number) {}

  /** The buffer to write into from `length`, with room for `n` more bytes. */
  room(n: number): Buffer {
    if (this.length + n > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.size + SLACK, 2 * this.buffer.length, this.length + n));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    return this.buffer;
  }

  /** Appends `text` as UTF-8. */
  write(text: string): void {
    this.length += this.room(3 * text.length).write(text, this.length, 'utf8');
  }

  /** The bytes written since the last `take`. */
  take(): Buffer {
    const full = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.alloc(0);
    this.length = 0;
    return full;
  }
}
