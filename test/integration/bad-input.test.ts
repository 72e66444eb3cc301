import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../infra/routes.ts';
import { call, client, newTenant, type Tenant, uidOnlyStack } from '../support/api.ts';

let tenant: Tenant;
let api: ReturnType<typeof client>;
let notebookId: string;
let investigationId: string;

beforeAll(async () => {
  tenant = await newTenant();
  api = client(tenant);
  const nb = (await api.post('/notebook', { notebookName: 'Target' })).body;
  notebookId = nb.notebookId;
  investigationId = nb.investigationId;
});

function expectError(res: { status: number; body: any }, status: number) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ Error: expect.any(String), Message: expect.any(String) });
}

/** The path of a route with real ids, and one param swapped for a malformed GUID. */
function fill(path: string, overrides: Record<string, string> = {}) {
  const values: Record<string, string> = {
    tenantId: tenant.tenantId,
    projectId: tenant.projectId,
    notebookId,
    investigationId,
    version: '1.0.0',
    ...overrides,
  };
  return path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? name);
}

describe('malformed ids', () => {
  const guidRoutes = ROUTES.filter((r) => r.path.includes('{'));
  for (const route of guidRoutes) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((p) => p !== 'version');
    for (const param of params) {
      it(`answers 400 naming ${param} when ${route.method} ${route.id} gets a malformed ${param}`, async () => {
        const res = await call(route.method, fill(route.path, { [param]: 'not-a-guid' }), {
          token: tenant.token,
          ...(route.method === 'POST' || route.method === 'PUT' ? { json: {} } : {}),
        });
        expect(res.status).toBe(400);
        if (route.id === 'viewNotebookPage') return;
        expect(res.body.Details.some((d: { path: string }) => d.path === `path.${param}`)).toBe(true);
      });
    }
  }
});

describe('malformed bodies', () => {
  const jsonRoutes = ['/notebook', `/notebook/investigation/{investigationId}`, '/investigation'];
  it.each(jsonRoutes)(
    'answers 400 InvalidJson with the position for broken JSON on POST %s',
    async (path) => {
      const res = await api.raw('POST', fill(path), '{"name": "x",', { 'content-type': 'application/json' });
      expectError(res, 400);
      expect(res.body.Error).toBe('InvalidJson');
      expect(res.body.Details[0].path).toMatch(/line 1, column 14/);
    },
  );

  it('answers 415 for a body that is not JSON', async () => {
    const res = await api.raw('POST', '/notebook', 'name=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectError(res, 415);
  });

  it('answers 413 for an oversize JSON body', async () => {
    const res = await api.post('/notebook', {
      notebookName: 'big',
      notebookDescription: 'x'.repeat(6 * 1024 * 1024),
    });
    expectError(res, 413);
  });

  it.each([
    ['/notebook', { notebookDescription: 'no name' }, 'body.name'],
    ['/notebook', { notebookName: '' }, 'body.notebookName'],
    ['/notebook', { notebookName: 'x', kernelType: 'cobol' }, 'body.kernelType'],
    ['/notebook', { notebookName: 'x', unknownField: 1 }, 'body'],
    ['/notebook', { notebookName: 'x', name: 'y' }, 'body.notebookName'],
    [
      '/notebook',
      { notebookName: 'x', integration: { datasetBinding: 'abc' } },
      'body.integration.datasetBinding',
    ],
    [
      '/notebook',
      { notebookName: 'x', integration: { scheduleExecution: 'every day' } },
      'body.integration.scheduleExecution',
    ],
    [
      '/notebook',
      { notebookName: 'x', initialCells: [{ cellType: 'python', content: '' }] },
      'body.initialCells.0.cellType',
    ],
    ['/notebook', { notebookName: 'x', notebookType: 1.5 }, 'body.notebookType'],
    ['/notebook', [], 'body'],
    ['/investigation', { description: 'no name' }, 'body.name'],
  ])('answers 400 with Details for POST %s %j', async (path, body, detailPath) => {
    const res = await api.post(path, body);
    expectError(res, 400);
    expect(res.body.Details.map((d: { path: string }) => d.path)).toContain(detailPath);
  });

  it('answers 400 for a kernel this deployment cannot run, naming what is available', async () => {
    // The uid-only test stack offers python3 and scala only (test/support/global-setup.ts).
    const withoutR = client(await newTenant({ on: uidOnlyStack() }));
    const res = await withoutR.post('/notebook', { notebookName: 'R one', kernelType: 'r' });
    expectError(res, 400);
    expect(res.body.Message).toMatch(/Available: python3, scala/);
  });

  it('answers 404 for an unknown template slug', async () => {
    expectError(await api.post('/notebook', { notebookName: 'T', template: 'no_such_template' }), 404);
  });

  it.each([
    [{ description: 'x' }, 'body.name'],
    [{ name: 'x', dateModified: 'yesterday' }, 'body.dateModified'],
    [{ name: 'x', notebookOrder: 'first' }, 'body.notebookOrder'],
    [{ name: 'x', cells: [{ cellId: 'a b', cellType: 'code', source: '' }] }, 'body.cells.0.cellId'],
    [
      {
        name: 'x',
        cells: [
          { cellId: 'a', cellType: 'code' },
          { cellId: 'a', cellType: 'code' },
        ],
      },
      'body.cells',
    ],
  ])('answers 400 for PUT body %j', async (body, detailPath) => {
    const res = await api.put(`/notebook/${notebookId}`, body);
    expectError(res, 400);
    expect(res.body.Details.map((d: { path: string }) => d.path)).toContain(detailPath);
  });

  it('answers 400 for copy and from-template bodies with bad ids', async () => {
    const copy = await api.post(`/notebook/${notebookId}/copy`, { destinationInvestigationId: 'x' });
    expectError(copy, 400);
    const tpl = await api.post(`/notebook/investigation/${investigationId}/from-template`, { name: 'no id' });
    expectError(tpl, 400);
    expect(tpl.body.Details[0].path).toBe('body.templateId');
  });
});

describe('malformed queries', () => {
  it.each([
    'pageSize=0',
    'pageSize=101',
    'page=0',
    'page=abc',
    'pageSize=2.5',
    'status=Sleeping',
    'kernelType=cobol',
    'enrichmentMode=yes',
  ])('answers 400 for GET /notebooks?%s', async (query) => {
    const res = await api.get(`/notebooks?${query}`);
    expectError(res, 400);
    expect(res.body.Details[0].path).toMatch(/^query\./);
  });

  it('answers 400 for a malformed version', async () => {
    expectError(await api.get(`/notebook/${notebookId}/versions/latest`), 400);
  });
});

describe('unknown routes', () => {
  it('answers 404 like API Gateway for a path no route has', async () => {
    const res = await call('GET', `${tenant.base}/nothing-here`, { token: tenant.token });
    expect(res.status).toBe(404);
  });
});
