/**
 * The 5-field cron of `integration.scheduleExecution` (`minute hour day-of-month month
 * day-of-week`): parsing, validation and the EventBridge Scheduler form of it.
 *
 * Accepted per field: numbers, `*`, ranges `a-b`, steps `*\/n` and `a-b/n` (and `a/n`: from
 * `a` to the end), lists `a,b-c`, month names JAN–DEC, day names SUN–SAT (0 and 7 are both
 * Sunday), and `?` (= `*`) in day-of-month or day-of-week. Day-of-month and day-of-week cannot
 * both be restricted: classic cron ORs them, EventBridge Scheduler requires one of them to be
 * `?`, so such a schedule could not run in AWS.
 */

export interface CronSchedule {
  /** The expression as given (trimmed, single spaces). */
  source: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: ReadonlySet<number>;
  /** Which day field restricts the days (at most one may). */
  dayField: 'dayOfMonth' | 'dayOfWeek' | 'none';
}

/** A cron expression that cannot be used; `message` says why (for a 400 on the field). */
export class CronSyntaxError extends Error {}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS },
];

function value(text: string, spec: FieldSpec): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return spec.name === 'month' ? named + 1 : named;
  if (!/^\d{1,2}$/.test(text)) throw new CronSyntaxError(`${spec.name}: '${text}' is not a number or name`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) {
    throw new CronSyntaxError(`${spec.name}: ${n} is outside ${spec.min}-${spec.max}`);
  }
  return n;
}

/** Expands one field into the set of values it matches; `restricted` is false for `*` and `?`. */
function parseField(text: string, spec: FieldSpec): { values: Set<number>; restricted: boolean } {
  const values = new Set<number>();
  const isDay = spec.name === 'day-of-month' || spec.name === 'day-of-week';
  if (text === '*' || (text === '?' && isDay)) {
    for (let v = spec.min; v <= spec.max; v++) values.add(v);
  } else {
    for (const part of text.split(',')) {
      const match = /^([^/-]+)(?:-([^/-]+))?(?:\/(\d{1,2}))?$/.exec(part);
      if (!match) throw new CronSyntaxError(`${spec.name}: '${part}' is not a value, range or step`);
      const [, from, to, stepText] = match;
      const step = stepText === undefined ? 1 : Number(stepText);
      if (step < 1) throw new CronSyntaxError(`${spec.name}: the step must be at least 1`);
      const start = from === '*' ? spec.min : value(from!, spec);
      const end = to !== undefined ? value(to, spec) : from === '*' || stepText ? spec.max : start;
      if (from === '*' && to !== undefined)
        throw new CronSyntaxError(`${spec.name}: '${part}' is not a range`);
      if (end < start) throw new CronSyntaxError(`${spec.name}: the range '${part}' ends before it starts`);
      for (let v = start; v <= end; v += step) values.add(v);
    }
  }
  if (spec.name === 'day-of-week' && values.delete(7)) values.add(0);
  return { values, restricted: !(text === '*' || text === '?') };
}

/**
 * Parses and validates a 5-field cron expression. Throws {@link CronSyntaxError} with a
 * message fit for a 400 (the field and what is wrong with it).
 */
export function parseCron(expression: string): CronSchedule {
  const source = expression.trim().replace(/\s+/g, ' ');
  const parts = source.split(' ');
  if (parts.length !== 5 || parts[0] === '') {
    throw new CronSyntaxError(
      'must have five fields: minute hour day-of-month month day-of-week (e.g. "0 2 * * *")',
    );
  }
  for (const [i, part] of parts.entries()) {
    if (/[LW#]/i.test(part.replace(/[A-Z]{3}/gi, ''))) {
      throw new CronSyntaxError(`${FIELDS[i]!.name}: L, W and # are not supported`);
    }
    if (part === '?' && i !== 2 && i !== 4) {
      throw new CronSyntaxError(`${FIELDS[i]!.name}: '?' is only allowed in day-of-month or day-of-week`);
    }
  }
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, FIELDS[i]!));
  if (dom!.restricted && dow!.restricted) {
    throw new CronSyntaxError(
      'day-of-month and day-of-week cannot both be restricted (EventBridge Scheduler cannot run it): set one of them to * or ?',
    );
  }
  return {
    source,
    minutes: minute!.values,
    hours: hour!.values,
    daysOfMonth: dom!.values,
    months: month!.values,
    daysOfWeek: dow!.values,
    dayField: dom!.restricted ? 'dayOfMonth' : dow!.restricted ? 'dayOfWeek' : 'none',
  };
}

/** The reason an expression is invalid, or null when it is valid. */
export function cronProblem(expression: string): string | null {
  try {
    parseCron(expression);
    return null;
  } catch (error) {
    if (error instanceof CronSyntaxError) return error.message;
    throw error;
  }
}

/** Sorted values as runs: `1-5,7` (each value through `label`). */
function ranges(values: ReadonlySet<number>, label: (v: number) => string = String): string {
  const sorted = [...values].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(j > i ? `${label(sorted[i]!)}-${label(sorted[j]!)}` : label(sorted[i]!));
    i = j + 1;
  }
  return runs.join(',');
}

/** A value set written compactly: `*`, `first/step` when it is a step series to the end, else runs. */
function compact(values: ReadonlySet<number>, min: number, max: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === max - min + 1) return '*';
  const [first, second] = sorted;
  if (sorted.length > 2 && first !== undefined && second !== undefined) {
    const step = second - first;
    const series = sorted.every((v, i) => v === first + i * step);
    if (series && step > 1 && sorted.at(-1)! + step > max) return `${first}/${step}`;
  }
  return ranges(values);
}

/**
 * EventBridge Scheduler's `cron(minutes hours day-of-month month day-of-week year)` for a
 * parsed schedule: the unrestricted day field becomes `?`, days of week are written as names
 * (EventBridge numbers them 1–7 from Sunday, classic cron 0–6), the year is `*`.
 */
export function toEventBridgeCron(cron: CronSchedule): string {
  const dom =
    cron.dayField === 'dayOfMonth' ? compact(cron.daysOfMonth, 1, 31) : cron.dayField === 'none' ? '*' : '?';
  const dow = cron.dayField === 'dayOfWeek' ? ranges(cron.daysOfWeek, (d) => DAYS[d]!) : '?';
  return `cron(${compact(cron.minutes, 0, 59)} ${compact(cron.hours, 0, 23)} ${dom} ${compact(cron.months, 1, 12)} ${dow} *)`;
}
