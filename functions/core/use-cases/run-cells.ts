import type { Services } from '../ports.ts';
import { type ExecutionLimits, HOST_LOST_MS, type StopReason } from '../run/cell-executor.ts';
import { KernelHostRejectedError, KernelHostUnreachableError, type KernelSession } from '../run/kernel.ts';
import { LiveOutputFeed } from '../run/live-output.ts';
import { ProgressWriter } from '../run/progress-writer.ts';
import { pointerOf, type RunError, type RunPointer, type RunRecord } from '../run/run.ts';
import { admitQueued } from './admission.ts';
import { limitBreach } from './cell-verdict.ts';
import { executePlan } from './execute-plan.ts';
import type { StepResult } from './prepare-run.ts';
import { requeueRun } from './requeue-run.ts';
import { runDocument } from './run-document.ts';
import { prepareRunSecrets } from './run-secrets.ts';

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
  if (run?.status !== 'Running' || !run.kernel || !run.plan || !(run.inputKey || run.sourceKey))
    return { next: 'finalize' };
  const document = await runDocument(services, run);
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
    const found = await unreachableVerdict(services, run, error, remainingMs);
    if (!found) return { next: 'run' }; // its host answers again: the next task reconnects
    // The cell handed over mid-run was running when the kernel was lost: it is the one that failed.
    const verdict = {
      ...found,
      cellId: run.inFlight ? (run.plan[run.inFlight.position]?.cellId ?? null) : null,
    };
    // Its host was lost before any cell started: back to the queue, placed anew.
    if (
      verdict.errorType === 'KernelHostLost' &&
      !(await started(services, run)) &&
      (await requeueRun(services, run))
    ) {
      await admitQueued(services, run.tenantId); // room may be left on the other hosts
      return { next: 'requeued' };
    }
    await services.runs.update(pointer, { error: verdict, kernelDied: verdict.errorType === 'KernelDied' }, [
      'Running',
    ]);
    return { next: 'finalize' };
  }
  const secrets = await prepareRunSecrets(services, run, session).catch(async (error: unknown) => {
    await session.close();
    throw error;
  });
  if (secrets.error) {
    await session.close();
    await services.runs.update(pointer, { error: secrets.error }, ['Running']);
    return { next: 'finalize' };
  }
  const writer = new ProgressWriter(services, run, pointer);
  const live = run.outputOptions.captureOutputs
    ? new LiveOutputFeed(
        (chunks) => services.liveOutputs.append(pointer, chunks),
        (error) =>
          services.telemetry.problem('writing live output failed', {
            executionId: run.executionId,
            error: (error as Error).name,
          }),
      )
    : null;
  const outcome = await executePlan(
    services,
    run,
    document.cells,
    session,
    writer,
    limits,
    live,
    secrets.redactor,
  ).finally(async () => {
    await Promise.all([session.close(), live?.close()]);
  });
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
 * Whether any cell of the run has started (a run that has not can go back to the queue): its
 * hand-over says so, or a cell's end was recorded (a task cut short by the loss of its host
 * may have recorded cells without handing over).
 */
async function started(services: Services, run: RunRecord): Promise<boolean> {
  if (run.nextPosition > 0 || run.inFlight !== null) return true;
  return (await services.runs.listCellResults(pointerOf(run))).length > 0;
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
