import { z } from 'zod';
import { PRIORITIES, RUN_STATUSES } from '../../core/run/run.ts';
import { guid, notebookParams, pageQuery } from './common.ts';
import { STRICT_RULES } from './declared-parameters.ts';
import { droppedOutputs } from './dropped-outputs.ts';
import { pythonParameters } from './parameters.ts';
import { retryPolicy } from './retry-policy.ts';
import { runSecrets } from './secrets.ts';

const cellId = z.string().regex(/^[a-zA-Z0-9-_]{1,64}$/, 'must be a cell id (1–64 letters, digits, - or _)');

export const executionParams = notebookParams.extend({ executionId: guid });

/** A kernel's limits as a run asks for them (each optional: the deployment's default). */
export const resourceLimits = z
  .strictObject({
    memoryMiB: z.number().int().min(128).max(1_048_576).optional().meta({
      description:
        'Memory of the kernel and everything it starts, MiB (default 2048). Over it the kernel is stopped: MemoryLimitExceeded',
    }),
    processes: z.number().int().min(16).max(65_536).optional().meta({
      description:
        'Processes and threads at once (default 256); past it, starting one fails (BlockingIOError)',
    }),
    diskMiB: z.number().int().min(16).max(1_048_576).optional().meta({
      description:
        'The working directory, /tmp and /dev/shm together, MiB (default 1024); past it, writes fail (OSError: [Errno 28])',
    }),
  })
  .meta({
    id: 'ResourceLimits',
    description:
      "The run's kernel limits, enforced by the kernel host's system (cgroups, rlimits, a sized private tmpfs). Each at most the deployment's maximum (400 above it)",
  });

/** Route 12's rules across fields, as the OpenAPI document states them. */
const executeRules = {
  description:
    '`cellRange` is required (not null) with `executionMode: "range"`; its cells must be cells of the notebook, `startCell` not after `endCell`. `cellTimeout` is at most `timeout` (default 3600).',
  if: { properties: { executionMode: { const: 'range' } }, required: ['executionMode'] },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable
  then: { properties: { cellRange: { type: 'object' } }, required: ['cellRange'] },
};

/** Route 12's body (the execution seed's), with defaults for everything it leaves out. */
export const executeBody = z
  .strictObject({
    executionMode: z.enum(['all', 'range']).default('all'),
    /** Ignored with `executionMode: "all"` (the seed's example sends both). */
    cellRange: z.strictObject({ startCell: cellId, endCell: cellId }).nullable().optional(),
    parameters: pythonParameters(
      'Run parameters',
      'An R notebook takes R names instead (a leading `_` dropped); `dataset_id` must name a dataset of the project.',
    ).default({}),
    outputOptions: z
      .strictObject({
        captureOutputs: z.boolean().default(true),
        saveIntermediateResults: z.boolean().default(true),
        generateReport: z.boolean().default(false),
      })
      .default({ captureOutputs: true, saveIntermediateResults: true, generateReport: false }),
    timeout: z.number().int('must be whole seconds').min(1).max(86_400).default(3600),
    cellTimeout: z.number().int('must be whole seconds').min(1).max(86_400).nullable().optional(),
    priority: z.enum(PRIORITIES).default('Normal'),
    idempotencyToken: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .meta({ description: 'The same token on the same notebook within 24 h returns the run it started' }),
    keepKernelSeconds: z
      .number()
      .int('must be whole seconds')
      .min(0)
      .max(3600)
      .default(300)
      .meta({ description: 'How long the kernel is kept after an error so a resume keeps its state' }),
    resources: resourceLimits.optional(),
    retry: retryPolicy.optional(),
    secrets: runSecrets.optional(),
    allowErrors: z.boolean().default(false).meta({
      description:
        'nbclient\'s `allow_errors`: every cell runs whatever fails before it, and the run ends `Completed` with each failed cell listed (`progress.failedCells`, each cell\'s `status: "Error"`, `errorType` and `errorMessage`). Cells tagged `raises-exception` may fail either way',
    }),
    strictParameters: z
      .boolean()
      .optional()
      .meta({
        description: `Refuse (400 ParameterMismatch, Details naming each parameter) a parameter the notebook's parameters cell does not declare, or whose value does not fit its default's type (GET .../parameters lists them). ${STRICT_RULES} Omitted: the notebook's metadata \`cellwise.strictParameters\` (default false).`,
      }),
  })
  .superRefine((body, ctx) => {
    if (body.executionMode === 'range' && !body.cellRange) {
      ctx.addIssue({
        code: 'custom',
        path: ['cellRange'],
        message: 'is required when executionMode is "range"',
      });
    }
  })
  .meta(executeRules);

export const listExecutionsQuery = z.object({
  status: z.enum(RUN_STATUSES).optional(),
  ...pageQuery,
});

export const resultsQuery = z.object({
  outputType: z.enum(['all', 'data', 'plots', 'models', 'reports']).default('all'),
  format: z.enum(['summary', 'detailed', 'download']).default('detailed'),
  cellId: cellId.optional(),
  page: pageQuery.page.meta({ description: 'Outputs are listed a page at a time, in cell order' }),
  pageSize: z.coerce
    .number()
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(1000)
    .meta({ description: 'Outputs per page' }),
});

const nullableString = z.string().nullable();
const runError = z
  .object({ errorType: z.string(), errorMessage: z.string(), cellId: nullableString.optional() })
  .nullable()
  .meta({ id: 'RunError' });

const progress = z.object({
  totalCells: z.number().int(),
  completedCells: z.number().int(),
  successfulCells: z.number().int(),
  failedCells: z.number().int(),
  skippedCells: z.number().int(),
  currentCellIndex: z.number().int().nullable(),
  percentComplete: z.number().int(),
});

/** What every view of a run shows (core's `runBasics`). */
const runBasics = {
  executionId: z.uuid(),
  notebookId: z.uuid(),
  notebookVersion: z.string(),
  status: z.enum(RUN_STATUSES),
  trigger: z.enum(['api', 'schedule', 'dataset', 'resume']),
  scheduledFor: nullableString.meta({ description: 'The fire time, for runs a schedule started' }),
  resumedFrom: nullableString.meta({ description: 'The run this one resumes (trigger "resume")' }),
  attempt: z
    .number()
    .int()
    .meta({ description: 'Which attempt of its run this is (1: the first; see `retry`)' }),
  previousAttemptId: nullableString.meta({ description: 'The failed attempt this one retries' }),
  nextAttemptId: nullableString.meta({
    description: 'The attempt started after this one failed (its retry policy called for it)',
  }),
  priority: z.enum(PRIORITIES),
  dateCreated: z.string(),
  startTime: nullableString,
  endTime: nullableString,
  totalDuration: nullableString.meta({ description: 'e.g. "17 minutes"' }),
  totalDurationSeconds: z.number().nullable(),
};

export const runStatus = z
  .object({
    ...runBasics,
    executionMode: z.enum(['all', 'range']),
    estimatedDuration: nullableString.meta({
      description: "From this notebook's own completed runs; null without history",
    }),
    estimatedDurationSeconds: z.number().nullable(),
    currentCell: nullableString,
    progress,
    cellResults: z.array(
      z.object({
        cellId: z.string(),
        status: z.enum(['Running', 'Success', 'Error', 'Skipped', 'Cancelled']),
        executionTime: nullableString,
        executionTimeMs: z.number().nullable(),
        executionCount: z.number().int().nullable(),
        hasOutput: z.boolean(),
        outputType: nullableString,
        outputCount: z.number().int(),
        errorType: nullableString,
        errorMessage: nullableString,
        updatesDisplays: z.boolean().optional().meta({
          description:
            'The cell updated a display (`update_display_data`, or `display` with a display id): outputs of earlier cells carrying that id changed, as nbclient changes them; absent when it did not',
        }),
      }),
    ),
    outputs: z.object({
      total: z.number().int().meta({
        description: 'Outputs stored: each one is in the executed notebook and listed by the results',
      }),
      dataFrames: z.number().int(),
      plots: z.number().int(),
      models: z.number().int(),
      enrichedData: z.object({ recordCount: z.number().int(), newColumns: z.array(z.string()) }).nullable(),
      dropped: droppedOutputs,
    }),
    resources: z
      .object({
        peakMemoryUsage: nullableString,
        cpuTime: nullableString,
        diskUsage: z.string(),
        peakMemoryBytes: z.number().nullable(),
        cpuTimeSeconds: z.number().nullable(),
        peakDiskUsage: nullableString,
        peakDiskBytes: z.number().nullable(),
        diskUsageBytes: z.number(),
      })
      .nullable()
      .meta({
        description:
          "Measured by the kernel host from outside the kernel (its cgroup or /proc): peak memory, CPU time and peak disk of the kernel and everything it started; diskUsage is what the run's files take in storage",
      }),
    resourceLimits: z
      .object({ memoryMiB: z.number().int(), processes: z.number().int(), diskMiB: z.number().int() })
      .meta({ description: "The kernel's limits for this run" }),
    kernelHost: nullableString.meta({
      description:
        'The id of the kernel host the run was placed on (every call of the run goes there); null before',
    }),
    error: runError,
    parameters: z.record(z.string(), z.unknown()),
    timeout: z.number().int(),
    cellTimeout: z.number().int().nullable(),
    keepKernelSeconds: z.number().int().meta({
      description:
        'How long the kernel is kept after the run ends in an error (cell error or timeout) so a resume continues in it; 0: not kept',
    }),
    allowErrors: z.boolean().meta({
      description:
        'Cell errors did not stop the run (the execute body\'s `allowErrors`): the failed cells are in `cellResults` with `status: "Error"`',
    }),
    retry: retryPolicy.nullable().meta({ description: "The run's retry policy (null: never retried)" }),
    secrets: z.array(z.string()).meta({
      description: "The names of the project secrets set in the run's kernel (never their values)",
    }),
    replayedCells: z.array(z.string()).meta({
      description: 'A resumed run in a fresh kernel: the cells it replayed first (they had succeeded)',
    }),
    queuePosition: z
      .number()
      .int()
      .nullable()
      .meta({ description: "While Queued: 1 = next to be admitted in the tenant's queue" }),
  })
  .meta({ id: 'ExecutionStatus' });

/** Route resume's body: what may change from the run resumed (all optional). */
export const resumeBody = z
  .strictObject({
    priority: z.enum(PRIORITIES).optional(),
    timeout: z.number().int('must be whole seconds').min(1).max(86_400).optional(),
    cellTimeout: z.number().int('must be whole seconds').min(1).max(86_400).nullable().optional(),
    keepKernelSeconds: z.number().int('must be whole seconds').min(0).max(3600).optional(),
  })
  .default({});

export const runSummary = z
  .object({
    ...runBasics,
    totalCells: z.number().int(),
    error: runError,
  })
  .meta({ id: 'ExecutionSummary' });

export const runPage = z.object({
  notebookId: z.uuid(),
  executions: z.array(runSummary),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  hasNextPage: z.boolean(),
});

const download = z
  .string()
  .nullable()
  .meta({ description: 'A time-limited URL; null until the run has ended' });

export const runResults = z
  .object({
    executionId: z.uuid(),
    notebookId: z.uuid(),
    status: z.enum(RUN_STATUSES),
    format: z.enum(['summary', 'detailed', 'download']),
    outputType: z.string(),
    page: z.number().int(),
    pageSize: z.number().int(),
    hasNextPage: z.boolean().meta({ description: 'More outputs follow on the next page' }),
    dropped: droppedOutputs,
    counts: z
      .record(z.string(), z.number().int())
      .meta({ description: 'Of every output the filters select, on all pages' }),
    outputs: z.array(
      z.looseObject({
        cellId: z.string(),
        outputIndex: z.number().int(),
        outputType: z.string(),
        contentType: z.string(),
        mimeTypes: z.array(z.string()),
        bytes: z.number().int(),
        content: z.unknown().optional(),
        truncated: z.boolean().optional(),
        dimensions: z.object({ width: z.number().int(), height: z.number().int() }).optional(),
        downloadUrl: download.optional(),
        downloadError: z
          .string()
          .optional()
          .meta({ description: 'Why the output has no download file (it is in the executed notebook)' }),
      }),
    ),
    skipped: z.array(z.string()).meta({
      description:
        'What the run published (SDK outbox) that was not collected, each with the reason: e.g. a symbolic link, FIFO or hard link (never followed), a file over the size limit, a malformed manifest',
    }),
    enrichedDatasets: z.array(z.looseObject({ name: z.string(), downloadUrl: download })),
    models: z.array(z.looseObject({ name: z.string(), downloadUrl: download })),
    reports: z.array(z.object({ name: z.string(), format: z.literal('html'), downloadUrl: download })),
    executedNotebook: z.object({ format: z.literal('ipynb'), downloadUrl: download }).nullable(),
  })
  .meta({ id: 'ExecutionResults' });
