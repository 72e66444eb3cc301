import type { Services } from '../ports.ts';
import {
  KernelFleetFullError,
  KernelHostRejectedError,
  KernelHostUnreachableError,
  type KernelRef,
} from '../run/kernel.ts';
import type { RunPointer, RunRecord } from '../run/run.ts';
import { stageRun } from '../run/run-staging.ts';
import { afterFleetRefusal } from './fleet-refusal.ts';
import { requeueRun } from './requeue-run.ts';

/**
 * What a workflow task tells the workflow to do next: run cells, finalize, or end this
 * execution because the run went back to the queue (`requeued`: its next admission starts a
 * new one).
 */
export interface StepResult {
  next: 'run' | 'finalize' | 'requeued';
}

const START_ATTEMPTS = 3;
/** How long a start refused by a full fleet is retried (every FULL_RETRY_MS) before the run is requeued. */
const FULL_WAIT_MS = 10_000;
const FULL_RETRY_MS = 500;

/**
 * The workflow's Prepare task, for a run admission started (a waiting run has no workflow).
 * The run gets its kernel, placed on a host of the fleet with room (a warm pooled kernel when
 * the host has one) and, with a dataset, its staged `.cellwise/run.json`. No host with room
 * for 10 s (the fleet shrank since admission counted it): the run goes back to the queue,
 * keeping its place. A run cancelled meanwhile goes straight to Finalize (which shuts a started
 * kernel down); a run found Queued belongs to a later attempt and this execution just ends.
 * Safe to retry: a run that has its kernel goes on to RunCells.
 */
export async function prepareRun(services: Services, pointer: RunPointer): Promise<StepResult> {
  const run = await services.runs.get(pointer);
  if (!run) return { next: 'finalize' };
  if (run.status === 'Queued' && !run.cancelRequested) return { next: 'requeued' };
  if (run.status !== 'Running' || run.cancelRequested) return { next: 'finalize' };
  if (run.kernel) {
    // A resume continuing in its kept kernel: the staged file is the ended run's (its link
    // may have expired); this run's replaces it. Idempotent, so a retried Prepare may redo it.
    if (run.resumedFrom) {
      try {
        await stageRun(services, run, run.kernel);
      } catch (error) {
        return kernelUnavailable(
          services,
          pointer,
          error,
          "The run's dataset could not be staged on the kernel host",
        );
      }
    }
    return { next: 'run' };
  }
  let kernel: KernelRef;
  try {
    kernel = await startKernel(services, run);
  } catch (error) {
    if (error instanceof KernelFleetFullError && (await requeueRun(services, run))) {
      await afterFleetRefusal(services, run).catch(() => undefined); // the sweep does it otherwise
      return { next: 'requeued' };
    }
    return kernelUnavailable(services, pointer, error, 'No kernel could be started');
  }
  try {
    await stageRun(services, run, kernel);
  } catch (error) {
    await services.kernelHost.kernels.shutdown(kernel).catch(() => undefined);
    return kernelUnavailable(
      services,
      pointer,
      error,
      "The run's dataset could not be staged on the kernel host",
    );
  }
  // Recorded even if the run was cancelled meanwhile: Finalize shuts the kernel down.
  if (!(await services.runs.update(pointer, { kernel }, ['Running']))) {
    await services.kernelHost.kernels.shutdown(kernel).catch(() => undefined);
    return { next: 'finalize' };
  }
  return { next: 'run' };
}

/** Ends the run with KernelUnavailable for a kernel host error (any other error is thrown). */
async function kernelUnavailable(
  services: Services,
  pointer: RunPointer,
  error: unknown,
  what: string,
): Promise<StepResult> {
  if (
    !(
      error instanceof KernelHostRejectedError ||
      error instanceof KernelHostUnreachableError ||
      error instanceof KernelFleetFullError
    )
  )
    throw error;
  const reason = { errorType: 'KernelUnavailable', errorMessage: `${what}: ${error.message}` };
  await services.runs.update(pointer, { error: reason }, ['Running']);
  return { next: 'finalize' };
}

/** Starts the run's kernel with its limits, retrying a host that is briefly unreachable (a rejection is final). */
async function startKernel(services: Services, run: RunRecord): Promise<KernelRef> {
  const limits = run.resourceLimits ?? services.runSettings.kernelLimits.defaults;
  const fullUntil = Date.now() + FULL_WAIT_MS;
  let attempt = 0;
  for (;;) {
    try {
      return await services.kernelHost.kernels.start(run.kernelType, run.executionId, limits);
    } catch (error) {
      // A full fleet is often full for a moment only: a run that just ended gives its kernel
      // back while the host is still shutting it down. Asked again before going back to the queue.
      if (error instanceof KernelFleetFullError && Date.now() < fullUntil) {
        await new Promise((resolve) => setTimeout(resolve, FULL_RETRY_MS));
        continue;
      }
      attempt++;
      if (!(error instanceof KernelHostUnreachableError) || attempt >= START_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}
