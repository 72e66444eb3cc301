/**
 * Timestamps an event log may hold, normalised to ISO-8601 UTC with milliseconds
 * (`2024-01-31T08:15:00.000Z`, what `pandas.to_datetime` and `Date.parse` read):
 *
 * - ISO-8601 date-times, `T` or one space between date and time, seconds and fractions
 *   optional, with a zone (`Z`, `+02:00`, `+0200`, `+02`) or without (read as UTC);
 * - a date alone (`2024-01-31`, midnight UTC);
 * - epoch numbers: 9–11 integer digits are seconds (1973–5138), 12–16 are milliseconds
 *   (fractions allowed, e.g. `1706688900.5`). Shorter numbers are refused: `20240131` or
 *   `2024` read as epoch seconds would silently become a day in 1970.
 *
 * Anything else (locale formats such as `31/01/2024`, month names) is refused: guessing
 * day-first or month-first would silently reorder a log.
 */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const EPOCH = /^-?(\d{9,16})(?:\.\d+)?$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two digits at `i` of `b` as a number, or -1. */
function two(b: Uint8Array, i: number): number {
  const x = b[i]! - 48;
  const y = b[i + 1]! - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (year ≥ 0). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/**
 * The common forms of the UTF-8 bytes `b[at, end)` (most of a log's timestamps), read without
 * a string: `YYYY-MM-DD`, then `T` or a space, `HH:MM`, optional `:SS`, optional `.` and 1–9
 * digits, optional `Z` or `±HH:MM`. NaN: not one of these (the general path decides).
 */
export function isoMsAt(b: Uint8Array, at: number, end: number): number {
  const n = end - at;
  if (n < 10 || b[at + 4] !== 45 || b[at + 7] !== 45) return Number.NaN;
  const century = two(b, at);
  const year = century * 100 + two(b, at + 2);
  const month = two(b, at + 5);
  const day = two(b, at + 8);
  // (Years below 100 take the general path, whose Date.UTC reads them as 19xx.)
  if (century < 1 || two(b, at + 2) < 0 || month < 1 || month > 12 || day < 1) return Number.NaN;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS[month - 1]! + (leap ? 1 : 0)) return Number.NaN;
  let ms = daysFromCivil(year, month, day) * 86_400_000;
  if (n === 10) return ms;
  const sep = b[at + 10];
  if ((sep !== 84 && sep !== 32) || n < 16 || b[at + 13] !== 58) return Number.NaN;
  const hour = two(b, at + 11);
  const minute = two(b, at + 14);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return Number.NaN;
  ms += hour * 3_600_000 + minute * 60_000;
  let i = at + 16;
  if (i < end && b[i] === 58) {
    const second = two(b, i + 1);
    if (i + 3 > end || second < 0 || second > 59) return Number.NaN;
    ms += second * 1000;
    i += 3;
    if (i < end && b[i] === 46) {
      const from = ++i;
      while (i < end && b[i]! >= 48 && b[i]! <= 57) i++;
      const digits = i - from;
      if (digits < 1 || digits > 9) return Number.NaN;
      // Rounded exactly as the general path rounds it.
      ms +=
        digits === 3
          ? b[from]! * 100 + b[from + 1]! * 10 + b[from + 2]! - 5328
          : Math.round(
              Number(`0.${Buffer.from(b.buffer, b.byteOffset + from, digits).toString('latin1')}`) * 1000,
            );
    }
  }
  if (i === end) return ms;
  const zone = b[i];
  if ((zone === 90 || zone === 122) && i + 1 === end) return ms;
  if ((zone === 43 || zone === 45) && i + 6 === end && b[i + 3] === 58) {
    const zh = two(b, i + 1);
    const zm = two(b, i + 4);
    if (zh < 0 || zm < 0) return Number.NaN;
    return ms - (zone === 45 ? -1 : 1) * (zh * 60 + zm) * 60_000;
  }
  return Number.NaN;
}

/** `isoMsAt` over `s.slice(at, end)`. */
export function isoMsIn(s: string, at: number, end: number): number {
  const bytes = Buffer.from(s.slice(at, end), 'utf8');
  return isoMsAt(bytes, 0, bytes.length);
}

/** Epoch milliseconds of a timestamp in one of the accepted forms, or null. */
export function parseTimestampMs(value: string): number | null {
  const fast = isoMsIn(value, 0, value.length);
  if (!Number.isNaN(fast)) return fast;
  const text = value.trim();
  if (text === '') return null;
  const iso = ISO.exec(text);
  if (iso) return isoMs(iso);
  const epoch = EPOCH.exec(text);
  if (epoch) {
    const n = Number(text);
    const ms = epoch[1]!.length <= 11 ? n * 1000 : n;
    return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? Math.round(ms) : null;
  }
  return null;
}

/** The ISO-8601 UTC form of a timestamp, or null when it is not one of the accepted forms. */
export function normalizeTimestamp(value: string): string | null {
  const ms = parseTimestampMs(value);
  return ms === null ? null : new Date(ms).toISOString();
}

/** Whether a value looks like an ISO date or date-time (type inference: numbers are not dates). */
export function isIsoDateTime(value: string): boolean {
  if (!Number.isNaN(isoMsIn(value, 0, value.length))) return true;
  const iso = ISO.exec(value.trim());
  return iso !== null && isoMs(iso) !== null;
}

function isoMs(m: RegExpExecArray): number | null {
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const millis = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const base = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(base).getUTCDate() !== day) return null; // 2024-02-30
  return base + Math.round(millis) - zoneOffsetMs(m[8]);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || 0);
  return sign * (hours * 60 + minutes) * 60_000;
}
