import type { DatasetColumn } from './dataset.ts';
import { isIsoDateTime, isoMsIn } from './timestamp.ts';

type ColumnType = DatasetColumn['type'];

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Digits of `s` from `i` (before `end`); the index after them. */
function digitsFrom(s: string, i: number, end: number): number {
  while (i < end && isDigit(s.charCodeAt(i))) i++;
  return i;
}

/** `s.slice(at, end)` is `[+-]?\d+`. */
function isInteger(s: string, at: number, end: number): boolean {
  const start = at < end && (s.charCodeAt(at) === 43 || s.charCodeAt(at) === 45) ? at + 1 : at;
  const stop = digitsFrom(s, start, end);
  return stop > start && stop === end;
}

/** `s.slice(at, end)` is `[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`. */
function isFloat(s: string, at: number, end: number): boolean {
  let i = at < end && (s.charCodeAt(at) === 43 || s.charCodeAt(at) === 45) ? at + 1 : at;
  const whole = digitsFrom(s, i, end);
  let mantissa = whole > i;
  i = whole;
  if (i < end && s.charCodeAt(i) === 46) {
    const fraction = digitsFrom(s, i + 1, end);
    mantissa ||= fraction > i + 1;
    i = fraction;
  }
  if (!mantissa) return false;
  if (i < end && (s.charCodeAt(i) | 32) === 101) {
    i++;
    if (i < end && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    const exponent = digitsFrom(s, i, end);
    if (exponent === i) return false;
    i = exponent;
  }
  return i === end;
}

/** `s.slice(at, end)` is `true` or `false` in any case. */
function isBoolean(s: string, at: number, end: number): boolean {
  const n = end - at;
  return (n === 4 || n === 5) && /^(?:true|false)$/i.test(s.slice(at, end));
}

/**
 * Infers one column's type from its values, one at a time. Empty values are missing data and
 * do not count; a column with no values at all is `string`. The narrowest type that every
 * value fits wins: `boolean` (true/false, any case), `integer`, `float` (integers included),
 * `datetime` (ISO dates and date-times only: epoch numbers stay numbers), else `string`.
 */
export class ColumnTypeInference {
  private seen = false;
  private boolean = true;
  private integer = true;
  private float = true;
  private datetime = true;

  add(value: string): void {
    this.addIn(value, 0, value.length);
  }

  /** `add(s.slice(at, end))`, without making the substring unless a check needs it. */
  addIn(s: string, at: number, end: number): void {
    if (at === end) return;
    this.seen = true;
    if (this.boolean && !isBoolean(s, at, end)) this.boolean = false;
    if (this.integer && !isInteger(s, at, end)) this.integer = false;
    if (this.float && !(this.integer || isFloat(s, at, end))) this.float = false;
    if (this.datetime && Number.isNaN(isoMsIn(s, at, end)) && !isIsoDateTime(s.slice(at, end)))
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
