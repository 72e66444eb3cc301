import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../functions/core/run/cell-result.ts';
import type { RunRecord } from '../../functions/core/run/run.ts';
import { toRunStatus } from '../../functions/core/run/run-view.ts';

const plan = ['c1', 'c2', 'c3'].map((cellId, index) => ({ cellId, index }));

function run(changes: Partial<RunRecord> = {}): RunRecord {
  return {
    tenantId: 't',
    projectId: 'p',
    notebookId: 'n',
    executionId: 'e',
    status: 'Running',
    kernel: { kernelId: 'k', host: 'http://kernel-host', workDir: 'runs/e' },
    plan,
    error: null,
    parametersJson: '{}',
    resources: null,
    ...changes,
  } as RunRecord;
}

function result(position: number, status: CellResult['status']): CellResult {
  return {
    position,
    cellId: plan[position]!.cellId,
    status,
    executionTimeMs: 10,
    executionCount: position + 1,
    outputs: [],
    moreOutputs: 0,
    error: null,
    stoppedBy: status === 'Cancelled' ? 'Cancelled' : null,
    startedAt: null,
    endedAt: '2026-01-01T00:00:00.000Z',
    storedBytes: 0,
  } as unknown as CellResult;
}

describe('unit: run status view', () => {
  it('shows the next cell as running while the run goes on', () => {
    const status = toRunStatus(run(), [result(0, 'Success')]);
    expect(status.currentCell).toBe('c2');
    expect(status.progress.currentCellIndex).toBe(2);
    expect(status.cellResults.map((c) => [c.cellId, c.status])).toEqual([
      ['c1', 'Success'],
      ['c2', 'Running'],
    ]);
  });

  it('shows no running cell once a cancelled cell or an error ended the run, while it finishes', () => {
    const cancelled = toRunStatus(run({ cancelRequested: true }), [
      result(0, 'Success'),
      result(1, 'Cancelled'),
    ]);
    expect(cancelled.currentCell).toBeNull();
    expect(cancelled.progress.currentCellIndex).toBeNull();
    expect(cancelled.cellResults.map((c) => c.status)).toEqual(['Success', 'Cancelled']);
    const failed = toRunStatus(run({ error: { errorType: 'CellError', errorMessage: 'boom' } }), [
      result(0, 'Error'),
    ]);
    expect(failed.currentCell).toBeNull();
    expect(failed.cellResults.map((c) => c.status)).toEqual(['Error']);
  });

  it('shows no running cell while the kernel starts', () => {
    expect(toRunStatus(run({ kernel: null }), []).currentCell).toBeNull();
  });

  it('shows the ended cells up to the first not yet written while a batch of rows is half visible', () => {
    const half = toRunStatus(run(), [result(0, 'Success'), result(2, 'Success')]);
    expect(half.cellResults.map((c) => [c.cellId, c.status])).toEqual([
      ['c1', 'Success'],
      ['c2', 'Running'],
    ]);
    expect(half.progress.completedCells).toBe(1);
    const ended = toRunStatus(run({ status: 'Error' }), [result(0, 'Success'), result(2, 'Success')]);
    expect(ended.cellResults.map((c) => c.cellId)).toEqual(['c1', 'c3']);
  });
});
