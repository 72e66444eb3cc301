import { z } from 'zod';
import { RUN_STATUSES } from '../../core/run/run.ts';

/** An execution id (a GUID, any case) or `lastSuccessful`. */
const AGAINST =
  /^(lastSuccessful|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

export const runDiffQuery = z.object({
  against: z
    .string()
    .regex(AGAINST, 'must be an execution id (a GUID) or lastSuccessful')
    .transform((s) => (s === 'lastSuccessful' ? s : s.toLowerCase()))
    .default('lastSuccessful')
    .meta({
      description:
        "The run to compare with (the earlier side, `before`): another run of this notebook, or `lastSuccessful`, the notebook's newest Completed run other than this one (the default)",
    }),
});

const cellState = z.enum(['Success', 'Error', 'Skipped', 'Cancelled', 'NotRun']).nullable().meta({
  description: 'The cell’s status in that run; `NotRun`: planned but never ran; null: not in that run’s plan',
});
const twoValues = <T extends z.ZodType>(value: T) => z.object({ before: value, after: value });
const cellError = z.object({ ename: z.string(), evalue: z.string() }).nullable();
const fingerprint = z.record(z.string(), z.string()).nullable().meta({
  description: 'SHA-256 of each MIME type’s content (images: of their decoded bytes); null: no such output',
});

const runEnd = z.object({
  executionId: z.string(),
  status: z.enum(RUN_STATUSES),
  startTime: z.string().nullable(),
  endTime: z.string().nullable(),
  durationMs: z.number().nullable(),
});

const cellDiff = z
  .object({
    cellId: z.string(),
    change: z.enum(['added', 'removed', 'changed', 'same']).meta({
      description: '`same`: only its time differs; `added`/`removed`: in one run’s plan only',
    }),
    status: twoValues(cellState),
    durationMs: z.object({
      before: z.number().nullable(),
      after: z.number().nullable(),
      delta: z.number().nullable().meta({ description: '`after - before`, ms' }),
    }),
    error: twoValues(cellError).nullable().meta({ description: 'The cell’s errors when they differ' }),
    streams: z
      .array(
        z.object({
          name: z.enum(['stdout', 'stderr']),
          unified: z.string().meta({
            description:
              'Unified diff hunks (`@@ -a,b +c,d @@`), at most 200 lines / 16 KiB a stream and 2 MiB an answer (then empty); `truncated` when cut',
          }),
          added: z.number().int(),
          removed: z.number().int(),
          truncated: z.boolean(),
        }),
      )
      .meta({ description: 'Streams whose text differs' }),
    outputs: z
      .array(
        z.object({
          index: z
            .number()
            .int()
            .meta({ description: 'Its place among the cell’s display and result outputs' }),
          change: z.enum(['added', 'removed', 'changed']),
          mimeTypes: z.array(z.string()),
          before: fingerprint,
          after: fingerprint,
        }),
      )
      .meta({ description: 'Display and result outputs that differ, by MIME type and content hash' }),
    changes: z.array(z.string()).meta({ description: 'What changed, in words' }),
  })
  .meta({ id: 'CellDiff' });

export const runDiff = z
  .object({
    notebookId: z.string(),
    executionId: z.string(),
    againstExecutionId: z.string(),
    before: runEnd.meta({ description: 'The run compared with (`against`)' }),
    after: runEnd.meta({ description: 'This run' }),
    summary: z.object({
      cellsChanged: z.number().int(),
      cellsAdded: z.number().int(),
      cellsRemoved: z.number().int(),
      statusChanges: z.number().int(),
      parametersChanged: z.number().int(),
      metricsChanged: z.number().int(),
    }),
    parameters: z.array(
      z.object({
        name: z.string(),
        change: z.enum(['added', 'removed', 'changed']),
        before: z.unknown().meta({ description: 'Null when that run had no such parameter' }),
        after: z.unknown(),
      }),
    ),
    metrics: z.array(
      z.object({
        name: z.string().meta({ description: '`log_metrics` names; `model.metric` for a logged model' }),
        source: z.enum(['log_metrics', 'log_model']),
        cellId: z.string().nullable(),
        before: z.number().nullable(),
        after: z.number().nullable(),
        delta: z.number().nullable(),
      }),
    ),
    cells: z.array(cellDiff),
  })
  .meta({ id: 'RunDiff' });
