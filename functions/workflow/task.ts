import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { services as defaultServices } from '../adapters/services.ts';
import { guid } from '../api/schemas/common.ts';
import type { Services } from '../core/ports.ts';
import type { RunPointer } from '../core/run/run.ts';
import { log } from '../http/log.ts';

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
 * The one place the middy stack of workflow tasks is composed: validate the state input,
 * log the task (ids only), run the use-case. Errors propagate: the workflow's Retry and
 * Catch decide what happens next.
 */
export function task<R>(
  name: string,
  impl: (args: TaskArgs) => Promise<R>,
  getServices: () => Services = defaultServices,
) {
  return middy<unknown, R, Error, Context>().handler(async (event, context) => {
    const input = taskInput.parse(event);
    const { tenantId, projectId, notebookId, executionId } = input;
    const started = Date.now();
    try {
      return await impl({
        pointer: { tenantId, projectId, notebookId, executionId },
        input,
        services: getServices(),
        context,
      });
    } catch (error) {
      log('error', 'workflow task failed', {
        task: name,
        executionId,
        error: (error as Error).name,
        detail: (error as Error).message,
      });
      throw error;
    } finally {
      log('info', 'workflow task', { task: name, executionId, ms: Date.now() - started });
    }
  });
}
