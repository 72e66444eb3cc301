import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { call, stack } from '../support/api.ts';

const run = promisify(execFile);

async function admin(...args: string[]) {
  try {
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      'cli/admin.ts',
      '--local',
      stack().dataDir,
      ...args,
    ]);
    return { code: 0, out: JSON.parse(stdout), err: '' };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, out: undefined, err: e.stderr };
  }
}

describe('admin command', () => {
  it('creates a tenant, a project and a token that the API then accepts', async () => {
    const tenant = await admin('create-tenant', '--name', 'Acme');
    expect(tenant.code).toBe(0);
    const project = await admin('create-project', '--tenant-id', tenant.out.tenantId, '--name', 'Claims');
    expect(project.code).toBe(0);
    const token = await admin(
      'create-token',
      '--tenant-id',
      tenant.out.tenantId,
      '--project-id',
      project.out.projectId,
    );
    expect(token.code).toBe(0);
    expect(token.out.token).toMatch(/^cw_[\w-]{43}$/);
    expect(token.out.projectIds).toEqual([project.out.projectId]);
    const res = await call('GET', `/api/${tenant.out.tenantId}/${project.out.projectId}/notebooks`, {
      token: token.out.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.totalCount).toBe(0);
  });

  it('refuses malformed ids and unknown commands with exit code 2', async () => {
    const bad = await admin('create-project', '--tenant-id', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/not a GUID: nope/);
    expect((await admin('drop-everything')).code).toBe(2);
  });
});
