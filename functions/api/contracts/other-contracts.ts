import { z } from 'zod';
import type { RouteContract } from '../../http/contract.ts';
import { ASSET_NAMES } from '../pages/static-assets.ts';
import { description, guid, investigationParams, projectParams, resourceName } from '../schemas/common.ts';
import { investigation } from '../schemas/resources.ts';
import { errors, scopedErrors } from './shared.ts';

const tags = ['Investigations'];

export const createInvestigation = {
  id: 'createInvestigation',
  summary: 'Create an investigation',
  tags,
  auth: true,
  params: projectParams,
  body: z.strictObject({ name: resourceName, description: description.optional() }),
  responses: {
    201: { description: 'Created', schema: investigation },
    ...scopedErrors(),
    ...errors(413, 415),
  },
} satisfies RouteContract;

export const listInvestigations = {
  id: 'listInvestigations',
  summary: 'The project’s investigations',
  tags,
  auth: true,
  params: projectParams,
  responses: { 200: { description: 'Investigations', schema: z.array(investigation) }, ...scopedErrors() },
} satisfies RouteContract;

export const getInvestigation = {
  id: 'getInvestigation',
  summary: 'One investigation with its notebook count',
  tags,
  auth: true,
  params: investigationParams,
  responses: { 200: { description: 'The investigation', schema: investigation }, ...scopedErrors() },
} satisfies RouteContract;

export const deleteInvestigation = {
  id: 'deleteInvestigation',
  summary: 'Delete an empty investigation (409 while it holds notebooks)',
  tags,
  auth: true,
  params: investigationParams,
  responses: {
    200: { description: 'Deleted', schema: z.object({ Message: z.string(), InvestigationId: z.uuid() }) },
    ...scopedErrors(),
    ...errors(409),
  },
} satisfies RouteContract;

/** The kernel host's warm pool per kernel name (empty when it has none or is unreachable). */
const kernelPool = z.record(
  z.string(),
  z.object({ size: z.number().int(), ready: z.number().int(), starting: z.number().int() }),
);

export const health = {
  id: 'health',
  summary: 'Liveness and readiness (no token)',
  tags: ['Service'],
  auth: false,
  responses: {
    200: {
      description: 'Ready',
      schema: z.object({ status: z.literal('ok'), checks: z.record(z.string(), z.string()), kernelPool }),
    },
    503: {
      description: 'A dependency is not reachable',
      schema: z.object({ status: z.string(), checks: z.record(z.string(), z.string()), kernelPool }),
    },
  },
} satisfies RouteContract;

export const getOpenApi = {
  id: 'getOpenApi',
  summary: 'This OpenAPI 3.1 document (no token)',
  tags: ['Service'],
  auth: false,
  responses: { 200: { description: 'OpenAPI 3.1', schema: z.object({ openapi: z.string() }).loose() } },
} satisfies RouteContract;

export const viewNotebookPage = {
  id: 'viewNotebookPage',
  summary: 'The read-only notebook page behind a shareable URL (static shell, no token; data loads with one)',
  tags: ['Pages'],
  auth: false,
  params: z.strictObject({ tenantId: guid, projectId: guid, investigationId: guid, notebookId: guid }),
  responses: {
    200: { description: 'HTML page', contentType: 'text/html' },
    // 404: no such notebook in that tenant's project and investigation (route 11's URL names both).
    ...errors(400, 404),
  },
} satisfies RouteContract;

export const viewApiDocs = {
  id: 'viewApiDocs',
  summary: 'The API docs page rendering /api/openapi.json (no token)',
  tags: ['Pages'],
  auth: false,
  responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
} satisfies RouteContract;

export const getStaticAsset = {
  id: 'getStaticAsset',
  summary: 'A script or stylesheet of the viewer and docs pages (no token)',
  tags: ['Pages'],
  auth: false,
  params: z.strictObject({ asset: z.enum(ASSET_NAMES) }),
  responses: {
    200: {
      description:
        'The asset: viewer.js and docs.js as application/javascript, viewer.css and docs.css as text/css',
      contentType: ['application/javascript', 'text/css'],
    },
    ...errors(400),
  },
} satisfies RouteContract;
