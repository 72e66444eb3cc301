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

/** Epoch milliseconds of a timestamp in one of the accepted forms, or null. */
export function parseTimestampMs(value: string): number | null {
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
