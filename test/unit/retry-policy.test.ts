import { describe, expect, it } from 'vitest';
import { retryDue, retryKindOf } from '../../functions/core/run/retry-policy.ts';
import type { RunRecord } from '../../functions/core/run/run.ts';

const ended = (changes: Partial<RunRecord>): RunRecord =>
  ({
    status: 'Error',
    error: { errorType: 'KernelHostLost', errorMessage: 'gone' },
    retry: { maxAttempts: 3, backoffSeconds: 0, on: ['KernelDied', 'KernelHostLost', 'ServiceRestarted'] },
    attempt: 1,
    nextAttemptId: null,
    ...changes,
  }) as RunRecord;

describe('unit: retry policy', () => {
  it('names the kind of each retryable error type, and none for limits or refusals', () => {
    expect(retryKindOf('KernelHostLost')).toBe('KernelHostLost');
    expect(retryKindOf('ServiceStopped')).toBe('ServiceRestarted');
    expect(retryKindOf('ServiceRestarted')).toBe('ServiceRestarted');
    expect(retryKindOf('CellError')).toBe('CellError');
    for (const type of ['MemoryLimitExceeded', 'DiskLimitExceeded', 'WorkflowFailed', 'KernelUnavailable'])
      expect(retryKindOf(type), type).toBeNull();
  });

  it('retries a lost host or a service restart while attempts are left, once', () => {
    expect(retryDue(ended({}))).toBe(true);
    expect(retryDue(ended({ error: { errorType: 'ServiceStopped', errorMessage: 'stopped' } }))).toBe(true);
    expect(retryDue(ended({ attempt: 3 }))).toBe(false);
    expect(retryDue(ended({ nextAttemptId: 'already' }))).toBe(false);
  });

  it('never retries a run without a policy, one that did not fail, or a kind the policy leaves out', () => {
    expect(retryDue(ended({ retry: null }))).toBe(false);
    expect(retryDue(ended({ retry: undefined }))).toBe(false);
    expect(retryDue(ended({ status: 'Cancelled', error: null }))).toBe(false);
    expect(retryDue(ended({ status: 'Completed', error: null }))).toBe(false);
    expect(retryDue(ended({ error: { errorType: 'CellError', errorMessage: 'x' } }))).toBe(false);
    expect(retryDue(ended({ error: { errorType: 'MemoryLimitExceeded', errorMessage: 'x' } }))).toBe(false);
  });
});
