import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { services as defaultServices } from '../adapters/services.ts';
import { guid } from '../api/schemas/common.ts';
import type { Services } from '../core/ports.ts';
import type { RunPointer } from '../core/run/run.ts';
import { correlate, log } from '../observability/logger.ts';
import { observability } from '../observability/middlewares.ts';

/** The workflow's state: the run's identity, the last task's result, and a caught failure. */
export const taskInput = z.looseObject({
  tenantId: guid,
  projectId: guid,
  notebookId: guid,
  executionId: guid,
  /** Set by a Catch: `{Error, Cause}` of the task that failed. */
  error: z.object({ Error: z.string(), Cause: z.unknown().optional() }).optional(),
});

export type TaskInput = z.output<typeof taskInput>;

export interface TaskArgs {
  pointer: RunPointer;
  input: TaskInput;
  services: Services;
  context: Context;
}

/**
 * The one place the middy stack of workflow tasks is composed: Powertools' logger context,
 * X-Ray segment and metrics (`observability`); validate the state input; every log line of
 * the task carries the task and the run's ids; run the use-case. Errors propagate: the
 * workflow's Retry and Catch decide what happens next.
 */
export function task<R>(
  name: string,
  impl: (args: TaskArgs) => Promise<R>,
  getServices: () => Services = defaultServices,
) {
  return middy<unknown, R, Error, Context>()
    .use(observability())
    .handler(async (event, context) => {
      const input = taskInput.parse(event);
      const { tenantId, projectId, notebookId, executionId } = input;
      correlate({ task: name, tenantId, projectId, notebookId, executionId });
      const started = Date.now();
      try {
        return await impl({
          pointer: { tenantId, projectId, notebookId, executionId },
          input,
          services: getServices(),
          context,
        });
      } catch (error) {
        log('error', 'workflow task failed', { error });
        throw error;
      } finally {
        log('info', 'workflow task', { ms: Date.now() - started });
      }
    });
}
