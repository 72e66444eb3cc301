import { beforeAll, describe, expect, it } from 'vitest';
import { call, client, newTenant, type Tenant } from '../support/api.ts';

let alice: Tenant & { projectIds: string[] };
let bob: Tenant;
let aliceNotebook: { notebookId: string; investigationId: string };

beforeAll(async () => {
  alice = await newTenant({ projects: 2 });
  bob = await newTenant();
  aliceNotebook = (await client(alice).post('/notebook', { notebookName: 'Secret' })).body;
});

describe('authentication', () => {
  it("refuses a request without a token before any Lambda runs: API Gateway's 401", async () => {
    for (const headers of [{} as Record<string, string>, { authorization: '' }]) {
      const res = await call('GET', `${alice.base}/notebooks`, { headers });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized' });
    }
  });

  it("denies a wrong scheme, a malformed and an unknown token in the authorizer: API Gateway's 403", async () => {
    for (const authorization of [
      `Basic ${alice.token}`,
      'Bearer',
      `Bearer ${alice.token} extra`,
      'Bearer cw_not-a-real-token',
    ]) {
      const res = await call('GET', `${alice.base}/notebooks`, { headers: { authorization } });
      expect(res.status, authorization).toBe(403);
      expect(res.body).toEqual({ message: 'Forbidden' });
    }
  });

  it('needs no token for health, the OpenAPI document and the page shell', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    expect((await call('GET', '/api/openapi.json')).status).toBe(200);
    const page = await call(
      'GET',
      `/investigation/${alice.tenantId}/${alice.projectId}/${aliceNotebook.investigationId}/notebook/${aliceNotebook.notebookId}`,
    );
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Secret');
  });
});

describe('tenant isolation', () => {
  it("answers 404, not 403, when a token is used on another tenant's path", async () => {
    const asBob = `/api/${alice.tenantId}/${alice.projectId}`;
    for (const path of ['/notebooks', `/notebook/${aliceNotebook.notebookId}`, '/investigation']) {
      const res = await call('GET', `${asBob}${path}`, { token: bob.token });
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('Secret');
    }
    const del = await call('DELETE', `${asBob}/notebook/${aliceNotebook.notebookId}`, { token: bob.token });
    expect(del.status).toBe(404);
    expect((await client(alice).get(`/notebook/${aliceNotebook.notebookId}`)).status).toBe(200);
  });

  it("answers 404 for a notebook id of another tenant used under the caller's own path", async () => {
    const res = await client(bob).get(`/notebook/${aliceNotebook.notebookId}`);
    expect(res.status).toBe(404);
    expect(res.body.Error).toBe('Notebook not found');
  });

  it('answers 404 for a project that does not exist in the tenant', async () => {
    const res = await call('GET', `/api/${alice.tenantId}/0196a1b2-0000-7000-8000-000000000001/notebooks`, {
      token: alice.token,
    });
    expect(res.status).toBe(404);
  });

  it('keeps projects of one tenant apart', async () => {
    const second = client({
      ...alice,
      projectId: alice.projectIds[1]!,
      base: `/api/${alice.tenantId}/${alice.projectIds[1]}`,
    });
    expect((await second.get(`/notebook/${aliceNotebook.notebookId}`)).status).toBe(404);
    expect((await second.get('/notebooks')).body.totalCount).toBe(0);
  });

  it('limits a project-scoped token to its projects', async () => {
    const scoped = await newTenant({ projects: 2, limitToFirst: true });
    expect((await call('GET', `${scoped.base}/notebooks`, { token: scoped.token })).status).toBe(200);
    const other = await call('GET', `/api/${scoped.tenantId}/${scoped.projectIds[1]}/notebooks`, {
      token: scoped.token,
    });
    expect(other.status).toBe(404);
  });
});
