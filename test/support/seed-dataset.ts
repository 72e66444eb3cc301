import { createDataset } from '../../functions/core/use-cases/create-dataset.ts';
import type { StackInfo } from '../../local-stack/spawn-stack.ts';
import { stackServices } from './api.ts';

/**
 * Creates a dataset with a FIXED id in a project of the running stack, through the same
 * use-case as `POST .../dataset` (for clients that hard-code a dataset GUID, such as the
 * seeds). Rows are `{case_id, activity, timestamp, ...}` objects.
 */
export async function seedDataset(
  stack: StackInfo,
  scope: { tenantId: string; projectId: string },
  datasetId: string,
  rows: Record<string, string | number | boolean | null>[],
  name = 'seeded event log',
): Promise<void> {
  const services = stackServices(stack);
  await createDataset(
    services,
    { ...scope, principalId: 'test-seed' },
    { name, datasetId, roles: {}, source: { kind: 'rows', rows } },
  );
}
