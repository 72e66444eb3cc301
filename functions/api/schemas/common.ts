import { z } from 'zod';
import { KERNEL_TYPES, NOTEBOOK_STATUSES } from '../../core/notebook.ts';
import { cronProblem } from '../../core/schedule/cron.ts';
import { canonicalTimeZone, isKnownTimeZone } from '../../core/schedule/next-fire.ts';

/** A GUID in any case; lower-cased for storage and responses. */
export const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID')
  .transform((s) => s.toLowerCase())
  .meta({ format: 'uuid' });

/** Names: trimmed, 1–200 characters, no control characters. */
export const resourceName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

export const description = z.string().max(4000, 'must be at most 4000 characters').nullable();

export const isoTimestamp = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp' });

export const kernelType = z.enum(KERNEL_TYPES);
export const notebookStatus = z.enum(NOTEBOOK_STATUSES);

export const projectParams = z.strictObject({ tenantId: guid, projectId: guid });
export const notebookParams = projectParams.extend({ notebookId: guid });
export const investigationParams = projectParams.extend({ investigationId: guid });

/** The contract's error body: `{Error, Message, ...context}`, `Details` for validation errors. */
export const errorBody = z
  .looseObject({
    Error: z.string(),
    Message: z.string().optional(),
    Details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

/**
 * Accepts both spellings the seeds use (`notebookName`/`name`, ...): either may be sent;
 * sending both with different values is an error.
 */
export function reconcileAliases<T extends Record<string, unknown>>(
  value: T,
  ctx: z.RefinementCtx,
  pairs: ReadonlyArray<[keyof T & string, keyof T & string]>,
): void {
  for (const [a, b] of pairs) {
    if (value[a] !== undefined && value[b] !== undefined && value[a] !== value[b]) {
      ctx.addIssue({ code: 'custom', path: [b], message: `conflicts with ${a}; send one of them` });
    }
  }
}

/**
 * Cron for `scheduleExecution`: five fields (minute hour day-of-month month day-of-week),
 * checked by core's parser (the message says which field is wrong and why).
 */
export const cronExpression = z
  .string()
  .trim()
  .max(200)
  .superRefine((s, ctx) => {
    const problem = cronProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ description: '5-field cron, e.g. "0 2 * * *"', example: '0 2 * * *' });

/** An IANA time zone name (`Europe/Berlin`, `UTC`). */
export const timeZoneName = z
  .string()
  .min(1)
  .max(64)
  .refine(isKnownTimeZone, 'must be an IANA time zone name, e.g. "Europe/Berlin" or "UTC"')
  .transform(canonicalTimeZone);

/** `page` (default 1) and `pageSize` (default 20, at most 100) of the paginated lists. */
export const pageQuery = {
  page: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(1_000_000).default(1),
  pageSize: z.coerce
    .number()
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .default(20),
};
