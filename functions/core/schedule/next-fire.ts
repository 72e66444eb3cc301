/**
 * Fire times of a cron schedule in an IANA time zone, with EventBridge Scheduler's
 * daylight-saving rules, so the local loop fires exactly when AWS would.
 *
 * EventBridge Scheduler evaluates cron expressions in the schedule's time zone and adjusts
 * for daylight saving time: "When the time shifts forward in Spring, your schedule invocation
 * gets skipped if the cron expression falls on a non-existent date and time. When the time
 * shifts back in the Fall, your schedule runs only once and doesn't repeat its invocation."
 * (AWS, "Daylight savings time on EventBridge Scheduler",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time,
 * and https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst). Here:
 * - a wall-clock time that does not exist (the skipped hour at spring-forward, e.g. 02:30 in
 *   Europe/Berlin on the last Sunday of March) is no fire time at all: it is not moved;
 * - a wall-clock time that exists twice (the repeated hour at fall-back, e.g. 02:30 in
 *   Europe/Berlin on the last Sunday of October) fires once, at its first occurrence (the
 *   earlier instant, still on summer time); the second pass through that hour fires nothing.
 */
import type { CronSchedule } from './cron.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The canonical IANA spelling of a known time zone name, as `Intl` resolves it:
 * `europe/berlin` → `Europe/Berlin`, `utc` → `UTC`, links to their zone (`US/Pacific` →
 * `America/Los_Angeles`). Stored and sent to EventBridge Scheduler in this form.
 */
export function canonicalTimeZone(timeZone: string): string {
  return formatter(timeZone).resolvedOptions().timeZone;
}

/** True for a time zone name `Intl` knows (IANA names such as `Europe/Berlin`, and `UTC`). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `timeZone` at `instant`, as ms of a UTC date with the same fields. */
function wallClock(instant: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!);
}

/** The zone's UTC offset (ms) at `instant`, seconds dropped. */
function offsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallClock(whole, timeZone) - whole;
}

/** The instants at which the wall clock shows `wall`: none (skipped), one, or two (repeated), ascending. */
export function instantsOf(wall: number, timeZone: string): number[] {
  const offsets = new Set([-DAY, 0, DAY].map((d) => offsetAt(wall + d, timeZone)));
  return [...offsets]
    .map((o) => wall - o)
    .filter((instant) => offsetAt(instant, timeZone) === wall - instant)
    .sort((a, b) => a - b);
}

function matchesDay(cron: CronSchedule, wall: Date): boolean {
  if (!cron.months.has(wall.getUTCMonth() + 1)) return false;
  if (cron.dayField === 'dayOfMonth') return cron.daysOfMonth.has(wall.getUTCDate());
  if (cron.dayField === 'dayOfWeek') return cron.daysOfWeek.has(wall.getUTCDay());
  return true;
}

/** The first wall-clock minute in [`from`, `end`] that the cron matches. */
function nextWallMatch(cron: CronSchedule, from: number, end: number): number | undefined {
  let t = Math.ceil(from / MINUTE) * MINUTE;
  while (t <= end) {
    const d = new Date(t);
    if (!matchesDay(cron, d)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    } else if (!cron.hours.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
    } else if (!cron.minutes.has(d.getUTCMinutes())) {
      t += MINUTE;
    } else {
      return t;
    }
  }
  return undefined;
}

/**
 * The first fire time strictly after `after`, with the daylight-saving rules above; undefined
 * when there is none within five years (e.g. `0 0 31 2 *`).
 */
export function nextFireAfter(cron: CronSchedule, timeZone: string, after: Date): Date | undefined {
  let wall = Math.floor(wallClock(after.getTime(), timeZone) / MINUTE) * MINUTE + MINUTE;
  const limit = wall + 5 * 366 * DAY;
  while (wall <= limit) {
    const match = nextWallMatch(cron, wall, limit);
    if (match === undefined) return undefined;
    // Skipped wall times have no instant; repeated ones fire at their first instant only.
    const first = instantsOf(match, timeZone)[0];
    if (first !== undefined && first > after.getTime()) return new Date(first);
    wall = match + MINUTE;
  }
  return undefined;
}

/** The next `count` fire times after `after`. */
export function nextFireTimes(cron: CronSchedule, timeZone: string, after: Date, count: number): Date[] {
  const times: Date[] = [];
  let from = after;
  while (times.length < count) {
    const next = nextFireAfter(cron, timeZone, from);
    if (!next) break;
    times.push(next);
    from = next;
  }
  return times;
}

/**
 * The latest fire time at or before `now` and at or after `notBefore` (both inclusive), or
 * undefined. Looks back in growing windows, so frequent schedules cost little.
 */
export function latestFireAtOrBefore(
  cron: CronSchedule,
  timeZone: string,
  now: Date,
  notBefore: Date,
): Date | undefined {
  for (const windowMs of [3_600_000, DAY, 32 * DAY, 367 * DAY, 5 * 366 * DAY]) {
    const start = Math.max(now.getTime() - windowMs, notBefore.getTime());
    let latest: Date | undefined;
    for (let t = nextFireAfter(cron, timeZone, new Date(start - 1)); t && t <= now; ) {
      latest = t;
      t = nextFireAfter(cron, timeZone, t);
    }
    if (latest) return latest;
    if (start === notBefore.getTime()) return undefined;
  }
  return undefined;
}
