import type { Services } from '../ports.ts';
import type { ExecutionLimits, StopReason } from '../run/cell-executor.ts';
import { KernelHostRejectedError, KernelHostUnreachableError, type KernelSession } from '../run/kernel.ts';
import { ProgressWriter } from '../run/progress-writer.ts';
import type { RunError, RunPointer } from '../run/run.ts';
import { limitBreach } from './cell-verdict.ts';
import { executePlan } from './execute-plan.ts';
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
    const run = await services.runs.stopRequest(pointer);
    if (run?.cancelRequested) known = run.stopReason ?? 'cancel';
    return known;
  };
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
    const alive = await services.kernelHost.kernels.alive(run.kernel).catch(() => null);
    const breach = alive === false ? await limitBreach(services, run) : null;
    const verdict: RunError =
      alive === false
        ? { ...(breach ?? { errorType: 'KernelDied', errorMessage: 'The kernel is gone' }), cellId: null }
        : { errorType: 'KernelUnavailable', errorMessage: error.message, cellId: null };
    await services.runs.update(pointer, { error: verdict, kernelDied: alive === false }, ['Running']);
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
