import { z } from 'zod';
import type { RouteContract } from '../../http/contract.ts';
import { investigationParams, notebookParams, projectParams } from '../schemas/common.ts';
import { contentLink, contentLinkFields, stagedUploadBody } from '../schemas/notebook-uploads.ts';
import {
  copyNotebookBody,
  createInInvestigationBody,
  createNotebookBody,
  fromTemplateBody,
  listNotebooksQuery,
  updateNotebookBody,
  uploadForm,
  versionParam,
} from '../schemas/notebooks.ts';
import {
  nbformatDocument,
  notebook,
  notebookPage,
  notebookSummary,
  parseResult,
  template,
  versionEntry,
} from '../schemas/resources.ts';
import { duplicateName, errors, type Refusals, scopedErrors } from './shared.ts';

const tags = ['Notebooks'];

/** Refusals of a notebook a request names a kernel, environment or dataset binding for. */
const KERNEL: Refusals = {
  KernelNotAvailable: 'the kernel is not one this deployment runs (GET /environments lists them)',
};
const ENVIRONMENT: Refusals = {
  EnvironmentNotAvailable: 'a package or library is not installed in the kernel (GET /environments)',
};
const DATASET: Refusals = { DatasetNotFound: 'integration.datasetBinding names no dataset of the project' };
const STRICT_SCHEDULE: Refusals = {
  ParameterMismatch:
    'a strict schedule (integration.scheduleStrictParameters, or the notebook metadata cellwise.strictParameters) whose scheduleParameters the parameters cell does not declare or type (GET .../parameters)',
};
const SCHEDULE_SECRETS: Refusals = {
  SecretNotFound: 'integration.scheduleSecrets names a secret the project does not have (GET .../secrets)',
};
const deleted = z.object({ Message: z.string(), NotebookId: z.uuid() });

/** The longest a signed notebook link may live. */
const LINK_MAX_SECONDS = 30 * 24 * 3600;

export const listNotebooks = {
  id: 'listNotebooks',
  summary: 'List the project’s notebooks (filters, pages of up to 100)',
  tags,
  auth: true,
  params: projectParams,
  query: listNotebooksQuery,
  responses: {
    200: { description: 'A page of notebooks, newest first', schema: notebookPage },
    ...scopedErrors(),
  },
} satisfies RouteContract;

export const listInvestigationNotebooks = {
  id: 'listInvestigationNotebooks',
  summary: 'All notebooks of an investigation, ordered by notebookOrder',
  tags,
  auth: true,
  params: investigationParams,
  responses: { 200: { description: 'Notebooks', schema: z.array(notebookSummary) }, ...scopedErrors() },
} satisfies RouteContract;

export const getNotebook = {
  id: 'getNotebook',
  summary: 'A notebook with its cells',
  tags,
  auth: true,
  params: notebookParams,
  responses: { 200: { description: 'The notebook', schema: notebook }, ...scopedErrors() },
} satisfies RouteContract;

export const createNotebook = {
  id: 'createNotebook',
  summary: 'Create a notebook (template, initial cells, integration, environment)',
  tags,
  auth: true,
  params: projectParams,
  body: createNotebookBody,
  losslessBody: [['integration', 'scheduleParameters']],
  responses: {
    201: { description: 'Created', schema: notebook },
    ...scopedErrors({
      ...KERNEL,
      ...ENVIRONMENT,
      ...DATASET,
      ...STRICT_SCHEDULE,
      ...SCHEDULE_SECRETS,
      ...duplicateName('create'),
    }),
    ...errors(413, 415),
  },
} satisfies RouteContract;

export const createInvestigationNotebook = {
  id: 'createInvestigationNotebook',
  summary: 'Create an empty notebook in an investigation (names unique, case-insensitive)',
  tags,
  auth: true,
  params: investigationParams,
  body: createInInvestigationBody,
  responses: {
    201: { description: 'Created', schema: notebook },
    ...scopedErrors({ ...KERNEL, ...duplicateName('create') }),
    ...errors(413, 415),
  },
} satisfies RouteContract;

export const createNotebookFromTemplate = {
  id: 'createNotebookFromTemplate',
  summary: 'Create a notebook from a built-in template',
  tags,
  auth: true,
  params: investigationParams,
  body: fromTemplateBody,
  responses: {
    201: { description: 'Created (404 for a templateId no template has)', schema: notebook },
    ...scopedErrors({ ...KERNEL, ...duplicateName('create') }),
    ...errors(413, 415),
  },
} satisfies RouteContract;

export const uploadNotebook = {
  id: 'uploadNotebook',
  summary:
    'Upload an .ipynb (multipart: file, notebookName, enrichmentMode, datasetBinding, investigationId; or JSON `{uploadId, notebookName, …}` after a presigned upload)',
  tags,
  auth: true,
  params: projectParams,
  documentedBodies: { 'multipart/form-data': uploadForm, 'application/json': stagedUploadBody },
  responses: {
    201: { description: 'Uploaded', schema: notebook.extend({ parseResult }) },
    ...scopedErrors({
      InvalidNotebook: 'the file is not JSON or not an nbformat v4 notebook (the reason and where)',
      InvalidUtf8: 'the file is not UTF-8',
      RequestTooDeep: 'the file nests deeper than 64 levels',
      ...KERNEL,
      ...DATASET,
      ...duplicateName('create'),
    }),
    ...errors(413, 415),
  },
} satisfies RouteContract;

export const updateNotebook = {
  id: 'updateNotebook',
  summary: 'Update a notebook (optimistic lock on dateModified; cells bump MINOR, metadata PATCH)',
  tags,
  auth: true,
  params: notebookParams,
  body: updateNotebookBody,
  losslessBody: [['integration', 'scheduleParameters']],
  responses: {
    200: { description: 'Updated', schema: notebook },
    ...scopedErrors({
      ...KERNEL,
      ...ENVIRONMENT,
      ...DATASET,
      ...STRICT_SCHEDULE,
      ...SCHEDULE_SECRETS,
      ...duplicateName('update'),
    }),
    ...errors(409, 413, 415),
  },
} satisfies RouteContract;

export const deleteNotebook = {
  id: 'deleteNotebook',
  summary: 'Delete a notebook, its files and history (409 while a run is active)',
  tags,
  auth: true,
  params: notebookParams,
  responses: { 200: { description: 'Deleted', schema: deleted }, ...scopedErrors(), ...errors(409) },
} satisfies RouteContract;

export const copyNotebook = {
  id: 'copyNotebook',
  summary: 'Copy a notebook into the same or another investigation',
  tags,
  auth: true,
  params: notebookParams,
  body: copyNotebookBody,
  responses: {
    201: { description: 'The copy', schema: notebook },
    ...scopedErrors(duplicateName('copy')),
    ...errors(413, 415),
  },
} satisfies RouteContract;

export const getNotebookUrl = {
  id: 'getNotebookUrl',
  summary:
    'A shareable URL of the notebook’s page; with `expiresIn`, a signed read-only link that needs no token',
  tags,
  auth: true,
  params: notebookParams,
  query: z.object({
    expiresIn: z.coerce
      .number()
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .max(LINK_MAX_SECONDS, `must be at most ${LINK_MAX_SECONDS} (30 days)`)
      .optional(),
  }),
  responses: {
    200: {
      description: 'The link',
      schema: z.object({
        notebookId: z.uuid(),
        url: z.string(),
        relativePath: z.string(),
        expiresAt: z.string().nullable(),
      }),
    },
    ...scopedErrors(),
  },
} satisfies RouteContract;

export const getNotebookContent = {
  id: 'getNotebookContent',
  summary: 'The stored nbformat v4 document',
  tags,
  auth: true,
  params: notebookParams,
  responses: {
    200: {
      description: `The .ipynb document; for a notebook larger than the inline limit (CELLWISE_MAX_INLINE_CONTENT_BYTES, 5 MiB) \`{contentUrl, expiresAt, bytes}\` instead: a presigned GET URL of the .ipynb, valid 1 h`,
      schema: z.union([nbformatDocument, contentLink]),
    },
    ...scopedErrors(),
  },
} satisfies RouteContract;

export const listNotebookVersions = {
  id: 'listNotebookVersions',
  summary: 'The notebook’s content history, newest first',
  tags,
  auth: true,
  params: notebookParams,
  responses: {
    200: {
      description: 'Versions',
      schema: z.object({ notebookId: z.uuid(), currentVersion: z.string(), versions: z.array(versionEntry) }),
    },
    ...scopedErrors(),
  },
} satisfies RouteContract;

export const getNotebookVersion = {
  id: 'getNotebookVersion',
  summary: 'One version with its nbformat document',
  tags,
  auth: true,
  params: notebookParams.extend({ version: versionParam }),
  responses: {
    200: {
      description:
        'The version; above the inline limit without `content` but with `contentUrl`, `contentUrlExpiresAt` and `contentBytes`',
      schema: versionEntry.extend({ content: nbformatDocument.optional(), ...contentLinkFields }),
    },
    ...scopedErrors(),
  },
} satisfies RouteContract;

export const listTemplates = {
  id: 'listTemplates',
  summary: 'Built-in templates (fixed ids and slugs)',
  tags: ['Templates'],
  auth: true,
  params: projectParams,
  responses: { 200: { description: 'Templates', schema: z.array(template) }, ...scopedErrors() },
} satisfies RouteContract;
