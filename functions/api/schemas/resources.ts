import { z } from 'zod';
import { contentLinkFields } from './notebook-uploads.ts';
import { retryPolicy } from './retry-policy.ts';

/** Response shapes, for the OpenAPI document (handlers build them with core's mappers). */
const nullableString = z.string().nullable();

export const integration = z
  .object({
    enrichmentMode: z.boolean(),
    datasetBinding: nullableString,
    outputFormat: nullableString,
    autoExecution: z.boolean(),
    scheduleExecution: nullableString,
    scheduleTimezone: z.string().meta({ description: 'IANA time zone of the schedule (default UTC)' }),
    scheduleParameters: z.record(z.string(), z.unknown()),
    scheduleStrictParameters: z.boolean().nullable().meta({
      description:
        "strictParameters of the scheduled runs; null: the notebook metadata's cellwise.strictParameters",
    }),
    scheduleRetry: retryPolicy
      .nullable()
      .meta({ description: 'The retry policy of the scheduled runs (null: none)' }),
    scheduleSecrets: z
      .array(z.string())
      .nullable()
      .meta({ description: "Names of the project secrets set in the scheduled runs' kernels (null: none)" }),
    nextScheduledRuns: z.array(z.string()).meta({
      readOnly: true,
      description: 'The next 3 fire times (ISO-8601 UTC); empty when no schedule is enabled',
    }),
  })
  .meta({ id: 'Integration' });

export const environment = z
  .object({
    pythonVersion: nullableString,
    packages: z.array(z.string()),
    customLibraries: z.array(z.string()),
  })
  .meta({ id: 'Environment' });

export const cell = z
  .object({
    cellId: z.string(),
    cellType: z.enum(['code', 'markdown', 'raw']),
    source: z.string(),
    executionCount: z.number().int().nullable(),
    hasOutput: z.boolean(),
    lastExecuted: nullableString,
    executionStatus: nullableString,
    lastModified: nullableString,
    tags: z.array(z.string()),
    sourceElided: z
      .literal(true)
      .optional()
      .meta({ description: 'Only in a notebook too large to inline even without outputs: fetch contentUrl' }),
  })
  .meta({ id: 'Cell' });

export const notebookSummary = z
  .object({
    notebookId: z.uuid(),
    projectId: z.uuid(),
    investigationId: z.uuid(),
    notebookName: z.string(),
    name: z.string(),
    notebookDescription: nullableString,
    description: nullableString,
    notebookVersion: z.string(),
    kernelType: z.string(),
    status: z.enum(['Ready', 'Running', 'Error', 'Kernel_Dead']),
    enrichmentMode: z.boolean(),
    notebookType: z.number().int(),
    notebookOrder: z.number(),
    cellCount: z.number().int(),
    blockCount: z.number().int(),
    lastExecutionDuration: z.number(),
    lastExecutionDate: nullableString,
    executionCount: z.number().int(),
    dateCreated: z.string(),
    dateModified: z.string(),
    createdBy: z.string(),
    modifiedBy: nullableString,
  })
  .meta({ id: 'NotebookSummary' });

export const notebook = notebookSummary
  .extend({ integration, environment, cells: z.array(cell), ...contentLinkFields })
  .meta({ id: 'Notebook' });

export const parseResult = z
  .object({
    nbformat: z.number().int(),
    nbformatMinor: z.number().int(),
    cellCount: z.number().int(),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'ParseResult' });

export const notebookPage = z
  .object({
    notebooks: z.array(notebookSummary),
    totalCount: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    hasNextPage: z.boolean(),
  })
  .meta({ id: 'NotebookPage' });

export const nbformatDocument = z
  .looseObject({
    nbformat: z.literal(4),
    nbformat_minor: z.number().int(),
    metadata: z.object({}).loose(),
    cells: z.array(z.unknown()),
  })
  .meta({ id: 'NbformatDocument', description: 'A Jupyter notebook, nbformat v4' });

export const versionEntry = z
  .object({
    notebookId: z.uuid(),
    version: z.string(),
    change: z.enum(['created', 'cells', 'metadata']),
    cellCount: z.number().int(),
    dateModified: z.string(),
    modifiedBy: nullableString,
  })
  .meta({ id: 'VersionEntry' });

export const investigation = z
  .object({
    investigationId: z.uuid(),
    projectId: z.uuid(),
    name: z.string(),
    description: nullableString,
    isDefault: z.boolean(),
    dateCreated: z.string(),
    createdBy: z.string(),
    notebookCount: z.number().int().optional(),
  })
  .meta({ id: 'Investigation' });

export const template = z
  .object({
    templateId: z.uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    cellCount: z.number().int(),
  })
  .meta({ id: 'Template' });
