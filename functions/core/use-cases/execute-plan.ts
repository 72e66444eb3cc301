import { runKeys } from '../content-keys.ts';
import { joinSource } from '../nbformat/types.ts';
import type { Services } from '../ports.ts';
import { type ExecutionLimits, executeCell, type ResumedCell } from '../run/cell-executor.ts';
import type { CellOutputRecord } from '../run/cell-outputs.ts';
import { sealRecord } from '../run/cell-outputs.ts';
import type { KernelSession } from '../run/kernel.ts';
import type { LiveOutputFeed } from '../run/live-output.ts';
import { cellBudget, type OutputUsage, outputBytes } from '../run/output-limits.ts';
import type { ProgressWriter } from '../run/progress-writer.ts';
import type { InFlightCell, RunError, RunRecord } from '../run/run.ts';
import type { SecretRedactor } from '../run/secret-redactor.ts';
import { carryChained } from './carry-chained.ts';
import { cellStatusOf, limitBreach, verdictOf } from './cell-verdict.ts';

/** The next cell, sent before the current one ended. */
interface Chained {
  position: number;
  msgId: string;
}

/**
 * Sends the cell after `position` chained to the request `after` when the kernel host holds
 * chained requests (it sends it to the kernel only once `after` succeeded, else aborts it):
 * the kernel then starts it without waiting for a round trip through this task. Only when the
 * current cell stops the run on error and the next one is to run.
 */
function chainNext(
  session: KernelSession,
  cells: { source: string | string[] }[],
  plan: NonNullable<RunRecord['plan']>,
  position: number,
  after: string,
): Chained | null {
  const current = plan[position]!;
  const next = plan[position + 1];
  if (!session.chains() || current.allowErrors || !next || next.action === 'skip') return null;
  const msgId = session.execute(joinSource(cells[next.index]!.source), {
    stopOnError: !next.allowErrors,
    after,
  });
  return { position: position + 1, msgId };
}

export interface PlanOutcome {
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

/**
 * Executes the run's planned cells from `run.nextPosition` in its kernel: each cell's end is
 * recorded as it happens; the next cell is chained to the running one where the kernel host
 * allows it (`chainNext`); the slice's end hands the cell in flight over to the next task.
 */
export async function executePlan(
  services: Services,
  run: RunRecord,
  cells: { source: string | string[] }[],
  session: KernelSession,
  writer: ProgressWriter,
  limits: ExecutionLimits,
  /** Where kept outputs go as they are kept (none: the run keeps no outputs). */
  live: LiveOutputFeed | null = null,
  /** Replaces the run's secret values in what its cells show (none: the run has no secrets). */
  redactor?: SecretRedactor,
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
  let chained: Chained | null = null;
  let carriedNext: InFlightCell['next'] = null;
  /** The chained cell handed over with the one in flight (see `carryChained`). */
  const carry = (cellRun: Awaited<ReturnType<typeof executeCell>>) =>
    carryChained(
      services,
      run,
      cells,
      session,
      chained,
      cellRun,
      outputLimits,
      usage,
      carriedNext,
      live,
      redactor,
    );
  for (let position = run.nextPosition; position < plan.length; position++) {
    const planned = plan[position]!;
    // The cell in flight at the hand-over, or the one chained to it that had reached the kernel.
    const carried = run.inFlight?.next?.position === position ? run.inFlight.next : null;
    const inFlight = run.inFlight?.position === position ? run.inFlight : carried;
    // Resuming the cell in flight with a chained one carried: its messages are kept for it.
    carriedNext = run.inFlight?.position === position ? (run.inFlight.next ?? null) : null;
    const ahead = chained?.position === position ? chained : null;
    if (ahead) chained = null;
    if (!inFlight && !ahead) {
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
    const code = joinSource(cells[planned.index]!.source);
    let sent: { msgId: string; startedAt: number } | undefined;
    if (!inFlight) {
      sent = {
        msgId: ahead?.msgId ?? session.execute(code, { stopOnError: !planned.allowErrors }),
        startedAt: Date.now(),
      };
      chained = chainNext(session, cells, plan, position, sent.msgId);
    }
    const resume: ResumedCell | undefined = inFlight
      ? {
          msgId: inFlight.msgId,
          startedAt: Date.parse(inFlight.startedAt),
          record: previous,
          reply: inFlight.reply,
          idle: inFlight.idle,
        }
      : undefined;
    const cellRun = await executeCell(services.kernelHost.kernels, run.kernel!, session, code, {
      allowErrors: planned.allowErrors,
      limits,
      budget: cellBudget(outputLimits, usage),
      ...(live ? { live: live.cell(planned.cellId) } : {}),
      ...(redactor ? { redactor } : {}),
      ...(resume ? { resume } : { sent }),
      ...(chained || carriedNext ? { chained: (chained ?? carriedNext)!.msgId } : {}),
    });
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
        next: await carry(cellRun),
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
    if (!verdict && cellRun.outcome.kind === 'done' && cellRun.closed) {
      // The cell ended as the task handed over: the chained one (if it reached the kernel) is
      // the cell in flight now; otherwise the next task sends the next cell.
      const next = await carry(cellRun);
      return { ...ended(position + 1), more: true, handover: next ? { ...next, next: null } : null };
    }
    if (verdict || cellRun.outcome.kind !== 'done') {
      // A chained cell never runs after a failed one (the kernel host aborts it), but a cell
      // stopped as it succeeded let it through: it is interrupted too.
      if (chained && (cellRun.outcome.kind === 'stopped' || cellRun.outcome.kind === 'timeout'))
        await services.kernelHost.kernels.interrupt(run.kernel!).catch(() => undefined);
      return ended(position + 1, verdict, cellRun.outcome.kind === 'died');
    }
  }
  return ended(plan.length);
}
