import { runKeys } from '../content-keys.ts';
import type { NbDocument } from '../nbformat/types.ts';
import type { Services } from '../ports.ts';
import type { CellResult } from '../run/cell-result.ts';
import { isFinal, type RunError, type RunPointer, type RunRecord, type RunStatus } from '../run/run.ts';
import { collectPublished } from './collect-published.ts';
import { recordRunEnd, releaseNotebook } from './record-run-end.ts';
import { startNextAttempt } from './retry-run.ts';
import { afterRunEnded } from './run-ended.ts';
import { writeRunFiles } from './run-files.ts';

/** The run's final status and error, from what the tasks recorded (and why the workflow ended). */
export function verdict(run: RunRecord, failure?: RunError): { status: RunStatus; error: RunError | null } {
  if (isFinal(run.status)) return { status: run.status, error: run.error };
  if (run.error) return { status: 'Error', error: run.error };
  if (run.cancelRequested && run.stopReason !== 'shutdown') return { status: 'Cancelled', error: null };
  if (run.cancelRequested) {
    return {
      status: 'Error',
      error: { errorType: 'ServiceStopped', errorMessage: 'The service stopped during the run' },
    };
  }
  if (run.plan && run.nextPosition >= run.plan.length && run.status === 'Running') {
    return { status: 'Completed', error: null };
  }
  if (failure) return { status: 'Error', error: failure };
  return {
    status: 'Error',
    error: { errorType: 'WorkflowFailed', errorMessage: 'The run ended before its last cell' },
  };
}

/** Errors after which the kernel is still sound and worth keeping for a resume. */
const KEEPABLE_ERRORS = new Set(['CellError', 'TimeoutError']);

/**
 * Ends the run's kernel: after a cell error or a timeout (the kernel is alive and holds the
 * state up to the failed cell) it is kept `keepKernelSeconds` for a resume, and the kernel
 * host shuts it down after that; otherwise it is shut down now. Returns until when it is kept.
 */
async function keepOrShutDown(
  services: Services,
  run: RunRecord,
  ending: { status: RunStatus; error: RunError | null },
): Promise<string | null> {
  const kernel = run.kernel!;
  const keep =
    ending.status === 'Error' &&
    KEEPABLE_ERRORS.has(ending.error?.errorType ?? '') &&
    !run.kernelDied &&
    run.keepKernelSeconds > 0;
  if (keep) {
    try {
      await services.kernelHost.kernels.keep(kernel, run.keepKernelSeconds);
      return new Date(services.now().getTime() + run.keepKernelSeconds * 1000).toISOString();
    } catch {
      // Not kept (the host is gone or refused): shut it down as after any other end.
    }
  }
  await services.kernelHost.kernels.shutdown(kernel).catch(() => undefined);
  return null;
}

/**
 * The workflow's Finalize task (it always runs, also after a failed task): decides the final
 * status, has the kernel host report the kernel's resource use, collects what the run published (frames,
 * models; enrichment) and then shuts the kernel down, writes the executed
 * notebook, the per-output download files and the report, frees the notebook and then ends
 * the run. Every step is idempotent, so a retried Finalize finishes what a failed one began.
 */
export async function finalizeRun(
  services: Services,
  pointer: RunPointer,
  failure?: RunError,
): Promise<RunStatus | null> {
  let run = await services.runs.get(pointer);
  if (!run) return null;
  if (!run.finalized) {
    // Measured by the kernel host from outside the kernel (nothing the kernel says about itself).
    const usage = run.kernel ? await services.kernelHost.kernels.usage(run.kernel).catch(() => null) : null;
    // Before the kernel ends (that removes its directory): what the run published via the SDK.
    if (run.kernel && run.startTime && !run.published) {
      const completed = verdict(run, failure).status === 'Completed';
      run = { ...run, published: await collectPublished(services, run, run.kernel, completed) };
    }
    // Ending the kernel and writing the files are independent: done side by side.
    const ended = run;
    const filesOf = async (results: CellResult[]) =>
      ended.startTime
        ? await writeRunFiles(services, ended, results)
        : { executed: null as NbDocument | null, bytes: 0, unwritten: [] };
    const results = await services.runs.listCellResults(pointer);
    const [keptUntil, written] = await Promise.all([
      ended.kernel ? keepOrShutDown(services, ended, verdict(ended, failure)) : null,
      filesOf(results),
    ]);
    const stored = results.reduce((n, r) => n + r.storedBytes, written.bytes);
    for (;;) {
      const { status, error } = verdict(run, failure);
      const changes = {
        status,
        error,
        endTime: run.endTime ?? services.now().toISOString(),
        finalized: true,
        kernelKeptUntil: status === 'Error' ? keptUntil : null,
        ...(written.unwritten.length > 0 ? { unwrittenFiles: written.unwritten } : {}),
        resources: {
          peakMemoryBytes: usage?.peakMemoryBytes ?? null,
          cpuTimeSeconds: usage?.cpuSeconds ?? null,
          peakDiskBytes: usage?.peakDiskBytes ?? null,
          diskUsageBytes: stored,
        },
      };
      // The notebook first: whoever reads the run as ended finds the notebook free.
      await releaseNotebook(services, { ...run, ...changes }, written.executed, results);
      // Then the next attempt, if its retry policy calls for one: the ended run names it.
      const nextAttemptId = await startNextAttempt(services, { ...run, ...changes });
      const final = nextAttemptId ? { ...changes, nextAttemptId } : changes;
      if (await services.runs.update(pointer, final, [run.status])) {
        run = { ...run, ...final };
        break;
      }
      const latest = await services.runs.get(pointer);
      if (!latest) return null;
      run = latest;
    }
    await afterRunEnded(services, run, written.executed ? results : undefined);
  } else if (run.startTime) {
    // A Finalize that failed after ending the run: the files are written; free the notebook.
    const executed = await services.contents
      .get(runKeys(run, run.notebookId, run.executionId).executed)
      .catch(() => null);
    await recordRunEnd(services, run, executed, executed ? await services.runs.listCellResults(pointer) : []);
  } else {
    await recordRunEnd(services, run, null, []);
  }
  await services.runs.clearActive(pointer);
  return run.status;
}
