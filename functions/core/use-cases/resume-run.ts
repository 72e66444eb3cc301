import { StateConflictError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Actor, Services } from '../ports.ts';
import type { CellResult } from '../run/cell-result.ts';
import type { KernelRef } from '../run/kernel.ts';
import { type Priority, pointerOf, type RunRecord } from '../run/run.ts';
import { planRun } from '../run/run-plan.ts';
import type { RunStatusView } from '../run/run-view.ts';
import { requireNotebook } from './common.ts';
import { checkTimeouts, type ExecuteInput } from './execute-notebook.ts';
import { launchRun } from './launch-run.ts';
import { requireRun, viewOfNewRun } from './run-history.ts';
import { inputOfRun } from './run-input.ts';

/** What a resume may change from the run it resumes (the rest is kept). */
export interface ResumeInput {
  priority?: Priority;
  timeoutSeconds?: number;
  cellTimeoutSeconds?: number | null;
  keepKernelSeconds?: number;
}

const RESUMABLE = new Set(['Error', 'Cancelled']);

/**
 * Whether the run went past the cell: it succeeded, or failed with its error allowed (tagged
 * `raises-exception`, or a run with `allowErrors`) without being stopped (timeout, death).
 */
function passed(run: RunRecord, r: CellResult): boolean {
  if (r.status === 'Success') return true;
  return r.status === 'Error' && !r.stoppedBy && run.plan?.[r.position]?.allowErrors === true;
}

/** The plan position a resume starts at: the first planned cell the run did not get past. */
function resumePosition(run: RunRecord, results: CellResult[]): number {
  const done = new Map(results.map((r) => [r.position, r]));
  return (run.plan ?? []).findIndex((_, position) => {
    const r = done.get(position);
    return !r || (r.status !== 'Skipped' && !passed(run, r));
  });
}

/** Takes the ended run's kept kernel if it still lives (and makes sure no other resume can). */
async function takeKeptKernel(services: Services, run: RunRecord): Promise<KernelRef | null> {
  if (!run.kernel || !run.kernelKeptUntil || Date.parse(run.kernelKeptUntil) <= services.now().getTime()) {
    return null;
  }
  const claimed = await services.runs.update(pointerOf(run), { kernelKeptUntil: null }, [run.status]);
  if (!claimed) return null;
  return (await services.kernelHost.kernels.reclaim(run.kernel).catch(() => false)) ? run.kernel : null;
}

/**
 * Resumes a run that ended Error or Cancelled (409 otherwise): a new run (`trigger:
 * "resume"`, `resumedFrom`) from the first cell the run did not get past (one that failed
 * with its error allowed counts as passed) to the end of the
 * original range, on the notebook's current source, with the original parameters. If the
 * ended run's kernel is still kept, the new run continues in it (its state is intact);
 * otherwise a fresh kernel first replays the cells that had succeeded (`replayedCells`).
 */
export async function resumeExecution(
  services: Services,
  actor: Actor,
  notebookId: string,
  executionId: string,
  input: ResumeInput,
): Promise<RunStatusView> {
  const pointer = { tenantId: actor.tenantId, projectId: actor.projectId, notebookId, executionId };
  const previous = await requireRun(services, pointer);
  if (!RESUMABLE.has(previous.status)) {
    throw new StateConflictError(
      'ExecutionNotResumable',
      `Only a run that ended Error or Cancelled can be resumed; this one is ${previous.status}`,
      { ExecutionId: executionId, Status: previous.status },
    );
  }
  const results = await services.runs.listCellResults(pointer);
  const position = resumePosition(previous, results);
  if (position < 0) {
    throw new StateConflictError(
      'NothingToResume',
      'Every cell of the run succeeded: there is nothing to resume',
      {
        ExecutionId: executionId,
      },
    );
  }
  const fromCell = previous.plan![position]!.cellId;
  const notebook = await requireNotebook(services, actor, notebookId);
  const source = await services.contents.get(notebook.contentKey);
  const ids = source.cells.map((c) => c.id);
  if (!ids.includes(fromCell)) {
    throw new StateConflictError(
      'ResumeCellGone',
      `The cell the run stopped at (${fromCell}) is no longer in the notebook`,
      {
        ExecutionId: executionId,
        CellId: fromCell,
      },
    );
  }
  const codeIds = source.cells.filter((c) => c.cell_type === 'code').map((c) => c.id!);
  const originalEnd = previous.executionMode === 'range' ? previous.cellRange?.endCell : undefined;
  const endCell =
    originalEnd && ids.indexOf(originalEnd) >= ids.indexOf(fromCell) ? originalEnd : codeIds.at(-1)!;
  // The resumed run's input: the previous one's, over the range left, without its token, trigger
  // or retry policy (a resume is a new run a person asked for), with the limits the body changes.
  const { trigger: _trigger, scheduledFor: _scheduledFor, retry: _retry, ...kept } = inputOfRun(previous);
  const run: ExecuteInput = {
    ...kept,
    executionMode: 'range',
    cellRange: { startCell: fromCell, endCell },
    timeoutSeconds: input.timeoutSeconds ?? previous.timeoutSeconds,
    cellTimeoutSeconds:
      input.cellTimeoutSeconds === undefined ? previous.cellTimeoutSeconds : input.cellTimeoutSeconds,
    priority: input.priority ?? previous.priority,
    idempotencyToken: null,
    keepKernelSeconds: input.keepKernelSeconds ?? previous.keepKernelSeconds,
  };
  checkTimeouts(run);
  const succeeded = new Set(
    results.filter((r) => passed(previous, r) && r.position < position).map((r) => r.cellId),
  );
  const inKept = planRun(source, { ...run, resume: { fromCell, replay: new Set() } });
  const replayed = planRun(source, { ...run, resume: { fromCell, replay: succeeded } });
  const launched = await launchRun(services, actor, notebook, {
    executionId: newId(services.now().getTime()),
    input: run,
    document: replayed.document,
    plan: replayed.plan,
    estimate: null,
    resumedFrom: executionId,
    dataset: previous.dataset,
    takeKernel: async () => {
      const kernel = await takeKeptKernel(services, previous);
      // The kept kernel held the ended run's slot: the resume takes it over.
      return kernel && { kernel, plan: inKept.plan, slotOf: pointerOf(previous) };
    },
  });
  return viewOfNewRun(services, launched);
}
