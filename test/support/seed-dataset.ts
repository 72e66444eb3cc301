import { loadConfig } from '../../functions/adapters/config.ts';
import { createServices } from '../../functions/adapters/services.ts';
import { createDataset } from '../../functions/core/use-cases/create-dataset.ts';
import type { StackInfo } from '../../local-stack/spawn-stack.ts';

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
  process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
  const services = createServices(
    loadConfig({
      CELLWISE_TABLE_NAME: stack.tableName,
      CELLWISE_BUCKET_NAME: stack.bucketName,
      CELLWISE_DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
      CELLWISE_S3_ENDPOINT: stack.s3Endpoint,
      CELLWISE_S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: 'us-east-1',
    }),
  );
  await createDataset(
    services,
    { ...scope, principalId: 'test-seed' },
    { name, datasetId, roles: {}, source: { kind: 'rows', rows } },
  );
}
