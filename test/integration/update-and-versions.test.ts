import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';

let api: ReturnType<typeof client>;

beforeAll(async () => {
  api = client(await newTenant());
});

const create = async (name: string, cells = [{ cellType: 'code', source: 'a = 1' }]) =>
  (await api.post('/notebook', { notebookName: name, initialCells: cells })).body;

describe('PUT /notebook/{id} (route 8)', () => {
  it('bumps PATCH for metadata changes and MINOR for cell changes', async () => {
    const nb = await create('Versioned');
    const meta = await api.put(`/notebook/${nb.notebookId}`, { name: 'Versioned', description: 'new text' });
    expect(meta.status).toBe(200);
    expect(meta.body.notebookVersion).toBe('1.0.1');
    expect(meta.body.description).toBe('new text');
    const cells = await api.put(`/notebook/${nb.notebookId}`, {
      notebookName: 'Versioned',
      cells: [
        { cellId: 'cell-001', cellType: 'code', source: 'a = 1' },
        { cellType: 'markdown', source: '# added' },
      ],
    });
    expect(cells.body.notebookVersion).toBe('1.1.0');
    expect(cells.body.cellCount).toBe(2);
    expect(cells.body.cells[1]).toMatchObject({
      cellId: 'cell-002',
      cellType: 'markdown',
      source: '# added',
    });
    expect(cells.body.modifiedBy).toBe(nb.createdBy);
    expect(Date.parse(cells.body.dateModified)).toBeGreaterThan(Date.parse(meta.body.dateModified));
  });

  it('keeps old versions readable', async () => {
    const nb = await create('History');
    await api.put(`/notebook/${nb.notebookId}`, {
      name: 'History',
      cells: [{ cellType: 'code', source: 'b = 2' }],
    });
    const list = await api.get(`/notebook/${nb.notebookId}/versions`);
    expect(list.status).toBe(200);
    expect(list.body.currentVersion).toBe('1.1.0');
    expect(list.body.versions.map((v: { version: string }) => v.version)).toEqual(['1.1.0', '1.0.0']);
    const old = await api.get(`/notebook/${nb.notebookId}/versions/1.0.0`);
    expect(old.status).toBe(200);
    expect(old.body.content.cells[0].source).toBe('a = 1');
    const current = await api.get(`/notebook/${nb.notebookId}/versions/1.1.0`);
    expect(current.body.content.cells[0].source).toBe('b = 2');
    expect((await api.get(`/notebook/${nb.notebookId}/versions/9.9.9`)).status).toBe(404);
  });

  it('renames under the unique-name rule', async () => {
    const a = await create('Alpha');
    await create('Beta');
    const clash = await api.put(`/notebook/${a.notebookId}`, { name: 'BETA' });
    expect(clash.status).toBe(400);
    expect(clash.body.Error).toBe(
      'Failed to update notebook. The name may already exist in this investigation.',
    );
    const renamed = await api.put(`/notebook/${a.notebookId}`, { name: 'Gamma' });
    expect(renamed.status).toBe(200);
    expect((await api.post('/notebook', { notebookName: 'Alpha' })).status).toBe(201);
    const recase = await api.put(`/notebook/${a.notebookId}`, { name: 'GAMMA' });
    expect(recase.status).toBe(200);
    expect(recase.body.name).toBe('GAMMA');
  });

  it('answers 409 with the seed CONFLICT body when dateModified is stale', async () => {
    const nb = await create('Locked');
    const first = await api.put(`/notebook/${nb.notebookId}`, {
      name: 'Locked 2',
      dateModified: nb.dateModified,
    });
    expect(first.status).toBe(200);
    const stale = await api.put(`/notebook/${nb.notebookId}`, {
      name: 'Locked 3',
      dateModified: nb.dateModified,
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      Error: 'CONFLICT',
      Message: 'Notebook was modified by another user since you last fetched it',
      YourDateModified: nb.dateModified,
      CurrentDateModified: first.body.dateModified,
      ModifiedBy: first.body.modifiedBy,
    });
    expect(stale.body.Resolution).toMatch(/^GET \/api\/.+\/notebook\/.+ to fetch current state, then retry$/);
    expect((await api.get(`/notebook/${nb.notebookId}`)).body.name).toBe('Locked 2');
  });

  it('accepts the same instant written without milliseconds', async () => {
    const nb = await create('Seconds');
    const ok = await api.put(`/notebook/${nb.notebookId}`, {
      name: 'Seconds',
      dateModified: new Date(nb.dateModified).toISOString(),
    });
    expect(ok.status).toBe(200);
  });

  it('lets exactly one of many concurrent writers with the same dateModified win, losing no update', async () => {
    const nb = await create('Contended');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.put(`/notebook/${nb.notebookId}`, { name: `Writer ${i}`, dateModified: nb.dateModified }),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    const now = (await api.get(`/notebook/${nb.notebookId}`)).body;
    expect(now.name).toBe(winners[0]!.body.name);
    expect(now.notebookVersion).toBe('1.0.1');
    expect((await api.get(`/notebook/${nb.notebookId}/versions`)).body.versions).toHaveLength(2);
  });

  it('applies every concurrent update that sent no dateModified', async () => {
    const nb = await create('Unlocked');
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        api.put(`/notebook/${nb.notebookId}`, { name: 'Unlocked', notebookOrder: i + 10 }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect((await api.get(`/notebook/${nb.notebookId}`)).body.notebookVersion).toBe('1.0.5');
  });

  it('updates integration and environment partially', async () => {
    const nb = await create('Integrated');
    const res = await api.put(`/notebook/${nb.notebookId}`, {
      notebookName: 'Integrated',
      integration: { enrichmentMode: true, scheduleExecution: '0 2 * * *' },
      environment: { packages: ['pandas', 'numpy'] },
    });
    expect(res.body.integration).toMatchObject({
      enrichmentMode: true,
      scheduleExecution: '0 2 * * *',
      autoExecution: false,
    });
    expect(res.body.environment).toMatchObject({ packages: ['pandas', 'numpy'], customLibraries: [] });
  });
});

describe('PUT /notebook/{id} descriptions', () => {
  it('keeps the description when the seed clients send null, and clears it with an empty string', async () => {
    const nb = (
      await api.post('/notebook', { notebookName: 'Described', notebookDescription: 'My workflow' })
    ).body;
    const kept = await api.put(`/notebook/${nb.notebookId}`, { name: 'Renamed', description: null });
    expect(kept.body.description).toBe('My workflow');
    const cleared = await api.put(`/notebook/${nb.notebookId}`, { name: 'Renamed', description: '' });
    expect(cleared.body.description).toBeNull();
  });
});
