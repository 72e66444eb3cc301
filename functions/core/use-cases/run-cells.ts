import { runKeys } from '../content-keys.ts';
import { joinSource } from '../nbformat/types.ts';
import type { Services } from '../ports.ts';
import {
  type CellRun,
  type ExecutionLimits,
  executeCell,
  HOST_LOST_MS,
  type StopReason,
} from '../run/cell-executor.ts';
import type { CellOutputRecord } from '../run/cell-outputs.ts';
import { sealRecord } from '../run/cell-outputs.ts';
import type { CellStatus } from '../run/cell-result.ts';
import { KernelHostRejectedError, KernelHostUnreachableError, type KernelSession } from '../run/kernel.ts';
import { cellBudget, type OutputUsage, outputBytes } from '../run/output-limits.ts';
import { ProgressWriter } from '../run/progress-writer.ts';
import type { InFlightCell, RunError, RunPointer, RunRecord } from '../run/run.ts';
import type { StepResult } from './prepare-run.ts';

/** Time kept back from the task's own limit for the writes after the last cell. */
const SAFETY_MS = 10_000;
/** Stop requests (cancel, shutdown) are read from the run row at most this often. */
const STOP_CHECK_MS = 400;

/** Reads the run's stop request, at most every STOP_CHECK_MS. */
function stopReader(services: Services, pointer: RunPointer): () => Promise<StopReason | null> {
  let last = 0;
  let known: StopReason | null = null;
  return async () => {
    if (known || Date.now() - last < STOP_CHECK_MS) return known;
    last = Date.now();
    const run = await services.runs.get(pointer);
    if (run?.cancelRequested) known = run.stopReason ?? 'cancel';
    return known;
  };
}

const STOPPED_BY: Record<StopReason, string> = { cancel: 'Cancelled', shutdown: 'ServiceStopped' };

/** A limit the kernel host stopped the kernel for, as the run's error (null: it just died). */
type LimitBreach = { errorType: 'MemoryLimitExceeded' | 'DiskLimitExceeded'; errorMessage: string } | null;

/** Why a kernel died, when it was for a limit: the kernel host measured it from outside. */
async function limitBreach(services: Services, run: RunRecord): Promise<LimitBreach> {
  const usage = await services.kernelHost.kernels.usage(run.kernel!).catch(() => null);
  if (usage?.oomKilled) {
    return {
      errorType: 'MemoryLimitExceeded',
      errorMessage: `The kernel went over its memory limit (${usage.limits.memoryMiB} MiB) and was stopped`,
    };
  }
  if (usage?.breach === 'disk') {
    return {
      errorType: 'DiskLimitExceeded',
      errorMessage: `The kernel went over its disk limit (${usage.limits.diskMiB} MiB) and was stopped`,
    };
  }
  return null;
}

/** The verdict a cell's outcome gives the run (null: the run goes on). */
function verdictOf(
  outcome: CellRun['outcome'],
  cellId: string,
  allowErrors: boolean,
  breach: LimitBreach,
): RunError | null {
  switch (outcome.kind) {
    case 'done':
      if (outcome.reply.status === 'ok' || allowErrors) return null;
      return {
        errorType: 'CellError',
        errorMessage: `${outcome.reply.ename}: ${outcome.reply.evalue}`,
        cellId,
      };
    case 'timeout':
      return {
        errorType: 'TimeoutError',
        errorMessage:
          outcome.scope === 'run' ? 'The run exceeded its timeout' : 'The cell exceeded its cellTimeout',
        cellId,
      };
    case 'died':
      return breach
        ? { ...breach, cellId }
        : { errorType: 'KernelDied', errorMessage: `The kernel died: ${outcome.reason}`, cellId };
    case 'lost':
      return {
        errorType: 'KernelHostLost',
        errorMessage: `The run's kernel host was lost: ${outcome.reason}`,
        cellId,
      };
    case 'stopped':
      return outcome.reason === 'shutdown'
        ? { errorType: 'ServiceStopped', errorMessage: 'The service stopped during the run', cellId }
        : null;
    default:
      return null;
  }
}

function cellStatusOf(
  outcome: CellRun['outcome'],
  breach: LimitBreach,
): { status: CellStatus; stoppedBy: string | null } {
  switch (outcome.kind) {
    case 'done':
      return { status: outcome.reply.status === 'ok' ? 'Success' : 'Error', stoppedBy: null };
    case 'timeout':
      return { status: 'Error', stoppedBy: 'TimeoutError' };
    case 'died':
      return { status: 'Error', stoppedBy: breach?.errorType ?? 'KernelDied' };
    case 'lost':
      return { status: 'Error', stoppedBy: 'KernelHostLost' };
    default:
      return {
        status: 'Cancelled',
        stoppedBy: outcome.kind === 'stopped' ? STOPPED_BY[outcome.reason] : null,
      };
  }
}

/**
 * The workflow's RunCells task: executes the run's cells in order in its kernel, recording
 * each cell's end as it happens, until the run ends or this task's slice is used up. A cell
 * still running at the end of the slice is handed over: the session detaches losslessly,
 * the outputs so far are saved, and the next task resumes collecting (`next: 'run'`).
 */
export async function runCells(
  services: Services,
  pointer: RunPointer,
  remainingMs: () => number,
): Promise<StepResult> {
  const run = await services.runs.get(pointer);
  if (run?.status !== 'Running' || !run.kernel || !run.plan || !run.inputKey) return { next: 'finalize' };
  const document = await services.contents.get(run.inputKey);
  const limits: ExecutionLimits = {
    runDeadline: Date.parse(run.startTime!) + run.timeoutSeconds * 1000,
    cellTimeoutSeconds: run.cellTimeoutSeconds,
    sliceEnd: Date.now() + Math.max(1_000, Math.min(services.runSettings.sliceMs, remainingMs() - SAFETY_MS)),
    stopRequested: stopReader(services, pointer),
  };
  let session: KernelSession;
  try {
    session = await services.kernelHost.kernels.connect(run.kernel, run.kernelSessionId);
  } catch (error) {
    if (!(error instanceof KernelHostUnreachableError || error instanceof KernelHostRejectedError))
      throw error;
    const verdict = await unreachableVerdict(services, run, error, remainingMs);
    if (!verdict) return { next: 'run' }; // its host answers again: the next task reconnects
    await services.runs.update(pointer, { error: verdict, kernelDied: verdict.errorType === 'KernelDied' }, [
      'Running',
    ]);
    return { next: 'finalize' };
  }
  const writer = new ProgressWriter(services, run, pointer);
  const outcome = await executePlan(services, run, document.cells, session, writer, limits).finally(
    async () => {
      await session.close();
    },
  );
  await writer.flush();
  if (outcome.more) {
    await services.runs.update(
      pointer,
      { nextPosition: outcome.position, inFlight: outcome.handover, outputUsage: outcome.usage },
      ['Running'],
    );
    return { next: 'run' };
  }
  await services.runs.update(
    pointer,
    {
      nextPosition: outcome.position,
      inFlight: null,
      outputUsage: outcome.usage,
      ...(outcome.verdict ? { error: outcome.verdict } : {}),
      ...(outcome.kernelDied ? { kernelDied: true } : {}),
    },
    ['Running'],
  );
  return { next: 'finalize' };
}

/**
 * Why a run's kernel cannot be reached: its host lost (gone, restarted, or silent for
 * HOST_LOST_MS: this task waits that long, within its time), the kernel dead (for a limit,
 * or not), or the host refusing; null when the host answers again with the kernel alive.
 */
async function unreachableVerdict(
  services: Services,
  run: RunRecord,
  error: Error,
  remainingMs: () => number,
): Promise<RunError | null> {
  const kernels = services.kernelHost.kernels;
  const until = Date.now() + Math.min(HOST_LOST_MS, Math.max(0, remainingMs() - SAFETY_MS));
  for (;;) {
    const state = await kernels.hostState(run.kernel!).catch(() => 'unreachable' as const);
    if (state === 'lost') {
      return { errorType: 'KernelHostLost', errorMessage: "The run's kernel host was lost", cellId: null };
    }
    if (state === 'live') {
      const alive = await kernels.alive(run.kernel!).catch(() => null);
      if (alive) return null;
      if (alive === false) {
        const breach = await limitBreach(services, run);
        return {
          ...(breach ?? { errorType: 'KernelDied', errorMessage: 'The kernel is gone' }),
          cellId: null,
        };
      }
      return { errorType: 'KernelUnavailable', errorMessage: error.message, cellId: null };
    }
    if (Date.now() >= until) {
      return {
        errorType: 'KernelHostLost',
        errorMessage: `The run's kernel host has not answered for ${Math.round(HOST_LOST_MS / 1000)} s`,
        cellId: null,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

interface PlanOutcome {
  /** The next plan position to execute. */
  position: number;
  verdict: RunError | null;
  kernelDied: boolean;
  /** The slice is used up and cells remain: the next task goes on (with `handover` mid-cell). */
  more: boolean;
  handover: InFlightCell | null;
  /** What the run's ended cells kept of their outputs, this task's included. */
  usage: OutputUsage;
}

async function executePlan(
  services: Services,
  run: RunRecord,
  cells: { source: string | string[] }[],
  session: KernelSession,
  writer: ProgressWriter,
  limits: ExecutionLimits,
): Promise<PlanOutcome> {
  const plan = run.plan!;
  const keys = runKeys(run, run.notebookId, run.executionId);
  const outputLimits = services.runSettings.outputLimits;
  const usage: OutputUsage = { ...(run.outputUsage ?? { outputs: 0, bytes: 0 }) };
  const ended = (position: number, verdict: RunError | null = null, kernelDied = false): PlanOutcome => ({
    position,
    verdict,
    kernelDied,
    more: false,
    handover: null,
    usage,
  });
  for (let position = run.nextPosition; position < plan.length; position++) {
    const planned = plan[position]!;
    const inFlight = run.inFlight?.position === position ? run.inFlight : null;
    if (!inFlight) {
      if (Date.now() >= limits.runDeadline) {
        return ended(position, {
          errorType: 'TimeoutError',
          errorMessage: 'The run exceeded its timeout',
          cellId: planned.cellId,
        });
      }
      if (await limits.stopRequested()) return ended(position);
      if (Date.now() >= limits.sliceEnd) return { ...ended(position), more: true };
    }
    const base = { position, cellId: planned.cellId, executionCount: null, error: null, stoppedBy: null };
    if (planned.action === 'skip') {
      const now = new Date().toISOString();
      await writer.cellEnded(
        { ...base, status: 'Skipped', startedAt: null, endedAt: now, executionTimeMs: null },
        null,
      );
      continue;
    }
    const previous = inFlight?.partialKey
      ? (JSON.parse(await services.files.getText(inFlight.partialKey)) as CellOutputRecord)
      : undefined;
    const cellRun = await executeCell(
      services.kernelHost.kernels,
      run.kernel!,
      session,
      joinSource(cells[planned.index]!.source),
      {
        allowErrors: planned.allowErrors,
        limits,
        budget: cellBudget(outputLimits, usage),
        ...(inFlight
          ? {
              resume: {
                msgId: inFlight.msgId,
                startedAt: Date.parse(inFlight.startedAt),
                record: previous!,
                reply: inFlight.reply,
                idle: inFlight.idle,
              },
            }
          : {}),
      },
    );
    // The slice ended before the request left: nothing ran; the next task sends the cell again.
    if (cellRun.outcome.kind === 'unsent') return { ...ended(position), more: true };
    const startedAt = new Date(Date.now() - cellRun.elapsedMs).toISOString();
    if (cellRun.outcome.kind === 'detached') {
      const partialKey = keys.partialOutputs(position);
      await services.files.put(partialKey, JSON.stringify(cellRun.record), 'application/json');
      const handover: InFlightCell = {
        position,
        msgId: cellRun.outcome.msgId,
        startedAt: inFlight?.startedAt ?? startedAt,
        partialKey,
        reply: cellRun.outcome.reply,
        idle: cellRun.outcome.idle,
      };
      return { ...ended(position), more: true, handover };
    }
    const breach = cellRun.outcome.kind === 'died' ? await limitBreach(services, run) : null;
    const { status, stoppedBy } = cellStatusOf(cellRun.outcome, breach);
    if (run.outputOptions.captureOutputs) {
      usage.outputs += cellRun.record.outputs.length;
      usage.bytes += cellRun.record.outputs.reduce((n, o) => n + outputBytes(o), 0);
    }
    const reply = cellRun.outcome.kind === 'done' ? cellRun.outcome.reply : null;
    await writer.cellEnded(
      {
        ...base,
        status,
        stoppedBy,
        startedAt: inFlight?.startedAt ?? startedAt,
        endedAt: new Date().toISOString(),
        executionTimeMs: cellRun.elapsedMs,
        executionCount: cellRun.record.executionCount,
        error:
          reply?.status === 'error' ? { ename: reply.ename ?? 'Error', evalue: reply.evalue ?? '' } : null,
      },
      sealRecord(cellRun.record, outputLimits),
    );
    const verdict = verdictOf(cellRun.outcome, planned.cellId, planned.allowErrors, breach);
    if (verdict || cellRun.outcome.kind !== 'done') {
      return ended(position + 1, verdict, cellRun.outcome.kind === 'died');
    }
  }
  return ended(plan.length);
}
