import fc from 'fast-check';
import { expect } from 'vitest';
import { call, client, newTenant, type Tenant } from './api.ts';
import { execute, notebookOf, upload, waitForRun } from './runs.ts';

type Api = ReturnType<typeof client>;
type Json = Record<string, any>;

/** The event log every fixture dataset holds (the default role columns). */
export const LOG_CSV =
  'case_id,activity,timestamp\nc1,register,2024-01-01T08:00:00Z\nc1,approve,2024-01-02T08:00:00Z\n';

/** The notebook the run routes use: two code cells and a markdown cell (ids c1, c2, c3). */
export const RUN_NOTEBOOK = notebookOf(['x = 1', 'y = x + 1', { source: 'done', cellType: 'markdown' }]);
export const RUN_CELLS = ['c1', 'c2', 'c3'];

/** Real resources of one tenant's project, for the path parameters and ids in bodies. */
export interface Fixtures {
  tenant: Tenant;
  api: Api;
  /** The notebook runs are submitted to (a Completed run: `executionId`). */
  runNotebookId: string;
  /** A notebook updates and copies may change freely. */
  scratchNotebookId: string;
  investigationId: string;
  executionId: string;
  datasetId: string;
  /** The dataset notebooks are bound to: it never gets new versions here, so no upload starts runs. */
  boundDatasetId: string;
  uploadId: string;
  webhookId: string;
  /** A project secret runs and schedules may name. */
  secretName: string;
  templateIds: string[];
  templateSlugs: string[];
  /** Installed packages and custom libraries of the python3 kernel (GET /environments). */
  packages: string[];
  libraries: string[];
}

/** A `dateModified` that stands for the notebook's current one (filled in when the request is sent). */
export const CURRENT_DATE_MODIFIED = '1999-01-01T00:00:00.000Z';

async function ok<T = any>(response: Promise<{ status: number; body: T; text: string }>, status: number) {
  const res = await response;
  expect(res.status, res.text).toBe(status);
  return res.body;
}

/** Creates the fixtures through the API (a run to its end included). */
export async function createFixtures(): Promise<Fixtures> {
  const tenant = await newTenant();
  const api = client(tenant);
  const runNotebookId = await upload(api, RUN_NOTEBOOK, 'property run target');
  const executionId = (await execute(api, runNotebookId)).executionId;
  await waitForRun(api, runNotebookId, executionId);
  const scratch = await ok(api.post('/notebook', { notebookName: 'property scratch' }), 201);
  const rows = [{ case_id: 'c1', activity: 'register', timestamp: '2024-01-01T08:00:00Z' }];
  const dataset = await ok(api.post('/dataset', { name: 'property log', rows }), 201);
  const bound = await ok(api.post('/dataset', { name: 'property bound log', rows }), 201);
  const staged = await ok(api.post('/dataset/uploads'), 201);
  const put = await fetch(staged.uploadUrl, { method: 'PUT', headers: staged.headers, body: LOG_CSV });
  expect(put.status).toBe(200);
  const hook = await ok(
    api.post('/webhooks', { url: 'http://127.0.0.1:9/fixture', events: ['execution.failed'] }),
    201,
  );
  await ok(api.put('/secrets/PROPERTY_SECRET', { value: 'property-secret-value' }), 201);
  const templates = await ok<Array<{ templateId: string; slug: string }>>(
    api.get('/notebook/templates'),
    200,
  );
  const environments = await ok<{ environments: Json[] }>(api.get('/environments'), 200);
  const python = environments.environments.find((e) => e.kernelType === 'python3')!;
  const names = (list: Json[]) => list.slice(0, 5).map((p) => p.name as string);
  return {
    tenant,
    api,
    runNotebookId,
    scratchNotebookId: scratch.notebookId,
    investigationId: scratch.investigationId,
    executionId,
    datasetId: dataset.datasetId,
    boundDatasetId: bound.datasetId,
    uploadId: staged.uploadId,
    webhookId: hook.webhookId,
    secretName: 'PROPERTY_SECRET',
    templateIds: templates.map((t) => t.templateId),
    templateSlugs: templates.map((t) => t.slug),
    packages: names(python.packages),
    libraries: names(python.customLibraries),
  };
}

/**
 * Values of body properties that must name real things to be valid (else the state refuses
 * them with a documented 404 or 400): the fixtures' ids, the run notebook's cells, good rows.
 */
export function bodyOverrides(f: Fixtures): Record<string, fc.Arbitrary<unknown>> {
  const goodRows = fc.constant([
    { case_id: 'c1', activity: 'register', timestamp: '2024-01-01T08:00:00Z', amount: 3 },
    { case_id: 'c2', activity: 'approve', timestamp: '2024-01-02T09:30:00Z', amount: null },
  ]);
  /** Mostly what the state accepts, now and then what it refuses (a documented refusal). */
  const mostly = <T>(good: fc.Arbitrary<T>, refused: T) =>
    fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: fc.constant(refused) });
  return {
    kernelType: mostly(fc.constant('python3'), 'scala'),
    packages: mostly(fc.subarray(f.packages, { maxLength: 2 }), ['no-such-package']),
    customLibraries: mostly(fc.subarray(f.libraries, { maxLength: 2 }), ['no_such_library']),
    caseIdColumn: mostly(fc.constant('case_id'), 'no such column'),
    activityColumn: fc.constant('activity'),
    timestampColumn: fc.constant('timestamp'),
    dateModified: mostly(fc.constant(CURRENT_DATE_MODIFIED), '2001-02-03T04:05:06.789Z'),
    investigationId: fc.constant(f.investigationId),
    destinationInvestigationId: fc.constant(f.investigationId),
    datasetBinding: fc.constant(f.boundDatasetId),
    datasetId: fc.constant(f.datasetId),
    uploadId: fc.constant(f.uploadId),
    notebookId: fc.constant(f.runNotebookId),
    templateId: fc.constantFrom(...f.templateIds),
    template: fc.constantFrom(...f.templateSlugs),
    startCell: fc.constantFrom(...RUN_CELLS),
    endCell: fc.constantFrom(...RUN_CELLS),
    secrets: mostly(fc.constant([f.secretName]), ['NO_SUCH_SECRET']),
    scheduleSecrets: mostly(fc.constant([f.secretName]), ['NO_SUCH_SECRET']),
    rows: fc.oneof(goodRows, fc.constant([{ case: 'no role columns' }])),
  };
}

/** A resource made for one request that deletes it, so the fixtures stay. */
async function fresh(f: Fixtures, param: string): Promise<string> {
  if (param === 'notebookId')
    return (await ok(f.api.post('/notebook', { notebookName: `doomed ${Math.random()}` }), 201)).notebookId;
  if (param === 'investigationId')
    return (await ok(f.api.post('/investigation', { name: `doomed ${Math.random()}` }), 201)).investigationId;
  if (param === 'webhookId') {
    const hook = await f.api.post('/webhooks', {
      url: 'http://127.0.0.1:9/doomed',
      events: ['execution.failed'],
    });
    return hook.status === 201 ? hook.body.webhookId : f.webhookId;
  }
  if (param === 'name') {
    const name = `DOOMED_${Math.random().toString(36).slice(2).toUpperCase()}`;
    await ok(f.api.put(`/secrets/${name}`, { value: 'doomed value' }), 201);
    return name;
  }
  const rows = [{ case_id: 'c1', activity: 'a', timestamp: '2024-01-01T00:00:00Z' }];
  return (await ok(f.api.post('/dataset', { name: `doomed ${Math.random()}`, rows }), 201)).datasetId;
}

/** The path parameters that name real resources (the fixtures', or one made for a delete). */
export const FIXTURE_PARAMETERS = [
  'tenantId',
  'projectId',
  'notebookId',
  'investigationId',
  'executionId',
  'datasetId',
  'webhookId',
  'name',
  'version',
];

/** The value of a path parameter for a valid request to `operationId`. */
export async function pathValue(
  f: Fixtures,
  operationId: string,
  method: string,
  param: string,
): Promise<string> {
  const notebookId = ['updateNotebook', 'copyNotebook'].includes(operationId)
    ? f.scratchNotebookId
    : f.runNotebookId;
  if (method === 'delete' && param !== 'tenantId' && param !== 'projectId') return fresh(f, param);
  const values: Record<string, string> = {
    tenantId: f.tenant.tenantId,
    projectId: f.tenant.projectId,
    notebookId,
    investigationId: f.investigationId,
    executionId: f.executionId,
    datasetId: f.datasetId,
    webhookId: f.webhookId,
    name: f.secretName,
    version: operationId === 'getNotebookVersion' ? '1.0.0' : '1',
  };
  return values[param] ?? param;
}

/** After an answer: removes what would change later answers (the webhook limit, a run holding its notebook). */
export async function tidy(f: Fixtures, operationId: string, response: { status: number; body: any }) {
  if (operationId === 'createWebhook' && response.status === 201)
    await call('DELETE', `${f.tenant.base}/webhooks/${response.body.webhookId}`, { token: f.tenant.token });
  // A run holds its notebook: let it end, so the next execute is not simply 409 busy.
  if (operationId === 'executeNotebook' && response.status === 202)
    await waitForRun(f.api, f.runNotebookId, response.body.executionId);
}

/** A notebook PUT to a fresh presigned notebook upload (each is used up by the request that names it). */
async function stagedNotebookUpload(f: Fixtures): Promise<string> {
  const slot = await ok(f.api.post('/notebook/uploads'), 201);
  const notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] };
  const put = await fetch(slot.uploadUrl, {
    method: 'PUT',
    headers: slot.headers,
    body: JSON.stringify(notebook),
  });
  expect(put.status).toBe(200);
  return slot.uploadId;
}

/**
 * Fills in what only the state knows at sending time (the notebook's current dateModified; a
 * freshly staged notebook for the upload route's `uploadId`).
 */
export async function settle(f: Fixtures, operationId: string, body: unknown): Promise<unknown> {
  const b = body as Json | undefined;
  if (operationId === 'uploadNotebook' && b?.uploadId === f.uploadId)
    return { ...b, uploadId: await stagedNotebookUpload(f) };
  if (operationId !== 'updateNotebook' || b?.dateModified !== CURRENT_DATE_MODIFIED) return body;
  const current = await ok(f.api.get(`/notebook/${f.scratchNotebookId}`), 200);
  return { ...b, dateModified: current.dateModified };
}
