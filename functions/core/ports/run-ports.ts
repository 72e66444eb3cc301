import type { Scope } from '../notebook.ts';
import type { CellResult } from '../run/cell-result.ts';
import type { LiveChunk } from '../run/live-output.ts';
import type { OutputLimits } from '../run/output-limits.ts';
import type { QueueEntry, RunLimits, SlotState } from '../run/queue-order.ts';
import type { RunPointer, RunRecord, RunStatus } from '../run/run.ts';
import type { KernelLimits } from './kernel-ports.ts';

/** Ports of the run engine: runs, their files, the workflow, admission and idempotency. */

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
  /** Whether a stop was asked for (and why): the two fields alone, read often while cells run. */
  stopRequest(pointer: RunPointer): Promise<Pick<RunRecord, 'cancelRequested' | 'stopReason'> | undefined>;
  /**
   * Applies `changes` only if the stored status is one of `whenStatusIn` (any status when
   * omitted). Returns false, changing nothing, when it is not (or the run is gone).
   */
  update(
    pointer: RunPointer,
    changes: Partial<RunRecord>,
    whenStatusIn?: readonly RunStatus[],
  ): Promise<boolean>;
  /**
   * Sets the run's `nextAttemptClaim` only if it is `expected` now (null: none yet), so one
   * process alone starts a failed run's next attempt. Returns whether it was set.
   */
  claimNextAttempt(pointer: RunPointer, claim: string | null, expected: string | null): Promise<boolean>;
  /** A notebook's runs, newest first, and how many match. */
  list(
    scope: Scope,
    notebookId: string,
    query: RunQuery,
  ): Promise<{ items: RunRecord[]; totalCount: number }>;
  /** A notebook's `count` newest Completed runs (reading no further back than it needs to). */
  latestCompleted(scope: Scope, notebookId: string, count: number): Promise<RunRecord[]>;
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

/** A page of a run's live output: the chunks after a cursor, and the cursor after them. */
export interface LiveOutputPage {
  chunks: LiveChunk[];
  /** Where the next read starts (the cursor read from when nothing came). */
  cursor: string | null;
  /** More chunks were written than this page holds. */
  more: boolean;
}

/**
 * The live output of runs: chunks appended while cells run (see `LiveOutputFeed`), read in
 * order from a cursor. Transient: a run's stored outputs are what stays.
 */
export interface LiveOutputLog {
  /** Appends chunks after every chunk the run has (writes of one run come one after another). */
  append(pointer: RunPointer, chunks: LiveChunk[]): Promise<void>;
  /**
   * The chunks after `cursor` (from the first when null), whole writes of at most about
   * `maxChars` of JSON (at least one write, whatever its size).
   */
  read(pointer: RunPointer, cursor: string | null, maxChars: number): Promise<LiveOutputPage>;
}

/** Files of runs (outputs, executed notebooks, reports) in object storage. */
export interface FileStore {
  /** Stores an object; returns its size in bytes. */
  put(key: string, body: string | Uint8Array, contentType: string): Promise<number>;
  getText(key: string): Promise<string>;
  /** Whether an object exists. */
  exists(key: string): Promise<boolean>;
  /** An object's size in bytes; undefined when it does not exist. */
  size(key: string): Promise<number | undefined>;
  /** A time-limited URL that downloads the object without credentials. */
  downloadUrl(
    key: string,
    options: { fileName: string; contentType: string; expiresSeconds: number },
  ): Promise<string>;
  /**
   * The origin (`scheme://host[:port]`) that download URLs point at: a page that fetches them
   * (the viewer, for a notebook above the inline limit) names it in its Content-Security-Policy.
   */
  downloadOrigin(): Promise<string>;
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
  /**
   * Takes a run out of the queue (idempotent); with `attempt`, only an entry of that attempt
   * (an entry for a later attempt stays).
   */
  remove(pointer: RunPointer, attempt?: string): Promise<void>;
  /** Every waiting run of the tenant (unordered). */
  list(tenantId: string): Promise<QueueEntry[]>;
  /** Every waiting run of every tenant (unordered; for the sweep, may lag writes by a moment). */
  waiting(): Promise<QueueEntry[]>;
  /** The tenant's slot holders and limit overrides. */
  slots(tenantId: string): Promise<SlotState>;
  /** `slots` and `list` together, read at once (one request where both live in one place). */
  state(tenantId: string): Promise<{ slots: SlotState; waiting: QueueEntry[] }>;
  /**
   * Takes a slot for `holder` if fewer than `limit` are held: `acquired` (also when it already
   * had one) or `full`.
   */
  acquire(tenantId: string, holder: string, limit: number): Promise<'acquired' | 'full'>;
  /** Gives a slot back (idempotent). */
  release(tenantId: string, holder: string): Promise<void>;
  /** Sets (or, with null, clears) the tenant's own limits. */
  setLimits(tenantId: string, limits: { [K in keyof RunLimits]?: number | null }): Promise<void>;
  /** The kernel fleet's capacity as the sweep last recorded it (null: never recorded). */
  fleet(): Promise<FleetCapacity | null>;
  /** Records the kernel fleet's capacity (the sweep, after asking every host). */
  recordFleet(capacity: FleetCapacity): Promise<void>;
}

/** What the kernel fleet can hold, as seen at `seenAt`: admission never admits more runs. */
export interface FleetCapacity {
  /** Kernels all live hosts that take runs (not draining) can hold. */
  kernels: number;
  /** Live hosts, draining ones included. */
  hosts: number;
  /** ISO-8601. */
  seenAt: string;
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
  /**
   * Claims `token` for a new run: null when claimed, else the live claim that holds it. A
   * claim whose `expiresAt` is before `now` (ISO-8601, the caller's clock) is free again.
   */
  claim(
    scope: Scope,
    notebookId: string,
    token: string,
    claim: TokenClaim,
    now: string,
  ): Promise<TokenClaim | null>;
  /** Frees a token whose run was never created (only if `executionId` still holds it). */
  release(scope: Scope, notebookId: string, token: string, executionId: string): Promise<void>;
}

/** Limits and tunables of the run engine. */
export interface RunSettings {
  /** How long one RunCells task may work before it returns "still running" (no task waits past its limit). */
  sliceMs: number;
  /** What a run keeps of its outputs, per cell and per run; beyond a limit the rest is dropped and reported. */
  outputLimits: OutputLimits;
  /** Content up to this size is inlined in `format=detailed` results. */
  inlineOutputBytes: number;
  /** Lifetime of download URLs. */
  downloadUrlSeconds: number;
  /** Run limits of tenants that have none of their own. */
  defaultLimits: RunLimits;
  /** The kernel fleet's bounds: what the sweep asks of it (`KernelHostsWanted`). */
  fleet: FleetSettings;
  /** A kernel's limits when a run names none, and the most a run may ask for. */
  kernelLimits: { defaults: KernelLimits; max: KernelLimits };
}

/** The kernel fleet's size bounds and what one host holds. */
export interface FleetSettings {
  minHosts: number;
  maxHosts: number;
  /** Kernels one host holds (null: as the live hosts say, on average). */
  kernelsPerHost: number | null;
}
