import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';

let api: ReturnType<typeof client>;
const ids: string[] = [];

beforeAll(async () => {
  api = client(await newTenant());
  for (let i = 0; i < 25; i++) {
    const res = await api.post('/notebook', {
      notebookName: `Listed ${String(i).padStart(2, '0')}`,
      integration: { enrichmentMode: i % 5 === 0 },
    });
    ids.push(res.body.notebookId);
  }
});

describe('GET /notebooks (route 1)', () => {
  it('pages newest first with totalCount and hasNextPage', async () => {
    const first = await api.get('/notebooks?pageSize=10');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ totalCount: 25, page: 1, pageSize: 10, hasNextPage: true });
    expect(first.body.notebooks.map((n: { notebookId: string }) => n.notebookId)).toEqual(
      ids.slice().reverse().slice(0, 10),
    );
    const last = await api.get('/notebooks?page=3&pageSize=10');
    expect(last.body.notebooks).toHaveLength(5);
    expect(last.body.hasNextPage).toBe(false);
    const beyond = await api.get('/notebooks?page=9&pageSize=10');
    expect(beyond.body).toMatchObject({ notebooks: [], totalCount: 25, hasNextPage: false });
  });

  it('uses page 1 and pageSize 20 by default and omits cells', async () => {
    const res = await api.get('/notebooks');
    expect(res.body).toMatchObject({ page: 1, pageSize: 20 });
    expect(res.body.notebooks).toHaveLength(20);
    expect(res.body.notebooks[0].cells).toBeUndefined();
    expect(res.body.notebooks[0]).toMatchObject({ cellCount: 0, enrichmentMode: expect.any(Boolean) });
  });

  it('filters by enrichmentMode, status and kernelType with a matching totalCount', async () => {
    const enriched = await api.get('/notebooks?enrichmentMode=true');
    expect(enriched.body.totalCount).toBe(5);
    expect(enriched.body.notebooks.every((n: { enrichmentMode: boolean }) => n.enrichmentMode)).toBe(true);
    const plain = await api.get('/notebooks?enrichmentMode=false&pageSize=100');
    expect(plain.body.totalCount).toBe(20);
    expect((await api.get('/notebooks?status=Ready')).body.totalCount).toBe(25);
    expect((await api.get('/notebooks?status=Running')).body.totalCount).toBe(0);
    expect((await api.get('/notebooks?kernelType=python3')).body.totalCount).toBe(25);
  });

  it('keeps totalCount right after deletes and filter-field updates', async () => {
    const t = client(await newTenant());
    const a = (await t.post('/notebook', { notebookName: 'A' })).body;
    await t.post('/notebook', { notebookName: 'B' });
    await t.put(`/notebook/${a.notebookId}`, { name: 'A', integration: { enrichmentMode: true } });
    expect((await t.get('/notebooks?enrichmentMode=true')).body.totalCount).toBe(1);
    await t.del(`/notebook/${a.notebookId}`);
    expect((await t.get('/notebooks')).body.totalCount).toBe(1);
  });
});
