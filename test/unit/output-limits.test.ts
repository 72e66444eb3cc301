import { describe, expect, it } from 'vitest';
import { sealRecord } from '../../functions/core/run/cell-outputs.ts';
import type { CellResult } from '../../functions/core/run/cell-result.ts';
import type { KernelMessage } from '../../functions/core/run/kernel.ts';
import { CellOutputCollector } from '../../functions/core/run/output-collector.ts';
import {
  type CellBudget,
  cellBudget,
  type OutputLimits,
  outputBytes,
  UNLIMITED,
  utf8Prefix,
} from '../../functions/core/run/output-limits.ts';
import type { RunRecord } from '../../functions/core/run/run.ts';
import { toRunStatus } from '../../functions/core/run/run-view.ts';
import { iopub, stream } from '../support/kernel-messages.ts';

const LIMITS: OutputLimits = { cellBytes: 100, cellOutputs: 3, runBytes: 1000, runOutputs: 10 };
const display = (data: Record<string, unknown>, displayId?: string, type = 'display_data') =>
  iopub(type, { data, metadata: {}, ...(displayId ? { transient: { display_id: displayId } } : {}) });

function collect(messages: KernelMessage[], budget: CellBudget = UNLIMITED) {
  const collector = new CellOutputCollector(undefined, budget);
  for (const m of messages) collector.apply(m);
  return collector;
}

describe('unit: output limits of a cell and a run', () => {
  it('keeps the first outputs up to the count limit and counts the rest', () => {
    const { record } = collect(
      ['a', 'b', 'c', 'd', 'e'].map((t) => stream(t)),
      cellBudget(LIMITS, { outputs: 0, bytes: 0 }),
    );
    expect(record.outputs.map((o) => o.text)).toEqual(['a', 'b', 'c']);
    expect(record.loss).toMatchObject({ outputs: 2, truncated: 0, bytes: 2, reasons: ['cellOutputs'] });
  });

  it("names the run's limit when less of it is left than the cell's own", () => {
    const budget = cellBudget(LIMITS, { outputs: 9, bytes: 950 });
    expect(budget).toEqual({
      bytes: 50,
      outputs: 1,
      bytesReason: 'runOutputBytes',
      outputsReason: 'runOutputs',
    });
    const { record } = collect([stream('x'.repeat(80))], budget);
    expect(record.outputs[0]!.text).toHaveLength(50);
    expect(record.loss).toMatchObject({ truncated: 1, bytes: 30, reasons: ['runOutputBytes'] });
    expect(sealRecord(record, LIMITS).outputs.at(-1)!.text).toContain(
      "the run's output limit of 1,000 bytes",
    );
  });

  it('cuts a stream on a character boundary when the limit falls inside a character', () => {
    expect(utf8Prefix('ab€', 4)).toBe('ab');
    expect(utf8Prefix('ab€', 5)).toBe('ab€');
    expect(utf8Prefix('😀😀', 5)).toBe('😀');
    const { record } = collect([stream('é'.repeat(60))], cellBudget(LIMITS, { outputs: 0, bytes: 0 }));
    expect(record.outputs[0]!.text).toBe('é'.repeat(50));
    expect(record.loss.bytes).toBe(20);
  });

  it('makes room again after clear_output, as the stored outputs are what counts', () => {
    const { record } = collect(
      [stream('x'.repeat(90)), iopub('clear_output', { wait: false }), stream('y'.repeat(90))],
      cellBudget(LIMITS, { outputs: 0, bytes: 0 }),
    );
    expect(record.outputs.map((o) => outputBytes(o))).toEqual([90]);
    expect(record.loss.outputs + record.loss.truncated).toBe(0);
  });

  it('keeps one update per display id and refuses an update that would go over the limit', () => {
    const budget = cellBudget({ ...LIMITS, cellOutputs: 100 }, { outputs: 0, bytes: 0 });
    const updates = Array.from({ length: 50 }, (_, i) =>
      display({ 'text/plain': `v${i}` }, 'd', 'update_display_data'),
    );
    const collector = collect([display({ 'text/plain': 'v' }, 'd'), ...updates], budget);
    expect(collector.record.updates).toEqual([
      { displayId: 'd', data: { 'text/plain': 'v49' }, metadata: {} },
    ]);
    expect(collector.record.outputs[0]!.data).toEqual({ 'text/plain': 'v49' });
    collector.apply(display({ 'text/plain': 'z'.repeat(60) }, 'd', 'update_display_data'));
    expect(collector.record.outputs[0]!.data).toEqual({ 'text/plain': 'v49' });
    expect(collector.record.loss).toMatchObject({ outputs: 1, bytes: 60, reasons: ['cellOutputBytes'] });
  });

  it('skips invalid output data by name and notes it in the notebook', () => {
    const collector = collect([
      display({ 'text/x\nY': 'v' }),
      display({ 'text/plain': 5 }),
      display({ 'image/png': 'not base64!!', 'text/plain': 'plot' }),
      display({ 'text/plain': 'good' }),
    ]);
    collector.unreadable('display_data: content is not an object');
    const { record } = collector;
    expect(record.outputs.map((o) => o.data)).toEqual([{ 'text/plain': 'plot' }, { 'text/plain': 'good' }]);
    expect(record.loss).toMatchObject({
      outputs: 3,
      truncated: 1,
      reasons: ['invalidOutput', 'unreadableMessage'],
    });
    const note = String(sealRecord(record, LIMITS).outputs.at(-1)!.text);
    expect(note).toContain('MIME type "text/x\\nY" is not a valid media type');
    expect(note).toContain('text/plain is a number, not text');
    expect(note).toContain('image/png is not valid base64');
    expect(note).toContain('could not be read (display_data: content is not an object)');
    expect(note).not.toContain('\u0001');
  });

  it('reads records stored before losses were recorded, and adds no note when nothing was lost', () => {
    const old = {
      outputs: [],
      displayIds: [],
      updates: [],
      executionCount: 1,
      timing: {},
      droppedOutputs: 2,
    };
    const collector = new CellOutputCollector(old as never, UNLIMITED);
    expect(collector.record.loss).toMatchObject({ outputs: 2, reasons: ['cellOutputBytes'] });
    const clean = collect([stream('a')]).record;
    expect(sealRecord(clean, LIMITS).outputs).toHaveLength(1);
  });

  it('reports what is stored as the total and what was dropped per cell in the status', () => {
    const summary = { outputType: 'stream', mimeTypes: ['text/plain'], bytes: 1 };
    const results = [
      {
        position: 0,
        cellId: 'c1',
        status: 'Success',
        outputs: Array(200).fill(summary),
        moreOutputs: 19_801,
      },
      {
        position: 1,
        cellId: 'c2',
        status: 'Success',
        outputs: [summary],
        moreOutputs: 0,
        dropped: { outputs: 0, truncated: 1, bytes: 70, reasons: ['cellOutputBytes'], details: [] },
      },
    ] as unknown as CellResult[];
    const plan = [
      { cellId: 'c1', index: 0 },
      { cellId: 'c2', index: 1 },
    ];
    const run = {
      status: 'Completed',
      plan,
      error: null,
      parametersJson: '{}',
      resources: null,
    } as unknown as RunRecord;
    const status = toRunStatus(run, results);
    expect(status.outputs.total).toBe(20_002);
    expect(status.outputs.dropped).toEqual({
      outputs: 0,
      truncated: 1,
      bytes: 70,
      reasons: ['cellOutputBytes'],
      cells: [
        { cellId: 'c2', outputs: 0, truncated: 1, bytes: 70, reasons: ['cellOutputBytes'], details: [] },
      ],
    });
  });
});
