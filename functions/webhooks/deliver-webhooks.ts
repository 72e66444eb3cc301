import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { services } from '../adapters/services.ts';
import { deliverDueWebhooks, type SweepReport } from '../core/use-cases/webhook-delivery.ts';
import { log } from '../observability/logger.ts';
import { observability } from '../observability/middlewares.ts';

/** The sweep stops reading new batches after this long (the function's timeout is longer). */
const BUDGET_MS = 30_000;

/**
 * The webhook delivery worker: sends every delivery that is due. Run by the schedule rule
 * every minute and invoked asynchronously right after a run ends (in AWS: EventBridge and a
 * Lambda `Event` invoke; on the local stack: the same handler in-process, on the same
 * triggers). Any number may run at once: each attempt is claimed before it is sent.
 */
export const handler = middy<unknown, SweepReport, Error, Context>()
  .use(observability())
  .handler(async () => {
    const report = await deliverDueWebhooks(services(), new Date(), BUDGET_MS);
    const { succeeded, retrying, failed, errors } = report;
    services().telemetry.webhookDeliveries({ succeeded, retrying, failed });
    if (errors.length > 0)
      log('error', 'webhook deliveries failed to process', { errors: errors.slice(0, 10) });
    if (succeeded + retrying + failed > 0) log('info', 'webhook deliveries', { succeeded, retrying, failed });
    return report;
  });
