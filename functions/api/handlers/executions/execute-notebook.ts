import { submitRun } from '../../../core/use-cases/execute-notebook.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/execution-contracts.ts';

export const handler = route(contracts.executeNotebook, async ({ services, actor, params, body }) => {
  const { view, created } = await submitRun(services, actor, params.notebookId, {
    executionMode: body.executionMode,
    cellRange: body.executionMode === 'range' ? body.cellRange! : null,
    // Lossless (the contract's losslessBody): big integers, `1.0` against `1`, as sent.
    parameters: body.parameters ?? {},
    outputOptions: body.outputOptions,
    timeoutSeconds: body.timeout,
    cellTimeoutSeconds: body.cellTimeout ?? null,
    priority: body.priority,
    idempotencyToken: body.idempotencyToken ?? null,
    keepKernelSeconds: body.keepKernelSeconds,
    allowErrors: body.allowErrors,
    retry: body.retry ?? null,
    ...(body.secrets?.length ? { secrets: body.secrets } : {}),
    ...(body.strictParameters !== undefined ? { strictParameters: body.strictParameters } : {}),
    ...(body.resources
      ? { resources: { ...services.runSettings.kernelLimits.defaults, ...body.resources } }
      : {}),
  });
  // A repeated idempotencyToken answers with the run it started: 200, not a new 202.
  return json(created ? 202 : 200, view);
});
