import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AUTH_CACHE_SECONDS } from '../../functions/auth/authorizer.ts';
import { call, stack } from '../support/api.ts';

const run = promisify(execFile);

async function admin(...args: string[]) {
  return adminWith(undefined, ...args);
}

/** The admin command with `input` on its stdin (`revoke-token --token-stdin`). */
async function adminWith(input: string | undefined, ...args: string[]) {
  try {
    const child = run(process.execPath, [
      '--import',
      'tsx',
      'cli/admin.ts',
      '--local',
      stack().dataDir,
      ...args,
    ]);
    child.child.stdin?.end(input ?? '');
    const { stdout } = await child;
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

  it('revokes a token given on stdin: the API refuses it within the authorizer cache, and an unknown token is an error', async () => {
    const tenant = await admin('create-tenant', '--name', 'Revoked');
    const project = await admin('create-project', '--tenant-id', tenant.out.tenantId, '--name', 'P');
    const { token } = (await admin('create-token', '--tenant-id', tenant.out.tenantId)).out;
    const path = `/api/${tenant.out.tenantId}/${project.out.projectId}/notebooks`;
    expect((await call('GET', path, { token })).status).toBe(200);
    const revoked = await adminWith(`${token}\n`, 'revoke-token', '--token-stdin');
    expect(revoked.code).toBe(0);
    expect(revoked.out).toMatchObject({ revoked: true, tenantId: tenant.out.tenantId });
    expect(JSON.stringify(revoked.out)).not.toContain(token);
    await new Promise((r) => setTimeout(r, (AUTH_CACHE_SECONDS + 1) * 1000));
    const refused = await call('GET', path, { token });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ message: 'Forbidden' });
    expect((await adminWith('cw_never-issued', 'revoke-token', '--token-stdin')).code).toBe(1);
    expect((await admin('revoke-token')).code).toBe(2);
  });

  it('refuses malformed ids and unknown commands with exit code 2', async () => {
    const bad = await admin('create-project', '--tenant-id', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/not a GUID: nope/);
    expect((await admin('drop-everything')).code).toBe(2);
  });
});
