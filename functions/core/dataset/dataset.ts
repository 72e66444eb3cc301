import type { Scope } from '../notebook.ts';

/**
 * Event-log datasets: the domain types shared by the dataset routes, the run engine (which
 * hands a run its bound dataset) and enrichment (which adds versions).
 */

/** The role a column plays in an event log. */
export type ColumnRole = 'caseId' | 'activity' | 'timestamp';

/** A column with its type inferred from the data. */
export interface DatasetColumn {
  name: string;
  type: 'string' | 'integer' | 'float' | 'boolean' | 'datetime';
  role: ColumnRole | null;
}

/** One immutable version of a dataset: its data object and what was measured on it. */
export interface DatasetVersion {
  /** 1, 2, 3, … in order of creation. */
  version: number;
  /** Object key of this version's data (CSV, header row first; see `datasetVersionKey`). */
  objectKey: string;
  bytes: number;
  recordCount: number;
  caseCount: number;
  activityCount: number;
  /** Earliest and latest timestamp (ISO-8601), null for an empty log. */
  timeRange: { start: string; end: string } | null;
  columns: DatasetColumn[];
  /** `upload` by a user, `enrichment` published by a run. */
  source: 'upload' | 'enrichment';
  /** The run that published an enrichment version. */
  executionId: string | null;
  /** Columns an enrichment version added to the version it was made from. */
  newColumns: string[];
  dateCreated: string;
  createdBy: string;
}

/** A dataset's metadata row. Its versions are separate rows. */
export interface DatasetRecord extends Scope {
  datasetId: string;
  name: string;
  /** Which columns hold the case id, the activity and the timestamp. */
  caseIdColumn: string;
  activityColumn: string;
  timestampColumn: string;
  currentVersion: number;
  dateCreated: string;
  dateModified: string;
  createdBy: string;
}

/** Where all of a dataset's objects live (its versions, and staging objects of uploads). */
export function datasetPrefix(scope: Scope, datasetId: string): string {
  return `tenants/${scope.tenantId}/projects/${scope.projectId}/datasets/${datasetId}/`;
}

/** Object key of one version's data. */
export function datasetVersionKey(scope: Scope, datasetId: string, version: number): string {
  return `${datasetPrefix(scope, datasetId)}v${version}.csv`;
}
