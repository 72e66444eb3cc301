import { csvRecords, jsonRecords } from '../dataset/csv-records.ts';
import { type DatasetRecord, type DatasetVersion, datasetVersionKey } from '../dataset/dataset.ts';
import { type ColumnRoles, type IngestStats, ingestRecords } from '../dataset/ingest.ts';
import { PayloadTooLargeError, StateConflictError, ValidationError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Scope } from '../notebook.ts';
import type { Actor, Services } from '../ports.ts';
import { onDatasetVersionAdded } from './dataset-trigger.ts';
import { datasetUploadKey } from './dataset-uploads.ts';
import { requireDataset, toDatasetSummary } from './datasets.ts';

/** Where a log's rows come from: an uploaded file, JSON rows, or a presigned upload. */
export type DatasetSource =
  | { kind: 'file'; chunks: AsyncIterable<Uint8Array> }
  | { kind: 'rows'; rows: ReadonlyArray<Record<string, unknown>> }
  | { kind: 'upload'; uploadId: string };

export interface DatasetInput {
  source: DatasetSource;
  roles: Partial<ColumnRoles>;
}

const DEFAULT_ROLES: ColumnRoles = {
  caseIdColumn: 'case_id',
  activityColumn: 'activity',
  timestampColumn: 'timestamp',
};

/**
 * Reads, checks and stores a log under `key`, streaming: rows are parsed, measured and
 * written out in chunks (the normalised CSV goes to the file store as a multipart upload).
 */
async function ingest(
  services: Services,
  scope: Scope,
  source: DatasetSource,
  roles: ColumnRoles,
  key: string,
): Promise<{ stats: IngestStats; bytes: number }> {
  let records: ReturnType<typeof csvRecords> | ReturnType<typeof jsonRecords>;
  if (source.kind === 'rows') records = jsonRecords(source.rows);
  else if (source.kind === 'file') records = csvRecords(source.chunks);
  else {
    const staged = await services.files.getStream(datasetUploadKey(scope, source.uploadId));
    if (!staged)
      throw new ValidationError(
        `No uploaded file for upload ${source.uploadId}: PUT the file to the upload URL first (it may have expired)`,
        [{ path: 'body.uploadId', message: 'no file was uploaded under this id' }],
        'UploadNotFound',
      );
    if (staged.bytes > services.maxDatasetBytes) {
      await staged.chunks[Symbol.asyncIterator]().return?.(); // closes the unread body
      await services.files.delete(datasetUploadKey(scope, source.uploadId));
      throw new PayloadTooLargeError(
        `The uploaded file is ${staged.bytes} bytes; the limit is ${services.maxDatasetBytes} bytes`,
        { Limit: services.maxDatasetBytes },
      );
    }
    records = csvRecords(staged.chunks);
  }
  let stats: IngestStats | undefined;
  const rows = ingestRecords(records, roles, source.kind === 'rows' ? 'rows' : 'file');
  async function* bytes() {
    for (;;) {
      const next = await rows.next();
      if (next.done) {
        stats = next.value;
        return;
      }
      yield next.value;
    }
  }
  const size = await services.files.putStream(key, bytes(), 'text/csv; charset=utf-8');
  if (source.kind === 'upload') await services.files.delete(datasetUploadKey(scope, source.uploadId));
  return { stats: stats!, bytes: size };
}

function version(
  n: number,
  key: string,
  bytes: number,
  stats: IngestStats,
  actor: Actor,
  now: string,
): DatasetVersion {
  return {
    version: n,
    objectKey: key,
    bytes,
    ...stats,
    source: 'upload',
    executionId: null,
    newColumns: [],
    dateCreated: now,
    createdBy: actor.principalId,
  };
}

/**
 * Creates a dataset from an event log (version 1). The log must have the case id, activity
 * and timestamp columns (defaults `case_id`, `activity`, `timestamp`); every problem is a
 * 400 naming the row and column. Returns the dataset's summary.
 */
export async function createDataset(
  services: Services,
  actor: Actor,
  /** `datasetId` only for seeding (admin, tests): a fixed id. */
  input: DatasetInput & { name: string; datasetId?: string },
) {
  const roles = { ...DEFAULT_ROLES, ...input.roles };
  const datasetId = input.datasetId ?? newId(services.now().getTime());
  const key = datasetVersionKey(actor, datasetId, 1);
  const { stats, bytes } = await ingest(services, actor, input.source, roles, key);
  const now = services.now().toISOString();
  const record: DatasetRecord = {
    tenantId: actor.tenantId,
    projectId: actor.projectId,
    datasetId,
    name: input.name,
    ...roles,
    currentVersion: 1,
    dateCreated: now,
    dateModified: now,
    createdBy: actor.principalId,
  };
  const first = version(1, key, bytes, stats, actor, now);
  if (!(await services.datasets.create(record, first)))
    throw new StateConflictError('DatasetExists', `Dataset ${datasetId} already exists`, {
      DatasetId: datasetId,
    });
  return toDatasetSummary(record, first);
}

/**
 * Adds a version to a dataset: the new log is checked with the dataset's column roles
 * (sending other ones is a 400) and becomes the current version; earlier versions stay
 * downloadable unchanged. A concurrent upload that took the same version number first is a
 * 409 (retry).
 */
export async function addDatasetVersion(
  services: Services,
  actor: Actor,
  datasetId: string,
  input: DatasetInput & { name?: string },
) {
  const record = await requireDataset(services, actor, datasetId);
  for (const field of ['caseIdColumn', 'activityColumn', 'timestampColumn'] as const) {
    const given = input.roles[field];
    if (given !== undefined && given !== record[field])
      throw new ValidationError(
        `Versions keep the dataset's columns: ${field} is '${record[field]}', not '${given}'`,
        [{ path: field, message: `must be '${record[field]}' (or omitted)` }],
        'ColumnRolesDiffer',
      );
  }
  const n = record.currentVersion + 1;
  const staging = `${datasetVersionKey(actor, datasetId, n)}.staging-${newId()}`;
  const { stats, bytes } = await ingest(services, actor, input.source, record, staging);
  const now = services.now().toISOString();
  const key = datasetVersionKey(actor, datasetId, n);
  const next = version(n, key, bytes, stats, actor, now);
  if (!(await services.datasets.addVersion(actor, datasetId, next))) {
    await services.files.delete(staging);
    throw new StateConflictError(
      'DatasetVersionConflict',
      `Another version ${n} of dataset ${datasetId} was added at the same time; retry the upload`,
      { DatasetId: datasetId },
    );
  }
  await services.files.copy(staging, key);
  await services.files.delete(staging);
  // Notebooks bound to the dataset with autoExecution run on the new version.
  await onDatasetVersionAdded(services, actor, datasetId, n);
  return toDatasetSummary({ ...record, currentVersion: n, dateModified: now }, next);
}
