import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';

let api: ReturnType<typeof client>;

beforeAll(async () => {
  api = client(await newTenant());
});

async function newInvestigation(name = 'Inv') {
  const res = await api.post('/investigation', { name, description: 'test' });
  expect(res.status).toBe(201);
  return res.body.investigationId as string;
}

describe('POST /notebook/investigation/{id} (route 5)', () => {
  it('creates a notebook with the management seed body and the seed response fields', async () => {
    const inv = await newInvestigation();
    const res = await api.post(`/notebook/investigation/${inv}`, {
      name: 'Process Analysis',
      description: 'Detailed process analysis workflow',
      notebookType: 0,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      investigationId: inv,
      name: 'Process Analysis',
      description: 'Detailed process analysis workflow',
      modifiedBy: null,
      notebookType: 0,
      notebookOrder: 1,
      lastExecutionDuration: 0,
      blockCount: 0,
    });
  });

  it('rejects a duplicate name in the same investigation ignoring case, with the seed body', async () => {
    const inv = await newInvestigation();
    expect((await api.post(`/notebook/investigation/${inv}`, { name: 'Main' })).status).toBe(201);
    const dup = await api.post(`/notebook/investigation/${inv}`, { name: 'mAIN' });
    expect(dup.status).toBe(400);
    expect(dup.body.Error).toBe(
      'Failed to create notebook. The name may already exist in this investigation.',
    );
    const other = await newInvestigation('Other');
    expect((await api.post(`/notebook/investigation/${other}`, { name: 'Main' })).status).toBe(201);
  });

  it('gives exactly one winner when the same name is created concurrently', async () => {
    const inv = await newInvestigation();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => api.post(`/notebook/investigation/${inv}`, { name: 'Race' })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(9);
    expect((await api.get(`/notebook/investigation/${inv}`)).body).toHaveLength(1);
  });

  it('answers 404 with the seed body for an unknown investigation', async () => {
    const id = '11111111-2222-3333-4444-555555555555';
    const res = await api.post(`/notebook/investigation/${id}`, { name: 'x' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ Error: 'Investigation not found', InvestigationId: id });
  });
});

describe('GET /notebook/investigation/{id} (route 2)', () => {
  it('returns a JSON array ordered by notebookOrder without cells', async () => {
    const inv = await newInvestigation();
    const first = (await api.post(`/notebook/investigation/${inv}`, { name: 'First' })).body;
    const second = (await api.post(`/notebook/investigation/${inv}`, { name: 'Second' })).body;
    await api.put(`/notebook/${second.notebookId}`, { name: 'Second', notebookOrder: 0.5 });
    const res = await api.get(`/notebook/investigation/${inv}`);
    expect(res.status).toBe(200);
    expect(res.body.map((n: { name: string }) => n.name)).toEqual(['Second', 'First']);
    expect(res.body[0].cells).toBeUndefined();
    expect(res.body[1]).toMatchObject({ notebookId: first.notebookId, notebookOrder: 1, blockCount: 0 });
  });

  it('answers 404 "Investigation not found" with the id', async () => {
    const id = '11111111-2222-3333-4444-555555555555';
    const res = await api.get(`/notebook/investigation/${id}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      Error: 'Investigation not found',
      Message: 'Investigation not found',
      InvestigationId: id,
    });
  });
});

describe('POST .../from-template (route 6)', () => {
  it('creates a notebook with the template cells and overrides', async () => {
    const inv = await newInvestigation();
    const templates = (await api.get('/notebook/templates')).body;
    const starter = templates.find((t: { slug: string }) => t.slug === 'process_mining_starter');
    const res = await api.post(`/notebook/investigation/${inv}/from-template`, {
      templateId: starter.templateId.toUpperCase(),
      name: 'Process Discovery Analysis',
    });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Process Discovery Analysis');
    expect(res.body.cells).toHaveLength(starter.cellCount);
    expect(res.body.cells.some((c: { source: string }) => c.source.includes('ProcessMiningClient()'))).toBe(
      true,
    );
  });

  it('uses the template name when none is given', async () => {
    const inv = await newInvestigation();
    const templates = (await api.get('/notebook/templates')).body;
    const res = await api.post(`/notebook/investigation/${inv}/from-template`, {
      templateId: templates[1].templateId,
    });
    expect(res.body.name).toBe(templates[1].name);
  });

  it('answers 404 "Template not found" for an unknown template', async () => {
    const inv = await newInvestigation();
    const res = await api.post(`/notebook/investigation/${inv}/from-template`, {
      templateId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    });
    expect(res.status).toBe(404);
    expect(res.body.Error).toBe('Template not found');
  });
});

describe('POST /notebook/{id}/copy (route 10)', () => {
  it('copies content and settings into another investigation', async () => {
    const from = await newInvestigation('From');
    const to = await newInvestigation('To');
    const src = (
      await api.post('/notebook', {
        notebookName: 'Main Analysis',
        investigationId: from,
        integration: { enrichmentMode: true },
        initialCells: [{ cellType: 'code', source: 'print(1)' }],
      })
    ).body;
    const res = await api.post(`/notebook/${src.notebookId}/copy`, {
      name: 'Copy of Main Analysis',
      destinationInvestigationId: to,
    });
    expect(res.status).toBe(201);
    expect(res.body.notebookId).not.toBe(src.notebookId);
    expect(res.body).toMatchObject({
      investigationId: to,
      name: 'Copy of Main Analysis',
      notebookVersion: '1.0.0',
    });
    expect(res.body.integration.enrichmentMode).toBe(true);
    expect(res.body.cells.map((c: { source: string }) => c.source)).toEqual(['print(1)']);
    expect(res.body.executionCount).toBe(0);
  });

  it('defaults the name to "Copy of <name>" and numbers further copies', async () => {
    const src = (await api.post('/notebook', { notebookName: 'Origin' })).body;
    const a = await api.post(`/notebook/${src.notebookId}/copy`, {});
    const b = await api.post(`/notebook/${src.notebookId}/copy`, { name: null });
    expect(a.body.name).toBe('Copy of Origin');
    expect(b.body.name).toBe('Copy of Origin (2)');
    expect(a.body.investigationId).toBe(src.investigationId);
  });

  it('answers 400 when an explicit name is taken and 404 for an unknown destination', async () => {
    const src = (await api.post('/notebook', { notebookName: 'Taken' })).body;
    const dup = await api.post(`/notebook/${src.notebookId}/copy`, { name: 'taken' });
    expect(dup.status).toBe(400);
    expect(dup.body.Error).toBe('Failed to copy notebook. The name may already exist in this investigation.');
    const missing = await api.post(`/notebook/${src.notebookId}/copy`, {
      destinationInvestigationId: '11111111-2222-3333-4444-555555555555',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.Error).toBe('Investigation not found');
  });
});

describe('investigations', () => {
  it('lists, gets and deletes an empty investigation, and refuses to delete one with notebooks', async () => {
    const inv = await newInvestigation('Lifecycle');
    const list = await api.get('/investigation');
    expect(list.body.some((i: { investigationId: string }) => i.investigationId === inv)).toBe(true);
    const nb = (await api.post(`/notebook/investigation/${inv}`, { name: 'Keeps it busy' })).body;
    const busy = await api.del(`/investigation/${inv}`);
    expect(busy.status).toBe(409);
    expect(busy.body).toMatchObject({
      Error: 'InvestigationNotEmpty',
      InvestigationId: inv,
      NotebookCount: 1,
    });
    await api.del(`/notebook/${nb.notebookId}`);
    const gone = await api.del(`/investigation/${inv}`);
    expect(gone.status).toBe(200);
    expect((await api.get(`/investigation/${inv}`)).status).toBe(404);
  });
});
