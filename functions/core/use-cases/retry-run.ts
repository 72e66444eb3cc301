import { NotFoundError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Services } from '../ports.ts';
import { retryDue } from '../run/retry-policy.ts';
import { pointerOf, type RunRecord } from '../run/run.ts';
import { launchRun } from './launch-run.ts';
import { runDocument } from './run-document.ts';
import { inputOfRun } from './run-input.ts';

/**
 * As a run ends (Finalize, before its final status is written, the notebook already free):
 * when its retry policy calls for another attempt (`retryDue` on the ending run), starts it — a
 * new run of the same frozen notebook, parameters, plan and options, from the first cell in a
 * fresh kernel, not admitted before `backoffSeconds` after this end — and returns its id, for
 * the final status to carry as `nextAttemptId` (so whoever sees the run ended sees whether an
 * attempt follows, and the attempt exists). The id is claimed first, only if none is (a run's
 * end may be handled twice: one process alone starts it; the other gets the same id). Null
 * when no attempt follows (none is due, or it could not start: the notebook is gone, or
 * another run took it in between).
 */
export async function startNextAttempt(services: Services, ending: RunRecord): Promise<string | null> {
  if (!retryDue(ending)) return ending.nextAttemptId ?? null;
  const pointer = pointerOf(ending);
  const nextId = newId(services.now().getTime());
  if (!(await services.runs.claimNextAttempt(pointer, nextId, null))) {
    const latest = await services.runs.get(pointer);
    return latest?.nextAttemptClaim ?? null;
  }
  try {
    const notebook = await services.notebooks.get(ending, ending.notebookId);
    if (!notebook) throw new NotFoundError('Notebook', { NotebookId: ending.notebookId });
    const document = await runDocument(services, ending);
    const backoffMs = (ending.retry?.backoffSeconds ?? 0) * 1000;
    const ended = Date.parse(ending.endTime ?? services.now().toISOString());
    await launchRun(
      services,
      { tenantId: ending.tenantId, projectId: ending.projectId, principalId: ending.createdBy },
      notebook,
      {
        executionId: nextId,
        input: inputOfRun(ending),
        document,
        plan: ending.plan!,
        estimate: ending.estimate,
        dataset: ending.dataset,
        retryOf: {
          previous: ending,
          notBefore: backoffMs > 0 ? new Date(ended + backoffMs).toISOString() : null,
        },
      },
    );
    return nextId;
  } catch (error) {
    await services.runs.claimNextAttempt(pointer, null, nextId);
    services.telemetry.problem('the next attempt of a failed run did not start', {
      executionId: ending.executionId,
      error: (error as Error).name,
    });
    return null;
  }
}
