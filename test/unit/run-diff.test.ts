import { describe, expect, it } from 'vitest';
import type { NbOutput } from '../../functions/core/nbformat/types.ts';
import type { CellResult, CellStatus } from '../../functions/core/run/cell-result.ts';
import { hashOf, metricsOf } from '../../functions/core/run/output-fingerprint.ts';
import { diffRuns, type RunSide } from '../../functions/core/run/run-diff.ts';
import { briefDiff } from '../../functions/core/run/run-diff-brief.ts';

const result = (
  position: number,
  cellId: string,
  status: CellStatus,
  ms = 100,
  error?: string,
): CellResult => ({
  position,
  cellId,
  status,
  startedAt: null,
  endedAt: '2026-12-07T10:00:00.000Z',
  executionTimeMs: ms,
  executionCount: position + 1,
  outputs: [],
  moreOutputs: 0,
  outputsKey: null,
  storedBytes: 0,
  error: error ? { ename: error, evalue: 'boom' } : null,
  stoppedBy: null,
});

const stdout = (text: string): NbOutput => ({ output_type: 'stream', name: 'stdout', text });
const png = (base64: string): NbOutput => ({
  output_type: 'display_data',
  data: { 'image/png': base64, 'text/plain': '<Figure>' },
  metadata: {},
});
const metrics = (values: Record<string, unknown>): NbOutput => ({
  output_type: 'display_data',
  data: { 'application/json': values },
  metadata: {},
});

function side(
  executionId: string,
  cells: [string, CellStatus | null, NbOutput[]?, number?][],
  parameters: string,
  status: RunSide['run']['status'] = 'Completed',
): RunSide {
  const results = cells.flatMap(([id, s, , ms], position) =>
    s ? [result(position, id, s, ms, s === 'Error' ? 'ValueError' : undefined)] : [],
  );
  return {
    run: {
      executionId,
      status,
      startTime: '2026-12-07T10:00:00.000Z',
      endTime: '2026-12-07T10:00:02.500Z',
      parametersJson: parameters,
      plan: cells.map(([cellId], index) => ({ index, cellId, action: 'run', allowErrors: false })),
      error: null,
      published: null,
    },
    results,
    outputs: new Map(cells.map(([id, , outputs]) => [id, outputs ?? []])),
  };
}

const PIXELS = Buffer.from('a png of some bytes').toString('base64');

describe('unit', () => {
  it('hashes images by their decoded bytes so line breaks in the base64 do not count', () => {
    const wrapped = `${PIXELS.slice(0, 8)}\n${PIXELS.slice(8)}\n`;
    expect(hashOf('image/png', wrapped)).toBe(hashOf('image/png', PIXELS));
    expect(hashOf('image/png', PIXELS)).not.toBe(
      hashOf('image/png', Buffer.from('other').toString('base64')),
    );
    expect(hashOf('text/plain', ['a', 'b'])).toBe(hashOf('text/plain', 'ab'));
    expect(hashOf('application/json', { a: 1, b: 2 })).toBe(hashOf('application/json', { b: 2, a: 1 }));
  });

  it('reads log_metrics numbers from application/json displays only', () => {
    const found = metricsOf([metrics({ r2: 0.5, label: 'x', n: 3 }), png(PIXELS), metrics({ r2: 0.75 })]);
    expect([...found]).toEqual([
      ['r2', 0.75],
      ['n', 3],
    ]);
    const withText: NbOutput = {
      output_type: 'display_data',
      data: { 'application/json': { a: 1 }, 'text/plain': '{}' },
    };
    expect(metricsOf([withText]).size).toBe(0);
  });

  it('reports status, error, stream, display, metric and parameter changes per cell when two runs differ', () => {
    const before = side(
      'b',
      [
        ['params', 'Success', [], 10],
        ['print', 'Success', [stdout('n = 1\nsame\n')], 100],
        ['plot', 'Success', [png(PIXELS)], 200],
        ['score', 'Success', [metrics({ accuracy: 0.5, loss: 2 })], 50],
        ['gone', 'Success', [], 5],
      ],
      '{"n": 1, "label": "a", "big": 12345678901234567890}',
    );
    const after = side(
      'a',
      [
        ['params', 'Success', [], 10],
        ['print', 'Success', [stdout('n = 2\nsame\n')], 130],
        ['plot', 'Success', [png(Buffer.from('other pixels').toString('base64'))], 200],
        ['score', 'Error', [metrics({ accuracy: 0.75 })], 40],
        ['new', null],
      ],
      '{"label": "a", "n": 2, "big": 12345678901234567890, "extra": 1.0}',
      'Error',
    );
    const diff = diffRuns(before, after);
    expect(diff.before.executionId).toBe('b');
    expect(diff.after).toMatchObject({ executionId: 'a', status: 'Error', durationMs: 2500 });
    expect(diff.cells.map((c) => [c.cellId, c.change])).toEqual([
      ['params', 'same'],
      ['print', 'changed'],
      ['plot', 'changed'],
      ['score', 'changed'],
      ['new', 'added'],
      ['gone', 'removed'],
    ]);
    const [params, print, plot, score, added, removed] = diff.cells;
    expect(params!.durationMs).toEqual({ before: 10, after: 10, delta: 0 });
    expect(print!.durationMs).toEqual({ before: 100, after: 130, delta: 30 });
    expect(print!.streams).toEqual([
      {
        name: 'stdout',
        unified: '@@ -1,2 +1,2 @@\n-n = 1\n+n = 2\n same\n',
        added: 1,
        removed: 1,
        truncated: false,
      },
    ]);
    expect(plot!.outputs).toEqual([
      expect.objectContaining({ index: 0, change: 'changed', mimeTypes: ['image/png'] }),
    ]);
    expect(plot!.changes).toEqual(['1 display changed (image/png)']);
    expect(score!.status).toEqual({ before: 'Success', after: 'Error' });
    expect(score!.error).toEqual({ before: null, after: { ename: 'ValueError', evalue: 'boom' } });
    expect(score!.changes[0]).toBe('status Success → Error');
    expect(added!.status).toEqual({ before: null, after: 'NotRun' });
    expect(removed!.status).toEqual({ before: 'Success', after: null });
    expect(diff.metrics).toEqual([
      { name: 'accuracy', source: 'log_metrics', cellId: 'score', before: 0.5, after: 0.75, delta: 0.25 },
      { name: 'loss', source: 'log_metrics', cellId: 'score', before: 2, after: null, delta: null },
    ]);
    expect(JSON.parse(JSON.stringify(diff.parameters))).toEqual([
      { name: 'n', change: 'changed', before: 1, after: 2 },
      { name: 'extra', change: 'added', before: null, after: 1 },
    ]);
    expect(JSON.stringify(diff.parameters[1]!.after)).toBe('1.0');
    expect(diff.summary).toEqual({
      cellsChanged: 3,
      cellsAdded: 1,
      cellsRemoved: 1,
      statusChanges: 3,
      parametersChanged: 2,
      metricsChanged: 2,
    });
  });

  it('finds no change but times when a run is compared with an identical one', () => {
    const cells: [string, CellStatus, NbOutput[]][] = [['a', 'Success', [stdout('x\n'), png(PIXELS)]]];
    const diff = diffRuns(side('1', cells, '{}'), side('2', cells, '{}'));
    expect(diff.cells[0]).toMatchObject({
      change: 'same',
      streams: [],
      outputs: [],
      error: null,
      changes: [],
    });
    expect(diff.parameters).toEqual([]);
  });

  it('empties stream diffs past the answer budget and marks them truncated', () => {
    const cells = (text: string): [string, CellStatus, NbOutput[]][] =>
      ['a', 'b', 'c'].map((id) => [id, 'Success', [stdout(`${id} ${text}\n`)]]);
    const diff = diffRuns(
      side('1', cells('x'.repeat(100)), '{}'),
      side('2', cells('y'.repeat(100)), '{}'),
      500,
    );
    const streams = diff.cells.map((c) => c.streams[0]!);
    expect(streams.map((s) => s.unified === '')).toEqual([false, false, true]);
    expect(streams.map((s) => s.truncated)).toEqual([false, false, true]);
    expect(streams[2]).toMatchObject({ added: 1, removed: 1 });
  });

  it('lists a display added when the later run shows one more', () => {
    const diff = diffRuns(
      side('1', [['a', 'Success', []]], '{}'),
      side('2', [['a', 'Success', [png(PIXELS)]]], '{}'),
    );
    expect(diff.cells[0]!.outputs).toEqual([
      {
        index: 0,
        change: 'added',
        mimeTypes: ['image/png', 'text/plain'],
        before: null,
        after: expect.any(Object),
      },
    ]);
  });

  it('gives a failed run a brief diff: changed statuses, its first error and differing parameters', () => {
    const good = side(
      'ok',
      [
        ['a', 'Success'],
        ['b', 'Success'],
        ['c', 'Success'],
      ],
      '{"n": 1}',
    );
    const bad = side(
      'bad',
      [
        ['a', 'Success'],
        ['b', 'Error'],
        ['c', null],
      ],
      '{"n": 2}',
      'Error',
    );
    expect(JSON.parse(JSON.stringify(briefDiff(good, bad)))).toEqual({
      againstExecutionId: 'ok',
      cells: [
        { cellId: 'b', before: 'Success', after: 'Error' },
        { cellId: 'c', before: 'Success', after: 'NotRun' },
      ],
      firstError: { cellId: 'b', ename: 'ValueError', evalue: 'boom' },
      parameters: [{ name: 'n', change: 'changed', before: 1, after: 2 }],
      truncated: false,
    });
  });

  it('names a long parameter value in the brief diff by its size', () => {
    const long = 'x'.repeat(300);
    const brief = briefDiff(side('ok', [], '{"s": "a"}'), side('bad', [], `{"s": "${long}"}`, 'Error'));
    expect(brief.parameters).toEqual([
      { name: 's', change: 'changed', before: 'a', after: '(302 characters of JSON)' },
    ]);
  });

  it('caps the brief diff at ten cells when more changed', () => {
    const ids = Array.from({ length: 15 }, (_, i) => `c${i}`);
    const brief = briefDiff(
      side(
        'ok',
        ids.map((id) => [id, 'Success']),
        '{}',
      ),
      side(
        'bad',
        ids.map((id) => [id, 'Skipped']),
        '{}',
        'Error',
      ),
    );
    expect(brief.cells).toHaveLength(10);
    expect(brief.truncated).toBe(true);
    expect(brief.firstError).toBeNull();
  });
});
