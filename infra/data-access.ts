import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { HEALTH_KEY } from '../functions/adapters/readiness.ts';
import type { RouteDefinition } from './routes.ts';
import { TABLE_SCHEMA } from './table-schema.ts';

/**
 * What a function may do with the tenant's table and bucket, from least to most:
 *
 * - `none`: nothing (static content); `health`: one probe item and one probe object;
 *   `lookup`: `GetItem` only (the viewer page, the authorizer).
 * - `read`: `GetItem` and `Query` on the table and its indexes; `GetObject` and `ListBucket`.
 * - `write`: `read` plus item writes (`PutItem`, `UpdateItem`, `DeleteItem`, `BatchWriteItem`);
 *   no object writes. `table`: the same on the table, nothing of the bucket (the webhook worker).
 * - `presign-upload`: `read` on the table, plus `PutObject` on dataset and notebook uploads
 *   (it signs the upload URL).
 * - `submit`: `write` plus `PutObject` on the tenant's objects (a run's prepared input).
 * - `author`: `submit` plus `DeleteObject` on notebook revisions (the one it just wrote, when
 *   the row write loses a race). `author-upload`: `author` plus `DeleteObject` on notebook
 *   uploads (the staged .ipynb a presigned upload leaves, once it is a notebook).
 * - `ingest`: `submit` plus `AbortMultipartUpload` and `DeleteObject` on dataset staging
 *   objects and uploads (what ingesting a dataset version leaves behind).
 * - `run`: `submit` plus `DeleteObject` on revisions and dataset staging (Finalize records the
 *   run on the notebook and publishes enriched versions).
 * - `delete-notebook` / `delete-dataset`: `write` plus `DeleteObject` under notebooks /
 *   datasets: deleting them is the route's job.
 *
 * No function may `DeleteObjectVersion` (the bucket keeps old versions on purpose), use an
 * action wildcard, or reach objects outside `tenants/<tenantId>/`.
 */
export type DataAccess =
  | 'none'
  | 'health'
  | 'lookup'
  | 'read'
  | 'write'
  | 'table'
  | 'presign-upload'
  | 'submit'
  | 'author'
  | 'author-upload'
  | 'ingest'
  | 'run'
  | 'delete-notebook'
  | 'delete-dataset';

/** Every route's data access, by route id: the least its handler needs. */
export const ROUTE_DATA_ACCESS: Readonly<Record<string, DataAccess>> = {
  getOpenApi: 'none',
  viewApiDocs: 'none',
  getStaticAsset: 'none',
  health: 'health',
  viewNotebookPage: 'lookup',
  createInvestigation: 'write',
  deleteInvestigation: 'write',
  createWebhook: 'write',
  deleteWebhook: 'write',
  // Secrets live in the table only: the routes reach nothing of the bucket.
  putSecret: 'table',
  deleteSecret: 'table',
  cancelExecution: 'write',
  createDatasetUpload: 'presign-upload',
  executeNotebook: 'submit',
  resumeExecution: 'submit',
  createNotebook: 'author',
  createInvestigationNotebook: 'author',
  createNotebookFromTemplate: 'author',
  uploadNotebook: 'author-upload',
  createNotebookUpload: 'presign-upload',
  updateNotebook: 'author',
  copyNotebook: 'author',
  createDataset: 'ingest',
  addDatasetVersion: 'ingest',
  deleteNotebook: 'delete-notebook',
  deleteDataset: 'delete-dataset',
};

/** A route's data access: its entry in `ROUTE_DATA_ACCESS`, else `read` for a GET (anything else must be listed). */
export function dataAccessOf(route: RouteDefinition): DataAccess {
  const listed = ROUTE_DATA_ACCESS[route.id];
  if (listed) return listed;
  if (route.method === 'GET') return 'read';
  throw new Error(`data-access: route ${route.id} (${route.method}) has no entry in ROUTE_DATA_ACCESS`);
}

const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:Query'];
const TABLE_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/** Object key patterns (below the tenant's prefix) a function may delete. */
const DELETABLE = {
  revisions: 'projects/*/notebooks/*/revisions/*',
  notebooks: 'projects/*/notebooks/*',
  datasetStaging: 'projects/*/datasets/*/*.staging-*',
  datasets: 'projects/*/datasets/*',
  datasetUploads: 'projects/*/dataset-uploads/*',
  notebookUploads: 'projects/*/notebook-uploads/*',
} as const;

const DELETES: Partial<Record<DataAccess, (keyof typeof DELETABLE)[]>> = {
  author: ['revisions'],
  'author-upload': ['revisions', 'notebookUploads'],
  ingest: ['datasetStaging', 'datasetUploads'],
  run: ['revisions', 'datasetStaging'],
  'delete-notebook': ['notebooks'],
  'delete-dataset': ['datasets'],
};

/** Grants a function's role exactly `access` to the tenant's table and bucket. */
export function grantDataAccess(
  fn: IGrantable,
  access: DataAccess,
  data: { table: ITable; bucket: IBucket; tenantId: string },
): void {
  const { table, bucket, tenantId } = data;
  const allow = (actions: string[], resources: string[]) =>
    fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources }));
  const tableAndIndexes = [
    table.tableArn,
    ...TABLE_SCHEMA.globalSecondaryIndexes.map((i) => `${table.tableArn}/index/${i.indexName}`),
  ];
  const objects = (pattern: string) => bucket.arnForObjects(`tenants/${tenantId}/${pattern}`);
  switch (access) {
    case 'none':
      return;
    case 'health':
      // One GetItem probe, and a read of the one probe key (ListBucket makes a missing key
      // answer NoSuchKey rather than AccessDenied); nothing else.
      allow(['dynamodb:GetItem'], [table.tableArn]);
      allow(['s3:ListBucket'], [bucket.bucketArn]);
      allow(['s3:GetObject'], [bucket.arnForObjects(HEALTH_KEY)]);
      return;
    case 'lookup':
      allow(['dynamodb:GetItem'], [table.tableArn]);
      return;
  }
  const writesTable = access !== 'read' && access !== 'presign-upload';
  allow(writesTable ? [...TABLE_READ, ...TABLE_WRITE] : TABLE_READ, tableAndIndexes);
  if (access === 'table') return;
  allow(['s3:ListBucket'], [bucket.bucketArn]);
  allow(['s3:GetObject'], [objects('*')]);
  if (access === 'presign-upload')
    allow(['s3:PutObject'], [objects(DELETABLE.datasetUploads), objects(DELETABLE.notebookUploads)]);
  if (['submit', 'author', 'author-upload', 'ingest', 'run'].includes(access))
    allow(['s3:PutObject'], [objects('*')]);
  if (access === 'ingest') allow(['s3:AbortMultipartUpload'], [objects('*')]);
  const deletes = DELETES[access] ?? [];
  if (deletes.length > 0)
    allow(
      ['s3:DeleteObject'],
      deletes.map((scope) => objects(DELETABLE[scope])),
    );
}
