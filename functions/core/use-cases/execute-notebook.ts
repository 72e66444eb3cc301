import { runKeys } from '../content-keys.ts';
import { NotFoundError, ServiceUnavailableError, StateConflictError, ValidationError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { NotebookRecord } from '../notebook.ts';
import { validateParameterNames } from '../parameters.ts';
import type { Actor, RunEnd, Services } from '../ports.ts';
import type { OutputOptions, Priority, RunRecord } from '../run/run.ts';
import { pointerOf } from '../run/run.ts';
import { checkCellRange, planRun } from '../run/run-plan.ts';
import { type RunStatusView, toRunStatus } from '../run/run-view.ts';
import { requireKernel, requireNotebook } from './common.ts';
import { estimateDuration } from './run-history.ts';

export interface ExecuteInput {
  executionMode: 'all' | 'range';
  cellRange: { startCell: string; endCell: string } | null;
  /** Parameters parsed losslessly (numbers as raw JSON), in the order sent. */
  parameters: Record<string, unknown>;
  outputOptions: OutputOptions;
  timeoutSeconds: number;
  cellTimeoutSeconds: number | null;
  priority: Priority;
  idempotencyToken: string | null;
}

/** Kernels whose parameters the service can write (papermill's Python translator). */
const PARAMETER_LANGUAGES = new Set(['python3']);

/**
 * Submits a run (route 12). The notebook is claimed by a conditional write (one run holds a
 * notebook at a time: 409 otherwise), its current content is frozen, parameters are
 * injected and the plan is made now, so bad input is a 400 before anything starts; then the
 * run workflow is started. Runs are admitted at once (`Running`, `startTime` set) while the
 * workflow starts their kernel; `Queued` is the state of a run waiting to be admitted.
 */
export async function executeNotebook(
  services: Services,
  actor: Actor,
  notebookId: string,
  input: ExecuteInput,
): Promise<RunStatusView> {
  const notebook = await requireNotebook(services, actor, notebookId);
  requireKernel(services, notebook.kernelType, 'notebook.kernelType');
  const badNames = validateParameterNames(input.parameters);
  if (badNames.length > 0) {
    throw new ValidationError(
      `Parameter names must be Python identifiers: ${badNames.map((n) => JSON.stringify(n)).join(', ')}`,
      badNames.map((name) => ({
        path: `body.parameters.${name}`,
        message: 'is not a valid Python identifier',
      })),
    );
  }
  if (Object.keys(input.parameters).length > 0 && !PARAMETER_LANGUAGES.has(notebook.kernelType)) {
    throw new ValidationError(`Parameters cannot be injected into a ${notebook.kernelType} notebook yet`, [
      { path: 'body.parameters', message: `supported for: ${[...PARAMETER_LANGUAGES].join(', ')}` },
    ]);
  }
  if (input.cellTimeoutSeconds !== null && input.cellTimeoutSeconds > input.timeoutSeconds) {
    throw new ValidationError('cellTimeout cannot be longer than timeout', [
      { path: 'body.cellTimeout', message: `must be at most timeout (${input.timeoutSeconds})` },
    ]);
  }
  // From the notebook's own history, read while the rest of the submission goes on.
  const estimate = estimateDuration(services, actor, notebookId).catch(() => null);
  const source = await services.contents.get(notebook.contentKey);
  if (input.executionMode === 'range') checkCellRange(source, input.cellRange!);
  const { document, plan } = planRun(source, input);

  const executionId = newId(services.now().getTime());
  const claim = await services.notebooks.claimForRun(actor, notebookId, executionId);
  if (claim === 'missing') throw new NotFoundError('Notebook', { NotebookId: notebookId });
  if (claim === 'busy') {
    const latest = await services.notebooks.get(actor, notebookId);
    throw new StateConflictError('NotebookRunning', 'The notebook already has an active execution', {
      NotebookId: notebookId,
      ExecutionId: latest?.activeExecutionId ?? null,
    });
  }
  const keys = runKeys(actor, notebookId, executionId);
  const run: RunRecord = {
    tenantId: actor.tenantId,
    projectId: actor.projectId,
    executionId,
    notebookId,
    notebookVersion: notebook.notebookVersion,
    contentKey: notebook.contentKey,
    kernelType: notebook.kernelType,
    // Admitted at once (no per-tenant queue yet): the run is Running while its kernel starts.
    status: 'Running',
    trigger: 'api',
    priority: input.priority,
    executionMode: input.executionMode,
    cellRange: input.cellRange,
    parametersJson: JSON.stringify(input.parameters),
    outputOptions: input.outputOptions,
    timeoutSeconds: input.timeoutSeconds,
    cellTimeoutSeconds: input.cellTimeoutSeconds,
    idempotencyToken: input.idempotencyToken,
    dateCreated: services.now().toISOString(),
    createdBy: actor.principalId,
    startTime: services.now().toISOString(),
    endTime: null,
    plan,
    totalCells: plan.length,
    estimate: await estimate,
    inputKey: keys.input,
    kernel: null,
    kernelSessionId: newId(),
    nextPosition: 0,
    inFlight: null,
    cancelRequested: false,
    stopReason: null,
    error: null,
    resources: null,
    workflowName: executionId,
    finalized: false,
    kernelDied: false,
  };
  try {
    await Promise.all([services.contents.put(keys.input, document), services.runs.create(run)]);
  } catch (error) {
    await services.notebooks.releaseRun(actor, notebookId, executionId, releaseUnchanged(notebook));
    throw error;
  }
  try {
    await services.workflow.start(pointerOf(run), run.workflowName);
  } catch (error) {
    const failed = { status: 'Error' as const, endTime: services.now().toISOString(), finalized: true };
    await services.runs.update(pointerOf(run), {
      ...failed,
      error: {
        errorType: 'WorkflowFailed',
        errorMessage: `The run workflow could not be started: ${(error as Error).message}`,
      },
    });
    await services.runs.clearActive(pointerOf(run));
    await services.notebooks.releaseRun(actor, notebookId, executionId, releaseUnchanged(notebook));
    throw new ServiceUnavailableError('The run workflow could not be started; retry later', {
      ExecutionId: executionId,
    });
  }
  return toRunStatus(run, []);
}

/** Frees a notebook for a run that never started: its status goes back to what it was. */
function releaseUnchanged(notebook: NotebookRecord): RunEnd {
  return { status: notebook.status === 'Running' ? 'Ready' : notebook.status };
}
