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

/** No C0 or C1 control character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is about exactly these characters
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001F\u007F-\u009F]*$/;

/**
 * Names: 1–200 characters, not blank, no control characters (a tab or newline included);
 * surrounding spaces are trimmed.
 */
export const resourceName = z
  .string()
  .max(200, 'must be at most 200 characters')
  .regex(NO_CONTROL_CHARACTERS, 'must not contain control characters')
  .regex(/\S/, 'must not be empty or blank')
  .trim()
  .meta({ minLength: 1 });

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
 * The shape of a 5-field cron as a JSON Schema `pattern` (what the OpenAPI document can say:
 * five fields of values, ranges, steps and lists, `?` only in the day fields, at most one day
 * field restricted); value bounds and ascending ranges are checked by core's parser.
 */
const CRON_ITEM = '(?:\\*|[0-9A-Za-z]{1,3}(?:-[0-9A-Za-z]{1,3})?)(?:/[0-9]{1,2})?';
const CRON_FIELD = `${CRON_ITEM}(?:,${CRON_ITEM})*`;
const CRON_FREE_DAY = '[*?]';
const CRON_SHAPE = `^\\s*${CRON_FIELD}\\s+${CRON_FIELD}\\s+(?:${CRON_FREE_DAY}\\s+${CRON_FIELD}\\s+(?:${CRON_FIELD}|\\?)|${CRON_FIELD}\\s+${CRON_FIELD}\\s+${CRON_FREE_DAY})\\s*$`;

/**
 * Cron for `scheduleExecution`: five fields (minute hour day-of-month month day-of-week),
 * checked by core's parser (the message says which field is wrong and why).
 */
export const cronExpression = z
  .string()
  .max(200)
  .trim()
  .superRefine((s, ctx) => {
    const problem = cronProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    format: 'cron',
    pattern: CRON_SHAPE,
    description:
      '5-field cron (minute hour day-of-month month day-of-week), e.g. "0 2 * * *": numbers, `*`, ascending ranges `a-b`, steps `/n` (n ≥ 1), lists, JAN–DEC, SUN–SAT (0 and 7: Sunday), `?` in a day field; day-of-month and day-of-week cannot both be restricted',
    example: '0 2 * * *',
  });

/** An IANA time zone name (`Europe/Berlin`, `UTC`; any case, legacy aliases too), not a bare offset. */
export const timeZoneName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z]/, 'must be an IANA time zone name, not an offset')
  .refine(isKnownTimeZone, 'must be an IANA time zone name, e.g. "Europe/Berlin" or "UTC"')
  .transform(canonicalTimeZone)
  .meta({
    format: 'iana-time-zone',
    description:
      'An IANA time zone name, e.g. "Europe/Berlin" or "UTC" (any case; legacy aliases such as "US/Pacific" too)',
    example: 'Europe/Berlin',
  });

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
