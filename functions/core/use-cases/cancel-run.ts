import { StateConflictError } from '../errors.ts';
import type { Actor, Services } from '../ports.ts';
import { isFinal, type RunRecord } from '../run/run.ts';
import { finalizeRun } from './finalize-run.ts';
import { getExecution, requireRun } from './run-history.ts';

function ended(run: RunRecord): StateConflictError {
  return new StateConflictError('ExecutionEnded', `The execution has already ended (${run.status})`, {
    ExecutionId: run.executionId,
    Status: run.status,
  });
}

/**
 * Cancels a run. A Queued run becomes Cancelled at once (conditionally on still being
 * Queued) and never starts; a Running one is flagged, and its task interrupts the kernel
 * and ends it Cancelled within a second or so. An ended run is a 409, and so is a run that
 * has run all its cells and is finishing (nothing is left to cancel).
 */
export async function cancelExecution(
  services: Services,
  actor: Actor,
  notebookId: string,
  executionId: string,
) {
  const pointer = { tenantId: actor.tenantId, projectId: actor.projectId, notebookId, executionId };
  for (let attempt = 0; attempt < 3; attempt++) {
    const run = await requireRun(services, pointer);
    if (isFinal(run.status)) throw ended(run);
    const flag = { cancelRequested: true, stopReason: 'cancel' as const };
    if (run.status === 'Queued') {
      const changes = { ...flag, status: 'Cancelled' as const, endTime: services.now().toISOString() };
      if (await services.runs.update(pointer, changes, ['Queued'])) {
        // It never started and has no workflow: it ends here (the notebook is free at once).
        await finalizeRun(services, pointer);
        return getExecution(services, actor, notebookId, executionId);
      }
    } else if (run.plan && run.nextPosition >= run.plan.length && !run.inFlight) {
      // Every cell has run: the run is finishing and will end Completed (or Error); a cancel
      // now could not stop anything, so it is refused rather than accepted and ignored.
      throw new StateConflictError(
        'ExecutionEnding',
        'The execution has run all its cells and is finishing',
        {
          ExecutionId: run.executionId,
          Status: run.status,
        },
      );
    } else if (await services.runs.update(pointer, flag, ['Running'])) {
      return getExecution(services, actor, notebookId, executionId);
    }
  }
  throw ended(await requireRun(services, pointer));
}
