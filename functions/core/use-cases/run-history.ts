import { NotFoundError } from '../errors.ts';
import type { Scope } from '../notebook.ts';
import type { Actor, Services } from '../ports.ts';
import { formatDurationRange } from '../run/human-units.ts';
import { type Estimate, pointerOf, type RunPointer, type RunRecord, type RunStatus } from '../run/run.ts';
import { toRunStatus, toRunSummary } from '../run/run-view.ts';
import { queuePosition } from './admission.ts';
import { requireNotebook } from './common.ts';

/** How many of the notebook's last completed runs the estimate looks at. */
const ESTIMATE_WINDOW = 10;

/**
 * How long the notebook's runs take, from its own last completed runs: the range they
 * spanned and their median. Null without history (nothing is guessed).
 */
export async function estimateDuration(
  services: Services,
  scope: Scope,
  notebookId: string,
): Promise<Estimate | null> {
  const items = await services.runs.latestCompleted(scope, notebookId, ESTIMATE_WINDOW);
  const durations = items
    .flatMap((r) =>
      r.startTime && r.endTime ? [(Date.parse(r.endTime) - Date.parse(r.startTime)) / 1000] : [],
    )
    .sort((a, b) => a - b);
  if (durations.length === 0) return null;
  const median = durations[Math.floor(durations.length / 2)]!;
  return { text: formatDurationRange(durations[0]!, durations.at(-1)!), seconds: median };
}

/** The run, or NotFoundError (also for runs of other notebooks, tenants and projects). */
export async function requireRun(services: Services, pointer: RunPointer): Promise<RunRecord> {
  const run = await services.runs.get(pointer);
  if (!run)
    throw new NotFoundError('Execution', {
      ExecutionId: pointer.executionId,
      NotebookId: pointer.notebookId,
    });
  return run;
}

/** The status of one run (route 13). */
export async function getExecution(
  services: Services,
  actor: Actor,
  notebookId: string,
  executionId: string,
) {
  const pointer = { tenantId: actor.tenantId, projectId: actor.projectId, notebookId, executionId };
  const run = await requireRun(services, pointer);
  return viewOfRun(services, run);
}

/** The status view of a run just launched: it has no cell results yet (nothing to read). */
export async function viewOfNewRun(services: Services, run: RunRecord) {
  return { ...toRunStatus(run, []), queuePosition: await queuePosition(services, run) };
}

/** A run's status view, with its queue position while it waits. */
export async function viewOfRun(services: Services, run: RunRecord) {
  const [results, position] = await Promise.all([
    services.runs.listCellResults(pointerOf(run)),
    queuePosition(services, run),
  ]);
  return { ...toRunStatus(run, results), queuePosition: position };
}

/** A notebook's run history, newest first, paginated like the notebook list. */
export async function listExecutions(
  services: Services,
  actor: Actor,
  notebookId: string,
  query: { status?: RunStatus; page: number; pageSize: number },
) {
  await requireNotebook(services, actor, notebookId);
  const { items, totalCount } = await services.runs.list(actor, notebookId, query);
  return {
    notebookId,
    executions: items.map(toRunSummary),
    totalCount,
    page: query.page,
    pageSize: query.pageSize,
    hasNextPage: query.page * query.pageSize < totalCount,
  };
}
