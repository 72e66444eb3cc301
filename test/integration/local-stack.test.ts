import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnStack } from '../../local-stack/spawn-stack.ts';

const TENANT = '0196a1b2-aaaa-7000-8000-00000000000a';
const PROJECT = '0196a1b2-bbbb-7000-8000-00000000000b';
const TOKEN = 'cw_fixed-token-for-the-restart-test';

describe('local stack', () => {
  it('seeds the given ids and token, keeps data across a restart and stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cellwise-restart-'));
    const env = {
      CELLWISE_DATA_DIR: dataDir,
      CELLWISE_TENANT_ID: TENANT.toUpperCase(),
      CELLWISE_PROJECT_ID: PROJECT,
      CELLWISE_API_TOKEN: TOKEN,
    };
    try {
      const first = await spawnStack(env);
      expect(first.info).toMatchObject({ tenantId: TENANT, projectId: PROJECT, token: TOKEN });
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      const base = `${first.info.baseUrl}/api/${TENANT}/${PROJECT}`;
      const created = await fetch(`${base}/notebook`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          notebookName: 'Survivor',
          initialCells: [{ cellType: 'code', source: 'x = 42' }],
        }),
      });
      expect(created.status).toBe(201);
      const { notebookId } = (await created.json()) as { notebookId: string };
      expect(await first.stop()).toBe(0);
      expect(first.output()).toContain('Cellwise: stopped');

      const second = await spawnStack(env);
      try {
        const base2 = `${second.info.baseUrl}/api/${TENANT}/${PROJECT}`;
        const health = await fetch(`${second.info.baseUrl}/health`);
        expect(health.status).toBe(200);
        const again = await fetch(`${base2}/notebook/${notebookId}`, { headers });
        expect(again.status).toBe(200);
        const body = (await again.json()) as { name: string; cells: { source: string }[] };
        expect(body.name).toBe('Survivor');
        expect(body.cells[0]!.source).toBe('x = 42');
        // The demo dataset and notebook are made once per data dir: the same ones after a restart.
        expect(first.info.demo?.notebookId).toBeTruthy();
        expect(second.info.demo).toEqual(first.info.demo);
      } finally {
        expect(await second.stop()).toBe(0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
