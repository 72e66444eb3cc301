import type { DatasetRecord, DatasetVersion } from '../dataset/dataset.ts';
import type { Scope } from '../notebook.ts';

/** The port of event-log datasets. */

/**
 * Event-log datasets (metadata and versions; the data itself is in the file store under
 * `datasetVersionKey`). Versions are appended with a conditional write on `currentVersion`.
 */
export interface DatasetStore {
  /** Writes a new dataset with its first version (false when the id exists). */
  create(record: DatasetRecord, first: DatasetVersion): Promise<boolean>;
  get(scope: Scope, datasetId: string): Promise<DatasetRecord | undefined>;
  /** The project's datasets, newest first, paginated. */
  list(
    scope: Scope,
    page: { page: number; pageSize: number },
  ): Promise<{ items: DatasetRecord[]; totalCount: number }>;
  getVersion(scope: Scope, datasetId: string, version: number): Promise<DatasetVersion | undefined>;
  listVersions(scope: Scope, datasetId: string): Promise<DatasetVersion[]>;
  /** Appends `next` if the dataset's current version is still `next.version - 1`. */
  addVersion(scope: Scope, datasetId: string, next: DatasetVersion): Promise<boolean>;
  /** Deletes the dataset's rows (its objects are deleted by the use-case). */
  delete(scope: Scope, datasetId: string): Promise<void>;
}
