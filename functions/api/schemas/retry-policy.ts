import { z } from 'zod';
import { DEFAULT_RETRY_ON, RETRY_KINDS } from '../../core/run/retry-policy.ts';

/** The execute body's `retry`: another attempt after a failure of the kinds named. */
export const retryPolicy = z
  .strictObject({
    maxAttempts: z.number().int('must be a whole number').min(1).max(5).meta({
      description: 'Attempts in all, the first included (1: never retried)',
    }),
    backoffSeconds: z.number().int('must be whole seconds').min(0).max(3600).default(30).meta({
      description:
        'The next attempt is not admitted before this long after the failed one ended (it waits Queued; the queue sweep admits it, within a minute after)',
    }),
    on: z
      .array(z.enum(RETRY_KINDS))
      .min(1)
      .default([...DEFAULT_RETRY_ON])
      .meta({
        description:
          'Failures that start another attempt (default: KernelDied, KernelHostLost, ServiceRestarted). `KernelDied` excludes kernels stopped for a memory or disk limit; `ServiceRestarted` is the service stopping under the run',
      }),
  })
  .meta({
    id: 'RetryPolicy',
    description:
      'A failed run of one of these kinds starts a new attempt: a fresh kernel, from the first cell, with the same frozen notebook, parameters and options (`attempt`, `previousAttemptId`, `nextAttemptId` link them); the run-end webhook is sent once, for the last attempt',
  });
