import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { HEALTH_KEY } from '../functions/adapters/readiness.ts';
import type { RouteDefinition } from './routes.ts';

/** Routes that serve static content and must not touch the table or the bucket. */
const NO_DATA_ROUTES: ReadonlySet<string> = new Set(['getOpenApi', 'viewApiDocs', 'getStaticAsset']);

/** Routes that only check a record exists (the viewer page: its notebook in its investigation). */
const LOOKUP_ROUTES: ReadonlySet<string> = new Set(['viewNotebookPage']);

/** POST routes that also delete objects (dataset uploads drop their staging objects). */
const POST_DELETE_ROUTES: ReadonlySet<string> = new Set(['createDataset', 'addDatasetVersion']);

/** What a function may do with the table and the bucket. */
export type DataAccess = 'none' | 'health' | 'lookup' | 'read' | 'write' | 'write-delete';

/** What a route may do with the table and the bucket: the least its handler needs. */
export function dataAccessOf(route: RouteDefinition): DataAccess {
  if (NO_DATA_ROUTES.has(route.id)) return 'none';
  if (route.id === 'health') return 'health';
  if (LOOKUP_ROUTES.has(route.id)) return 'lookup';
  if (route.method === 'GET') return 'read';
  if (route.method === 'DELETE' || POST_DELETE_ROUTES.has(route.id)) return 'write-delete';
  return 'write';
}

/** Grants a function's role exactly `access` to the tenant's table and bucket. */
export function grantDataAccess(
  fn: IGrantable,
  access: DataAccess,
  data: { table: ITable; bucket: IBucket },
): void {
  const { table, bucket } = data;
  const allow = (actions: string[], resource: string) =>
    fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [resource] }));
  switch (access) {
    case 'none':
      return;
    case 'health':
      // One GetItem probe, and a read of the one probe key (ListBucket makes a missing key
      // answer NoSuchKey rather than AccessDenied); nothing else.
      allow(['dynamodb:GetItem'], table.tableArn);
      allow(['s3:ListBucket'], bucket.bucketArn);
      allow(['s3:GetObject'], bucket.arnForObjects(HEALTH_KEY));
      return;
    case 'lookup':
      // GetItem on the base table; no query, no index, nothing of the bucket.
      allow(['dynamodb:GetItem'], table.tableArn);
      return;
    case 'read':
      table.grantReadData(fn);
      bucket.grantRead(fn);
      return;
    case 'write':
      table.grantReadWriteData(fn);
      bucket.grantReadWrite(fn);
      return;
    case 'write-delete':
      table.grantReadWriteData(fn);
      bucket.grantReadWrite(fn);
      bucket.grantDelete(fn);
      return;
  }
}
