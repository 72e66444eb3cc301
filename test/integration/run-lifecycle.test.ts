import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';
import {
  execute,
  notebookOf,
  resultsOf,
  runToEnd,
  streamText,
  upload,
  waitForRun,
  waitUntil,
} from '../support/runs.ts';

let api: ReturnType<typeof client>;

beforeAll(async () => {
  api = client(await newTenant());
});

const SLOW = 'import time\nprint("waiting", flush=True)\ntime.sleep(120)\nprint("never")';

describe('run lifecycle: timeouts, cancel, kernel death, history', () => {
  it('interrupts a cell past its cellTimeout and ends the run Error/TimeoutError, keeping outputs so far', async () => {
    const started = Date.now();
    const { status, executed } = await runToEnd(api, notebookOf(['print("first")', SLOW, 'print("after")']), {
      cellTimeout: 2,
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(status).toMatchObject({ status: 'Error', error: { errorType: 'TimeoutError', cellId: 'c2' } });
    expect(status.cellResults.map((c: any) => [c.cellId, c.status, c.errorType])).toEqual([
      ['c1', 'Success', null],
      ['c2', 'Error', 'TimeoutError'],
    ]);
    expect(streamText(executed.cells[0])).toBe('first\n');
    expect(streamText(executed.cells[1])).toBe('waiting\n');
    expect(executed.cells[1].outputs.at(-1)).toMatchObject({
      output_type: 'error',
      ename: 'KeyboardInterrupt',
    });
    expect(executed.cells[2].outputs).toEqual([]);
  });

  it('bounds the whole run with timeout', async () => {
    const { status } = await runToEnd(api, notebookOf(['import time; time.sleep(1)', SLOW]), { timeout: 3 });
    expect(status).toMatchObject({ status: 'Error', error: { errorType: 'TimeoutError', cellId: 'c2' } });
    expect(status.totalDurationSeconds).toBeLessThan(15);
  });

  it('cancels a running run within seconds and keeps what it produced; cancelling again is 409', async () => {
    const notebookId = await upload(api, notebookOf(['print("done")', SLOW, 'print("never")']));
    const run = await execute(api, notebookId);
    await waitUntil(api, notebookId, run.executionId, (s) => s.currentCell === 'c2');
    await new Promise((r) => setTimeout(r, 500));
    const asked = Date.now();
    const cancel = await api.post(`/notebook/${notebookId}/execution/${run.executionId}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.body.executionId).toBe(run.executionId);
    const status = await waitForRun(api, notebookId, run.executionId);
    expect(Date.now() - asked).toBeLessThan(8_000);
    expect(status).toMatchObject({ status: 'Cancelled', error: null });
    expect(status.cellResults.map((c: any) => c.status)).toEqual(['Success', 'Cancelled']);
    const again = await api.post(`/notebook/${notebookId}/execution/${run.executionId}/cancel`);
    expect(again.status).toBe(409);
    expect((await api.get(`/notebook/${notebookId}`)).body.status).toBe('Ready');
    const results = (await api.get(`/notebook/${notebookId}/execution/${run.executionId}/results`)).body;
    expect(results.outputs.map((o: any) => o.content)).toContain('waiting\n');
  });

  it('runs no cell of a run cancelled while its kernel starts', async () => {
    const notebookId = await upload(api, notebookOf(['print("ran")']));
    const run = await execute(api, notebookId);
    const cancel = await api.post(`/notebook/${notebookId}/execution/${run.executionId}/cancel`);
    expect(cancel.status).toBe(202);
    const status = await waitForRun(api, notebookId, run.executionId);
    expect(status).toMatchObject({ status: 'Cancelled', error: null, cellResults: [] });
    await new Promise((r) => setTimeout(r, 500));
    const notebook = (await api.get(`/notebook/${notebookId}`)).body;
    expect(notebook.status).toBe('Ready');
  });

  it('ends the run Error/KernelDied within seconds when the kernel dies, then recovers with a fresh kernel', async () => {
    const notebookId = await upload(
      api,
      notebookOf([
        'print("alive", flush=True)',
        'import os, signal\nos.kill(os.getpid(), signal.SIGKILL)',
        'print("never")',
      ]),
    );
    const run = await execute(api, notebookId);
    const started = Date.now();
    const status = await waitForRun(api, notebookId, run.executionId);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(status).toMatchObject({ status: 'Error', error: { errorType: 'KernelDied', cellId: 'c2' } });
    expect(status.cellResults.map((c: any) => [c.status, c.errorType])).toEqual([
      ['Success', null],
      ['Error', 'KernelDied'],
    ]);
    // Measured from outside the kernel: its peak up to its death is known.
    expect(status.resources.peakMemoryBytes).toBeGreaterThan(10 * 2 ** 20);
    expect((await api.get(`/notebook/${notebookId}`)).body.status).toBe('Kernel_Dead');
    const listed = (await api.get('/notebooks?status=Kernel_Dead')).body;
    expect(listed.notebooks.map((n: any) => n.notebookId)).toContain(notebookId);
    const results = (await api.get(`/notebook/${notebookId}/execution/${run.executionId}/results`)).body;
    expect(results.outputs[0].content).toBe('alive\n');

    const exited = await runToEnd(api, notebookOf(['import os; os._exit(3)']));
    expect(exited.status.error.errorType).toBe('KernelDied');

    const next = await execute(api, notebookId, {
      executionMode: 'range',
      cellRange: { startCell: 'c1', endCell: 'c1' },
    });
    expect((await waitForRun(api, notebookId, next.executionId)).status).toBe('Completed');
    expect((await api.get(`/notebook/${notebookId}`)).body.status).toBe('Ready');
  });

  it('gives every run a kernel of its own: no state, files or process of an earlier run, of any tenant', async () => {
    // The first run fails, so its kernel is kept for a resume: the strongest pull to reuse it.
    const first = await runToEnd(
      api,
      notebookOf([
        "import os\nsecret = 'run A'\nopen('left-behind.txt', 'w').write('x')\nprint(os.getpid())",
        "raise RuntimeError('keep my kernel')",
      ]),
    );
    expect(first.status.status).toBe('Error');
    const pidA = streamText(first.executed.cells[0]).trim();
    const probe = notebookOf([
      "import os\nprint('secret' in globals(), os.path.exists('left-behind.txt'), os.getpid())",
    ]);
    const other = client(await newTenant());
    for (const [who, caller] of [
      ['same tenant', api],
      ['another tenant', other],
    ] as const) {
      const next = await runToEnd(caller, probe);
      expect(next.status.status, who).toBe('Completed');
      const [seesSecret, seesFile, pidB] = streamText(next.executed.cells[0]).trim().split(' ');
      expect([seesSecret, seesFile], who).toEqual(['False', 'False']);
      expect(pidB, who).not.toBe(pidA);
    }
    // A second run of the very notebook that failed starts clean too (a resume is the only way in).
    const again = await execute(api, first.notebookId);
    expect((await waitForRun(api, first.notebookId, again.executionId)).status).toBe('Error');
    const { executed } = await resultsOf(api, first.notebookId, again.executionId);
    expect(streamText(executed.cells[0]).trim()).not.toBe(pidA);
  });

  it('lists the run history newest first, paginated and filtered, and estimates from it', async () => {
    const notebookId = await upload(api, notebookOf(['print(1)']));
    const ids: string[] = [];
    for (const body of [{}, {}, { parameters: { x: 1 } }]) {
      const run = await execute(api, notebookId, body);
      await waitForRun(api, notebookId, run.executionId);
      ids.push(run.executionId);
    }
    const page1 = (await api.get(`/notebook/${notebookId}/executions?pageSize=2`)).body;
    expect(page1).toMatchObject({ totalCount: 3, page: 1, pageSize: 2, hasNextPage: true });
    expect(page1.executions.map((e: any) => e.executionId)).toEqual([ids[2], ids[1]]);
    const page2 = (await api.get(`/notebook/${notebookId}/executions?pageSize=2&page=2`)).body;
    expect(page2.executions.map((e: any) => e.executionId)).toEqual([ids[0]]);
    expect(page2.hasNextPage).toBe(false);
    // The newest run had parameters: its plan has the injected-parameters cell too.
    expect(page1.executions[0]).toMatchObject({ status: 'Completed', totalCells: 2, trigger: 'api' });
    expect(page1.executions[1]).toMatchObject({ status: 'Completed', totalCells: 1 });
    const none = (await api.get(`/notebook/${notebookId}/executions?status=Error`)).body;
    expect(none).toMatchObject({ totalCount: 0, executions: [] });
    const fourth = await execute(api, notebookId);
    expect(fourth.estimatedDuration).toMatch(/seconds?$/);
    expect(fourth.estimatedDurationSeconds).toBeGreaterThan(0);
    await waitForRun(api, notebookId, fourth.executionId);
  });

  it('deletes a notebook’s runs and their files with it', async () => {
    const { notebookId, executionId, results } = await runToEnd(api, notebookOf(['print("x")']));
    const url = results.outputs[0].downloadUrl;
    expect((await fetch(url)).status).toBe(200);
    expect((await api.del(`/notebook/${notebookId}`)).status).toBe(200);
    expect((await api.get(`/notebook/${notebookId}/execution/${executionId}`)).status).toBe(404);
    expect((await fetch(url)).status).toBe(404);
  });
});
