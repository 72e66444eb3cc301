import { z } from 'zod';
import { guid, pageQuery, projectParams, resourceName } from './common.ts';

export const datasetParams = projectParams.extend({ datasetId: guid });
export const datasetVersionParams = datasetParams.extend({
  version: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(1_000_000),
});

export const datasetsQuery = z.object({ ...pageQuery });
export const downloadQuery = z.object({
  redirect: z
    .enum(['true', 'false'], { message: "must be 'true' or 'false'" })
    .default('true')
    .meta({ description: 'false: answer 200 with the URL as JSON instead of a 302' }),
});

/** A column of the log, 1–200 characters, not blank (surrounding spaces are trimmed). */
const columnName = z
  .string()
  .max(200, 'must be at most 200 characters')
  .regex(/\S/, 'must not be empty or blank')
  .trim()
  .meta({ minLength: 1 });

/** The column roles a log may rename (defaults `case_id`, `activity`, `timestamp`). */
const roleFields = {
  caseIdColumn: columnName.optional(),
  activityColumn: columnName.optional(),
  timestampColumn: columnName.optional(),
};

/** The form's rules across fields (createDataset: a new dataset needs a name). */
const NEEDS_NAME = {
  anyOf: [{ required: ['name'] }, { required: ['datasetId'] }],
  description: 'A new dataset needs a `name`; with `datasetId`, the upload is a new version of that dataset.',
};

/** Form fields of a multipart upload (beside the `file` part). */
export const datasetFormFields = z.strictObject({
  name: resourceName.optional(),
  ...roleFields,
  datasetId: guid.optional(),
});

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A JSON upload: rows inline, or the id of a presigned upload (`POST .../dataset/uploads`). */
export const datasetJsonBody = z
  .strictObject({
    name: resourceName.optional(),
    ...roleFields,
    datasetId: guid
      .optional()
      .meta({ description: 'Add a new version to this dataset instead of creating one' }),
    rows: z.array(z.record(z.string(), cell)).min(1, 'must have at least one row').optional().meta({
      description:
        'One object per event, column name to value; the case id, activity and timestamp columns must be there (else 400 MissingColumn), their values valid (else 400 InvalidDataset)',
    }),
    uploadId: guid.optional().meta({ description: 'A presigned upload the file was PUT to' }),
  })
  .superRefine((body, ctx) => {
    if ((body.rows === undefined) === (body.uploadId === undefined))
      ctx.addIssue({ code: 'custom', path: ['rows'], message: 'send either rows or uploadId' });
  })
  .meta({ oneOf: [{ required: ['rows'] }, { required: ['uploadId'] }] });

/** createDataset's JSON body (a name unless it adds a version to `datasetId`). */
export const newDatasetJsonBody = datasetJsonBody.meta({
  anyOf: NEEDS_NAME.anyOf,
  description: `Either \`rows\` or \`uploadId\`. ${NEEDS_NAME.description}`,
});

const csvFile = z.string().meta({
  format: 'binary',
  description: 'The event log: CSV, UTF-8 (a BOM is dropped), header row first, RFC 4180 quoting',
});

/** What the OpenAPI document shows for a multipart upload: the form fields and the `file` part. */
export const datasetMultipartDoc = datasetFormFields.extend({ file: csvFile });
/** createDataset's multipart form (a name unless it adds a version to `datasetId`). */
export const newDatasetMultipartDoc = datasetMultipartDoc.meta(NEEDS_NAME);

const column = z.object({
  name: z.string(),
  type: z.enum(['string', 'integer', 'float', 'boolean', 'datetime']),
  role: z.enum(['caseId', 'activity', 'timestamp']).nullable(),
});
const timeRange = z.object({ start: z.string(), end: z.string() }).nullable();
const counts = {
  recordCount: z.number().int(),
  caseCount: z.number().int(),
  activityCount: z.number().int(),
  timeRange,
  bytes: z.number().int(),
  columns: z.array(column),
};

export const datasetSummary = z
  .object({
    datasetId: z.uuid(),
    name: z.string(),
    version: z.number().int(),
    currentVersion: z.number().int(),
    caseIdColumn: z.string(),
    activityColumn: z.string(),
    timestampColumn: z.string(),
    ...counts,
    dateCreated: z.string(),
    dateModified: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'Dataset' });

export const datasetVersion = z
  .object({
    version: z.number().int(),
    ...counts,
    source: z.enum(['upload', 'enrichment']),
    executionId: z.string().nullable(),
    newColumns: z.array(z.string()),
    dateCreated: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'DatasetVersion' });

export const datasetDetail = datasetSummary.extend({ versions: z.array(datasetVersion) });

export const datasetPage = z.object({
  datasets: z.array(datasetSummary),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const datasetDownload = z.object({
  datasetId: z.uuid(),
  version: z.number().int(),
  fileName: z.string(),
  bytes: z.number().int(),
  downloadUrl: z.string(),
  expiresAt: z.string(),
});

export const datasetUpload = z.object({
  uploadId: z.uuid(),
  uploadUrl: z.string(),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()),
  expiresAt: z.string(),
  maxBytes: z.number().int(),
});
