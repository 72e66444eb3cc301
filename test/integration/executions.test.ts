import { beforeAll, describe, expect, it } from 'vitest';
import { call, client, GUID, newTenant, type Tenant } from '../support/api.ts';
import { execute, notebookOf, runToEnd, streamText, upload, waitForRun } from '../support/runs.ts';

let api: ReturnType<typeof client>;
let mine: Tenant;
let theirs: Tenant;

beforeAll(async () => {
  mine = await newTenant();
  theirs = await newTenant();
  api = client(mine);
});

/** A tiny PNG (2x3 pixels, red), made in the kernel from bytes so the test knows them exactly. */
const PNG_CELL = `import base64, struct, zlib
from IPython.display import Image, display
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
raw = b''.join(b'\\x00' + b'\\xff\\x00\\x00' * 2 for _ in range(3))
png = b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 2, 3, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
print(base64.b64encode(png).decode())
display(Image(data=png))`;

describe('POST /notebook/{id}/execute (route 12) and the run it starts', () => {
  it('runs the cells in order in one kernel and reports measured progress, timings and resources', async () => {
    const { notebookId, status, started } = await runToEnd(
      api,
      notebookOf([
        'x = 40',
        'x += 2\nprint("x is", x)',
        { source: '# notes', cellType: 'markdown' },
        'x * 10',
      ]),
    );
    expect(started).toMatchObject({ status: 'Running', notebookId, currentCell: null, endTime: null });
    expect(Date.parse(started.startTime)).toBeGreaterThan(Date.now() - 60_000);
    expect(started.executionId).toMatch(GUID);
    expect(started.progress).toMatchObject({ totalCells: 3, completedCells: 0, percentComplete: 0 });
    expect(status).toMatchObject({
      status: 'Completed',
      error: null,
      currentCell: null,
      progress: {
        totalCells: 3,
        completedCells: 3,
        successfulCells: 3,
        failedCells: 0,
        percentComplete: 100,
      },
    });
    expect(status.cellResults.map((c: any) => [c.cellId, c.status, c.executionCount])).toEqual([
      ['c1', 'Success', 1],
      ['c2', 'Success', 2],
      ['c4', 'Success', 3],
    ]);
    for (const cell of status.cellResults) {
      expect(cell.executionTimeMs).toBeGreaterThan(0);
      expect(cell.executionTime).toMatch(/seconds?$/);
    }
    expect(status.cellResults[1]).toMatchObject({ hasOutput: true, outputType: 'stream', outputCount: 1 });
    expect(status.cellResults[0]).toMatchObject({ hasOutput: false, outputType: null });
    expect(Date.parse(status.endTime)).toBeGreaterThanOrEqual(Date.parse(status.startTime));
    expect(status.totalDurationSeconds).toBeCloseTo(
      (Date.parse(status.endTime) - Date.parse(status.startTime)) / 1000,
      2,
    );
    // Measured in the kernel (getrusage) and from what was stored.
    expect(status.resources.peakMemoryBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(status.resources.cpuTimeSeconds).toBeGreaterThan(0);
    expect(status.resources.diskUsageBytes).toBeGreaterThan(0);
    expect(status.resources.peakMemoryUsage).toMatch(/^\d+(\.\d)? MB$/);
    expect(status.outputs).toMatchObject({
      total: 2,
      plots: 0,
      dataFrames: 0,
      models: 0,
      enrichedData: null,
    });
  });

  it('records the run on the notebook: counters, status and each cell’s execution data', async () => {
    const notebookId = await upload(
      api,
      notebookOf(['print("one")', { source: 'skipped', tags: ['skip-execution'] }]),
    );
    const before = (await api.get(`/notebook/${notebookId}`)).body;
    const run = await execute(api, notebookId);
    const during = (await api.get(`/notebook/${notebookId}`)).body;
    const status = await waitForRun(api, notebookId, run.executionId);
    const after = (await api.get(`/notebook/${notebookId}`)).body;
    expect(['Running']).toContain(during.status);
    expect(status.status).toBe('Completed');
    expect(after).toMatchObject({
      status: 'Ready',
      executionCount: 1,
      notebookVersion: before.notebookVersion,
    });
    expect(after.lastExecutionDate).toBe(status.endTime);
    expect(after.lastExecutionDuration).toBeCloseTo(status.totalDurationSeconds, 3);
    expect(after.cells[0]).toMatchObject({ executionCount: 1, hasOutput: true, executionStatus: 'Success' });
    expect(Date.parse(after.cells[0].lastExecuted)).toBeLessThanOrEqual(Date.parse(status.endTime));
    expect(after.cells[1]).toMatchObject({
      executionCount: null,
      hasOutput: false,
      executionStatus: 'Skipped',
    });
    const content = (await api.get(`/notebook/${notebookId}/content`)).body;
    expect(content.cells[0].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'one\n' }]);
  });

  it('lists every output with a download URL that serves its exact bytes, and the executed notebook', async () => {
    const { status, results, executed, notebookId, executionId } = await runToEnd(
      api,
      notebookOf([
        PNG_CELL,
        'from IPython.display import SVG, HTML, JSON, display\ndisplay(SVG(\'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>\'))\ndisplay(HTML("<table><tr><td>ü</td></tr></table>"))\ndisplay(JSON({"a": [1, 2]}))',
        '1 + 1',
      ]),
      { outputOptions: { generateReport: true } },
    );
    expect(status.status).toBe('Completed');
    expect(status.outputs.plots).toBe(2);
    const byType = results.outputs.map((o: any) => [o.cellId, o.outputType, o.contentType]);
    expect(byType).toEqual([
      ['c1', 'stream', 'text/plain'],
      ['c1', 'display_data', 'image/png'],
      ['c2', 'display_data', 'image/svg+xml'],
      ['c2', 'display_data', 'text/html'],
      ['c2', 'display_data', 'application/json'],
      ['c3', 'execute_result', 'text/plain'],
    ]);
    const png = results.outputs[1];
    expect(png.dimensions).toEqual({ width: 2, height: 3 });
    const expectedPng = Buffer.from(results.outputs[0].content.trim(), 'base64');
    const downloaded = Buffer.from(await (await fetch(png.downloadUrl)).arrayBuffer());
    expect(downloaded.equals(expectedPng)).toBe(true);
    expect(results.outputs[4].content).toEqual({ a: [1, 2] });
    expect(await (await fetch(results.outputs[3].downloadUrl)).text()).toBe(
      '<table><tr><td>ü</td></tr></table>',
    );
    expect(results.outputs[5].content).toBe('2');
    // The executed notebook, as nbclient writes it: execution counts and every output.
    expect(executed.cells.map((c: any) => c.execution_count)).toEqual([1, 2, 3]);
    expect(executed.cells[2].outputs[0]).toMatchObject({ output_type: 'execute_result', execution_count: 3 });
    // The report, rendered by nbconvert on the kernel host.
    expect(results.reports).toHaveLength(1);
    const report = await fetch(results.reports[0].downloadUrl);
    expect(report.headers.get('content-type')).toMatch(/text\/html/);
    expect(await report.text()).toContain('<table><tr><td>ü</td></tr></table>');
    // Filters: plots only, one cell only, summary without content or URLs.
    const base = `/notebook/${notebookId}/execution/${executionId}/results`;
    const plots = (await api.get(`${base}?outputType=plots&format=download`)).body;
    expect(plots.outputs.map((o: any) => o.contentType)).toEqual(['image/png', 'image/svg+xml']);
    expect(plots.outputs.every((o: any) => o.content === undefined && o.downloadUrl)).toBe(true);
    const data = (await api.get(`${base}?outputType=data&cellId=c2`)).body;
    expect(data.outputs.map((o: any) => o.contentType)).toEqual(['text/html', 'application/json']);
    const summary = (await api.get(`${base}?format=summary`)).body;
    expect(summary.counts).toMatchObject({ outputs: 6, streams: 1, plots: 2 });
    expect(summary.outputs.every((o: any) => o.content === undefined && o.downloadUrl === undefined)).toBe(
      true,
    );
    const reports = (await api.get(`${base}?outputType=reports`)).body;
    expect(reports.outputs).toEqual([]);
    expect(reports.reports).toHaveLength(1);
  });

  it('stops at a failing cell, lets raises-exception cells fail, and skips skip-execution cells', async () => {
    const failing = await runToEnd(
      api,
      notebookOf(['print("before")', 'raise KeyError("customer_id")', 'print("never")']),
    );
    expect(failing.status).toMatchObject({
      status: 'Error',
      error: { errorType: 'CellError', cellId: 'c2' },
      progress: { totalCells: 3, completedCells: 2, successfulCells: 1, failedCells: 1 },
    });
    expect(failing.status.cellResults[1]).toMatchObject({
      status: 'Error',
      errorType: 'KeyError',
      errorMessage: "'customer_id'",
    });
    expect(failing.executed.cells[2].outputs).toEqual([]);
    const error = failing.results.outputs.find((o: any) => o.outputType === 'error');
    expect(error.content).toContain('KeyError');
    const notebook = (await api.get(`/notebook/${failing.notebookId}`)).body;
    expect(notebook.status).toBe('Error');

    const tolerant = await runToEnd(
      api,
      notebookOf([
        { source: '1/0', tags: ['raises-exception'] },
        { source: 'print("skipped")', tags: ['skip-execution'] },
        'print("after")',
      ]),
    );
    expect(tolerant.status).toMatchObject({
      status: 'Completed',
      progress: { completedCells: 3, successfulCells: 1, failedCells: 1, skippedCells: 1 },
    });
    expect(tolerant.status.cellResults.map((c: any) => c.status)).toEqual(['Error', 'Skipped', 'Success']);
    expect(streamText(tolerant.executed.cells[2])).toBe('after\n');
    expect(tolerant.executed.cells[1].outputs).toEqual([]);
  });

  it('runs only the cells of a range, by cell id', async () => {
    const { status, executed } = await runToEnd(
      api,
      notebookOf(['print(1)', 'print(2)', 'print(3)', 'print(4)']),
      {
        executionMode: 'range',
        cellRange: { startCell: 'c2', endCell: 'c3' },
      },
    );
    expect(status.status).toBe('Completed');
    expect(status.cellResults.map((c: any) => c.cellId)).toEqual(['c2', 'c3']);
    expect(executed.cells.map(streamText)).toEqual(['', '2\n', '3\n', '']);
  });

  it('answers a cell that asks for input with a clear error instead of waiting', async () => {
    const started = Date.now();
    const { status, results } = await runToEnd(api, notebookOf(['name = input("Your name? ")']));
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(status.cellResults[0]).toMatchObject({ status: 'Error', errorType: 'StdinNotImplementedError' });
    expect(results.outputs[0].content).toMatch(/StdinNotImplementedError/);
  });

  it('keeps every output of a cell that runs longer than a task slice, in order, exactly once', async () => {
    const { status, executed } = await runToEnd(
      api,
      notebookOf(['import time\nfor i in range(40):\n    print(i, flush=True)\n    time.sleep(0.2)']),
    );
    expect(status.status).toBe('Completed');
    const expected = Array.from({ length: 40 }, (_, i) => `${i}\n`).join('');
    expect(streamText(executed.cells[0])).toBe(expected);
  });

  it('gives notebook code no service credentials and no kernel host token', async () => {
    const { executed } = await runToEnd(
      api,
      notebookOf([
        'import os, glob, json\nprint(json.dumps(sorted(k for k in os.environ if any(w in k.upper() for w in ("AWS", "SECRET", "TOKEN", "CELLWISE", "KEY")))))\nprint(json.dumps(glob.glob(os.path.join(os.environ.get("JUPYTER_RUNTIME_DIR", "/nonexistent"), "jpserver-*"))))',
      ]),
    );
    expect(streamText(executed.cells[0])).toBe('[]\n[]\n');
  });

  it('lets one run hold a notebook at a time and refuses DELETE while it does', async () => {
    const notebookId = await upload(api, notebookOf(['import time; time.sleep(2)']));
    const run = await execute(api, notebookId);
    const second = await api.post(`/notebook/${notebookId}/execute`, {});
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ Error: 'NotebookRunning', ExecutionId: run.executionId });
    const deleted = await api.del(`/notebook/${notebookId}`);
    expect(deleted.status).toBe(409);
    expect((await waitForRun(api, notebookId, run.executionId)).status).toBe('Completed');
    const again = await execute(api, notebookId);
    expect(again.executionId).not.toBe(run.executionId);
    await waitForRun(api, notebookId, again.executionId);
  });

  it('hides runs from other tenants (404) and asks for a token (401)', async () => {
    const { notebookId, executionId } = await runToEnd(api, notebookOf(['1']));
    for (const suffix of ['', '/results']) {
      const path = `${mine.base}/notebook/${notebookId}/execution/${executionId}${suffix}`;
      expect((await call('GET', path, { token: theirs.token })).status).toBe(404);
      expect((await call('GET', path)).status).toBe(401);
    }
    const theirPath = `${theirs.base}/notebook/${notebookId}/execution/${executionId}`;
    expect((await call('GET', theirPath, { token: theirs.token })).status).toBe(404);
    const cancel = `${mine.base}/notebook/${notebookId}/execution/${executionId}/cancel`;
    expect((await call('POST', cancel, { token: theirs.token })).status).toBe(404);
    const history = `${mine.base}/notebook/${notebookId}/executions`;
    expect((await call('GET', history, { token: theirs.token })).status).toBe(404);
  });
});

describe('task hand-overs', () => {
  it('executes every cell exactly once and in order while runs hand over between tasks', async () => {
    const cells = [
      'log = []',
      ...Array.from({ length: 120 }, (_, i) => `import time; time.sleep(0.02); log.append(${i})`),
    ];
    cells.push('print(log == list(range(120)), len(log))');
    const runs = await Promise.all([1, 2, 3].map(() => runToEnd(api, notebookOf(cells), {}, 120_000)));
    for (const { status, executed } of runs) {
      expect(status.status).toBe('Completed');
      expect(streamText(executed.cells.at(-1))).toBe('True 120\n');
      expect(executed.cells.slice(1, -1).map((c: any) => c.execution_count)).toEqual(
        Array.from({ length: 120 }, (_, i) => i + 2),
      );
    }
  }, 180_000);

  it('executes chained cells exactly once and in order when a hand-over falls between two of them', async () => {
    // Fast cells run chained (the next one waits in the kernel host while the current one
    // runs); 3-second slices end mid-chain several times per run, with replies, outputs and
    // idle states at every stage of arriving.
    const count = 1500;
    const cells = [
      'log = []',
      ...Array.from({ length: count }, (_, i) =>
        i % 25 === 0 ? `log.append(${i}); print(${i})` : `log.append(${i})`,
      ),
    ];
    cells.push(`print(log == list(range(${count})), len(log))`);
    const runs = await Promise.all([1, 2, 3].map(() => runToEnd(api, notebookOf(cells), {}, 150_000)));
    for (const { status, executed } of runs) {
      expect(status.status).toBe('Completed');
      expect(streamText(executed.cells.at(-1))).toBe(`True ${count}\n`);
      expect(executed.cells.slice(1, -1).map((c: any) => c.execution_count)).toEqual(
        Array.from({ length: count }, (_, i) => i + 2),
      );
    }
  }, 200_000);
});

describe('POST /notebook/{id}/execute with allowErrors (nbclient allow_errors)', () => {
  const failing = ['x = 1\n1 / 0', 'print("next", x)', 'raise KeyError("k")', 'print("last")'];

  it('runs every cell despite errors and ends Completed with the failed cells listed', async () => {
    const { status, executed } = await runToEnd(api, notebookOf(failing), { allowErrors: true });
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    expect(status.error).toBeNull();
    expect(status.allowErrors).toBe(true);
    expect(status.progress).toMatchObject({
      totalCells: 4,
      completedCells: 4,
      successfulCells: 2,
      failedCells: 2,
    });
    expect(status.cellResults.map((c: any) => [c.cellId, c.status, c.errorType, c.errorMessage])).toEqual([
      ['c1', 'Error', 'ZeroDivisionError', 'division by zero'],
      ['c2', 'Success', null, null],
      ['c3', 'Error', 'KeyError', "'k'"],
      ['c4', 'Success', null, null],
    ]);
    expect(streamText(executed.cells[1])).toBe('next 1\n');
    expect(executed.cells[2].outputs[0]).toMatchObject({ output_type: 'error', ename: 'KeyError' });
    expect(streamText(executed.cells[3])).toBe('last\n');
  });

  it('stops at the first error when allowErrors is left out, and says so in the status', async () => {
    const { status } = await runToEnd(api, notebookOf(failing));
    expect(status).toMatchObject({
      status: 'Error',
      allowErrors: false,
      error: { errorType: 'CellError', cellId: 'c1' },
    });
    expect(status.progress.completedCells).toBe(1);
  });
});
