import { describe, expect, it } from 'vitest';
import type { NbCell } from '../../functions/core/nbformat/types.ts';
import { assembleOutputs, sealRecord } from '../../functions/core/run/cell-outputs.ts';
import type { KernelMessage } from '../../functions/core/run/kernel.ts';
import { CellOutputCollector } from '../../functions/core/run/output-collector.ts';
import { type CellBudget, cellBudget, UNLIMITED } from '../../functions/core/run/output-limits.ts';

let n = 0;
const msg = (
  msgType: string,
  content: Record<string, unknown>,
  date = '2026-01-01T00:00:00.000Z',
): KernelMessage => ({
  msgId: `m${++n}`,
  parentMsgId: 'parent',
  channel: 'iopub',
  msgType,
  content,
  date,
});
const stream = (text: string) => msg('stream', { name: 'stdout', text });
const display = (text: string, displayId?: string, type = 'display_data') =>
  msg(type, {
    data: { 'text/plain': text },
    metadata: {},
    ...(displayId ? { transient: { display_id: displayId } } : {}),
  });

function collect(messages: KernelMessage[], budget: Partial<CellBudget> = {}) {
  const collector = new CellOutputCollector(undefined, { ...UNLIMITED, ...budget });
  for (const m of messages) collector.apply(m);
  return collector.record;
}

const LIMITS = { cellBytes: 100, cellOutputs: 1000, runBytes: 10_000, runOutputs: 10_000 };

describe('CellOutputCollector (nbclient semantics)', () => {
  it('keeps outputs in order and takes the execution count from the messages', () => {
    const record = collect([
      msg('execute_input', { code: 'x', execution_count: 7 }),
      stream('a\n'),
      msg('execute_result', { execution_count: 7, data: { 'text/plain': '1' }, metadata: {} }),
    ]);
    expect(record.executionCount).toBe(7);
    expect(record.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'a\n' },
      { output_type: 'execute_result', data: { 'text/plain': '1' }, metadata: {}, execution_count: 7 },
    ]);
  });

  it('clears at once on clear_output, and only before the next output with wait=True', () => {
    expect(collect([stream('gone'), msg('clear_output', { wait: false }), stream('kept')]).outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'kept' },
    ]);
    const waiting = collect([stream('old'), msg('clear_output', { wait: true })]);
    expect(waiting.outputs).toHaveLength(1);
    const replaced = collect([stream('old'), msg('clear_output', { wait: true }), stream('new')]);
    expect(replaced.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'new' }]);
  });

  it('updates every output with a display id, in the cell and, when assembled, in earlier cells', () => {
    const first = collect([display('v1', 'd'), display('other', 'e')]);
    const second = collect([
      msg('update_display_data', {
        data: { 'text/plain': 'v2' },
        metadata: {},
        transient: { display_id: 'd' },
      }),
      display('v3', 'd'),
    ]);
    // In its own cell, the update applies to what came before it; the new display keeps its data.
    expect(second.outputs.map((o) => (o.data as Record<string, string>)['text/plain'])).toEqual(['v3']);
    const cells: NbCell[] = [
      { id: 'a', cell_type: 'code', source: '', metadata: {}, outputs: [] },
      { id: 'b', cell_type: 'code', source: '', metadata: {}, outputs: [] },
    ];
    assembleOutputs(
      cells,
      new Map([
        [0, first],
        [1, second],
      ]),
    );
    // nbclient: the update and then the display with the same id both rewrite cell a's output.
    expect(cells[0]!.outputs!.map((o) => (o.data as Record<string, string>)['text/plain'])).toEqual([
      'v3',
      'other',
    ]);
  });

  it('forgets display ids of cleared outputs', () => {
    const record = collect([display('v1', 'd'), msg('clear_output', { wait: false }), display('x')]);
    const later = collect([display('v2', 'd')]);
    const cells: NbCell[] = [
      { id: 'a', cell_type: 'code', source: '', metadata: {}, outputs: [] },
      { id: 'b', cell_type: 'code', source: '', metadata: {}, outputs: [] },
    ];
    assembleOutputs(
      cells,
      new Map([
        [0, record],
        [1, later],
      ]),
    );
    expect(cells[0]!.outputs!.map((o) => (o.data as Record<string, string>)['text/plain'])).toEqual(['x']);
  });

  it('records nbclient’s timing metadata', () => {
    const record = collect([
      msg('status', { execution_state: 'busy' }, 't1'),
      msg('execute_input', { code: '', execution_count: 1 }, 't2'),
      msg('status', { execution_state: 'idle' }, 't4'),
    ]);
    expect(record.timing).toEqual({
      'iopub.status.busy': 't1',
      'iopub.execute_input': 't2',
      'iopub.status.idle': 't4',
    });
  });

  it('keeps a stream up to the byte limit, drops what follows and says so in a note', () => {
    const record = collect(
      [stream('x'.repeat(60)), stream('y'.repeat(60)), stream('z')],
      cellBudget(LIMITS, { outputs: 0, bytes: 0 }),
    );
    expect(record.outputs.map((o) => o.text)).toEqual(['x'.repeat(60), 'y'.repeat(40)]);
    expect(record.loss).toMatchObject({ outputs: 1, truncated: 1, bytes: 21, reasons: ['cellOutputBytes'] });
    const sealed = sealRecord(record, LIMITS);
    expect(sealed.outputs.at(-1)).toMatchObject({ output_type: 'stream', name: 'stderr' });
    expect(String(sealed.outputs.at(-1)!.text)).toContain(
      '1 output(s) dropped, 1 output(s) kept in part (21 bytes not kept)',
    );
    expect(String(sealed.outputs.at(-1)!.text)).toContain("the cell's output limit of 100 bytes");
  });
});
