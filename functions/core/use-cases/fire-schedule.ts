import { DomainError, StateConflictError } from '../errors.ts';
import type { Scope } from '../notebook.ts';
import type { Actor, Services } from '../ports.ts';
import type { RunStatusView } from '../run/run-view.ts';
import {
  type FireOutcome,
  type FireTime,
  isScheduleEnabled,
  scheduleParameters,
} from '../schedule/schedule.ts';
import { executeNotebook } from './execute-notebook.ts';

export interface FireScheduleInput {
  scope: Scope;
  notebookId: string;
  /** The fire time (EventBridge's `<aws.scheduler.scheduled-time>`, or the local loop's). */
  scheduledFor: string | Date;
}

/** The principal scheduled runs are created by (`createdBy` of the run). */
export const SCHEDULE_PRINCIPAL = 'system:schedule';

/** The system principal of a notebook's tenant and project that scheduled runs act as. */
export function scheduleActor(scope: Scope): Actor {
  return { tenantId: scope.tenantId, projectId: scope.projectId, principalId: SCHEDULE_PRINCIPAL };
}

/** Fire times are whole minutes: deliveries of the same fire time must claim the same key. */
export function normalizeFireTime(value: string | Date): string {
  const ms = typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (Number.isNaN(ms)) throw new TypeError(`not a fire time: ${String(value)}`);
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
}

/**
 * Fires one schedule time of one notebook; shared by the AWS fire Lambda and the local loop.
 * The fire time is first claimed with a conditional write, so it runs at most once however
 * often it is delivered (EventBridge delivers at least once; loops may race or restart).
 * Then the notebook's current schedule settings are read and the run is submitted like an
 * API run (all cells, default options) with the schedule's parameters, `trigger: "schedule"`
 * and `scheduledFor`. A notebook still busy with another run (409 NotebookRunning) is not
 * queued behind it: the fire time is recorded as skipped, as is one whose schedule was
 * switched off or whose notebook is gone. Other submission errors are recorded as failed.
 * Returns the outcome (`duplicate` when another delivery had claimed it).
 */
export async function fireSchedule(
  services: Services,
  input: FireScheduleInput,
): Promise<FireOutcome | { outcome: 'duplicate' }> {
  const fire: FireTime = {
    tenantId: input.scope.tenantId,
    projectId: input.scope.projectId,
    notebookId: input.notebookId,
    scheduledFor: normalizeFireTime(input.scheduledFor),
  };
  if (!(await services.schedules.claimFire(fire))) return { outcome: 'duplicate' };
  let outcome: FireOutcome;
  try {
    outcome = await submit(services, fire);
  } catch (error) {
    // At most once: the claim stays, the failure is recorded, the caller logs the error.
    await services.schedules.recordFire(fire, { outcome: 'failed', reason: String(error) }).catch(() => {});
    throw error;
  }
  await services.schedules.recordFire(fire, outcome);
  return outcome;
}

async function submit(services: Services, fire: FireTime): Promise<FireOutcome> {
  const notebook = await services.notebooks.get(fire, fire.notebookId);
  if (!notebook) return { outcome: 'skipped', reason: 'NotebookMissing' };
  if (!isScheduleEnabled(notebook.integration)) return { outcome: 'skipped', reason: 'ScheduleDisabled' };
  let run: RunStatusView;
  try {
    run = await executeNotebook(services, scheduleActor(fire), fire.notebookId, {
      executionMode: 'all',
      cellRange: null,
      parameters: scheduleParameters(notebook.integration),
      outputOptions: { captureOutputs: true, saveIntermediateResults: true, generateReport: false },
      timeoutSeconds: 3600,
      cellTimeoutSeconds: null,
      priority: 'Normal',
      idempotencyToken: null,
      trigger: 'schedule',
      scheduledFor: fire.scheduledFor,
      ...strictOption(notebook.integration.scheduleStrictParameters),
      retry: notebook.integration.scheduleRetry ?? null,
      ...(notebook.integration.scheduleSecrets?.length
        ? { secrets: notebook.integration.scheduleSecrets }
        : {}),
    });
  } catch (error) {
    if (error instanceof StateConflictError && error.code === 'NotebookRunning') {
      const executionId = (error.context.ExecutionId as string | null | undefined) ?? null;
      return { outcome: 'skipped', reason: 'NotebookRunning', executionId };
    }
    if (error instanceof DomainError) return { outcome: 'failed', reason: `${error.code}: ${error.message}` };
    throw error;
  }
  return { outcome: 'started', executionId: run.executionId };
}

/** The schedule's own `strictParameters`, when it sets one (else the notebook metadata decides). */
function strictOption(strict: boolean | null | undefined): { strictParameters?: boolean } {
  return typeof strict === 'boolean' ? { strictParameters: strict } : {};
}
