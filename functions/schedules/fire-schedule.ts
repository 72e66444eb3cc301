import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { services } from '../adapters/services.ts';
import { fireSchedule } from '../core/use-cases/fire-schedule.ts';
import { correlate, log } from '../observability/logger.ts';
import { observability } from '../observability/middlewares.ts';

/** What EventBridge Scheduler sends (the schedule's `Input`, `scheduledFor` filled in by it). */
const fireEvent = z.object({
  tenantId: z.uuid(),
  projectId: z.uuid(),
  notebookId: z.uuid(),
  scheduledFor: z.iso.datetime({ offset: true }),
});

/**
 * The fire Lambda: the target of every notebook's EventBridge Scheduler schedule. Delivery is
 * at least once; `fireSchedule` claims the fire time, so a repeated delivery changes nothing.
 */
export const handler = middy<unknown, { outcome: string; error?: string }, Error, Context>()
  .use(observability())
  .handler(async (event) => {
    const parsed = fireEvent.safeParse(event);
    if (!parsed.success) {
      // Not retryable (a malformed input stays malformed): answered, logged with the fields at fault.
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`);
      log('error', 'fire schedule: malformed input', { issues });
      return { outcome: 'ignored', error: `malformed input: ${issues.join('; ')}` };
    }
    const { tenantId, projectId, notebookId, scheduledFor } = parsed.data;
    correlate({ tenantId, projectId, notebookId });
    const result = await fireSchedule(services(), {
      scope: { tenantId, projectId },
      notebookId,
      scheduledFor,
    });
    log('info', 'schedule fired', { scheduledFor, ...result });
    return { outcome: result.outcome };
  });
