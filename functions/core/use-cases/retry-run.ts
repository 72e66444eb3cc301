import { NotFoundError } from '../errors.ts';
import { newId } from '../ids.ts';
import { parseParametersLossless } from '../parameters.ts';
import type { Services } from '../ports.ts';
import { retryDue } from '../run/retry-policy.ts';
import { pointerOf, type RunRecord } from '../run/run.ts';
import type { ExecuteInput } from './execute-notebook.ts';
import { launchRun } from './launch-run.ts';

/** What the failed attempt was started with: the next one is started the same way. */
function inputOf(run: RunRecord): ExecuteInput {
  return {
    executionMode: run.executionMode,
    cellRange: run.cellRange,
    parameters: parseParametersLossless(run.parametersJson) as Record<string, unknown>,
    outputOptions: run.outputOptions,
    timeoutSeconds: run.timeoutSeconds,
    cellTimeoutSeconds: run.cellTimeoutSeconds,
    priority: run.priority,
    idempotencyToken: run.idempotencyToken,
    trigger: run.trigger,
    scheduledFor: run.scheduledFor,
    keepKernelSeconds: run.keepKernelSeconds,
    allowErrors: run.allowErrors,
    retry: run.retry ?? null,
    ...(run.resourceLimits ? { resources: run.resourceLimits } : {}),
  };
}

/**
 * After a run ended: when its retry policy calls for another attempt (`retryDue`), starts it
 * — a new run of the same frozen notebook, parameters, plan and options, from the first cell
 * in a fresh kernel, not admitted before `backoffSeconds` have passed — and links the two
 * (`nextAttemptId`, `previousAttemptId`, `attempt`). The link is written first and only if
 * none is there, so one process alone starts it (a run's end may be handled twice). Returns
 * whether a next attempt follows this run (then its end is not reported: the last attempt's is).
 */
export async function startNextAttempt(services: Services, run: RunRecord): Promise<boolean> {
  if (!retryDue(run)) return Boolean(run.nextAttemptId);
  const pointer = pointerOf(run);
  const nextId = newId(services.now().getTime());
  if (!(await services.runs.linkNextAttempt(pointer, nextId, null))) return true;
  try {
    const notebook = await services.notebooks.get(run, run.notebookId);
    if (!notebook) throw new NotFoundError('Notebook', { NotebookId: run.notebookId });
    const document = await services.contents.get(run.inputKey!);
    const backoffMs = (run.retry?.backoffSeconds ?? 0) * 1000;
    const ended = Date.parse(run.endTime ?? services.now().toISOString());
    await launchRun(
      services,
      { tenantId: run.tenantId, projectId: run.projectId, principalId: run.createdBy },
      notebook,
      {
        executionId: nextId,
        input: inputOf(run),
        document,
        plan: run.plan!,
        estimate: run.estimate,
        dataset: run.dataset,
        retryOf: {
          previous: run,
          notBefore: backoffMs > 0 ? new Date(ended + backoffMs).toISOString() : null,
        },
      },
    );
    return true;
  } catch (error) {
    // Not started (the notebook is gone, or another run holds it now): this attempt is the last.
    await services.runs.linkNextAttempt(pointer, null, nextId);
    services.telemetry.problem('the next attempt of a failed run did not start', {
      executionId: run.executionId,
      error: (error as Error).name,
    });
    return false;
  }
}
