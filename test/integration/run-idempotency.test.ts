import { describe, expect, it } from 'vitest';
import { client, newTenant, stackRunTokens } from '../support/api.ts';
import { notebookOf, upload, waitForRun } from '../support/runs.ts';

const doc = notebookOf(['n = 1', 'print(n)']);

describe('idempotent run submission', () => {
  it('returns the same run to concurrent duplicates: one 202, the others 200', async () => {
    const api = client(await newTenant());
    const notebookId = await upload(api, doc);
    const body = { idempotencyToken: 'nightly-2026-11-25', parameters: { n: 2 } };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => api.post(`/notebook/${notebookId}/execute`, body)),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 202]);
    const ids = new Set(responses.map((r) => r.body.executionId));
    expect(ids.size).toBe(1);
    const [executionId] = [...ids] as string[];
    await waitForRun(api, notebookId, executionId!);
    const history = await api.get(`/notebook/${notebookId}/executions`);
    expect(history.body.totalCount).toBe(1);
  });

  it('returns the ended run for a repeated token, and 409 for the token with a different body', async () => {
    const api = client(await newTenant());
    const notebookId = await upload(api, doc);
    const body = { idempotencyToken: 'retry-me', parameters: { n: 3 } };
    const first = await api.post(`/notebook/${notebookId}/execute`, body);
    expect(first.status).toBe(202);
    const ended = await waitForRun(api, notebookId, first.body.executionId);
    expect(ended.status).toBe('Completed');

    const again = await api.post(`/notebook/${notebookId}/execute`, body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ executionId: first.body.executionId, status: 'Completed' });

    const different = await api.post(`/notebook/${notebookId}/execute`, { ...body, parameters: { n: 4 } });
    expect(different.status).toBe(409);
    expect(different.body).toMatchObject({
      Error: 'IdempotencyTokenReused',
      ExecutionId: first.body.executionId,
    });

    // Tokens belong to one notebook: another notebook starts its own run with the same token.
    const other = await upload(api, doc);
    const elsewhere = await api.post(`/notebook/${other}/execute`, body);
    expect(elsewhere.status).toBe(202);
    expect(elsewhere.body.executionId).not.toBe(first.body.executionId);
    await waitForRun(api, other, elsewhere.body.executionId);
  });

  it('returns the same run when the parameters differ only in key order, at any depth', async () => {
    const api = client(await newTenant());
    const notebookId = await upload(api, doc);
    const path = `/notebook/${notebookId}/execute`;
    const token = { idempotencyToken: 'key-order' };
    const first = await api.post(path, {
      ...token,
      parameters: { a: 1, b: 2, nested: { x: [{ p: 1, q: 'two' }], y: null } },
    });
    expect(first.status, first.text).toBe(202);
    // The same body with every object's keys in another order (and the body's own fields too).
    const reordered = await api.raw(
      'POST',
      path,
      '{"parameters": {"nested": {"y": null, "x": [{"q": "two", "p": 1}]}, "b": 2, "a": 1}, "idempotencyToken": "key-order"}',
      { 'content-type': 'application/json' },
    );
    expect(reordered.status, reordered.text).toBe(200);
    expect(reordered.body.executionId).toBe(first.body.executionId);
    // Values still count: another value, another order of a list, or 1.0 (a float) for 1.
    for (const parameters of [
      '{"a": 1, "b": 3, "nested": {"x": [{"p": 1, "q": "two"}], "y": null}}',
      '{"a": 1, "b": 2, "nested": {"x": [{"p": 1, "q": "two"}, 0], "y": null}}',
      '{"a": 1.0, "b": 2, "nested": {"x": [{"p": 1, "q": "two"}], "y": null}}',
    ]) {
      const different = await api.raw(
        'POST',
        path,
        `{"idempotencyToken": "key-order", "parameters": ${parameters}}`,
        {
          'content-type': 'application/json',
        },
      );
      expect(different.status, parameters).toBe(409);
      expect(different.body).toMatchObject({
        Error: 'IdempotencyTokenReused',
        ExecutionId: first.body.executionId,
      });
    }
    await waitForRun(api, notebookId, first.body.executionId);
    expect((await api.get(`/notebook/${notebookId}/executions`)).body.totalCount).toBe(1);
  });

  it('frees the token when the submission was refused, so a retry can use it', async () => {
    const api = client(await newTenant());
    const notebookId = await upload(api, notebookOf(['import time\ntime.sleep(2)']));
    const running = await api.post(`/notebook/${notebookId}/execute`, {});
    expect(running.status).toBe(202);
    const refused = await api.post(`/notebook/${notebookId}/execute`, { idempotencyToken: 'after-busy' });
    expect(refused.status).toBe(409);
    expect(refused.body.Error).toBe('NotebookRunning');
    await waitForRun(api, notebookId, running.body.executionId);
    const retried = await api.post(`/notebook/${notebookId}/execute`, { idempotencyToken: 'after-busy' });
    expect(retried.status).toBe(202);
    await waitForRun(api, notebookId, retried.body.executionId);
  });

  it('rejects a token longer than 64 characters or empty with 400 naming the field', async () => {
    const api = client(await newTenant());
    const notebookId = await upload(api, doc);
    for (const idempotencyToken of ['x'.repeat(65), '', 42]) {
      const res = await api.post(`/notebook/${notebookId}/execute`, { idempotencyToken });
      expect(res.status, res.text).toBe(400);
      expect(res.body.Details.map((d: { path: string }) => d.path)).toEqual(['body.idempotencyToken']);
    }
    expect((await api.get(`/notebook/${notebookId}/executions`)).body.totalCount).toBe(0);
  });

  it("keeps a token for its 24 hours by the caller's clock, then lets it be claimed anew", async () => {
    const tenant = await newTenant();
    const tokens = stackRunTokens();
    const notebookId = '01a246a5-0000-7000-8000-000000000001';
    const start = Date.parse('2026-01-01T00:00:00Z');
    const iso = (hours: number) => new Date(start + hours * 3_600_000).toISOString();
    const first = { executionId: 'run-1', requestHash: 'h1', expiresAt: iso(24) };
    expect(await tokens.claim(tenant, notebookId, 'daily', first, iso(0))).toBeNull();
    const second = { executionId: 'run-2', requestHash: 'h2', expiresAt: iso(47) };
    expect(await tokens.claim(tenant, notebookId, 'daily', second, iso(23.9))).toEqual(first);
    expect(await tokens.claim(tenant, notebookId, 'daily', second, iso(24.1))).toBeNull();
    expect(await tokens.claim(tenant, notebookId, 'daily', first, iso(25))).toEqual(second);
    // Another notebook's token of the same name is another claim.
    expect(await tokens.claim(tenant, `${notebookId.slice(0, -1)}2`, 'daily', first, iso(25))).toBeNull();
  });
});
