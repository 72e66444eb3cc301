import { parseParametersLossless } from '../parameters.ts';
import type { CellResult } from './cell-result.ts';
import { droppedView, storedOutputs } from './dropped-view.ts';
import { formatBytes, formatDuration } from './human-units.ts';
import { DEFAULT_KERNEL_LIMITS } from './kernel.ts';
import { attemptOf } from './retry-policy.ts';
import { isFinal, type RunRecord } from './run.ts';

/** One entry of `cellResults` (route 13). */
function cellView(r: CellResult) {
  const main = r.outputs.find((o) => o.outputType !== 'stream') ?? r.outputs[0];
  const errorType = r.stoppedBy ?? r.error?.ename ?? null;
  return {
    cellId: r.cellId,
    status: r.status,
    executionTime: r.executionTimeMs === null ? null : formatDuration(r.executionTimeMs / 1000),
    executionTimeMs: r.executionTimeMs,
    executionCount: r.executionCount,
    hasOutput: r.outputs.length > 0,
    outputType: main?.outputType ?? null,
    outputCount: r.outputs.length + r.moreOutputs,
    errorType,
    errorMessage: r.error?.evalue ?? (r.stoppedBy ? stoppedMessage(r.stoppedBy) : null),
    // Outputs of earlier cells carrying a display id it updated changed (shown once they are refetched).
    ...(r.displayUpdates?.length ? { updatesDisplays: true } : {}),
  };
}

function stoppedMessage(verdict: string): string {
  switch (verdict) {
    case 'TimeoutError':
      return 'The cell was interrupted when its time limit expired';
    case 'KernelDied':
      return 'The kernel died while the cell was running';
    case 'Cancelled':
      return 'The run was cancelled while the cell was running';
    default:
      return `The cell was stopped (${verdict})`;
  }
}

/** The fields every view of a run shows: identity, state, times and the measured duration. */
function runBasics(run: RunRecord) {
  const total =
    run.startTime && run.endTime
      ? Math.max(0, (Date.parse(run.endTime) - Date.parse(run.startTime)) / 1000)
      : null;
  return {
    executionId: run.executionId,
    notebookId: run.notebookId,
    notebookVersion: run.notebookVersion,
    status: run.status,
    trigger: run.trigger,
    scheduledFor: run.scheduledFor,
    resumedFrom: run.resumedFrom,
    attempt: attemptOf(run),
    previousAttemptId: run.previousAttemptId ?? null,
    nextAttemptId: run.nextAttemptId ?? null,
    priority: run.priority,
    dateCreated: run.dateCreated,
    startTime: run.startTime,
    endTime: run.endTime,
    totalDuration: total === null ? null : formatDuration(total),
    totalDurationSeconds: total,
  };
}

/**
 * The cell results from the first on without a gap. Cells end in plan order, but their rows
 * are written in batches that are not atomic: a row seen past a missing one belongs to a batch
 * still being written, and shows once the rows before it do (a watcher counts on the order).
 * An ended run's writes are over: all of its rows count.
 */
function settled(results: CellResult[]): CellResult[] {
  let n = 0;
  while (n < results.length && results[n]!.position === n) n++;
  return n === results.length ? results : results.slice(0, n);
}

/**
 * The status of a run (route 13) from its row and its cell results: progress as it happens,
 * per-cell results with measured timings, output counts from what the cells produced, and
 * resources measured from outside the kernel. Nothing here is invented: unknown is null.
 */
export function toRunStatus(run: RunRecord, all: CellResult[]) {
  const plan = run.plan ?? [];
  const results = isFinal(run.status) ? all : settled(all);
  const done = new Set(results.map((r) => r.position));
  const count = (status: string) => results.filter((r) => r.status === status).length;
  const nextPosition = plan.findIndex((_, position) => !done.has(position));
  // While the kernel starts, no cell is running yet; once a cell ended the run (an error that
  // stops it, a cancel), the run is finishing and the next cell never starts.
  const ended = run.error !== null || results.some((r) => r.status === 'Cancelled');
  const current =
    run.status === 'Running' && run.kernel && !ended && nextPosition >= 0 ? plan[nextPosition]! : null;
  const cellResults = results.map(cellView);
  if (current) {
    cellResults.push({
      cellId: current.cellId,
      status: 'Running' as never,
      executionTime: null,
      executionTimeMs: null,
      executionCount: null,
      hasOutput: false,
      outputType: null,
      outputCount: 0,
      errorType: null,
      errorMessage: null,
    });
  }
  const outputs = results.flatMap((r) => r.outputs);
  const resources = run.resources;
  const active = run.status === 'Queued' || run.status === 'Running';
  return {
    ...runBasics(run),
    executionMode: run.executionMode,
    estimatedDuration: active ? (run.estimate?.text ?? null) : null,
    estimatedDurationSeconds: active ? (run.estimate?.seconds ?? null) : null,
    currentCell: current?.cellId ?? null,
    progress: {
      totalCells: plan.length,
      completedCells: results.length,
      successfulCells: count('Success'),
      failedCells: count('Error'),
      skippedCells: count('Skipped'),
      currentCellIndex: current ? nextPosition + 1 : null,
      percentComplete: plan.length === 0 ? 100 : Math.floor((results.length / plan.length) * 100),
    },
    cellResults,
    outputs: {
      total: storedOutputs(results),
      dataFrames: outputs.filter((o) => o.dataFrame).length,
      plots: outputs.filter((o) => o.mimeTypes.some((m) => m.startsWith('image/'))).length,
      models: run.published?.models.length ?? 0,
      enrichedData: enrichedDataOf(run),
      dropped: droppedView(results),
    },
    resources: resources && {
      peakMemoryUsage: resources.peakMemoryBytes === null ? null : formatBytes(resources.peakMemoryBytes),
      cpuTime: resources.cpuTimeSeconds === null ? null : formatDuration(resources.cpuTimeSeconds),
      diskUsage: formatBytes(resources.diskUsageBytes),
      peakMemoryBytes: resources.peakMemoryBytes,
      cpuTimeSeconds: resources.cpuTimeSeconds,
      peakDiskUsage: resources.peakDiskBytes == null ? null : formatBytes(resources.peakDiskBytes),
      peakDiskBytes: resources.peakDiskBytes ?? null,
      diskUsageBytes: resources.diskUsageBytes,
    },
    resourceLimits: run.resourceLimits ?? DEFAULT_KERNEL_LIMITS,
    /** The kernel host the run's kernel was placed on (its id), once it has one. */
    kernelHost: run.kernel?.hostId ?? null,
    error: run.error,
    parameters: parseParametersLossless(run.parametersJson) as Record<string, unknown>,
    timeout: run.timeoutSeconds,
    cellTimeout: run.cellTimeoutSeconds,
    /** How long the kernel is kept after the run ends in an error, so a resume keeps its state. */
    keepKernelSeconds: run.keepKernelSeconds,
    /** Cell errors do not stop the run (the execute body's `allowErrors`). */
    allowErrors: run.allowErrors,
    retry: run.retry ?? null,
    secrets: run.secrets ?? [],
    /** Cells a resumed run replayed in a fresh kernel to rebuild the state of the run it resumes. */
    replayedCells: plan.filter((p) => p.replay).map((p) => p.cellId),
    /** Set by the status use-case while the run is Queued. */
    queuePosition: null as number | null,
  };
}

export type RunStatusView = ReturnType<typeof toRunStatus>;

/** The enriched frame the run published (the dataset version it became first), or null. */
function enrichedDataOf(run: RunRecord): { recordCount: number; newColumns: string[] } | null {
  const frames = run.published?.frames ?? [];
  const frame = frames.find((f) => f.version !== null) ?? frames[0];
  return frame ? { recordCount: frame.recordCount, newColumns: frame.newColumns } : null;
}

/** A run in the history list (route: executions): the status without per-cell results. */
export function toRunSummary(run: RunRecord) {
  return {
    ...runBasics(run),
    totalCells: run.totalCells,
    error: run.error,
  };
}
