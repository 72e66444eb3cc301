import { runKeys } from '../content-keys.ts';
import { serializeDocument } from '../nbformat/document.ts';
import type { Services } from '../ports.ts';
import type { RunError, RunPointer } from '../run/run.ts';
import { admitQueued } from './admission.ts';
import { finalizeRun } from './finalize-run.ts';
import { recordRunEnd } from './record-run-end.ts';
import { requeueRun } from './requeue-run.ts';
import { assembleExecuted } from './run-files.ts';

export type ReconcileOutcome = 'finalized' | 'requeued' | 'gone';

/**
 * Ends a run whose workflow is gone: it failed, was stopped or timed out (in AWS, the Step
 * Functions status-change event), or the service died under it (the local stack, on start).
 * The run gets a final status and reason, its kernel is shut down and its notebook freed;
 * with `requeue`, a run that had not started a cell is queued again instead (admitted, it gets
 * a new workflow).
 */
export async function reconcileRun(
  services: Services,
  pointer: RunPointer,
  reason: RunError,
  options: { requeue: boolean },
): Promise<ReconcileOutcome> {
  const run = await services.runs.get(pointer);
  if (!run) {
    await services.runs.clearActive(pointer);
    return 'gone';
  }
  const untouched =
    !run.finalized &&
    !run.cancelRequested &&
    (run.status === 'Queued' ||
      (run.status === 'Running' &&
        run.nextPosition === 0 &&
        !run.inFlight &&
        (await services.runs.listCellResults(pointer)).length === 0));
  if (options.requeue && untouched) {
    if (await requeueRun(services, run)) {
      if (run.kernel) await services.kernelHost.kernels.shutdown(run.kernel).catch(() => undefined);
      await admitQueued(services, run.tenantId);
      return 'requeued';
    }
  }
  try {
    await finalizeRun(services, pointer, reason);
  } catch (error) {
    await forceEnd(services, pointer, reason, error as Error);
  }
  return 'finalized';
}

/**
 * Last resort when Finalize itself keeps failing: end the run without its files and free the
 * notebook, so nothing stays Running forever. The notebook still gets the outputs its cells
 * recorded, when they can be read (the executed notebook is assembled in memory).
 */
async function forceEnd(
  services: Services,
  pointer: RunPointer,
  reason: RunError,
  error: Error,
): Promise<void> {
  const run = await services.runs.get(pointer);
  if (run && !run.finalized) {
    if (run.kernel) await services.kernelHost.kernels.shutdown(run.kernel).catch(() => undefined);
    const message = `${reason.errorMessage}; finalizing failed: ${error.message}`;
    await services.runs.update(pointer, {
      status: run.status === 'Cancelled' ? 'Cancelled' : 'Error',
      error: run.error ?? { ...reason, errorMessage: message },
      endTime: run.endTime ?? services.now().toISOString(),
      finalized: true,
    });
    const results = run.startTime ? await services.runs.listCellResults(pointer).catch(() => []) : [];
    const executed =
      results.length > 0 ? await assembleExecuted(services, run, results).catch(() => null) : null;
    if (executed) {
      const key = runKeys(run, run.notebookId, run.executionId).executed;
      await services.files
        .put(key, serializeDocument(executed), 'application/x-ipynb+json')
        .catch(() => undefined);
    }
    await recordRunEnd(services, { ...run, status: 'Error' }, executed, executed ? results : []);
  }
  await services.runs.clearActive(pointer);
}

/** Reconciles every run that is not finalized (after a restart of the service). */
export async function reconcileActiveRuns(
  services: Services,
  reason: RunError,
): Promise<Record<ReconcileOutcome, number>> {
  const counts = { finalized: 0, requeued: 0, gone: 0 };
  for (const pointer of await services.runs.listActive()) {
    counts[await reconcileRun(services, pointer, reason, { requeue: true })]++;
  }
  return counts;
}
