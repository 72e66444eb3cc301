import { ValidationError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { NotebookRecord } from '../notebook.ts';
import { inspectNotebook, notebookStrictParameters } from '../parameter-inspection/inspectors.ts';
import { checkStrictParameters } from '../parameter-inspection/strict-parameters.ts';
import { unwritableParameters, validateParameterNames } from '../parameters.ts';
import type { KernelLimits } from '../ports/kernel-ports.ts';
import type { Actor, Services } from '../ports.ts';
import type { RetryPolicy } from '../run/retry-policy.ts';
import type { OutputOptions, Priority, RunTrigger } from '../run/run.ts';
import { checkCellRange, planRun } from '../run/run-plan.ts';
import { resolveRunDataset } from '../run/run-staging.ts';
import type { RunStatusView } from '../run/run-view.ts';
import { requireKernel, requireNotebook } from './common.ts';
import { requireDatasetInProject } from './datasets.ts';
import { claimToken } from './idempotency.ts';
import { launchRun } from './launch-run.ts';
import { estimateDuration, viewOfNewRun } from './run-history.ts';
import { checkRunSecrets } from './secrets.ts';

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
  /** What started the run (default `api`). */
  trigger?: RunTrigger;
  /** The fire time, for runs a schedule starts. */
  scheduledFor?: string | null;
  /** How long the kernel is kept after the run ends in an error, for resume (default 300); 0: not kept. */
  keepKernelSeconds?: number;
  /** The kernel's limits (the deployment's defaults when omitted; each at most the deployment's maximum). */
  resources?: KernelLimits;
  /** nbclient's `allow_errors`: no cell's error stops the run (default false). */
  allowErrors?: boolean;
  /** Another attempt after a failure of these kinds (default: none). */
  retry?: RetryPolicy | null;
  /**
   * Refuse parameters the notebook's parameters cell does not declare or whose values do not
   * fit their defaults (omitted: the notebook's metadata `cellwise.strictParameters`).
   */
  strictParameters?: boolean;
  /** Names of project secrets set in the kernel's environment (values are read only by RunCells). */
  secrets?: string[];
}

/** Kernels whose parameters the service can write (papermill's Python, R and Scala translators). */
const PARAMETER_LANGUAGES = new Set(['python3', 'r', 'scala']);
/** What a parameter name must be, per kernel type (in the 400 that refuses one). */
const IDENTIFIERS: Record<string, string> = { r: 'R names', scala: 'Scala identifiers' };

/**
 * Submits a run (route 12) and returns its status. See `submitRun`.
 */
export async function executeNotebook(
  services: Services,
  actor: Actor,
  notebookId: string,
  input: ExecuteInput,
): Promise<RunStatusView> {
  return (await submitRun(services, actor, notebookId, input)).view;
}

/**
 * Submits a run. The input is checked, the notebook's current content frozen, parameters
 * injected and the plan made now, so bad input is a 400 before anything starts. An
 * `idempotencyToken` already used on the notebook within 24 h returns that run (`created:
 * false`), or is a 409 with a different body. The notebook is claimed by a conditional write
 * (one run at a time: 409 otherwise); the run is admitted at once when its tenant has a free
 * slot and nobody waits (`Running`), else it waits `Queued` in priority order; then its
 * workflow is started.
 */
export async function submitRun(
  services: Services,
  actor: Actor,
  notebookId: string,
  input: ExecuteInput,
): Promise<{ view: RunStatusView; created: boolean }> {
  const notebook = await requireNotebook(services, actor, notebookId);
  checkInput(services, notebook, input);
  await checkRunSecrets(services, actor, notebook.kernelType, input.secrets, 'body.secrets');
  await requireDatasetInProject(services, actor, input.parameters.dataset_id, 'body.parameters.dataset_id');
  // From the notebook's own history, read while the rest of the submission goes on. A notebook
  // no run ever started in (every run that started counted itself in as it ended, before its
  // final status) has none: nothing to read.
  const estimate =
    notebook.executionCount > 0 ? estimateDuration(services, actor, notebookId).catch(() => null) : null;
  const source = await services.contents.get(notebook.contentKey);
  if (input.strictParameters ?? notebookStrictParameters(source)) {
    const { parameters } = inspectNotebook(source, notebook.kernelType);
    checkStrictParameters(parameters, input.parameters, notebook.kernelType);
  }
  if (input.executionMode === 'range') checkCellRange(source, input.cellRange!);
  const { document, plan } = planRun(source, { ...input, kernelType: notebook.kernelType });
  const dataset = await resolveRunDataset(services, actor, notebook, input.parameters);

  const executionId = newId(services.now().getTime());
  const token = input.idempotencyToken;
  if (token) {
    const existing = await claimToken(services, actor, notebookId, token, executionId, input);
    if (existing) return { view: existing, created: false };
  }
  const freeToken = async () => {
    if (token) await services.runTokens.release(actor, notebookId, token, executionId);
  };
  const run = await launchRun(services, actor, notebook, {
    executionId,
    input,
    document,
    sourceKey: notebook.contentKey,
    plan,
    estimate: await estimate,
    dataset,
    onRefused: freeToken,
  });
  return { view: await viewOfNewRun(services, run), created: true };
}

function checkInput(services: Services, notebook: NotebookRecord, input: ExecuteInput): void {
  requireKernel(services, notebook.kernelType, 'notebook.kernelType');
  const badNames = validateParameterNames(input.parameters, notebook.kernelType);
  const identifier = IDENTIFIERS[notebook.kernelType] ?? 'Python identifiers';
  if (badNames.length > 0) {
    throw new ValidationError(
      `Parameter names must be ${identifier}: ${badNames.map((n) => JSON.stringify(n)).join(', ')}`,
      badNames.map((name) => ({
        path: `body.parameters.${name}`,
        message: `is not a valid ${identifier.slice(0, -1)}`,
      })),
    );
  }
  const unwritable = unwritableParameters(input.parameters, notebook.kernelType);
  if (unwritable.length > 0) {
    throw new ValidationError(
      `Parameter values an R string cannot hold (NUL, lone surrogate): ${unwritable.join(', ')}`,
      unwritable.map((name) => ({ path: `body.parameters.${name}`, message: 'cannot be written in R' })),
    );
  }
  if (Object.keys(input.parameters).length > 0 && !PARAMETER_LANGUAGES.has(notebook.kernelType)) {
    throw new ValidationError(`Parameters cannot be injected into a ${notebook.kernelType} notebook yet`, [
      { path: 'body.parameters', message: `supported for: ${[...PARAMETER_LANGUAGES].join(', ')}` },
    ]);
  }
  checkTimeouts(input);
  checkLimits(services, input.resources);
}

/** Each limit at most the deployment's maximum (400 naming `body.resources.<field>`). */
export function checkLimits(services: Services, limits: KernelLimits | undefined): void {
  if (!limits) return;
  const max = services.runSettings.kernelLimits.max;
  const over = (Object.keys(max) as (keyof KernelLimits)[]).filter((key) => limits[key] > max[key]);
  if (over.length > 0) {
    throw new ValidationError(
      `resources above this deployment's maximum: ${over.map((k) => `${k} ${limits[k]} > ${max[k]}`).join(', ')}`,
      over.map((key) => ({ path: `body.resources.${key}`, message: `must be at most ${max[key]}` })),
      'ResourcesAboveMaximum',
    );
  }
}

/** A cell's timeout may not exceed the run's (400 naming `body.cellTimeout`). */
export function checkTimeouts(input: Pick<ExecuteInput, 'timeoutSeconds' | 'cellTimeoutSeconds'>): void {
  if (input.cellTimeoutSeconds !== null && input.cellTimeoutSeconds > input.timeoutSeconds) {
    throw new ValidationError('cellTimeout cannot be longer than timeout', [
      { path: 'body.cellTimeout', message: `must be at most timeout (${input.timeoutSeconds})` },
    ]);
  }
}
