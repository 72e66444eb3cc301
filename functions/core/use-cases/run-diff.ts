import { NotFoundError, StateConflictError } from '../errors.ts';
import type { Scope } from '../notebook.ts';
import type { Actor, Services } from '../ports.ts';
import { isFinal, pointerOf, type RunRecord } from '../run/run.ts';
import { diffRuns, type RunDiff, type RunSide } from '../run/run-diff.ts';
import { briefDiff, type RunDiffBrief } from '../run/run-diff-brief.ts';
import { requireRun } from './run-history.ts';
import { loadOutputs } from './stored-outputs.ts';

/** `against`: another run of the notebook, or its newest Completed run other than this one. */
export const LAST_SUCCESSFUL = 'lastSuccessful';

/** A run has not ended: it cannot be compared yet. */
function requireEnded(run: RunRecord): void {
  if (!isFinal(run.status))
    throw new StateConflictError(
      'ExecutionNotEnded',
      `Run ${run.executionId} is ${run.status}: runs are compared once both have ended`,
      { ExecutionId: run.executionId, Status: run.status },
    );
}

/** The notebook's newest Completed run other than `executionId` (undefined when it has none). */
export async function lastSuccessfulRun(
  services: Services,
  scope: Scope,
  notebookId: string,
  executionId: string,
): Promise<RunRecord | undefined> {
  const latest = await services.runs.latestCompleted(scope, notebookId, 2);
  const found = latest.find((r) => r.executionId !== executionId);
  // The history rows carry the listed fields only: the whole row is read.
  return found && (await services.runs.get({ ...scope, notebookId, executionId: found.executionId }));
}

/** A run's row, cell results and stored outputs by cell id, as the diff reads them. */
async function sideOf(services: Services, run: RunRecord): Promise<RunSide> {
  const results = await services.runs.listCellResults(pointerOf(run));
  const stored = await loadOutputs(services, run, results);
  const outputs = new Map(results.map((r) => [r.cellId, stored.get(r.position) ?? []]));
  return { run, results, outputs };
}

/**
 * The differences between a run and another run of the same notebook (`against`: its id or
 * `lastSuccessful`), cell by cell. Both must have ended (409 `ExecutionNotEnded`); a run
 * of another notebook, project or tenant is not found, as is a missing last successful run.
 */
export async function diffExecutions(
  services: Services,
  actor: Actor,
  ids: { notebookId: string; executionId: string },
  against: string,
): Promise<RunDiff & { notebookId: string; executionId: string; againstExecutionId: string }> {
  const scope = { tenantId: actor.tenantId, projectId: actor.projectId };
  const run = await requireRun(services, { ...scope, ...ids });
  requireEnded(run);
  const other =
    against === LAST_SUCCESSFUL
      ? await lastSuccessfulRun(services, scope, ids.notebookId, ids.executionId)
      : await requireRun(services, { ...scope, notebookId: ids.notebookId, executionId: against });
  if (!other)
    throw new NotFoundError('Successful execution', {
      NotebookId: ids.notebookId,
      ExecutionId: ids.executionId,
      Reason: 'the notebook has no Completed run other than this one to compare with',
    });
  requireEnded(other);
  const [before, after] = await Promise.all([sideOf(services, other), sideOf(services, run)]);
  return {
    notebookId: ids.notebookId,
    executionId: run.executionId,
    againstExecutionId: other.executionId,
    ...diffRuns(before, after),
  };
}

/**
 * A failed run's brief diff against the notebook's last successful run, for its webhook
 * payload (null when the notebook has no Completed run). Reads rows and cell results only.
 */
export async function briefDiffFromLastSuccessful(
  services: Services,
  run: RunRecord,
  results?: RunSide['results'],
): Promise<RunDiffBrief | null> {
  const other = await lastSuccessfulRun(services, run, run.notebookId, run.executionId);
  if (!other) return null;
  const [before, after] = await Promise.all([
    services.runs.listCellResults(pointerOf(other)),
    results ?? services.runs.listCellResults(pointerOf(run)),
  ]);
  return briefDiff({ run: other, results: before }, { run, results: after });
}
