import { addOfficeMinutes, DAY, HOUR, isWeekday, MINUTE, nextOfficeTime } from './business-time.ts';

/**
 * The demo event log: loan applications of a retail bank, generated deterministically from a
 * seed (same seed, same log, byte for byte). About 15,000 events with rework loops
 * (missing documents, review sending an application back), waiting times in office hours
 * (Monday–Friday 08:00–17:00 UTC) for office work, two bottlenecks (underwriter review and
 * manager approval of large loans), a few resources, and case attributes.
 */

export interface DemoEvent {
  case_id: string;
  activity: string;
  /** ISO-8601 UTC, whole seconds. */
  timestamp: string;
  resource: string;
  customer_id: string;
  loan_type: string;
  channel: string;
  amount: number;
}

export const DEMO_COLUMNS = [
  'case_id',
  'activity',
  'timestamp',
  'resource',
  'customer_id',
  'loan_type',
  'channel',
  'amount',
] as const satisfies readonly (keyof DemoEvent)[];

/** Every case starts with this activity. */
export const DEMO_START_ACTIVITY = 'Submit Application';

export interface DemoLogOptions {
  /** PRNG seed (default 42). */
  seed?: number;
  /** Number of cases (default 1,720: about 15,000 events). */
  cases?: number;
  /** First day applications arrive (default 2024-01-01). */
  from?: string;
  /** Days over which applications arrive (default 181). */
  days?: number;
}

/** mulberry32: a small, fast, deterministic PRNG returning [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CLERKS = ['Anna', 'Ben', 'Carla'];
const UNDERWRITERS = ['Daniel', 'Emma'];
const MANAGER = 'Frank';
const LOAN_TYPES: [string, number, number, number][] = [
  // type, weight, min amount, max amount
  ['personal', 0.45, 1_000, 40_000],
  ['auto', 0.25, 5_000, 60_000],
  ['mortgage', 0.2, 80_000, 600_000],
  ['business', 0.1, 20_000, 250_000],
];
const CHANNELS: [string, number][] = [
  ['web', 0.55],
  ['branch', 0.3],
  ['broker', 0.15],
];

/** Generates the demo loan-application log, ordered by case then time. */
export function generateLoanLog(options: DemoLogOptions = {}): DemoEvent[] {
  const rnd = prng(options.seed ?? 42);
  const cases = options.cases ?? 1_720;
  const from = Date.parse(`${options.from ?? '2024-01-01'}T00:00:00Z`);
  const days = options.days ?? 181;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const weighted = <T extends [string, number, ...unknown[]]>(items: T[]): T => {
    let r = rnd();
    for (const item of items) {
      r -= item[1];
      if (r < 0) return item;
    }
    return items[items.length - 1]!;
  };
  /** Exponential with the given mean. */
  const exp = (mean: number) => -Math.log(1 - rnd()) * mean;
  const events: DemoEvent[] = [];

  caseLoop: for (let n = 1; n <= cases; n++) {
    const [loanType, , min, max] = weighted(LOAN_TYPES);
    const amount = Math.round((min + (max - min) * rnd() ** 1.8) / 100) * 100;
    const [channel] = weighted(CHANNELS);
    const attrs = {
      case_id: `L${String(n).padStart(5, '0')}`,
      customer_id: `C${String(1 + Math.floor(rnd() * 1_200)).padStart(4, '0')}`,
      loan_type: loanType,
      channel,
      amount,
    };
    let t = 0;
    const emit = (activity: string, resource: string, at: number) => {
      // Whole seconds, strictly after the case's previous event.
      t = Math.max(Math.round(at / 1000) * 1000, t + MINUTE);
      events.push({
        ...attrs,
        activity,
        resource,
        timestamp: new Date(t).toISOString().replace('.000Z', 'Z'),
      });
    };
    /** Office work: waits in the queue, then is done (minutes of office time). */
    const office = (activity: string, resource: string, waitMinutes: number, workMinutes: number) =>
      emit(activity, resource, addOfficeMinutes(t, exp(waitMinutes) + workMinutes * (0.5 + rnd())));
    const customer = (activity: string, meanHours: number) =>
      emit(activity, 'Customer', t + exp(meanHours) * HOUR);
    const system = (activity: string) => emit(activity, 'System', t + (2 + rnd() * 20) * MINUTE);

    // Arrival: web and broker applications come at any hour (mostly daytime), branch ones in office hours.
    let arrival = from + Math.floor(rnd() * days) * DAY + (7 + rnd() * 14) * HOUR;
    if (channel === 'branch' || (!isWeekday(arrival) && rnd() < 0.5)) arrival = nextOfficeTime(arrival);
    emit(DEMO_START_ACTIVITY, channel === 'broker' ? 'Broker' : 'Customer', arrival);
    const clerk = pick(CLERKS);
    office('Check Completeness', clerk, 240, 20);
    for (let round = 0; rnd() < (round === 0 ? 0.3 : 0.15) && round < 3; round++) {
      office('Request Missing Documents', clerk, 30, 10);
      if (rnd() < 0.12) {
        customer('Cancel Application', 72 + exp(48));
        continue caseLoop;
      }
      customer('Receive Documents', 24 + exp(60));
      office('Check Completeness', clerk, 180, 15);
    }
    system('Credit Check');
    const underwriter = pick(UNDERWRITERS);
    const pace = underwriter === 'Emma' ? 1.5 : 1;
    office('Review Application', underwriter, 900 * pace, 45 * pace);
    if (rnd() < 0.1) {
      office('Request Missing Documents', underwriter, 30, 10);
      customer('Receive Documents', 24 + exp(60));
      office('Review Application', underwriter, 600 * pace, 30 * pace);
    }
    const large = amount > 50_000;
    if (large) office('Manager Approval', MANAGER, 1_200, 30);
    const rejectChance = 0.12 + (large ? 0.08 : 0) + (channel === 'broker' ? 0.05 : 0);
    if (rnd() < rejectChance) {
      office('Reject Application', large ? MANAGER : underwriter, 60, 15);
      system('Notify Rejection');
      continue;
    }
    office('Approve Application', large ? MANAGER : underwriter, 60, 10);
    office('Send Offer', clerk, 120, 15);
    const response = rnd();
    if (response < 0.72) {
      customer('Offer Accepted', 6 + exp(40));
      office('Disburse Loan', clerk, 240, 20);
    } else if (response < 0.88) customer('Offer Declined', 12 + exp(60));
    else emit('Offer Expired', 'System', t + 14 * DAY);
  }
  return events;
}

/** One CSV field, quoted when it must be. */
function field(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The log as CSV (header row first, `\n` line ends). */
export function demoLogCsv(events: readonly DemoEvent[]): string {
  const lines = [DEMO_COLUMNS.join(',')];
  for (const e of events) lines.push(DEMO_COLUMNS.map((c) => field(e[c])).join(','));
  return `${lines.join('\n')}\n`;
}
