import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { services } from '../adapters/services.ts';
import { reconcileRun } from '../core/use-cases/reconcile-runs.ts';
import { correlate, log } from '../observability/logger.ts';
import { observability } from '../observability/middlewares.ts';
import { taskInput } from './task.ts';

type StatusChange = EventBridgeEvent<
  'Step Functions Execution Status Change',
  {
    executionArn: string;
    name: string;
    status: string;
    input?: string | null;
    cause?: string | null;
    error?: string | null;
  }
>;

/**
 * The reconciler: fed the workflow's status-change events (FAILED, TIMED_OUT, ABORTED) by
 * EventBridge in AWS, and by the interpreter on the local stack. Ends the run the workflow
 * left behind with a clear status and reason, shuts its kernel and frees its notebook.
 */
export const handler = middy<StatusChange, { outcome: string }, Error, Context>()
  .use(observability())
  .handler(async (event) => {
    const detail = event.detail;
    correlate({ task: 'Reconcile', workflowExecution: detail.name });
    const parsed = taskInput.safeParse(parseInput(detail.input));
    if (!parsed.success) {
      log('warn', 'reconciler: event without a run', { status: detail.status });
      return { outcome: 'ignored' };
    }
    const { tenantId, projectId, notebookId, executionId } = parsed.data;
    correlate({ tenantId, projectId, notebookId, executionId });
    const why = [detail.error, detail.cause].filter(Boolean).join(': ');
    const outcome = await reconcileRun(
      services(),
      { tenantId, projectId, notebookId, executionId },
      {
        errorType: 'WorkflowFailed',
        errorMessage: `The run workflow ended ${detail.status}${why ? ` (${why.slice(0, 300)})` : ''}`,
      },
      { requeue: false },
    );
    log('info', 'reconciled run', { status: detail.status, outcome });
    return { outcome };
  });

/** The execution's input: JSON text, or nothing usable (a malformed event is ignored, not retried). */
function parseInput(input: string | null | undefined): unknown {
  try {
    return JSON.parse(input ?? 'null');
  } catch {
    return null;
  }
}
