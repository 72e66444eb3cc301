import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';

let api: ReturnType<typeof client>;
const ids: string[] = [];

beforeAll(async () => {
  api = client(await newTenant());
  for (let i = 0; i < 1030; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, 1030 - i) }, (_, k) =>
        api.post('/notebook', { notebookName: `Deep ${i + k}` }),
      ),
    );
    for (const res of batch) expect(res.status).toBe(201);
  }
  const all = [];
  for (let page = 1; page <= 11; page++)
    all.push(...(await api.get(`/notebooks?page=${page}&pageSize=100`)).body.notebooks);
  ids.push(...all.map((n: { notebookId: string }) => n.notebookId));
}, 240_000);

describe('GET /notebooks deep pages', () => {
  it('walks every notebook exactly once, newest first, across pages past 1000 rows', () => {
    expect(ids).toHaveLength(1030);
    expect(new Set(ids).size).toBe(1030);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it('returns the same page through the page index as from a fresh walk, and sees writes at once', async () => {
    const page11 = (await api.get('/notebooks?page=11&pageSize=100')).body;
    expect(page11.notebooks.map((n: { notebookId: string }) => n.notebookId)).toEqual(ids.slice(1000));
    const odd = (await api.get('/notebooks?page=101&pageSize=10')).body;
    expect(odd.notebooks.map((n: { notebookId: string }) => n.notebookId)).toEqual(ids.slice(1000, 1010));
    const created = (await api.post('/notebook', { notebookName: 'Newest' })).body;
    const first = (await api.get('/notebooks?pageSize=5')).body;
    expect(first.totalCount).toBe(1031);
    expect(first.notebooks[0].notebookId).toBe(created.notebookId);
    const shifted = (await api.get('/notebooks?page=11&pageSize=100')).body;
    expect(shifted.notebooks[0].notebookId).toBe(ids[999]);
    await api.put(`/notebook/${ids[0]}`, { name: 'Renamed deep' });
    const renamed = (await api.get('/notebooks?page=1&pageSize=5')).body;
    expect(renamed.notebooks[1].name).toBe('Renamed deep');
  });
});
