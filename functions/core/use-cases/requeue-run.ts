import type { Services } from '../ports.ts';
import { holderOf } from '../run/queue-order.ts';
import { pointerOf, type RunRecord } from '../run/run.ts';

/** Which attempt a workflow name is: 0 for the first (the execution id), n for `<executionId>-r<n>`. */
export function attemptOf(workflowName: string): number {
  return Number(/-r(\d+)$/.exec(workflowName)?.[1] ?? 0);
}

/** The workflow name of a run's next attempt: `<executionId>-r<n>`. */
export function nextWorkflowName(run: RunRecord): string {
  return `${run.executionId}-r${attemptOf(run.workflowName) + 1}`;
}

/**
 * Puts a run that was admitted but never started a cell back in the queue: Queued again
 * (conditionally on its status as read), its kernel forgotten (the caller shuts it down if it
 * has one), its slot given back, its entry restored with its original time (it keeps its
 * place), and a new workflow name for its next attempt. Nothing is admitted here: whoever
 * frees capacity next (or the sweep) does. Returns whether the run was requeued.
 */
export async function requeueRun(services: Services, run: RunRecord): Promise<boolean> {
  const pointer = pointerOf(run);
  const workflowName = nextWorkflowName(run);
  const changes = { status: 'Queued' as const, kernel: null, startTime: null, inFlight: null, workflowName };
  if (!(await services.runs.update(pointer, changes, [run.status]))) return false;
  await services.queue.enqueue({
    pointer,
    priority: run.priority,
    queuedAt: run.dateCreated,
    attempt: workflowName,
  });
  await services.queue.release(run.tenantId, holderOf(pointer));
  return true;
}
