import { describe, expect, it } from 'vitest';
import { kernelElapsedMs } from '../../functions/core/run/cell-executor.ts';

describe('cell timing', () => {
  it("measures a cell by the kernel's clock, busy to execute_reply, to the microsecond", () => {
    expect(
      kernelElapsedMs({
        'iopub.status.busy': '2026-12-07T07:00:00.000250Z',
        'shell.execute_reply': '2026-12-07T07:00:00.001000Z',
      }),
    ).toBeCloseTo(0.75, 6);
    expect(
      kernelElapsedMs({
        'iopub.status.busy': '2026-12-07T07:00:59.9995+00:00',
        'shell.execute_reply': '2026-12-07T07:01:01.5Z',
      }),
    ).toBeCloseTo(1500.5, 6);
  });

  it('has no figure when either time is missing, unreadable or the reply comes first', () => {
    expect(kernelElapsedMs({ 'iopub.status.busy': '2026-12-07T07:00:00.000Z' })).toBeNull();
    expect(
      kernelElapsedMs({ 'iopub.status.busy': 'soon', 'shell.execute_reply': '2026-12-07T07:00:00Z' }),
    ).toBeNull();
    expect(
      kernelElapsedMs({
        'iopub.status.busy': '2026-12-07T07:00:01Z',
        'shell.execute_reply': '2026-12-07T07:00:00Z',
      }),
    ).toBeNull();
  });
});
