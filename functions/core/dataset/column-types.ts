import type { DatasetColumn } from './dataset.ts';
import { isIsoDateTime, isoMsAt } from './timestamp.ts';

type ColumnType = DatasetColumn['type'];

const isDigit = (c: number) => c >= 48 && c <= 57;
const isSign = (c: number | undefined) => c === 43 || c === 45;

/** Digits of `b` from `i` (before `end`); the index after them. */
function digitsFrom(b: Uint8Array, i: number, end: number): number {
  while (i < end && isDigit(b[i]!)) i++;
  return i;
}

/** `b[at, end)` is `[+-]?\d+`. */
function isInteger(b: Uint8Array, at: number, end: number): boolean {
  const start = at < end && isSign(b[at]) ? at + 1 : at;
  const stop = digitsFrom(b, start, end);
  return stop > start && stop === end;
}

/** `b[at, end)` is `[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`. */
function isFloat(b: Uint8Array, at: number, end: number): boolean {
  let i = at < end && isSign(b[at]) ? at + 1 : at;
  const whole = digitsFrom(b, i, end);
  let mantissa = whole > i;
  i = whole;
  if (i < end && b[i] === 46) {
    const fraction = digitsFrom(b, i + 1, end);
    mantissa ||= fraction > i + 1;
    i = fraction;
  }
  if (!mantissa) return false;
  if (i < end && (b[i]! | 32) === 101) {
    i++;
    if (i < end && isSign(b[i])) i++;
    const exponent = digitsFrom(b, i, end);
    if (exponent === i) return false;
    i = exponent;
  }
  return i === end;
}

const TRUE = [116, 114, 117, 101];
const FALSE = [102, 97, 108, 115, 101];

/** `b[at, end)` is `true` or `false` in any case (ASCII letters only). */
function isBoolean(b: Uint8Array, at: number, end: number): boolean {
  const word = end - at === 4 ? TRUE : end - at === 5 ? FALSE : null;
  if (!word) return false;
  for (let i = 0; i < word.length; i++) if ((b[at + i]! | 32) !== word[i]) return false;
  return true;
}

/**
 * Infers one column's type from its values, one at a time (as text or as UTF-8 bytes: every
 * check looks at ASCII alone). Empty values are missing data and do not count; a column
 * with no values at all is `string`. The narrowest type that every value fits wins:
 * `boolean` (true/false, any case), `integer`, `float` (integers included), `datetime` (ISO
 * dates and date-times only: epoch numbers stay numbers), else `string`.
 */
export class ColumnTypeInference {
  private seen = false;
  private boolean = true;
  private integer = true;
  private float = true;
  private datetime = true;

  add(value: string): void {
    if (value === '') return;
    const bytes = Buffer.from(value, 'utf8');
    this.addBytes(bytes, 0, bytes.length);
  }

  /** The value held by the UTF-8 bytes `b[at, end)`. */
  addBytes(b: Buffer, at: number, end: number): void {
    if (at === end) return;
    this.seen = true;
    if (this.boolean && !isBoolean(b, at, end)) this.boolean = false;
    if (this.integer && !isInteger(b, at, end)) this.integer = false;
    if (this.float && !(this.integer || isFloat(b, at, end))) this.float = false;
    if (this.datetime && Number.isNaN(isoMsAt(b, at, end)) && !isIsoDateTime(b.toString('utf8', at, end)))
      this.datetime = false;
  }

  result(): ColumnType {
    if (!this.seen) return 'string';
    if (this.boolean) return 'boolean';
    if (this.integer) return 'integer';
    if (this.float) return 'float';
    if (this.datetime) return 'datetime';
    return 'string';
  }
}
