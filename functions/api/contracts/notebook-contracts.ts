import { z } from 'zod';
import type { RouteContract } from '../../http/contract.ts';
import { investigationParams, notebookParams, projectParams } from '../schemas/common.ts';
import {
  copyNotebookBody,
  createInInvestigationBody,
  createNotebookBody,
  fromTemplateBody,
  listNotebooksQuery,
  updateNotebookBody,
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
import { errors, scopedErrors } from './shared.ts';

const tags = ['Notebooks'];
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
  responses: { 201: { description: 'Created', schema: notebook }, ...scopedErrors(), ...errors(413, 415) },
} satisfies RouteContract;

export const createInvestigationNotebook = {
  id: 'createInvestigationNotebook',
  summary: 'Create an empty notebook in an investigation (names unique, case-insensitive)',
  tags,
  auth: true,
  params: investigationParams,
  body: createInInvestigationBody,
  responses: { 201: { description: 'Created', schema: notebook }, ...scopedErrors(), ...errors(413, 415) },
} satisfies RouteContract;

export const createNotebookFromTemplate = {
  id: 'createNotebookFromTemplate',
  summary: 'Create a notebook from a built-in template',
  tags,
  auth: true,
  params: investigationParams,
  body: fromTemplateBody,
  responses: { 201: { description: 'Created', schema: notebook }, ...scopedErrors(), ...errors(413, 415) },
} satisfies RouteContract;

export const uploadNotebook = {
  id: 'uploadNotebook',
  summary:
    'Upload an .ipynb (multipart: file, notebookName, enrichmentMode, datasetBinding, investigationId)',
  tags,
  auth: true,
  params: projectParams,
  bodyEncoding: 'multipart',
  body: z.object({
    file: z.string().meta({ format: 'binary', description: 'The .ipynb file (nbformat v4)' }),
    notebookName: z.string().optional(),
    notebookDescription: z.string().optional(),
    enrichmentMode: z.enum(['true', 'false']).optional(),
    datasetBinding: z.string().optional(),
    investigationId: z.string().optional(),
  }),
  responses: {
    201: { description: 'Uploaded', schema: notebook.extend({ parseResult }) },
    ...scopedErrors(),
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
  responses: {
    200: { description: 'Updated', schema: notebook },
    ...scopedErrors(),
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
  responses: { 201: { description: 'The copy', schema: notebook }, ...scopedErrors(), ...errors(413, 415) },
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
  responses: { 200: { description: 'The .ipynb document', schema: nbformatDocument }, ...scopedErrors() },
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
    200: { description: 'The version', schema: versionEntry.extend({ content: nbformatDocument }) },
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
