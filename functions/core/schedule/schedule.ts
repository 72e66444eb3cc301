/**
 * A notebook's schedule: `integration.scheduleExecution` (5-field cron) in
 * `integration.scheduleTimezone`, enabled by `integration.autoExecution`, running with
 * `integration.scheduleParameters`. One schedule record per notebook with an enabled
 * schedule; EventBridge Scheduler (AWS) or the local loop fires it.
 */
import { ValidationError, type ValidationIssue } from '../errors.ts';
import type { Integration, NotebookRecord, Scope } from '../notebook.ts';
import { parseParametersLossless, validateParameterNames } from '../parameters.ts';
import { type CronSchedule, CronSyntaxError, cronProblem, parseCron } from './cron.ts';
import { isKnownTimeZone, nextFireTimes } from './next-fire.ts';

/** How many upcoming fire times a notebook shows (`integration.nextScheduledRuns`). */
export const UPCOMING_RUNS = 3;

/** The schedule record of a notebook (a DynamoDB row; mirrored into EventBridge Scheduler in AWS). */
export interface ScheduleRecord extends Scope {
  notebookId: string;
  /** The 5-field cron. */
  cron: string;
  /** IANA time zone. */
  timezone: string;
  /** Fire times before this instant are not owed: the schedule did not exist (in this form) yet. */
  effectiveFrom: string;
}

/** What came of one fire time (stored on its claim). */
export type FireOutcome =
  | { outcome: 'started'; executionId: string }
  | {
      outcome: 'skipped';
      reason: 'NotebookRunning' | 'ScheduleDisabled' | 'NotebookMissing';
      executionId?: string | null;
    }
  | { outcome: 'failed'; reason: string };

/** One fire time of one notebook: the unit of at-most-once. */
export interface FireTime extends Scope {
  notebookId: string;
  /** ISO-8601 UTC, whole minutes. */
  scheduledFor: string;
}

const timezoneOf = (i: Integration) => i.scheduleTimezone ?? 'UTC';
const parametersJsonOf = (i: Integration) => i.scheduleParametersJson ?? '{}';

/** True when the integration asks for scheduled runs. */
export function isScheduleEnabled(i: Integration): boolean {
  return i.autoExecution && !!i.scheduleExecution;
}

/** The schedule record a notebook should have, or undefined when its schedule is off. */
export function scheduleOf(n: NotebookRecord, effectiveFrom: string): ScheduleRecord | undefined {
  if (!isScheduleEnabled(n.integration)) return undefined;
  return {
    tenantId: n.tenantId,
    projectId: n.projectId,
    notebookId: n.notebookId,
    cron: parseCron(n.integration.scheduleExecution!).source,
    timezone: timezoneOf(n.integration),
    effectiveFrom,
  };
}

/** True when the two integrations differ in what the schedule record holds. */
export function scheduleChanged(a: Integration, b: Integration): boolean {
  return (
    isScheduleEnabled(a) !== isScheduleEnabled(b) ||
    (a.scheduleExecution ?? null) !== (b.scheduleExecution ?? null) ||
    timezoneOf(a) !== timezoneOf(b)
  );
}

/**
 * The next fire times (ISO UTC) of an enabled schedule; empty when it is off, or when a cron
 * stored before validation was this strict cannot run.
 */
export function upcomingRuns(i: Integration, now: Date, count = UPCOMING_RUNS): string[] {
  if (!isScheduleEnabled(i)) return [];
  let cron: CronSchedule;
  try {
    cron = parseCron(i.scheduleExecution!);
  } catch (error) {
    if (error instanceof CronSyntaxError) return [];
    throw error;
  }
  return nextFireTimes(cron, timezoneOf(i), now, count).map((d) => d.toISOString());
}

/** The scheduled runs' parameters, parsed losslessly (numbers keep their JSON source). */
export function scheduleParameters(i: Integration): Record<string, unknown> {
  return parseParametersLossless(parametersJsonOf(i)) as Record<string, unknown>;
}

/** The integration as the API shows it: stored fields, defaults, parameters and the next fire times. */
export function toIntegrationView(i: Integration, now: Date) {
  return {
    enrichmentMode: i.enrichmentMode,
    datasetBinding: i.datasetBinding,
    outputFormat: i.outputFormat,
    autoExecution: i.autoExecution,
    scheduleExecution: i.scheduleExecution,
    scheduleTimezone: timezoneOf(i),
    scheduleParameters: scheduleParameters(i),
    scheduleStrictParameters: i.scheduleStrictParameters ?? null,
    scheduleRetry: i.scheduleRetry ?? null,
    scheduleSecrets: i.scheduleSecrets ?? null,
    nextScheduledRuns: upcomingRuns(i, now),
  };
}

/**
 * Checks the schedule fields of an integration about to be stored (cron, time zone,
 * parameter names); throws a ValidationError naming `body.integration.<field>`.
 */
export function checkScheduleSettings(i: Integration): void {
  const issues: ValidationIssue[] = [];
  const cron = i.scheduleExecution ? cronProblem(i.scheduleExecution) : null;
  if (cron) issues.push({ path: 'body.integration.scheduleExecution', message: cron });
  if (!isKnownTimeZone(timezoneOf(i))) {
    issues.push({ path: 'body.integration.scheduleTimezone', message: 'must be an IANA time zone name' });
  }
  const names = validateParameterNames(scheduleParameters(i));
  for (const name of names) {
    issues.push({
      path: `body.integration.scheduleParameters.${name}`,
      message: 'is not a valid Python identifier',
    });
  }
  if (issues.length > 0) {
    throw new ValidationError(
      `Invalid schedule: ${issues.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      issues,
    );
  }
}
