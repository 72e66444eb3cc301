import type { DatasetRecord, DatasetVersion } from './dataset/dataset.ts';
import type { InvestigationRecord } from './investigation.ts';
import type { NbDocument } from './nbformat/types.ts';
import type { KernelType, NotebookRecord, NotebookStatus, Scope } from './notebook.ts';
import type { CellResult } from './run/cell-result.ts';
import type { KernelHost } from './run/kernel.ts';
import type { QueueEntry, RunLimits, SlotState } from './run/queue-order.ts';
import type { RunPointer, RunRecord, RunStatus } from './run/run.ts';
import type { FireOutcome, FireTime, ScheduleRecord } from './schedule/schedule.ts';
import type { DeliveryRecord, DeliveryStatus, WebhookRecord } from './webhooks/webhook.ts';

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

/** Filters and page of a notebook's run history. */
export interface RunQuery {
  status?: RunStatus;
  page: number;
  pageSize: number;
}

/**
 * Run rows, their per-cell results, and the index of active runs the reconciler reads.
 * Status changes are conditional on the status read, never a read-then-write.
 */
export interface RunStore {
  /** Inserts the run and its entry in the active-run index. */
  create(run: RunRecord): Promise<void>;
  get(pointer: RunPointer): Promise<RunRecord | undefined>;
  /**
   * Applies `changes` only if the stored status is one of `whenStatusIn` (any status when
   * omitted). Returns false, changing nothing, when it is not (or the run is gone).
   */
  update(
    pointer: RunPointer,
    changes: Partial<RunRecord>,
    whenStatusIn?: readonly RunStatus[],
  ): Promise<boolean>;
  /** A notebook's runs, newest first, and how many match. */
  list(
    scope: Scope,
    notebookId: string,
    query: RunQuery,
  ): Promise<{ items: RunRecord[]; totalCount: number }>;
  /** Records the end of cells (idempotent per plan position; any number, written in batches). */
  putCellResults(pointer: RunPointer, results: CellResult[]): Promise<void>;
  /** Every cell result of a run, in plan order. */
  listCellResults(pointer: RunPointer): Promise<CellResult[]>;
  /** Runs not yet finalized, across tenants (for the reconciler). */
  listActive(): Promise<RunPointer[]>;
  /** Drops a run from the active-run index (after Finalize). */
  clearActive(pointer: RunPointer): Promise<void>;
  /** Deletes every run of a notebook and its cell results. */
  deleteForNotebook(scope: Scope, notebookId: string): Promise<void>;
}

/** Files of runs (outputs, executed notebooks, reports) in object storage. */
export interface FileStore {
  /** Stores an object; returns its size in bytes. */
  put(key: string, body: string | Uint8Array, contentType: string): Promise<number>;
  getText(key: string): Promise<string>;
  /** Whether an object exists. */
  exists(key: string): Promise<boolean>;
  /** A time-limited URL that downloads the object without credentials. */
  downloadUrl(
    key: string,
    options: { fileName: string; contentType: string; expiresSeconds: number },
  ): Promise<string>;
  delete(key: string): Promise<void>;
  /** Stores an object from chunks as they come (multipart upload): never all in memory. Returns its size. */
  putStream(key: string, chunks: AsyncIterable<Uint8Array>, contentType: string): Promise<number>;
  /** Reads an object chunk by chunk; undefined when it does not exist. */
  getStream(key: string): Promise<{ bytes: number; chunks: AsyncIterable<Uint8Array> } | undefined>;
  /** A time-limited URL a client PUTs an object to without credentials. */
  uploadUrl(key: string, options: { contentType: string; expiresSeconds: number }): Promise<string>;
  /** Deletes every object whose key starts with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
  /** Copies an object within the store (server-side). */
  copy(fromKey: string, toKey: string): Promise<void>;
}

/** Starts run workflows (Step Functions in AWS, the local interpreter on one machine). */
export interface Workflow {
  /** Starts the run workflow for `pointer` as execution `name` (unique per run attempt). */
  start(pointer: RunPointer, name: string): Promise<void>;
}

/**
 * Admission of runs, per tenant: the queue of waiting runs and the slot record whose holders
 * are the tenant's admitted runs. A slot is taken with a conditional write (never more
 * holders than the limit, whoever races), so the bound holds without any read-then-write.
 */
export interface RunQueue {
  /** Puts a run in its tenant's queue (idempotent). */
  enqueue(entry: QueueEntry): Promise<void>;
  /** Takes a run out of the queue (idempotent). */
  remove(pointer: RunPointer): Promise<void>;
  /** Every waiting run of the tenant (unordered). */
  list(tenantId: string): Promise<QueueEntry[]>;
  /** The tenant's slot holders and limit overrides. */
  slots(tenantId: string): Promise<SlotState>;
  /**
   * Takes a slot for `holder` if fewer than `limit` are held: `acquired`, `held` (it already
   * has one) or `full`.
   */
  acquire(tenantId: string, holder: string, limit: number): Promise<'acquired' | 'held' | 'full'>;
  /** Gives a slot back (idempotent). */
  release(tenantId: string, holder: string): Promise<void>;
  /** Sets (or, with null, clears) the tenant's own limits. */
  setLimits(tenantId: string, limits: { [K in keyof RunLimits]?: number | null }): Promise<void>;
}

/** The run an idempotency token stands for, and what the request that claimed it was. */
export interface TokenClaim {
  executionId: string;
  /** SHA-256 of the request's canonical form: a different body with the same token is a conflict. */
  requestHash: string;
  /** The token is free again after this (ISO-8601). */
  expiresAt: string;
}

/** Idempotency tokens of run submissions, per notebook. */
export interface RunTokens {
  /** Claims `token` for a new run: null when claimed, else the live claim that holds it. */
  claim(scope: Scope, notebookId: string, token: string, claim: TokenClaim): Promise<TokenClaim | null>;
  /** Frees a token whose run was never created (only if `executionId` still holds it). */
  release(scope: Scope, notebookId: string, token: string, executionId: string): Promise<void>;
}

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

/** Limits and tunables of the run engine. */
export interface RunSettings {
  /** How long one RunCells task may work before it returns "still running" (no task waits past its limit). */
  sliceMs: number;
  /** Largest output stored per cell (bytes); beyond it the cell's outputs are truncated with a note. */
  maxCellOutputBytes: number;
  /** Content up to this size is inlined in `format=detailed` results. */
  inlineOutputBytes: number;
  /** Lifetime of download URLs. */
  downloadUrlSeconds: number;
  /** Run limits of tenants that have none of their own. */
  defaultLimits: RunLimits;
  /** How often a queued run's workflow checks whether it was admitted. */
  queuePollSeconds: number;
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

/** Notebook documents (.ipynb) in object storage. */
export interface ContentStore {
  put(key: string, document: NbDocument): Promise<void>;
  /** Throws when the object is missing: a row without content is a broken invariant. */
  get(key: string): Promise<NbDocument>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
}

/** A resolved API token: who is calling and what they may see. */
export interface Principal {
  tokenId: string;
  tenantId: string;
  /** Projects the token is limited to; null means every project of the tenant. */
  projectIds: string[] | null;
  /** Set for a signed notebook link: read-only access to this one notebook (GET routes only). */
  notebookId?: string;
}

/** Tenants, projects and API tokens (tokens are stored as SHA-256 hashes only). */
export interface TenancyStore {
  resolveToken(tokenHash: string): Promise<Principal | undefined>;
  projectExists(scope: Scope): Promise<boolean>;
  putTenant(tenantId: string, name: string): Promise<void>;
  putProject(scope: Scope, name: string): Promise<void>;
  putToken(tokenHash: string, principal: Principal, label: string): Promise<void>;
}

/**
 * Webhooks and their deliveries. The per-project limit and "one delivery per (webhook,
 * execution, event)" are decided by the store's conditional writes; each attempt of a
 * delivery is claimed with a conditional write, so two workers never send the same attempt.
 */
export interface WebhookStore {
  /** Inserts a webhook unless the project already has `max` of them (then returns false). */
  create(record: WebhookRecord, max: number): Promise<boolean>;
  get(scope: Scope, webhookId: string): Promise<WebhookRecord | undefined>;
  /** One page of the project's webhooks, oldest first, and how many there are. */
  list(scope: Scope, page: number, pageSize: number): Promise<{ items: WebhookRecord[]; totalCount: number }>;
  /** Every webhook of the project (at most the per-project limit). */
  listAll(scope: Scope): Promise<WebhookRecord[]>;
  /** Deletes the webhook and its deliveries; false when it did not exist. */
  delete(scope: Scope, webhookId: string): Promise<boolean>;
  /** Inserts a delivery unless one with its id exists (then returns false, changing nothing). */
  createDelivery(delivery: DeliveryRecord): Promise<boolean>;
  /** One page of a webhook's deliveries, newest first, and how many there are. */
  listDeliveries(
    scope: Scope,
    webhookId: string,
    page: number,
    pageSize: number,
  ): Promise<{ items: DeliveryRecord[]; totalCount: number }>;
  /** Pending deliveries whose `nextAttemptAt` is at or before `now`, across projects, earliest first. */
  listDue(now: Date, limit: number): Promise<DeliveryRecord[]>;
  /**
   * Claims the next attempt of `delivery`: only if the stored one is still pending, due at
   * `now` and has `delivery.attempts` attempts. Counts the attempt, sets `lastAttemptAt` and
   * holds the delivery until `leaseUntil`. Returns the claimed record, or undefined.
   */
  claimAttempt(delivery: DeliveryRecord, now: Date, leaseUntil: Date): Promise<DeliveryRecord | undefined>;
  /** Records how the claimed attempt ended, unless a later attempt was claimed meanwhile. */
  recordAttempt(
    claimed: DeliveryRecord,
    outcome: {
      status: DeliveryStatus;
      nextAttemptAt: string | null;
      responseStatus: number | null;
      error: string | null;
    },
  ): Promise<boolean>;
  /** Drops a delivery (its webhook is gone). */
  deleteDelivery(delivery: DeliveryRecord): Promise<void>;
}

/** What one POST to a webhook's URL came to. */
export type WebhookPostResult =
  | { outcome: 'response'; status: number }
  /** The destination is not allowed (SSRF rule): final, never retried. */
  | { outcome: 'refused'; error: string }
  /** DNS, connection, TLS or timeout failure: retried. */
  | { outcome: 'error'; error: string };

/**
 * Sends webhook requests to the outside. Both methods resolve the URL's host and refuse it
 * unless every address is public (or in the deployment's allowed blocks); `post` then
 * connects to the address it checked (no second resolution), follows no redirects, and
 * gives up after its per-attempt timeout.
 */
export interface WebhookTransport {
  /** Why webhooks may not be sent to `url`, or null when they may. */
  refusal(url: string): Promise<string | null>;
  post(url: string, body: string, headers: Record<string, string>): Promise<WebhookPostResult>;
}

/**
 * Asks the webhook delivery worker to look for due deliveries now (an asynchronous Lambda
 * invoke, in AWS and on the local stack alike). Returns once the request is accepted;
 * delivery happens elsewhere. A no-op when no worker is configured (the periodic sweep runs).
 */
export interface WebhookDispatcher {
  kick(): Promise<void>;
}

/**
 * Schedule records (one per notebook with an enabled schedule) and the claims of their fire
 * times. In AWS the adapter also mirrors each record into an EventBridge Scheduler schedule
 * that invokes the fire Lambda; locally an in-process loop reads `list()`.
 */
export interface ScheduleRegistry {
  /** Creates or replaces the notebook's schedule. */
  put(schedule: ScheduleRecord): Promise<void>;
  /** Removes the notebook's schedule (nothing when it has none). */
  delete(scope: Scope, notebookId: string): Promise<void>;
  /** Every schedule, across tenants (for the local loop). */
  list(): Promise<ScheduleRecord[]>;
  /**
   * Claims one fire time with a conditional write: true for exactly one caller per notebook
   * and fire time, whatever the number of deliveries, loops or restarts.
   */
  claimFire(fire: FireTime): Promise<boolean>;
  /** Records what came of a claimed fire time. */
  recordFire(fire: FireTime, outcome: FireOutcome): Promise<void>;
  /** Deletes the notebook's fire claims (with the notebook). */
  deleteFires(scope: Scope, notebookId: string): Promise<void>;
}

/** Everything a use-case may touch. Built once per process by the composition root. */
export interface Services {
  notebooks: NotebookStore;
  investigations: InvestigationStore;
  contents: ContentStore;
  tenancy: TenancyStore;
  runs: RunStore;
  queue: RunQueue;
  runTokens: RunTokens;
  /** Event-log datasets (the data objects are in `files`). */
  datasets: DatasetStore;
  files: FileStore;
  kernelHost: KernelHost;
  workflow: Workflow;
  schedules: ScheduleRegistry;
  runSettings: RunSettings;
  now: () => Date;
  /** Kernel types this deployment can really run. */
  kernels: readonly KernelType[];
  /** Public base URL of the service (for shareable links). */
  publicBaseUrl: string;
  /** The key signed notebook links are signed with (never sent to a browser). */
  linkSigningKey(): Promise<string>;
  /** Largest accepted request body or uploaded file, in bytes (413 above). */
  maxUploadBytes: number;
  /** Checks each dependency; the value is `ok` or what went wrong. */
  readiness(): Promise<Record<string, string>>;
  webhooks: WebhookStore;
  webhookTransport: WebhookTransport;
  webhookDispatcher: WebhookDispatcher;
  /** Delays between a delivery's attempts, in seconds: one more attempt than entries. */
  webhookRetrySeconds: readonly number[];
  /** Largest accepted event-log file, in bytes (413 above; `CELLWISE_MAX_DATASET_BYTES`). */
  maxDatasetBytes: number;
}

/** Who performs a use-case, and where. */
export interface Actor extends Scope {
  principalId: string;
}
