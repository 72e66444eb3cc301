import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';
import { notebookOf, upload, waitForRun } from '../support/runs.ts';

/**
 * Declared parameters: `GET .../notebook/{id}/parameters` lists the parameters cell as
 * papermill's inspect_notebook reads it, and `strictParameters` (execute body or notebook
 * metadata) refuses what the cell does not declare.
 */

const NO_SUCH = '00000000-0000-7000-8000-000000000000';
const CELL = 'n: int = 1  # how many rows\nrate = 0.5  # the rate\nlabel = "weekly"\nanything = None';

let api: ReturnType<typeof client>;
let notebookId: string;

beforeAll(async () => {
  api = client(await newTenant());
  notebookId = await upload(
    api,
    notebookOf(['import os', { source: CELL, tags: ['parameters'] }, 'print(n, rate, label)']),
  );
});

function expectMismatch(res: { status: number; body: any }, names: string[]) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body).toMatchObject({ Error: 'ParameterMismatch', Parameters: names });
  expect(res.body.Details.map((d: { path: string }) => d.path)).toEqual(
    names.map((name) => `body.parameters.${name}`),
  );
  for (const name of names) expect(res.body.Message).toContain(name);
}

describe('GET /notebook/{id}/parameters', () => {
  it('lists the names, inferred types, defaults and help of the parameters cell', async () => {
    const res = await api.get(`/notebook/${notebookId}/parameters`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      notebookId,
      kernelType: 'python3',
      language: 'python',
      parametersCellId: 'c2',
      strictParameters: false,
      parameters: [
        { name: 'n', inferredType: 'int', annotation: 'int', default: '1', help: 'how many rows' },
        { name: 'rate', inferredType: 'float', annotation: null, default: '0.5', help: 'the rate' },
        { name: 'label', inferredType: 'str', annotation: null, default: '"weekly"', help: '' },
        { name: 'anything', inferredType: 'None', annotation: null, default: 'None', help: '' },
      ],
    });
  });

  it('lists nothing for a notebook without a parameters cell', async () => {
    const plain = await upload(api, notebookOf(['a = 1']));
    const res = await api.get(`/notebook/${plain}/parameters`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ parametersCellId: null, parameters: [] });
  });

  it('reads an R notebook with the R parser', async () => {
    const created = await api.post('/notebook', {
      notebookName: `r params ${process.pid}`,
      kernelType: 'r',
      initialCells: [{ cellType: 'code', content: 'n <- 10L  # rows\nflag = TRUE', tags: ['parameters'] }],
    });
    expect(created.status, created.text).toBe(201);
    const res = await api.get(`/notebook/${created.body.notebookId}/parameters`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      kernelType: 'r',
      language: 'R',
      parameters: [
        { name: 'n', inferredType: 'int', default: '10L', help: 'rows' },
        { name: 'flag', inferredType: 'bool', default: 'TRUE', help: '' },
      ],
    });
  });

  it('is a 404 for an unknown notebook and for another tenant’s notebook', async () => {
    const unknown = await api.get(`/notebook/${NO_SUCH}/parameters`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ Error: expect.any(String), Message: expect.any(String) });
    const other = client(await newTenant());
    expect((await other.get(`/notebook/${notebookId}/parameters`)).status).toBe(404);
  });

  it('is a 400 naming the path parameter for a malformed notebook id', async () => {
    const res = await api.get('/notebook/not-a-guid/parameters');
    expect(res.status).toBe(400);
    expect(res.body.Details.map((d: { path: string }) => d.path)).toContain('path.notebookId');
  });
});

describe('strictParameters on execute', () => {
  it('refuses unknown names and values of the wrong type, naming each offending parameter', async () => {
    const res = await api.post(`/notebook/${notebookId}/execute`, {
      strictParameters: true,
      parameters: { n: true, colour: 'red', rate: 2, label: 3, anything: [1] },
    });
    expectMismatch(res, ['n', 'colour', 'label']);
  });

  it('refuses a float for an int default but starts a run whose parameters fit', async () => {
    const float = await api.raw(
      'POST',
      `/notebook/${notebookId}/execute`,
      '{"strictParameters": true, "parameters": {"n": 2.0}}',
      { 'content-type': 'application/json' },
    );
    expectMismatch(float, ['n']);
    const res = await api.post(`/notebook/${notebookId}/execute`, {
      strictParameters: true,
      parameters: { n: 2, rate: 1, label: 'daily', anything: { a: 1 } },
    });
    expect(res.status, res.text).toBe(202);
    expect((await waitForRun(api, notebookId, res.body.executionId)).status).toBe('Completed');
  });

  it('does not check parameters without strictParameters', async () => {
    const res = await api.post(`/notebook/${notebookId}/execute`, { parameters: { colour: 'red' } });
    expect(res.status, res.text).toBe(202);
    await waitForRun(api, notebookId, res.body.executionId);
  });

  it('is a 400 naming body.strictParameters when it is not a boolean', async () => {
    const res = await api.post(`/notebook/${notebookId}/execute`, { strictParameters: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body.Details.map((d: { path: string }) => d.path)).toContain('body.strictParameters');
  });

  it('follows the notebook metadata cellwise.strictParameters unless the body says otherwise', async () => {
    const strict = await upload(api, {
      ...notebookOf([{ source: 'n = 1', tags: ['parameters'] }]),
      metadata: { cellwise: { strictParameters: true } },
    });
    expect((await api.get(`/notebook/${strict}/parameters`)).body.strictParameters).toBe(true);
    expectMismatch(await api.post(`/notebook/${strict}/execute`, { parameters: { m: 1 } }), ['m']);
    const loose = await api.post(`/notebook/${strict}/execute`, {
      strictParameters: false,
      parameters: { m: 1 },
    });
    expect(loose.status, loose.text).toBe(202);
    await waitForRun(api, strict, loose.body.executionId);
  });
});
