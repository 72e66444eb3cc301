import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashToken, newToken } from '../functions/auth/token.ts';
import { newId } from '../functions/core/ids.ts';
import type { TenancyStore } from '../functions/core/ports.ts';
import { createProject, createTenant, createToken } from '../functions/core/use-cases/tenancy.ts';

export interface SeedInfo {
  tenantId: string;
  projectId: string;
  token: string;
}

/**
 * The local stack's tenant, project and token. Values from CELLWISE_TENANT_ID /
 * CELLWISE_PROJECT_ID / CELLWISE_API_TOKEN win; otherwise the ones generated on the first
 * start are kept in `<data>/seed.json` (mode 0600), so a restart keeps the same ids.
 */
export async function seedTenancy(
  tenancy: TenancyStore,
  dataDir: string,
  env = process.env,
): Promise<SeedInfo> {
  const file = join(dataDir, 'seed.json');
  const saved = await readFile(file, 'utf8')
    .then((t) => JSON.parse(t) as SeedInfo)
    .catch(() => undefined);
  const info: SeedInfo = {
    tenantId: (env.CELLWISE_TENANT_ID ?? saved?.tenantId ?? newId()).toLowerCase(),
    projectId: (env.CELLWISE_PROJECT_ID ?? saved?.projectId ?? newId()).toLowerCase(),
    token: env.CELLWISE_API_TOKEN ?? saved?.token ?? newToken(),
  };
  await createTenant(tenancy, { tenantId: info.tenantId, name: 'Local tenant' });
  await createProject(tenancy, { tenantId: info.tenantId, projectId: info.projectId, name: 'Local project' });
  const existing = await tenancy.resolveToken(hashToken(info.token));
  if (existing?.tenantId !== info.tenantId) {
    await createToken(
      tenancy,
      { newToken, hashToken },
      { tenantId: info.tenantId, label: 'local seed', token: info.token },
    );
  }
  await writeFile(file, JSON.stringify(info, null, 2));
  await chmod(file, 0o600);
  return info;
}
