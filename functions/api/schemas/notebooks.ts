import { z } from 'zod';
import {
  cronExpression,
  description,
  guid,
  isoTimestamp,
  kernelType,
  pageQuery,
  reconcileAliases,
  resourceName,
  timeZoneName,
} from './common.ts';
import { ALIASES, nameRequired, notebookOrder } from './notebook-fields.ts';
import { pythonParameters } from './parameters.ts';
import { retryPolicy } from './retry-policy.ts';
import { runSecrets } from './secrets.ts';

export const integrationInput = z.strictObject({
  enrichmentMode: z.boolean().optional(),
  datasetBinding: guid.nullable().optional(),
  outputFormat: z.enum(['enriched_dataframe', 'dataframe', 'csv', 'parquet']).nullable().optional(),
  autoExecution: z.boolean().optional(),
  scheduleExecution: cronExpression.nullable().optional(),
  /** null resets to UTC. */
  scheduleTimezone: timeZoneName.nullable().optional(),
  /** Parameters of scheduled runs (read again losslessly from the body by the handler). */
  scheduleParameters: pythonParameters('Parameters of the scheduled runs').optional(),
  scheduleStrictParameters: z.boolean().nullable().optional().meta({
    description:
      "`strictParameters` of the scheduled runs (null: the notebook metadata's `cellwise.strictParameters`). When strict, `scheduleParameters` are checked against the parameters cell when written (400 ParameterMismatch) and again at each fire (a refused fire is recorded as failed)",
  }),
  scheduleRetry: retryPolicy.nullable().optional().meta({
    description: 'The retry policy of the scheduled runs (as the execute body’s `retry`; null: none)',
  }),
  scheduleSecrets: runSecrets.nullable().optional().meta({
    description:
      "Project secrets set in the scheduled runs' kernels (as the execute body's `secrets`; null: none). Each must exist when written (400 SecretNotFound) and at each fire (a refused fire is recorded as failed)",
  }),
});

const packageName = z.string().min(1).max(200);

export const environmentInput = z.strictObject({
  pythonVersion: z.string().max(32).nullable().optional(),
  packages: z.array(packageName).max(200).optional().meta({
    description: 'Each must be installed in the kernel (GET /environments), else 400 EnvironmentNotAvailable',
  }),
  customLibraries: z.array(packageName).max(200).optional(),
});

/** A cell as clients send it: `source`, or `content` as in the execution seed. */
export const cellInput = z
  .strictObject({
    cellId: z
      .string()
      .regex(/^[a-zA-Z0-9-_]{1,64}$/, 'must be 1–64 letters, digits, - or _')
      .optional(),
    cellType: z.enum(['code', 'markdown', 'raw']),
    source: z.string().max(1_000_000).optional(),
    content: z.string().max(1_000_000).optional(),
    tags: z.array(z.string().min(1).max(100)).max(50).optional(),
  })
  .superRefine((c, ctx) => reconcileAliases(c, ctx, [['source', 'content']]))
  .meta({ description: '`source` or `content` (the same text if both are sent)' })
  .transform((c) => ({
    ...(c.cellId ? { cellId: c.cellId } : {}),
    cellType: c.cellType,
    source: c.source ?? c.content ?? '',
    ...(c.tags ? { tags: c.tags } : {}),
  }));

const cellList = z
  .array(cellInput)
  .max(2000)
  .superRefine((cells, ctx) => {
    const ids = cells.flatMap((c) => (c.cellId ? [c.cellId] : []));
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `cellId '${dup}' appears twice` });
  })
  .meta({ description: 'A `cellId` may appear at most once' });

const names = {
  name: resourceName.optional(),
  notebookName: resourceName.optional(),
  description: description.optional(),
  notebookDescription: description.optional(),
};

function requireName(v: { name?: string; notebookName?: string }, ctx: z.RefinementCtx) {
  if (v.name === undefined && v.notebookName === undefined) {
    ctx.addIssue({ code: 'custom', path: ['name'], message: 'name (or notebookName) is required' });
  }
}

/** Route 4: `POST /notebook` (execution seed's body). */
export const createNotebookBody = z
  .strictObject({
    ...names,
    kernelType: kernelType.optional(),
    template: z.string().min(1).max(100).nullable().optional(),
    templateId: guid.optional(),
    investigationId: guid.nullable().optional(),
    notebookType: z.number().int().min(0).max(1000).optional(),
    integration: integrationInput.optional(),
    environment: environmentInput.optional(),
    initialCells: cellList.optional(),
  })
  .superRefine((v, ctx) => {
    requireName(v, ctx);
    reconcileAliases(v, ctx, [
      ['name', 'notebookName'],
      ['description', 'notebookDescription'],
    ]);
  })
  .meta(nameRequired);

/** Route 5: `POST /notebook/investigation/{id}` (management seed's body). */
export const createInInvestigationBody = z
  .strictObject({
    ...names,
    notebookType: z.number().int().min(0).max(1000).optional(),
    kernelType: kernelType.optional(),
  })
  .superRefine((v, ctx) => {
    requireName(v, ctx);
    reconcileAliases(v, ctx, [
      ['name', 'notebookName'],
      ['description', 'notebookDescription'],
    ]);
  })
  .meta(nameRequired);

/** Route 6: `POST .../from-template`. */
export const fromTemplateBody = z
  .strictObject({
    templateId: guid,
    // The management seed's client sends `"name": null` when no override is wanted.
    name: resourceName.nullable().optional(),
    notebookName: resourceName.nullable().optional(),
    description: description.optional(),
    notebookDescription: description.optional(),
  })
  .superRefine((v, ctx) =>
    reconcileAliases(v, ctx, [
      ['name', 'notebookName'],
      ['description', 'notebookDescription'],
    ]),
  )
  .meta({ description: `${ALIASES} Without a name, the template's name is used.` });

/** Route 8: `PUT /notebook/{id}`. */
export const updateNotebookBody = z
  .strictObject({
    ...names,
    notebookOrder: notebookOrder.optional(),
    kernelType: kernelType.optional(),
    integration: integrationInput.optional(),
    environment: environmentInput.optional(),
    cells: cellList.optional(),
    dateModified: isoTimestamp.optional(),
  })
  .superRefine((v, ctx) => {
    requireName(v, ctx);
    reconcileAliases(v, ctx, [
      ['name', 'notebookName'],
      ['description', 'notebookDescription'],
    ]);
  })
  .meta(nameRequired);

/** Route 10: `POST /notebook/{id}/copy`. */
export const copyNotebookBody = z.strictObject({
  name: resourceName.nullable().optional(),
  destinationInvestigationId: guid.nullable().optional(),
});

const booleanText = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Route 1 query. */
export const listNotebooksQuery = z.object({
  status: z.enum(['Ready', 'Running', 'Error', 'Kernel_Dead']).optional(),
  kernelType: kernelType.optional(),
  enrichmentMode: booleanText.optional(),
  ...pageQuery,
});

/** Multipart fields of route 7 (the file itself is checked by the nbformat validator). */
export const uploadFields = z.object({
  notebookName: resourceName.optional(),
  name: resourceName.optional(),
  notebookDescription: z.string().max(4000).optional(),
  description: z.string().max(4000).optional(),
  enrichmentMode: booleanText.optional(),
  datasetBinding: z.union([z.literal(''), guid]).optional(),
  investigationId: z.union([z.literal(''), guid]).optional(),
});

/** Route 7's form as the OpenAPI document shows it: the fields and the `file` part. */
export const uploadForm = uploadFields
  .extend({
    file: z.string().meta({
      format: 'binary',
      description: 'The .ipynb file: an nbformat v4 notebook, UTF-8 JSON',
    }),
  })
  .meta({
    description:
      'Without notebookName (or name), the file name without .ipynb names the notebook. Other form fields are ignored.',
  });

export const versionParam = z.string().regex(/^\d{1,9}\.\d{1,9}\.\d{1,9}$/, 'must be MAJOR.MINOR.PATCH');
