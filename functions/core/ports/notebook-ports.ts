import type { InvestigationRecord } from '../investigation.ts';
import type { NbDocument } from '../nbformat/types.ts';
import type { KernelType, NotebookListing, NotebookRecord, NotebookStatus, Scope } from '../notebook.ts';

/** Ports of notebooks, their content and investigations. */

/** Filters of the project-wide notebook list (route 1). */
export interface NotebookFilters {
  status?: NotebookStatus;
  kernelType?: KernelType;
  enrichmentMode?: boolean;
}

/** One entry in a notebook's content history. */
export interface VersionEntry {
  notebookId: string;
  version: string;
  contentKey: string;
  change: 'created' | 'cells' | 'metadata';
  cellCount: number;
  dateModified: string;
  modifiedBy: string | null;
}

/**
 * Notebook metadata rows. Implementations enforce the two invariants that must be decided
 * by the store itself, never by a read-then-write: names are unique per investigation
 * (case-insensitive) and updates are conditional on the `dateModified` the caller read.
 */
export interface NotebookStore {
  get(scope: Scope, notebookId: string): Promise<NotebookRecord | undefined>;
  /** Inserts a new notebook. Throws DuplicateNameError when the name is taken in its investigation. */
  create(record: NotebookRecord): Promise<void>;
  /**
   * Replaces `previous` with `next` only if the stored `dateModified` still equals
   * `previous.dateModified`. Returns false (and changes nothing) when it does not.
   * Throws DuplicateNameError when a rename collides.
   */
  update(previous: NotebookRecord, next: NotebookRecord): Promise<boolean>;
  /** Deletes the row unless a run holds it. */
  delete(record: NotebookRecord): Promise<'deleted' | 'busy' | 'missing'>;
  /**
   * Lets a run hold the notebook (status `Running`, `activeExecutionId`), only if no run holds
   * it: the store's condition decides, so two concurrent submissions cannot both win.
   */
  claimForRun(scope: Scope, notebookId: string, executionId: string): Promise<'claimed' | 'busy' | 'missing'>;
  /**
   * Frees the notebook from `executionId` (only if that run still holds it) and records the
   * run's end. `contentKey` swaps in the content with the run's outputs, only if the stored
   * content is still `previous` (a user edit during the run wins). Returns false when the
   * run no longer held the notebook.
   */
  releaseRun(scope: Scope, notebookId: string, executionId: string, end: RunEnd): Promise<boolean>;
  /** One page of the project's notebooks, newest first, and how many match in total. */
  list(
    scope: Scope,
    filters: NotebookFilters,
    page: number,
    pageSize: number,
  ): Promise<{ items: NotebookRecord[]; totalCount: number }>;
  /** The same page as `list`, each notebook read only for what a list shows (route 1). */
  listListings(
    scope: Scope,
    filters: NotebookFilters,
    page: number,
    pageSize: number,
  ): Promise<{ items: NotebookListing[]; totalCount: number }>;
  /** Every notebook of an investigation, ordered by `notebookOrder`. */
  listByInvestigation(scope: Scope, investigationId: string): Promise<NotebookRecord[]>;
  /** The highest `notebookOrder` in an investigation, or 0 when it is empty. */
  maxOrder(scope: Scope, investigationId: string): Promise<number>;
  putVersion(scope: Scope, entry: VersionEntry): Promise<void>;
  /** Content history, newest first. */
  listVersions(scope: Scope, notebookId: string): Promise<VersionEntry[]>;
  getVersion(scope: Scope, notebookId: string, version: string): Promise<VersionEntry | undefined>;
  deleteVersions(scope: Scope, notebookId: string): Promise<void>;
}

/** What the end of a run changes on its notebook. */
export interface RunEnd {
  status: NotebookStatus;
  /** The run executed: `executionCount` +1 and `lastExecution*` set. Omitted when it never started. */
  executed?: { date: string; durationSeconds: number };
  contentKey?: { previous: string; next: string };
}

/** Investigations: the folders notebooks live in. */
export interface InvestigationStore {
  get(scope: Scope, investigationId: string): Promise<InvestigationRecord | undefined>;
  create(record: InvestigationRecord): Promise<void>;
  list(scope: Scope): Promise<InvestigationRecord[]>;
  delete(scope: Scope, investigationId: string): Promise<void>;
  /** The project's default investigation, created on first use (safe under concurrent callers). */
  getOrCreateDefault(scope: Scope, make: () => InvestigationRecord): Promise<InvestigationRecord>;
}

/** What `ContentStore.readInline` found: the document, or the size of one too large to inline. */
export type InlineRead =
  | { document: NbDocument; bytes?: undefined }
  | { document?: undefined; bytes: number };

/** Notebook documents (.ipynb) in object storage. */
export interface ContentStore {
  put(key: string, document: NbDocument): Promise<void>;
  /** Throws when the object is missing: a row without content is a broken invariant. */
  get(key: string): Promise<NbDocument>;
  /**
   * The document when it is at most `maxBytes` long, else only its size in bytes: one read
   * either way, so a small document costs no separate size lookup (throws when missing, as `get`).
   */
  readInline(key: string, maxBytes: number): Promise<InlineRead>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
}
