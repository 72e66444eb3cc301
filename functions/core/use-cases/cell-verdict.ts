import type { Services } from '../ports.ts';
import type { CellRun, StopReason } from '../run/cell-executor.ts';
import type { CellStatus } from '../run/cell-result.ts';
import type { RunError, RunRecord } from '../run/run.ts';

const STOPPED_BY: Record<StopReason, string> = { cancel: 'Cancelled', shutdown: 'ServiceStopped' };

/** A limit the kernel host stopped the kernel for, as the run's error (null: it just died). */
export type LimitBreach = {
  errorType: 'MemoryLimitExceeded' | 'DiskLimitExceeded';
  errorMessage: string;
} | null;

/** Why a kernel died, when it was for a limit: the kernel host measured it from outside. */
export async function limitBreach(services: Services, run: RunRecord): Promise<LimitBreach> {
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
export function verdictOf(
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

/** A cell's status in its result row, and what stopped it. */
export function cellStatusOf(
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
