import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';

let api: ReturnType<typeof client>;
/** A dataset of the project: a binding must name one. */
let datasetId: string;

beforeAll(async () => {
  api = client(await newTenant());
  const rows = [{ case_id: 'c1', activity: 'a', timestamp: '2024-01-01T00:00:00Z' }];
  datasetId = (await api.post('/dataset', { name: 'bound log', rows })).body.datasetId;
});

const notebook44 = {
  nbformat: 4,
  nbformat_minor: 4,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: [
    { cell_type: 'markdown', metadata: {}, source: ['# Title\n', 'text'] },
    {
      cell_type: 'code',
      metadata: { tags: ['parameters'] },
      execution_count: 3,
      source: 'x = 1',
      outputs: [{ output_type: 'stream', name: 'stdout', text: ['hi\n'] }],
    },
  ],
};

function form(fields: Record<string, string>, file?: { name: string; text: string }) {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  if (file) data.append('file', new Blob([file.text], { type: 'application/json' }), file.name);
  return data;
}

describe('POST /notebook/upload (route 7)', () => {
  it('stores a valid notebook and reports parseResult with warnings', async () => {
    const res = await api.raw(
      'POST',
      '/notebook/upload',
      form(
        {
          notebookName: 'Customer Journey Analysis',
          enrichmentMode: 'true',
          datasetBinding: datasetId,
        },
        { name: 'analysis.ipynb', text: JSON.stringify(notebook44) },
      ),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Customer Journey Analysis',
      cellCount: 2,
      kernelType: 'python3',
      integration: { enrichmentMode: true, datasetBinding: datasetId },
      parseResult: { nbformat: 4, nbformatMinor: 4, cellCount: 2 },
    });
    expect(res.body.parseResult.warnings).toContain('Upgraded from nbformat 4.4 to 4.5');
    expect(res.body.cells[1]).toMatchObject({ executionCount: 3, hasOutput: true, tags: ['parameters'] });
    const content = (await api.get(`/notebook/${res.body.notebookId}/content`)).body;
    expect(content.nbformat_minor).toBe(5);
    expect(content.cells[1].outputs[0].text).toEqual(['hi\n']);
  });

  it('takes the name from the file name and the kernel from the request when the file names neither', async () => {
    const res = await api.raw(
      'POST',
      '/notebook/upload',
      form({}, { name: 'From File.ipynb', text: JSON.stringify({ ...notebook44, metadata: {} }) }),
    );
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('From File');
    expect(res.body.parseResult.warnings).toContain(
      'No kernelspec in metadata; the notebook kernel was taken from the request',
    );
    const content = (await api.get(`/notebook/${res.body.notebookId}/content`)).body;
    expect(content.metadata.kernelspec.name).toBe('python3');
  });

  it('answers 400 with line and column when the file is not JSON', async () => {
    const res = await api.raw(
      'POST',
      '/notebook/upload',
      form({ notebookName: 'Broken' }, { name: 'b.ipynb', text: '{\n "nbformat": 4,\n "cells": [}' }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ Error: 'InvalidNotebook', Line: 3, Column: 12 });
    expect(res.body.Message).toMatch(/not valid JSON/);
  });

  it('answers 400 with the JSON path when the file breaks the nbformat schema', async () => {
    const bad = { ...notebook44, cells: [{ cell_type: 'code', source: 'x' }] };
    const res = await api.raw(
      'POST',
      '/notebook/upload',
      form({ notebookName: 'Bad' }, { name: 'b.ipynb', text: JSON.stringify(bad) }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ Error: 'InvalidNotebook', Path: '/cells/0' });
    expect(res.body.Details.length).toBeGreaterThan(0);
  });

  it('answers 400 for nbformat 3 and for a kernel the service cannot run', async () => {
    const v3 = await api.raw(
      'POST',
      '/notebook/upload',
      form(
        {},
        { name: 'v3.ipynb', text: JSON.stringify({ nbformat: 3, nbformat_minor: 0, worksheets: [] }) },
      ),
    );
    expect(v3.status).toBe(400);
    expect(v3.body.Message).toMatch(/only nbformat 4/);
    const julia = {
      ...notebook44,
      metadata: { kernelspec: { name: 'julia-1.9', display_name: 'Julia', language: 'julia' } },
    };
    const res = await api.raw(
      'POST',
      '/notebook/upload',
      form({}, { name: 'j.ipynb', text: JSON.stringify(julia) }),
    );
    expect(res.status).toBe(400);
    expect(res.body.Message).toMatch(/julia-1.9/);
  });

  it('answers 400 without a file part, 415 for a non-multipart body and 413 for an oversize file', async () => {
    const nofile = await api.raw('POST', '/notebook/upload', form({ notebookName: 'x' }));
    expect(nofile.status).toBe(400);
    expect(nofile.body.Details[0].path).toBe('file');
    const json = await api.raw('POST', '/notebook/upload', '{}', { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    const huge = 'x'.repeat(5 * 1024 * 1024 + 10);
    const big = await api.raw(
      'POST',
      '/notebook/upload',
      form({ notebookName: 'big' }, { name: 'big.ipynb', text: huge }),
    );
    expect(big.status).toBe(413);
    expect(big.body.Error).toBe('PayloadTooLarge');
  });

  it('answers 400 for a malformed multipart body and bad form fields', async () => {
    const broken = await api.raw(
      'POST',
      '/notebook/upload',
      '--xyz\r\nContent-Disposition: form-data; name="file"',
      {
        'content-type': 'multipart/form-data; boundary=xyz',
      },
    );
    expect(broken.status).toBe(400);
    // A body cut off inside the file's content (a dropped connection) is a 400 too, and the
    // service keeps answering.
    const cut = await api.raw(
      'POST',
      '/notebook/upload',
      '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.ipynb"\r\n\r\n{"cells": [',
      { 'content-type': 'multipart/form-data; boundary=xyz' },
    );
    expect(cut.status).toBe(400);
    expect(cut.body.Message).toMatch(/Malformed multipart body/);
    expect((await api.get('/notebooks')).status).toBe(200);
    const badField = await api.raw(
      'POST',
      '/notebook/upload',
      form(
        { enrichmentMode: 'maybe', datasetBinding: 'nope' },
        { name: 'a.ipynb', text: JSON.stringify(notebook44) },
      ),
    );
    expect(badField.status).toBe(400);
    expect(badField.body.Details.map((d: { path: string }) => d.path).sort()).toEqual([
      'form.datasetBinding',
      'form.enrichmentMode',
    ]);
  });
});
