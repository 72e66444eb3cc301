import { runKeys } from '../content-keys.ts';
import { NotFoundError, ServiceUnavailableError, StateConflictError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { NbDocument } from '../nbformat/types.ts';
import type { NotebookRecord } from '../notebook.ts';
import type { Actor, RunEnd, Services } from '../ports.ts';
import type { KernelRef } from '../run/kernel.ts';
import { attemptOf } from '../run/retry-policy.ts';
import {
  type Estimate,
  type PlannedCell,
  pointerOf,
  type RunDataset,
  type RunPointer,
  type RunRecord,
} from '../run/run.ts';
import { admitOnSubmit } from './admission.ts';
import type { ExecuteInput } from './execute-notebook.ts';
import { afterRunEnded } from './run-ended.ts';

/** How long a kernel is kept after an error unless the request says otherwise. */
export const DEFAULT_KEEP_KERNEL_SECONDS = 300;

/** A run ready to launch: its checked input, prepared document and plan. */
export interface LaunchSpec {
  executionId: string;
  input: ExecuteInput;
  document: NbDocument;
  plan: PlannedCell[];
  estimate: Estimate | null;
  /** The run this one resumes. */
  resumedFrom?: string;
  /**
   * The content revision `document` was planned from by `runDocument`'s rules: the document is
   * then not stored (it is planned again from this immutable revision). Absent: it is stored.
   */
  sourceKey?: string | null;
  /**
   * Once the notebook is held: the kernel the run continues in (a resume's kept kernel) and
   * the plan for it, or null (a fresh kernel, the plan above).
   */
  takeKernel?: () => Promise<{ kernel: KernelRef; plan: PlannedCell[]; slotOf: RunPointer } | null>;
  /** The dataset version the run reads (fixed at submission), if any. */
  dataset?: RunDataset | null;
  /** Called when the launch is refused or fails before the run exists. */
  onRefused?: () => Promise<void>;
  /** The failed attempt this run retries, and when it may start (its backoff), if it is one. */
  retryOf?: { previous: RunRecord; notBefore: string | null };
}

/**
 * Launches a run: claims the notebook (one run at a time: 409 otherwise), writes the run
 * and its prepared document, and admits it (Running: its workflow starts) or queues it (it
 * waits in DynamoDB, with no workflow, until admission starts it).
 */
export async function launchRun(
  services: Services,
  actor: Actor,
  notebook: NotebookRecord,
  spec: LaunchSpec,
): Promise<RunRecord> {
  const { executionId, input, notebookId } = { ...spec, notebookId: notebook.notebookId };
  const claim = await services.notebooks.claimForRun(actor, notebookId, executionId);
  if (claim !== 'claimed') {
    await spec.onRefused?.();
    if (claim === 'missing') throw new NotFoundError('Notebook', { NotebookId: notebookId });
    const latest = await services.notebooks.get(actor, notebookId);
    throw new StateConflictError('NotebookRunning', 'The notebook already has an active execution', {
      NotebookId: notebookId,
      ExecutionId: latest?.activeExecutionId ?? null,
    });
  }
  const keys = runKeys(actor, notebookId, executionId);
  let kernel: KernelRef | null = null;
  let run: RunRecord;
  let workflowStarted = false;
  try {
    const taken = (await spec.takeKernel?.()) ?? null;
    kernel = taken?.kernel ?? null;
    const plan = taken?.plan ?? spec.plan;
    const draft: RunRecord = {
      tenantId: actor.tenantId,
      projectId: actor.projectId,
      executionId,
      notebookId,
      notebookVersion: notebook.notebookVersion,
      contentKey: notebook.contentKey,
      kernelType: notebook.kernelType,
      status: 'Queued',
      trigger: spec.resumedFrom ? 'resume' : (input.trigger ?? 'api'),
      scheduledFor: input.scheduledFor ?? null,
      resumedFrom: spec.resumedFrom ?? null,
      priority: input.priority,
      executionMode: input.executionMode,
      cellRange: input.cellRange,
      parametersJson: JSON.stringify(input.parameters),
      outputOptions: input.outputOptions,
      timeoutSeconds: input.timeoutSeconds,
      cellTimeoutSeconds: input.cellTimeoutSeconds,
      idempotencyToken: input.idempotencyToken,
      keepKernelSeconds: input.keepKernelSeconds ?? DEFAULT_KEEP_KERNEL_SECONDS,
      allowErrors: input.allowErrors ?? false,
      retry: input.retry ?? null,
      ...(input.secrets?.length ? { secrets: input.secrets } : {}),
      attempt: spec.retryOf ? attemptOf(spec.retryOf.previous) + 1 : 1,
      previousAttemptId: spec.retryOf?.previous.executionId ?? null,
      nextAttemptId: null,
      dateCreated: services.now().toISOString(),
      createdBy: actor.principalId,
      startTime: null,
      endTime: null,
      plan,
      totalCells: plan.length,
      estimate: spec.estimate,
      inputKey: spec.sourceKey ? null : keys.input,
      sourceKey: spec.sourceKey ?? null,
      kernel,
      kernelSessionId: newId(),
      kernelKeptUntil: null,
      nextPosition: 0,
      inFlight: null,
      cancelRequested: false,
      stopReason: null,
      error: null,
      resources: null,
      resourceLimits: input.resources ?? services.runSettings.kernelLimits.defaults,
      workflowName: executionId,
      finalized: false,
      kernelDied: false,
      dataset: spec.dataset ?? null,
      published: null,
    };
    ({ run, workflowStarted } = await admitOnSubmit(
      services,
      draft,
      async (r) => {
        if (spec.sourceKey) await services.runs.create(r);
        else await Promise.all([services.contents.put(keys.input, spec.document), services.runs.create(r)]);
      },
      taken?.slotOf,
      spec.retryOf?.notBefore,
    ));
  } catch (error) {
    if (kernel) await services.kernelHost.kernels.shutdown(kernel).catch(() => undefined);
    await spec.onRefused?.();
    await services.notebooks.releaseRun(actor, notebookId, executionId, releaseUnchanged(notebook));
    throw error;
  }
  // A waiting run has no workflow: admission starts it (and counts it started then).
  if (run.status === 'Running' && !workflowStarted) {
    await startWorkflow(services, run, notebook);
    services.telemetry.runStarted({ trigger: run.trigger });
  }
  return run;
}

/** Starts the run's workflow; if it cannot start, the run ends Error at once (503 to the caller). */
async function startWorkflow(services: Services, run: RunRecord, notebook: NotebookRecord): Promise<void> {
  try {
    await services.workflow.start(pointerOf(run), run.workflowName);
  } catch (error) {
    const failed = {
      status: 'Error' as const,
      endTime: services.now().toISOString(),
      finalized: true,
      error: {
        errorType: 'WorkflowFailed',
        errorMessage: `The run workflow could not be started: ${(error as Error).message}`,
      },
    };
    await services.runs.update(pointerOf(run), failed);
    await services.runs.clearActive(pointerOf(run));
    await services.notebooks.releaseRun(run, run.notebookId, run.executionId, releaseUnchanged(notebook));
    await afterRunEnded(services, { ...run, ...failed });
    throw new ServiceUnavailableError('The run workflow could not be started; retry later', {
      ExecutionId: run.executionId,
    });
  }
}

/** Frees a notebook for a run that never started: its status goes back to what it was. */
function releaseUnchanged(notebook: NotebookRecord): RunEnd {
  return { status: notebook.status === 'Running' ? 'Ready' : notebook.status };
}
