import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { services } from '../adapters/services.ts';
import { type SweepReport, sweepQueue } from '../core/use-cases/sweep-queue.ts';
import { correlate, log } from '../observability/logger.ts';
import { observability } from '../observability/middlewares.ts';

/** What EventBridge sends: its schedule's tick, or a kernel host task's state change (ECS). */
const sweepEvent = z.looseObject({
  'detail-type': z.string().optional(),
  detail: z.looseObject({ taskArn: z.string().optional(), lastStatus: z.string().optional() }).optional(),
});

/** The id of a kernel host task that just started (its host id: host.py names itself so), if any. */
export function joinedHost(event: unknown): string | undefined {
  const parsed = sweepEvent.safeParse(event);
  if (!parsed.success || parsed.data['detail-type'] !== 'ECS Task State Change') return undefined;
  const { taskArn, lastStatus } = parsed.data.detail ?? {};
  if (lastStatus !== 'RUNNING' || !taskArn) return undefined;
  return taskArn.slice(taskArn.lastIndexOf('/') + 1) || undefined;
}

/**
 * The queue sweep (`sweepQueue`): every minute, and when a kernel host task starts or stops
 * (EventBridge in AWS; the local stack's timer and its fleet). An event it cannot read is a
 * plain sweep: a sweep never fails for its trigger.
 */
export const handler = middy<unknown, SweepReport, Error, Context>()
  .use(observability())
  .handler(async (event) => {
    const joined = joinedHost(event);
    correlate({ task: 'SweepQueue', ...(joined ? { joinedHost: joined } : {}) });
    const report = await sweepQueue(services(), joined);
    log(report.started > 0 || report.waiting > 0 ? 'info' : 'debug', 'queue sweep', { ...report });
    return report;
  });
