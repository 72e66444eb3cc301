import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';
import { execute, notebookOf, upload, waitForRun } from '../support/runs.ts';

let api: ReturnType<typeof client>;
let notebookId: string;
let executionId: string;

const NO_SUCH = '00000000-0000-7000-8000-000000000000';

beforeAll(async () => {
  api = client(await newTenant());
  notebookId = await upload(api, notebookOf([{ source: 'n = 1', tags: ['parameters'] }, 'print(n)']));
  executionId = (await execute(api, notebookId)).executionId;
  await waitForRun(api, notebookId, executionId);
});

function expectBadRequest(res: { status: number; body: any }, path?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body).toMatchObject({ Error: expect.any(String), Message: expect.any(String) });
  if (path) expect(res.body.Details.map((d: { path: string }) => d.path)).toContain(path);
}

describe('POST /notebook/{id}/execute bad input', () => {
  const cases: Array<[string, object, string]> = [
    ['an unknown executionMode', { executionMode: 'some' }, 'body.executionMode'],
    ['range without cellRange', { executionMode: 'range' }, 'body.cellRange'],
    [
      'a malformed cell id in the range',
      { executionMode: 'range', cellRange: { startCell: 'a b', endCell: 'c1' } },
      'body.cellRange.startCell',
    ],
    ['a timeout of zero', { timeout: 0 }, 'body.timeout'],
    ['a timeout over a day', { timeout: 86_401 }, 'body.timeout'],
    ['a fractional timeout', { timeout: 1.5 }, 'body.timeout'],
    ['a timeout given as text', { timeout: '1800' }, 'body.timeout'],
    ['a negative cellTimeout', { cellTimeout: -1 }, 'body.cellTimeout'],
    ['an unknown priority', { priority: 'Urgent' }, 'body.priority'],
    ['a negative keepKernelSeconds', { keepKernelSeconds: -1 }, 'body.keepKernelSeconds'],
    ['a keepKernelSeconds over an hour', { keepKernelSeconds: 3601 }, 'body.keepKernelSeconds'],
    ['a fractional keepKernelSeconds', { keepKernelSeconds: 2.5 }, 'body.keepKernelSeconds'],
    ['allowErrors given as text', { allowErrors: 'yes' }, 'body.allowErrors'],
    ['allowErrors given as a number', { allowErrors: 1 }, 'body.allowErrors'],
    ['allowErrors that is null', { allowErrors: null }, 'body.allowErrors'],
    ['parameters that are a list', { parameters: [1, 2] }, 'body.parameters'],
    ['an overlong idempotencyToken', { idempotencyToken: 'x'.repeat(65) }, 'body.idempotencyToken'],
    ['an unknown field', { cells: [] }, 'body'],
    ['an unknown output option', { outputOptions: { captureEverything: true } }, 'body.outputOptions'],
    [
      'a non-boolean output option',
      { outputOptions: { generateReport: 'yes' } },
      'body.outputOptions.generateReport',
    ],
    ['resources that are not an object', { resources: 2048 }, 'body.resources'],
    ['an unknown resource', { resources: { cpus: 2 } }, 'body.resources'],
    ['too little memory for a kernel', { resources: { memoryMiB: 64 } }, 'body.resources.memoryMiB'],
    ['a fractional memory limit', { resources: { memoryMiB: 512.5 } }, 'body.resources.memoryMiB'],
    ['too few processes', { resources: { processes: 2 } }, 'body.resources.processes'],
    ['processes given as text', { resources: { processes: '64' } }, 'body.resources.processes'],
    ['too little disk', { resources: { diskMiB: 1 } }, 'body.resources.diskMiB'],
    // Above the deployment's maximum (by default four times the default): checked by the service.
    [
      'more memory than the deployment allows',
      { resources: { memoryMiB: 8193 } },
      'body.resources.memoryMiB',
    ],
    [
      'more processes than the deployment allows',
      { resources: { processes: 1025 } },
      'body.resources.processes',
    ],
    ['more disk than the deployment allows', { resources: { diskMiB: 4097 } }, 'body.resources.diskMiB'],
  ];
  it.each(cases)('answers 400 for %s', async (_, body, path) => {
    expectBadRequest(await api.post(`/notebook/${notebookId}/execute`, body), path);
  });

  it('answers 400 naming each parameter that is not a Python identifier', async () => {
    const res = await api.post(`/notebook/${notebookId}/execute`, {
      parameters: { ok: 1, '1st': 2, 'a-b': 3, class: 4 },
    });
    expectBadRequest(res);
    expect(res.body.Details.map((d: { path: string }) => d.path)).toEqual([
      'body.parameters.1st',
      'body.parameters.a-b',
      'body.parameters.class',
    ]);
  });

  it('answers 400 for a range naming cells the notebook does not have, or running backwards', async () => {
    const unknown = await api.post(`/notebook/${notebookId}/execute`, {
      executionMode: 'range',
      cellRange: { startCell: 'c1', endCell: 'c9' },
    });
    expectBadRequest(unknown, 'body.cellRange.endCell');
    const backwards = await api.post(`/notebook/${notebookId}/execute`, {
      executionMode: 'range',
      cellRange: { startCell: 'c2', endCell: 'c1' },
    });
    expectBadRequest(backwards, 'body.cellRange');
  });

  it('answers 400 for a cellTimeout longer than the timeout', async () => {
    expectBadRequest(
      await api.post(`/notebook/${notebookId}/execute`, { timeout: 10, cellTimeout: 20 }),
      'body.cellTimeout',
    );
  });

  it('answers 400 InvalidJson for broken JSON and 415 for another media type', async () => {
    const broken = await api.raw('POST', `/notebook/${notebookId}/execute`, '{"parameters": {', {
      'content-type': 'application/json',
    });
    expectBadRequest(broken);
    expect(broken.body.Error).toBe('InvalidJson');
    const form = await api.raw('POST', `/notebook/${notebookId}/execute`, 'a=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
  });

  it('answers 404 for a notebook that does not exist', async () => {
    const res = await api.post(`/notebook/${NO_SUCH}/execute`, {});
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ Error: 'Notebook not found', NotebookId: NO_SUCH });
  });

  it('left nothing behind: none of the refused requests started a run', async () => {
    const history = (await api.get(`/notebook/${notebookId}/executions`)).body;
    expect(history.totalCount).toBe(1);
    expect((await api.get(`/notebook/${notebookId}`)).body.status).toBe('Ready');
  });
});

describe('run routes: bad ids, queries and states', () => {
  it('answers 404 for an execution that does not exist or belongs to another notebook', async () => {
    expect((await api.get(`/notebook/${notebookId}/execution/${NO_SUCH}`)).status).toBe(404);
    const otherNotebook = await upload(api, notebookOf(['1']));
    const res = await api.get(`/notebook/${otherNotebook}/execution/${executionId}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ Error: 'Execution not found', ExecutionId: executionId });
    expect((await api.get(`/notebook/${notebookId}/execution/${NO_SUCH}/results`)).status).toBe(404);
    expect((await api.post(`/notebook/${notebookId}/execution/${NO_SUCH}/cancel`)).status).toBe(404);
  });

  it.each([
    ['outputType=images', 'query.outputType'],
    ['format=pdf', 'query.format'],
    ['cellId=has%20space', 'query.cellId'],
  ])('answers 400 for results?%s', async (query, path) => {
    expectBadRequest(
      await api.get(`/notebook/${notebookId}/execution/${executionId}/results?${query}`),
      path,
    );
  });

  it('answers 404 for results of a cell the run did not plan', async () => {
    const res = await api.get(`/notebook/${notebookId}/execution/${executionId}/results?cellId=c99`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ Error: 'Cell not found', CellId: 'c99' });
  });

  it.each([
    ['page=0', 'query.page'],
    ['pageSize=101', 'query.pageSize'],
    ['pageSize=abc', 'query.pageSize'],
    ['status=Done', 'query.status'],
  ])('answers 400 for executions?%s', async (query, path) => {
    expectBadRequest(await api.get(`/notebook/${notebookId}/executions?${query}`), path);
  });

  it('answers 404 for the history of a notebook that does not exist', async () => {
    expect((await api.get(`/notebook/${NO_SUCH}/executions`)).status).toBe(404);
  });

  it('answers 409 for cancelling a run that has ended', async () => {
    const res = await api.post(`/notebook/${notebookId}/execution/${executionId}/cancel`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      Error: 'ExecutionEnded',
      Status: 'Completed',
      ExecutionId: executionId,
    });
  });
});
