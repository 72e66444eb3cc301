import type { Scope } from '../notebook.ts';
import type { KernelLimits } from '../ports/kernel-ports.ts';
import type { KernelRef } from './kernel.ts';
import type { OutputUsage } from './output-limits.ts';
import type { RetryPolicy } from './retry-policy.ts';

/** A duration estimate from the notebook's own history: its range as text and its median. */
export interface Estimate {
  text: string;
  seconds: number;
}

/** Run states: Queued until admitted, Running (kernel starting, cells executing), then final. */
export type RunStatus = 'Queued' | 'Running' | 'Completed' | 'Error' | 'Cancelled';
export const RUN_STATUSES: readonly RunStatus[] = ['Queued', 'Running', 'Completed', 'Error', 'Cancelled'];
export const FINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['Completed', 'Error', 'Cancelled']);

/** What started a run. */
export type RunTrigger = 'api' | 'schedule' | 'dataset' | 'resume';

export type Priority = 'Low' | 'Normal' | 'High';
export const PRIORITIES: readonly Priority[] = ['Low', 'Normal', 'High'];

/** How a run ended badly. `CellError` is a cell's own exception; the rest are the engine's verdicts. */
export type RunErrorType =
  | 'CellError'
  | 'TimeoutError'
  | 'KernelDied'
  /** The kernel was killed for going over its memory limit. */
  | 'MemoryLimitExceeded'
  /** The kernel host stopped the kernel for going over its disk limit (where no filesystem bounds it). */
  | 'DiskLimitExceeded'
  /** The kernel's host was lost (stopped, restarted, or silent): the run's outputs so far are kept. */
  | 'KernelHostLost'
  | 'KernelUnavailable'
  | 'WorkflowFailed'
  | 'ServiceStopped'
  | 'ServiceRestarted';

export interface RunError {
  errorType: RunErrorType | string;
  errorMessage: string;
  /** The cell where it happened, when one did. */
  cellId?: string | null;
}

export interface OutputOptions {
  captureOutputs: boolean;
  saveIntermediateResults: boolean;
  generateReport: boolean;
}

/** What a run executes: one entry per code cell of the prepared document, in order. */
export interface PlannedCell {
  /** Index of the cell in the prepared document. */
  index: number;
  cellId: string;
  /** `skip`: tagged skip-execution (or empty source); not sent to the kernel. */
  action: 'run' | 'skip';
  /** Tagged raises-exception: an error does not stop the run. */
  allowErrors: boolean;
  /** A resumed run replays this cell (it had succeeded) to rebuild the kernel's state. */
  replay?: boolean;
}

/** The cell a task is waiting on, persisted when a task detaches mid-cell. */
export interface InFlightCell {
  /** Position in the plan. */
  position: number;
  msgId: string;
  startedAt: string;
  /** Object key of the outputs collected before the detach (none when there were none). */
  partialKey: string | null;
  /** The execute_reply already received before the detach (it is not sent again). */
  reply: { status: 'ok' | 'error' | 'aborted'; ename: string | null; evalue: string | null } | null;
  /** Whether the kernel's idle status for the cell was already received. */
  idle: boolean;
  /**
   * The next cell, when it was chained to this one and reached the kernel before the detach:
   * handed over in flight too (collected, not sent again).
   */
  next?: Omit<InFlightCell, 'next'> | null;
}

/**
 * Resource use at the end of the run: the kernel's peak memory, CPU time and peak disk,
 * measured by the kernel host from outside the kernel (null where they could not be), and
 * the bytes the run's files take in storage.
 */
export interface RunResources {
  peakMemoryBytes: number | null;
  cpuTimeSeconds: number | null;
  /** The kernel's working directory, /tmp and /dev/shm at their fullest. */
  peakDiskBytes?: number | null;
  diskUsageBytes: number;
}

/** The dataset version a run reads, fixed at submission, and whether it enriches it. */
export interface RunDataset {
  datasetId: string;
  version: number;
  /**
   * The notebook's `integration.enrichmentMode` with `outputFormat: "enriched_dataframe"`, as
   * at submission: a published frame becomes a new version of the dataset.
   */
  enrich: boolean;
}

/** A frame the run published (`client.publish_enriched`), stored under the run's prefix. */
export interface PublishedFrame {
  name: string;
  objectKey: string;
  recordCount: number;
  /** Columns not in the dataset version the run read (all columns without a dataset). */
  newColumns: string[];
  /** The dataset version it became (enrichment), else null. */
  datasetId: string | null;
  version: number | null;
  /** Why an enrichment run's frame did not become a version (not a valid log for the dataset, …). */
  enrichmentError?: string;
}

/** A model the run logged (`client.log_model`), pickled under the run's prefix. */
export interface PublishedModel {
  name: string;
  objectKey: string;
  /** `module.qualname` of the model's class. */
  modelType: string;
  metrics: Record<string, unknown>;
  features: string[];
}

/** What a run published through the SDK, collected by Finalize (null before). */
export interface RunPublished {
  frames: PublishedFrame[];
  models: PublishedModel[];
  /** Outbox entries that could not be collected, and why. */
  skipped: string[];
}

/** The metadata row of one run. Outputs never live here: they are objects in the file store. */
export interface RunRecord extends Scope {
  executionId: string;
  notebookId: string;
  notebookVersion: string;
  /** The content revision frozen at submission. */
  contentKey: string;
  kernelType: string;
  status: RunStatus;
  trigger: RunTrigger;
  /** The fire time a schedule started this run for (trigger `schedule`). */
  scheduledFor: string | null;
  /** The run this one resumes (trigger `resume`). */
  resumedFrom: string | null;
  priority: Priority;
  executionMode: 'all' | 'range';
  cellRange: { startCell: string; endCell: string } | null;
  /** The parameters exactly as sent (JSON text, numbers verbatim). */
  parametersJson: string;
  outputOptions: OutputOptions;
  timeoutSeconds: number;
  cellTimeoutSeconds: number | null;
  idempotencyToken: string | null;
  /** How long the kernel is kept after an error, so a resume can use it (0: shut at once). */
  keepKernelSeconds: number;
  /** nbclient's `allow_errors`: cell errors do not stop the run (its plan allows every cell's). */
  allowErrors: boolean;
  /** Names of the project secrets set in the kernel before the first cell (absent: none). */
  secrets?: string[];
  /** When the run is tried again after it failed (null or absent: never). */
  retry?: RetryPolicy | null;
  /** Which attempt of its run this is (1 or absent: the first). */
  attempt?: number;
  /** The attempt before this one (it failed), and the one after it (started when this one failed). */
  previousAttemptId?: string | null;
  nextAttemptId?: string | null;
  /** The next attempt's id, claimed before it is started (so one process alone starts it). */
  nextAttemptClaim?: string | null;
  /** Until when the ended run's kernel is kept (set by Finalize when it keeps it). */
  kernelKeptUntil: string | null;
  dateCreated: string;
  createdBy: string;
  startTime: string | null;
  endTime: string | null;
  /** The plan, fixed at submission. */
  plan: PlannedCell[] | null;
  /** The plan's length, stored so history lists need not read the plan. */
  totalCells: number;
  /** How long the notebook's completed runs took, as known at submission (null without history). */
  estimate: Estimate | null;
  /**
   * Object key of the prepared document (parameters injected), stored at launch when it is not
   * planned again from `sourceKey` (a resume, runs from before `sourceKey`): see `runDocument`.
   */
  inputKey: string | null;
  /**
   * The notebook's content revision the run's document is planned from (null or absent: the
   * document is stored at `inputKey`).
   */
  sourceKey?: string | null;
  kernel: KernelRef | null;
  /** The Jupyter session id every task of this run connects with (so the server buffers for it). */
  kernelSessionId: string;
  /** Next plan position to execute. */
  nextPosition: number;
  inFlight: InFlightCell | null;
  cancelRequested: boolean;
  /** Why a stop was requested: `cancel` by a user, `shutdown` of the service. */
  stopReason: 'cancel' | 'shutdown' | null;
  error: RunError | null;
  resources: RunResources | null;
  /** The kernel's limits (the execute body's `resources` with the deployment's defaults); null on runs from before limits. */
  resourceLimits: KernelLimits | null;
  /** Name of the workflow execution driving the run. */
  workflowName: string;
  /** Set once Finalize has written the executed notebook and files. */
  finalized: boolean;
  /** The kernel died during the run (the notebook shows Kernel_Dead until its next run). */
  kernelDied: boolean;
  /** The dataset version staged for the run (null: none bound, or the bound one does not exist). */
  dataset: RunDataset | null;
  /** What the run published, collected by Finalize. */
  published: RunPublished | null;
  /** What the run's ended cells kept of their outputs (counts against the run's output limits). */
  outputUsage?: OutputUsage;
  /** Download files of outputs Finalize could not write, and why (the outputs are in the notebook). */
  unwrittenFiles?: UnwrittenFile[];
}

/** An output whose download file Finalize could not write (it stays in the executed notebook). */
export interface UnwrittenFile {
  position: number;
  outputIndex: number;
  reason: string;
}

export function isFinal(status: RunStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** The run's identity as the workflow carries it (small: no outputs in state payloads). */
export interface RunPointer extends Scope {
  executionId: string;
  notebookId: string;
}

export function pointerOf(run: RunRecord): RunPointer {
  return {
    tenantId: run.tenantId,
    projectId: run.projectId,
    notebookId: run.notebookId,
    executionId: run.executionId,
  };
}
