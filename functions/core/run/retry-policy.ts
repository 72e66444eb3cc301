import type { RunRecord } from './run.ts';

/** What a run may be retried after (the execute body's `retry.on`). */
export const RETRY_KINDS = [
  'KernelDied',
  'KernelHostLost',
  'ServiceRestarted',
  'TimeoutError',
  'CellError',
] as const;
export type RetryKind = (typeof RETRY_KINDS)[number];

/** Retried when `on` is left out: the failures that are no fault of the notebook. */
export const DEFAULT_RETRY_ON: readonly RetryKind[] = ['KernelDied', 'KernelHostLost', 'ServiceRestarted'];

/** The execute body's `retry`: up to `maxAttempts` attempts in all, `backoffSeconds` apart. */
export interface RetryPolicy {
  /** Attempts in all, the first included (1–5; 1: never retried). */
  maxAttempts: number;
  /** The next attempt starts at least this long after the previous one ended. */
  backoffSeconds: number;
  on: RetryKind[];
}

/**
 * The run error types each kind stands for. A kernel killed for its memory or disk limit is
 * not `KernelDied`: another attempt would meet the same limit. `ServiceRestarted` is the
 * service stopping or restarting under the run.
 */
const ERROR_TYPES: Record<RetryKind, readonly string[]> = {
  KernelDied: ['KernelDied'],
  KernelHostLost: ['KernelHostLost'],
  ServiceRestarted: ['ServiceStopped', 'ServiceRestarted'],
  TimeoutError: ['TimeoutError'],
  CellError: ['CellError'],
};

/** The retry kind an error type falls under, or null (never retried). */
export function retryKindOf(errorType: string): RetryKind | null {
  return RETRY_KINDS.find((kind) => ERROR_TYPES[kind].includes(errorType)) ?? null;
}

/** The attempt a run is (1 for runs from before retries). */
export const attemptOf = (run: Pick<RunRecord, 'attempt'>): number => run.attempt ?? 1;

/**
 * Whether an ended run gets another attempt: it ended `Error` for a kind its policy names,
 * attempts are left, and none was started yet. A cancelled run never is.
 */
export function retryDue(run: RunRecord): boolean {
  const policy = run.retry;
  if (!policy || run.status !== 'Error' || !run.error || run.nextAttemptId || run.nextAttemptClaim)
    return false;
  if (attemptOf(run) >= policy.maxAttempts) return false;
  const kind = retryKindOf(run.error.errorType);
  return kind !== null && policy.on.includes(kind);
}
