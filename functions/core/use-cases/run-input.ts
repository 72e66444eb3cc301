import { parseParametersLossless } from '../parameters.ts';
import type { RunRecord } from '../run/run.ts';
import type { ExecuteInput } from './execute-notebook.ts';

/**
 * The input a run was started with, read back from its record: a retry's next attempt is
 * started with it as is, a resume with the range and limits it changes.
 */
export function inputOfRun(run: RunRecord): ExecuteInput {
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
    ...(run.secrets?.length ? { secrets: run.secrets } : {}),
    ...(run.resourceLimits ? { resources: run.resourceLimits } : {}),
  };
}
