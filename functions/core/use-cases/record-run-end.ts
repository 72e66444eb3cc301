import { revisionKey } from '../content-keys.ts';
import { newId } from '../ids.ts';
import { joinSource, type NbDocument } from '../nbformat/types.ts';
import type { NotebookStatus } from '../notebook.ts';
import type { RunEnd, Services } from '../ports.ts';
import type { CellResult } from '../run/cell-result.ts';
import type { RunRecord } from '../run/run.ts';
import { afterRunEnded } from './run-ended.ts';

const ATTEMPTS = 4;

/** The notebook's status after a run: what the seeds' `status` filter shows. */
export function notebookStatusAfter(run: RunRecord): NotebookStatus {
  if (run.kernelDied) return 'Kernel_Dead';
  return run.status === 'Error' ? 'Error' : 'Ready';
}

/**
 * Copies a run's execution data into the notebook's current content: every executed cell
 * whose id and source are unchanged gets its outputs, execution count and `lastExecuted` /
 * `executionStatus`. Cells edited during the run keep the user's version.
 */
function applyRun(current: NbDocument, executed: NbDocument, results: CellResult[]): NbDocument | null {
  const executedById = new Map(executed.cells.map((c) => [c.id, c]));
  const resultById = new Map(results.map((r) => [r.cellId, r]));
  let changed = false;
  const cells = current.cells.map((cell) => {
    const ran = executedById.get(cell.id);
    const result = resultById.get(cell.id ?? '');
    if (!ran || !result || cell.cell_type !== 'code' || joinSource(ran.source) !== joinSource(cell.source)) {
      return cell;
    }
    changed = true;
    const meta = (cell.metadata.cellwise ?? {}) as Record<string, unknown>;
    return {
      ...cell,
      outputs: result.status === 'Skipped' ? cell.outputs : ran.outputs,
      execution_count: result.status === 'Skipped' ? cell.execution_count : ran.execution_count,
      metadata: {
        ...cell.metadata,
        cellwise: { ...meta, lastExecuted: result.endedAt, executionStatus: result.status },
      },
    };
  });
  return changed ? { ...current, cells } : null;
}

/**
 * Frees the notebook from the run and records the run on it: status (Ready, Error, or
 * Kernel_Dead after a kernel death), `lastExecutionDate`/`lastExecutionDuration`,
 * `executionCount`, and the cells' outputs in a new content revision. The content swap is
 * conditional on the content the run read, so a user's edit during the run is never lost
 * (the run's data is re-applied to the edited content instead). Idempotent.
 */
export async function recordRunEnd(
  services: Services,
  run: RunRecord,
  executed: NbDocument | null,
  results: CellResult[],
): Promise<void> {
  await releaseNotebook(services, run, executed, results);
  // With the executed notebook, `results` are the run's complete cell results.
  await afterRunEnded(services, run, executed ? results : undefined);
}

/**
 * Frees the notebook from the run (status, last execution, the cells' outputs); a no-op once
 * the notebook no longer holds this run. Finalize calls it before it writes the run's final
 * status, so a client that sees the run ended also sees the notebook free with its outputs.
 */
export async function releaseNotebook(
  services: Services,
  run: RunRecord,
  executed: NbDocument | null,
  results: CellResult[],
): Promise<void> {
  const scope = { tenantId: run.tenantId, projectId: run.projectId };
  const duration =
    run.startTime && run.endTime ? (Date.parse(run.endTime) - Date.parse(run.startTime)) / 1000 : 0;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const notebook = await services.notebooks.get(scope, run.notebookId);
    if (notebook?.activeExecutionId !== run.executionId) return;
    const end: RunEnd = { status: notebookStatusAfter(run) };
    if (run.startTime)
      end.executed = { date: run.endTime ?? services.now().toISOString(), durationSeconds: duration };
    let written: string | null = null;
    if (executed && results.length > 0) {
      const updated = applyRun(await services.contents.get(notebook.contentKey), executed, results);
      if (updated) {
        written = revisionKey(scope, run.notebookId, newId());
        await services.contents.put(written, updated);
        end.contentKey = { previous: notebook.contentKey, next: written };
      }
    }
    if (await services.notebooks.releaseRun(scope, run.notebookId, run.executionId, end)) return;
    if (written) await services.contents.delete(written);
  }
  // The content kept changing under us: free the notebook without the outputs rather than hold it.
  await services.notebooks.releaseRun(scope, run.notebookId, run.executionId, {
    status: notebookStatusAfter(run),
    ...(run.startTime
      ? { executed: { date: run.endTime ?? services.now().toISOString(), durationSeconds: duration } }
      : {}),
  });
}
