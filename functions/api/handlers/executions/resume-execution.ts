import { resumeExecution } from '../../../core/use-cases/resume-run.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/execution-contracts.ts';

export const handler = route(contracts.resumeExecution, async ({ services, actor, params, body }) =>
  json(
    202,
    await resumeExecution(services, actor, params.notebookId, params.executionId, {
      priority: body.priority,
      timeoutSeconds: body.timeout,
      cellTimeoutSeconds: body.cellTimeout,
      keepKernelSeconds: body.keepKernelSeconds,
    }),
  ),
);
