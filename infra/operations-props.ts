import type { Construct } from 'constructs';
import type { FunctionGroup } from './tenant-function.ts';

/**
 * Reserved concurrency per function group: every function of the group gets this many
 * concurrent executions reserved (and at most this many). Reserving keeps a busy tenant from
 * taking the account's whole pool, and keeps the others from starving this one; what is
 * reserved is taken from the account's unreserved pool (see the README's quotas).
 */
export type ReservedConcurrency = Partial<Record<FunctionGroup, number>>;

/** How the tenant is watched: who is told, and when a queue wait is too long. */
export interface OperationsProps {
  /** An address the alarms' SNS topic mails (it confirms the subscription once). */
  alarmEmail?: string;
  /** The queue wait (p90, seconds, over 5 minutes) above which the queue-wait alarm fires (default 300). */
  queueWaitAlarmSeconds?: number;
  /** Reserved concurrency per function group (default: none reserved). */
  reservedConcurrency?: ReservedConcurrency;
}

/** Validated operations settings. */
export interface Operations {
  alarmEmail: string | undefined;
  queueWaitAlarmSeconds: number;
  reservedConcurrency: ReservedConcurrency;
}

export const DEFAULT_QUEUE_WAIT_ALARM_SECONDS = 300;
/** The account's default concurrency quota: no one group may reserve more than this. */
const MAX_RESERVED = 1000;
const GROUPS: readonly FunctionGroup[] = ['api', 'runs', 'schedules', 'webhooks'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** JSON from the command line (`-c name='{...}'`), or the value as cdk.json gave it. */
function parsed(value: unknown, what: string, example: string): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!/^[[{"]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not valid JSON (${(error as Error).message}); expected e.g. ${example}`);
  }
}

function reservedConcurrencyOf(raw: unknown, source: string): ReservedConcurrency {
  const example = `'{"api": 20, "runs": 10, "schedules": 2, "webhooks": 2}'`;
  const value = parsed(raw, source, example);
  if (value === undefined || value === null || value === '') return {};
  const asNumber = typeof value === 'string' ? Number(value) : value;
  if (typeof asNumber === 'number') {
    // One number: the same for every group.
    return Object.fromEntries(GROUPS.map((g) => [g, checkedReserve(asNumber, `${source}`)]));
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${source} must be a number or an object of function groups, e.g. ${example}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const unknown = entries.map(([k]) => k).filter((k) => !GROUPS.includes(k as FunctionGroup));
  if (unknown.length > 0) {
    throw new Error(
      `${source} has unknown function group(s) ${unknown.join(', ')}; the groups are ${GROUPS.join(', ')}`,
    );
  }
  return Object.fromEntries(entries.map(([group, n]) => [group, checkedReserve(n, `${source}.${group}`)]));
}

function checkedReserve(value: unknown, what: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_RESERVED) {
    throw new Error(
      `${what} must be a whole number from 1 to ${MAX_RESERVED} (0 would stop the functions; leave it out to reserve nothing), got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/**
 * The tenant's operations settings: each from the stack props when given, else from the
 * context (`-c alarmEmail=…`, `-c queueWaitAlarmSeconds=600`, `-c reservedConcurrency=…`),
 * validated with messages that name the setting.
 */
export function operationsOf(scope: Construct, props: OperationsProps = {}): Operations {
  const fromProps = (key: keyof OperationsProps) => props[key] !== undefined;
  const pick = (key: keyof OperationsProps): [unknown, string] =>
    fromProps(key) ? [props[key], `TenantStack: ${key}`] : [scope.node.tryGetContext(key), `context ${key}`];

  const [email, emailSource] = pick('alarmEmail');
  if (email !== undefined && email !== '' && (typeof email !== 'string' || !EMAIL.test(email))) {
    throw new Error(
      `${emailSource} must be an e-mail address such as ops@example.com, got ${JSON.stringify(email)}`,
    );
  }
  const [wait, waitSource] = pick('queueWaitAlarmSeconds');
  const seconds = wait === undefined || wait === '' ? DEFAULT_QUEUE_WAIT_ALARM_SECONDS : Number(wait);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) {
    throw new Error(
      `${waitSource} must be a whole number of seconds from 1 to 86400, got ${JSON.stringify(wait)}`,
    );
  }
  const [reserved, reservedSource] = pick('reservedConcurrency');
  return {
    alarmEmail: typeof email === 'string' && email !== '' ? email : undefined,
    queueWaitAlarmSeconds: seconds,
    reservedConcurrency: reservedConcurrencyOf(reserved, reservedSource),
  };
}
