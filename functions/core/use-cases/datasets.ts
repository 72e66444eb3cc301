import { type DatasetRecord, type DatasetVersion, datasetPrefix } from '../dataset/dataset.ts';
import { NotFoundError, StateConflictError, ValidationError } from '../errors.ts';
import type { Actor, Services } from '../ports.ts';

/** A dataset as the API shows it: its record and the measurements of its current version. */
export function toDatasetSummary(record: DatasetRecord, current: DatasetVersion | undefined) {
  return {
    datasetId: record.datasetId,
    name: record.name,
    version: record.currentVersion,
    currentVersion: record.currentVersion,
    caseIdColumn: record.caseIdColumn,
    activityColumn: record.activityColumn,
    timestampColumn: record.timestampColumn,
    recordCount: current?.recordCount ?? 0,
    caseCount: current?.caseCount ?? 0,
    activityCount: current?.activityCount ?? 0,
    timeRange: current?.timeRange ?? null,
    bytes: current?.bytes ?? 0,
    columns: current?.columns ?? [],
    dateCreated: record.dateCreated,
    dateModified: record.dateModified,
    createdBy: record.createdBy,
  };
}

function toVersionResource(v: DatasetVersion) {
  const { objectKey: _key, ...rest } = v;
  return rest;
}

export async function requireDataset(services: Services, actor: Actor, datasetId: string) {
  const record = await services.datasets.get(actor, datasetId);
  if (!record) throw new NotFoundError('Dataset', { DatasetId: datasetId });
  return record;
}

/** A dataset with its current columns and counts and every version, oldest first. */
export async function getDataset(services: Services, actor: Actor, datasetId: string) {
  const record = await requireDataset(services, actor, datasetId);
  const versions = await services.datasets.listVersions(actor, datasetId);
  const current = versions.find((v) => v.version === record.currentVersion);
  return {
    ...toDatasetSummary(record, current),
    versions: versions.filter((v) => v.version <= record.currentVersion).map(toVersionResource),
  };
}

/** The project's datasets, newest first, each with its current version's counts. */
export async function listDatasets(
  services: Services,
  actor: Actor,
  page: { page: number; pageSize: number },
) {
  const { items, totalCount } = await services.datasets.list(actor, page);
  const datasets = await Promise.all(
    items.map(async (r) =>
      toDatasetSummary(r, await services.datasets.getVersion(actor, r.datasetId, r.currentVersion)),
    ),
  );
  return { datasets, totalCount, page: page.page, pageSize: page.pageSize };
}

/** A time-limited URL that downloads one version's normalised CSV. */
export async function datasetDownload(services: Services, actor: Actor, datasetId: string, version: number) {
  const record = await requireDataset(services, actor, datasetId);
  const found =
    version <= record.currentVersion
      ? await services.datasets.getVersion(actor, datasetId, version)
      : undefined;
  if (!found) throw new NotFoundError('Dataset version', { DatasetId: datasetId, Version: version });
  const expiresSeconds = services.runSettings.downloadUrlSeconds;
  const fileName = `${record.name}-v${version}.csv`;
  const downloadUrl = await services.files.downloadUrl(found.objectKey, {
    fileName,
    contentType: 'text/csv; charset=utf-8',
    expiresSeconds,
  });
  return {
    datasetId,
    version,
    fileName,
    bytes: found.bytes,
    downloadUrl,
    expiresAt: new Date(services.now().getTime() + expiresSeconds * 1000).toISOString(),
  };
}

/** Notebooks of the project bound to the dataset (`integration.datasetBinding`). */
async function boundNotebooks(services: Services, actor: Actor, datasetId: string) {
  const bound: { notebookId: string; name: string }[] = [];
  for (let page = 1; ; page++) {
    const { items, totalCount } = await services.notebooks.list(actor, {}, page, 100);
    for (const n of items)
      if (n.integration.datasetBinding === datasetId) bound.push({ notebookId: n.notebookId, name: n.name });
    if (page * 100 >= totalCount || items.length === 0) return bound;
  }
}

/**
 * Deletes a dataset, its versions and their data. 409 `DatasetInUse` (naming the notebooks)
 * while a notebook of the project is bound to it.
 */
export async function deleteDataset(services: Services, actor: Actor, datasetId: string) {
  const record = await requireDataset(services, actor, datasetId);
  const bound = await boundNotebooks(services, actor, datasetId);
  if (bound.length > 0)
    throw new StateConflictError(
      'DatasetInUse',
      `Dataset ${datasetId} is bound to ${bound.length} notebook(s): ${bound.map((n) => n.name).join(', ')}; unbind them first`,
      { DatasetId: datasetId, Notebooks: bound },
    );
  // Every version and staging object is under the dataset's prefix.
  await services.files.deletePrefix(datasetPrefix(record, datasetId));
  await services.datasets.delete(actor, datasetId);
}

/**
 * A dataset id a request names (`integration.datasetBinding`, `parameters.dataset_id`)
 * must be a dataset of the same project: else a 400 naming `path`.
 */
export async function requireDatasetInProject(
  services: Services,
  actor: Actor,
  datasetId: unknown,
  path: string,
): Promise<void> {
  if (datasetId === null || datasetId === undefined || datasetId === '') return;
  if (typeof datasetId !== 'string')
    throw new ValidationError('A dataset id is a string (a GUID)', [
      { path, message: 'must be a dataset id' },
    ]);
  if (await services.datasets.get(actor, datasetId)) return;
  throw new ValidationError(
    `No dataset ${datasetId} in this project`,
    [{ path, message: 'is not a dataset of this project' }],
    'DatasetNotFound',
  );
}
