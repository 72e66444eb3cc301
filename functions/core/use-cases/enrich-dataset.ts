import { type DatasetVersion, datasetVersionKey } from '../dataset/dataset.ts';
import { type IngestStats, ingestRecords } from '../dataset/ingest.ts';
import type { Services } from '../ports.ts';
import type { RunRecord } from '../run/run.ts';

const ADD_ATTEMPTS = 5;

/**
 * Makes a frame a run published the next version of the run's dataset (source `enrichment`):
 * the CSV is read and checked like an upload (the dataset's column roles must be there),
 * normalised, measured (counts, time range, column types) and stored at the version's key,
 * then the version row is appended. `ordinal` counts the versions this run made before: a
 * retried Finalize finds the version it already made (by execution id) instead of adding
 * another. Returns the version, or why none was made.
 */
export async function enrichDataset(
  services: Services,
  run: RunRecord,
  base: DatasetVersion,
  csv: Uint8Array,
  ordinal: number,
): Promise<{ datasetId: string; version: number; recordCount: number; newColumns: string[] } | string> {
  const datasetId = run.dataset!.datasetId;
  const record = await services.datasets.get(run, datasetId);
  if (!record) return 'the dataset no longer exists';
  const previous = (await services.datasets.listVersions(run, datasetId)).filter(
    (v) => v.source === 'enrichment' && v.executionId === run.executionId,
  );
  const done = previous.sort((a, b) => a.version - b.version)[ordinal];
  if (done)
    return { datasetId, version: done.version, recordCount: done.recordCount, newColumns: done.newColumns };
  const parts: Buffer[] = [];
  let stats: IngestStats;
  try {
    // Loaded when a run enriches: the CSV parser is not part of every Finalize.
    const { csvRecords } = await import('../dataset/csv-records.ts');
    const rows = ingestRecords(
      csvRecords(
        (async function* () {
          yield csv;
        })(),
      ),
      record,
      'file',
    );
    for (;;) {
      const next = await rows.next();
      if (next.done) {
        stats = next.value;
        break;
      }
      parts.push(next.value);
    }
  } catch (error) {
    return `not a valid event log for the dataset: ${(error as Error).message}`;
  }
  const baseColumns = new Set(base.columns.map((c) => c.name));
  // Written aside first: the version's key is taken only once its row is (as an upload does).
  const staging = `${datasetVersionKey(run, datasetId, record.currentVersion + 1)}.staging-${run.executionId}-${ordinal}`;
  const bytes = await services.files.put(staging, Buffer.concat(parts), 'text/csv; charset=utf-8');
  for (let attempt = 0; attempt < ADD_ATTEMPTS; attempt++) {
    const current = (await services.datasets.get(run, datasetId))?.currentVersion;
    if (current === undefined) break;
    const version = current + 1;
    const objectKey = datasetVersionKey(run, datasetId, version);
    const next: DatasetVersion = {
      version,
      objectKey,
      bytes,
      ...stats,
      source: 'enrichment',
      executionId: run.executionId,
      newColumns: stats.columns.map((c) => c.name).filter((name) => !baseColumns.has(name)),
      dateCreated: services.now().toISOString(),
      createdBy: run.createdBy,
    };
    if (await services.datasets.addVersion(run, datasetId, next)) {
      await services.files.copy(staging, objectKey);
      await services.files.delete(staging);
      return { datasetId, version, recordCount: next.recordCount, newColumns: next.newColumns };
    }
  }
  await services.files.delete(staging);
  return 'the dataset changed or was deleted while the version was added';
}
