/**
 * Calendar arithmetic of the demo event log: office work happens Monday–Friday, 08:00–17:00
 * UTC; customers and systems act at any time.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const OPEN_HOUR = 8;
export const CLOSE_HOUR = 17;

/** Whether `t` (epoch ms) falls on a weekday. */
export function isWeekday(t: number): boolean {
  const day = new Date(t).getUTCDay();
  return day !== 0 && day !== 6;
}

/** Midnight UTC of the day of `t`. */
function dayStart(t: number): number {
  return Math.floor(t / DAY) * DAY;
}

/** `t` itself when inside office hours, else the next opening (08:00 of the next weekday). */
export function nextOfficeTime(t: number): number {
  let at = t;
  for (;;) {
    const start = dayStart(at);
    const open = start + OPEN_HOUR * HOUR;
    const close = start + CLOSE_HOUR * HOUR;
    if (isWeekday(at) && at >= open && at < close) return at;
    if (isWeekday(at) && at < open) return open;
    at = start + DAY + OPEN_HOUR * HOUR;
  }
}

/** `t` plus `minutes` of office time (time outside office hours does not count). */
export function addOfficeMinutes(t: number, minutes: number): number {
  let at = nextOfficeTime(t);
  let left = minutes * MINUTE;
  for (;;) {
    const close = dayStart(at) + CLOSE_HOUR * HOUR;
    if (at + left < close) return at + left;
    left -= close - at;
    at = nextOfficeTime(close);
  }
}

export { DAY, HOUR, MINUTE };
