import { describe, expect, it } from 'vitest';
import { client, newTenant, stackRunStore } from '../support/api.ts';
import { execute, notebookOf, tinyLog, upload, waitForRun, waitUntil } from '../support/runs.ts';

type Api = ReturnType<typeof client>;

/** c1 builds state, c2 fails until it is fixed, c3 uses the state; `n` is a parameter. */
const failing = notebookOf([
  { source: 'n = 1', tags: ['parameters'] },
  "import os\nstate = {'n': n * 10}\npid = os.getpid()\nprint('c2 ran')",
  "raise ValueError('not fixed yet')",
  "print('result', state['n'] + 1, 'same kernel', pid == os.getpid())",
]);

interface StoredCell {
  id: string;
  cell_type: string;
  source: unknown;
  metadata: any;
}

/** Writes the notebook's cells back through PUT after `edit` (cell ids kept). */
async function editCells(api: Api, notebookId: string, edit: (cells: StoredCell[]) => StoredCell[]) {
  const content = (await api.get(`/notebook/${notebookId}/content`)).body;
  const cells = (content.cells ?? content.content?.cells) as StoredCell[];
  const name = (await api.get(`/notebook/${notebookId}`)).body.notebookName;
  const res = await api.put(`/notebook/${notebookId}`, {
    name,
    cells: edit(cells).map((c) => ({
      cellId: c.id,
      cellType: c.cell_type,
      source: Array.isArray(c.source) ? c.source.join('') : c.source,
      ...(c.metadata?.tags ? { tags: c.metadata.tags } : {}),
    })),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** Replaces the failing cell (c3) with a working one, keeping the cell ids. */
async function fix(api: Api, notebookId: string, cellId = 'c3') {
  await editCells(api, notebookId, (cells) =>
    cells.map((c) => (c.id === cellId ? { ...c, source: "print('fixed')" } : c)),
  );
}

async function failedRun(api: Api, body: object = {}) {
  const notebookId = await upload(api, failing);
  const started = await execute(api, notebookId, { parameters: { n: 4 }, ...body });
  const ended = await waitForRun(api, notebookId, started.executionId);
  expect(ended.status).toBe('Error');
  expect(ended.error.cellId ?? ended.cellResults.find((c: any) => c.status === 'Error')?.cellId).toBe('c3');
  return { notebookId, executionId: started.executionId as string };
}

/** c1 keeps state and prints its kernel's process id, c2 fails until fixed, c3 uses the state. */
const pidNotebook = notebookOf([
  "import os\nstate = 41\nprint('pid', os.getpid())",
  "raise ValueError('not fixed yet')",
  "print('result', state + 1, 'pid', os.getpid())",
]);

/** The kernel process id a cell printed (`pid N`). */
async function pidOf(api: Api, notebookId: string, executionId: string, cellId: string): Promise<number> {
  const pid = /pid (\d+)/.exec(await stdoutOf(api, notebookId, executionId, cellId))?.[1];
  expect(pid, `no pid printed by ${cellId}`).toBeDefined();
  return Number(pid);
}

/**
 * Whether a process lives (the kernel host runs kernels on this machine; without a pid
 * namespace, a kernel's `os.getpid()` is its host pid). EPERM: alive, under another user id.
 */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`kernel process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The stored run record (what the status view does not show, e.g. `kernelKeptUntil`). */
async function recordOf(
  tenant: { tenantId: string; projectId: string },
  notebookId: string,
  executionId: string,
) {
  const run = await stackRunStore().get({ ...tenant, notebookId, executionId });
  expect(run).toBeDefined();
  return run!;
}

const secondsBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

async function stdoutOf(api: Api, notebookId: string, executionId: string, cellId: string) {
  const results = (
    await api.get(`/notebook/${notebookId}/execution/${executionId}/results?format=detailed&cellId=${cellId}`)
  ).body;
  return JSON.stringify(results.outputs ?? results);
}

describe('resume', () => {
  it('continues in the kept kernel from the failed cell, with the state intact', async () => {
    const api = client(await newTenant());
    const failed = await failedRun(api);
    await fix(api, failed.notebookId);
    const resumed = await api.post(`/notebook/${failed.notebookId}/execution/${failed.executionId}/resume`);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(202);
    expect(resumed.body).toMatchObject({
      trigger: 'resume',
      resumedFrom: failed.executionId,
      replayedCells: [],
    });
    const ended = await waitForRun(api, failed.notebookId, resumed.body.executionId);
    expect(ended.status).toBe('Completed');
    expect(ended.cellResults.map((c: any) => [c.cellId, c.status])).toEqual([
      ['c3', 'Success'],
      ['c4', 'Success'],
    ]);
    // The parameter n = 4 and c2's state came from the kept kernel: nothing ran again.
    expect(await stdoutOf(api, failed.notebookId, resumed.body.executionId, 'c4')).toContain(
      'result 41 same kernel True',
    );
  });

  it('keeps allowErrors: a resumed run of a run that allowed errors runs on past failing cells', async () => {
    const api = client(await newTenant());
    const notebookId = await upload(
      api,
      notebookOf(['1 / 0', 'import time\ntime.sleep(5)', 'raise KeyError("k")', 'print("end")']),
    );
    const first = await execute(api, notebookId, { allowErrors: true, cellTimeout: 2 });
    const stopped = await waitForRun(api, notebookId, first.executionId);
    expect(stopped).toMatchObject({
      status: 'Error',
      allowErrors: true,
      error: { errorType: 'TimeoutError', cellId: 'c2' },
    });
    const resumed = await api.post(`/notebook/${notebookId}/execution/${first.executionId}/resume`, {
      cellTimeout: 30,
    });
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(202);
    expect(resumed.body.allowErrors).toBe(true);
    const ended = await waitForRun(api, notebookId, resumed.body.executionId);
    expect(ended.status, JSON.stringify(ended.error)).toBe('Completed');
    expect(ended.cellResults.map((c: any) => [c.cellId, c.status])).toEqual([
      ['c2', 'Success'],
      ['c3', 'Error'],
      ['c4', 'Success'],
    ]);
    expect(ended.progress.failedCells).toBe(1);
  });

  it('replays the cells that had succeeded in a fresh kernel when the kernel was not kept', async () => {
    const api = client(await newTenant());
    const failed = await failedRun(api, { keepKernelSeconds: 0 });
    await fix(api, failed.notebookId);
    const resumed = await api.post(`/notebook/${failed.notebookId}/execution/${failed.executionId}/resume`, {
      priority: 'High',
    });
    expect(resumed.status).toBe(202);
    expect(resumed.body.priority).toBe('High');
    expect(resumed.body.replayedCells).toEqual(['c1', 'injected-parameters', 'c2']);
    const ended = await waitForRun(api, failed.notebookId, resumed.body.executionId);
    expect(ended.status).toBe('Completed');
    expect(ended.cellResults.map((c: any) => c.cellId)).toEqual([
      'c1',
      'injected-parameters',
      'c2',
      'c3',
      'c4',
    ]);
    // State rebuilt by the replay (n = 4 from the original parameters), in a new process.
    expect(await stdoutOf(api, failed.notebookId, resumed.body.executionId, 'c4')).toContain('result 41');
  });

  it('stages the resumed run’s own dataset file in the kept kernel', async () => {
    const api = client(await newTenant());
    const datasetId = await tinyLog(api);
    const notebookId = await upload(
      api,
      notebookOf([
        'import json\nfrom mindzie_sdk import ProcessMiningClient\nrows = len(ProcessMiningClient().get_dataset())',
        "raise ValueError('not fixed yet')",
        "print('staged for', json.load(open('.cellwise/run.json'))['executionId'], 'rows', rows)",
      ]),
    );
    const failedRun = await execute(api, notebookId, { parameters: { dataset_id: datasetId } });
    expect((await waitForRun(api, notebookId, failedRun.executionId)).status).toBe('Error');
    await fix(api, notebookId, 'c2');
    const resumed = await api.post(`/notebook/${notebookId}/execution/${failedRun.executionId}/resume`);
    expect(resumed.status).toBe(202);
    expect(resumed.body.replayedCells).toEqual([]);
    expect((await waitForRun(api, notebookId, resumed.body.executionId)).status).toBe('Completed');
    expect(await stdoutOf(api, notebookId, resumed.body.executionId, 'c3')).toContain(
      `staged for ${resumed.body.executionId} rows 2`,
    );
  });

  it('refuses to resume a completed or an active run with 409', async () => {
    const api = client(await newTenant());
    const notebookId = await upload(api, notebookOf(['import time\ntime.sleep(1.5)']));
    const run = await execute(api, notebookId);
    const active = await api.post(`/notebook/${notebookId}/execution/${run.executionId}/resume`);
    expect(active.status).toBe(409);
    expect(active.body.Error).toBe('ExecutionNotResumable');
    await waitForRun(api, notebookId, run.executionId);
    const completed = await api.post(`/notebook/${notebookId}/execution/${run.executionId}/resume`);
    expect(completed.status).toBe(409);
    expect(completed.body).toMatchObject({ Error: 'ExecutionNotResumable', Status: 'Completed' });
  });

  it('answers 404 for unknown runs and other tenants, and 400 for bad bodies', async () => {
    const api = client(await newTenant());
    const failed = await failedRun(api, { keepKernelSeconds: 0 });
    const path = `/notebook/${failed.notebookId}/execution/${failed.executionId}/resume`;
    const unknown = await api.post(
      `/notebook/${failed.notebookId}/execution/0190a2b4-0000-7000-8000-000000000000/resume`,
    );
    expect(unknown.status).toBe(404);
    const other = client(await newTenant());
    expect((await other.post(path)).status).toBe(404);
    for (const body of [
      { priority: 'Urgent' },
      { timeout: 0 },
      { keepKernelSeconds: 7200 },
      { extra: true },
    ]) {
      const res = await api.post(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const notJson = await api.raw('POST', path, '{', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    const notGuid = await api.post(`/notebook/${failed.notebookId}/execution/not-a-run/resume`);
    expect(notGuid.status).toBe(400);
    expect(notGuid.body.Details[0].path).toBe('path.executionId');
  });

  it('refuses a timeout shorter than the cell timeout the resumed run keeps', async () => {
    const api = client(await newTenant());
    const failed = await failedRun(api, { keepKernelSeconds: 0, cellTimeout: 300 });
    const path = `/notebook/${failed.notebookId}/execution/${failed.executionId}/resume`;
    const res = await api.post(path, { timeout: 100 });
    expect(res.status, res.text).toBe(400);
    expect(res.body.Details[0].path).toBe('body.cellTimeout');
    expect((await api.get(`/notebook/${failed.notebookId}/executions`)).body.totalCount).toBe(1);
    const both = await api.post(path, { timeout: 100, cellTimeout: 50 });
    expect(both.status, both.text).toBe(202);
    await waitForRun(api, failed.notebookId, both.body.executionId);
  });
});

describe('resume of a cancelled run', () => {
  it('starts at the cancelled cell, after replaying the cells before it, when a run was cancelled mid-cell', async () => {
    const api = client(await newTenant());
    const notebookId = await upload(
      api,
      notebookOf(["x = 41\nprint('c1 ran')", 'import time\ntime.sleep(60)', "print('after', x + 1)"]),
    );
    const run = await execute(api, notebookId);
    await waitUntil(
      api,
      notebookId,
      run.executionId,
      (s) => s.status === 'Running' && s.currentCell === 'c2',
    );
    const cancel = await api.post(`/notebook/${notebookId}/execution/${run.executionId}/cancel`);
    expect(cancel.status, cancel.text).toBe(202);
    const cancelled = await waitForRun(api, notebookId, run.executionId);
    expect(cancelled.status).toBe('Cancelled');
    expect(cancelled.cellResults.map((c: any) => [c.cellId, c.status])).toEqual([
      ['c1', 'Success'],
      ['c2', 'Cancelled'],
    ]);

    // The sleeping cell is changed before the resume: the resumed run takes the current source.
    await fix(api, notebookId, 'c2');
    const resumed = await api.post(`/notebook/${notebookId}/execution/${run.executionId}/resume`);
    expect(resumed.status, resumed.text).toBe(202);
    // A cancelled run's kernel is shut down (only a cell error or a timeout keeps it): c1 is replayed.
    expect(resumed.body).toMatchObject({
      trigger: 'resume',
      resumedFrom: run.executionId,
      executionMode: 'range',
      replayedCells: ['c1'],
    });
    const ended = await waitForRun(api, notebookId, resumed.body.executionId);
    expect(ended.status).toBe('Completed');
    expect(ended.cellResults.map((c: any) => [c.cellId, c.status])).toEqual([
      ['c1', 'Success'],
      ['c2', 'Success'],
      ['c3', 'Success'],
    ]);
    // The first cell the resumed run ran for itself is the cancelled one, with its new source.
    const own = ended.cellResults
      .map((c: any) => c.cellId)
      .filter((id: string) => !ended.replayedCells.includes(id));
    expect(own[0]).toBe('c2');
    expect(await stdoutOf(api, notebookId, resumed.body.executionId, 'c2')).toContain('fixed');
    expect(await stdoutOf(api, notebookId, resumed.body.executionId, 'c3')).toContain('after 42');
    const history = (await api.get(`/notebook/${notebookId}/executions`)).body.executions;
    expect(history.find((h: any) => h.executionId === resumed.body.executionId)).toMatchObject({
      trigger: 'resume',
      resumedFrom: run.executionId,
    });
  });
});

describe('keepKernelSeconds', () => {
  it('keeps the kernel 300 s by default when a cell fails: shown on the run, alive afterwards, resumed in', async () => {
    const tenant = await newTenant();
    const api = client(tenant);
    const notebookId = await upload(api, pidNotebook);
    const started = await execute(api, notebookId);
    expect(started.keepKernelSeconds).toBe(300);
    const failed = await waitForRun(api, notebookId, started.executionId);
    expect(failed.status).toBe('Error');
    expect(failed.keepKernelSeconds).toBe(300);
    const record = await recordOf(tenant, notebookId, started.executionId);
    expect(record.keepKernelSeconds).toBe(300);
    expect(record.kernelKeptUntil).toBeTypeOf('string');
    expect(secondsBetween(record.endTime!, record.kernelKeptUntil!)).toBeGreaterThan(295);
    expect(secondsBetween(record.endTime!, record.kernelKeptUntil!)).toBeLessThanOrEqual(300);
    const pid = await pidOf(api, notebookId, started.executionId, 'c1');
    await new Promise((r) => setTimeout(r, 1500));
    expect(processAlive(pid)).toBe(true);

    await fix(api, notebookId, 'c2');
    const resumed = await api.post(`/notebook/${notebookId}/execution/${started.executionId}/resume`);
    expect(resumed.status, resumed.text).toBe(202);
    // The resumed run keeps the value of the run it resumes.
    expect(resumed.body).toMatchObject({ replayedCells: [], keepKernelSeconds: 300 });
    expect((await waitForRun(api, notebookId, resumed.body.executionId)).status).toBe('Completed');
    expect(await pidOf(api, notebookId, resumed.body.executionId, 'c3')).toBe(pid);
    expect(await stdoutOf(api, notebookId, resumed.body.executionId, 'c3')).toContain('result 42');
    // The kept kernel was taken: the resumed run shut it down when it completed.
    await waitForExit(pid, 15_000);
    expect((await recordOf(tenant, notebookId, started.executionId)).kernelKeptUntil).toBeNull();
  });

  it('replays in a fresh kernel when the kept kernel expired (keepKernelSeconds: 1)', async () => {
    const tenant = await newTenant();
    const api = client(tenant);
    const notebookId = await upload(api, pidNotebook);
    const started = await execute(api, notebookId, { keepKernelSeconds: 1 });
    expect(started.keepKernelSeconds).toBe(1);
    const failed = await waitForRun(api, notebookId, started.executionId);
    expect(failed).toMatchObject({ status: 'Error', keepKernelSeconds: 1 });
    const record = await recordOf(tenant, notebookId, started.executionId);
    expect(secondsBetween(record.endTime!, record.kernelKeptUntil!)).toBeLessThanOrEqual(1);
    const pid = await pidOf(api, notebookId, started.executionId, 'c1');
    // The kernel host shuts the kept kernel down once its second is over.
    await waitForExit(pid, 15_000);

    await fix(api, notebookId, 'c2');
    const resumed = await api.post(`/notebook/${notebookId}/execution/${started.executionId}/resume`);
    expect(resumed.status, resumed.text).toBe(202);
    expect(resumed.body).toMatchObject({
      trigger: 'resume',
      resumedFrom: started.executionId,
      replayedCells: ['c1'],
      keepKernelSeconds: 1,
    });
    const ended = await waitForRun(api, notebookId, resumed.body.executionId);
    expect(ended.status).toBe('Completed');
    expect(ended.cellResults.map((c: any) => [c.cellId, c.status])).toEqual([
      ['c1', 'Success'],
      ['c2', 'Success'],
      ['c3', 'Success'],
    ]);
    // State rebuilt by the replay, in another process.
    const replayedPid = await pidOf(api, notebookId, resumed.body.executionId, 'c1');
    expect(replayedPid).not.toBe(pid);
    expect(await pidOf(api, notebookId, resumed.body.executionId, 'c3')).toBe(replayedPid);
    expect(await stdoutOf(api, notebookId, resumed.body.executionId, 'c3')).toContain('result 42');
  });

  it('lets a resume set its own keepKernelSeconds', async () => {
    const api = client(await newTenant());
    const failed = await failedRun(api, { keepKernelSeconds: 0 });
    const resumed = await api.post(`/notebook/${failed.notebookId}/execution/${failed.executionId}/resume`, {
      keepKernelSeconds: 5,
    });
    expect(resumed.status, resumed.text).toBe(202);
    expect(resumed.body.keepKernelSeconds).toBe(5);
    expect((await waitForRun(api, failed.notebookId, resumed.body.executionId)).keepKernelSeconds).toBe(5);
  });
});

describe('resume conflicts', () => {
  it('answers 409 ResumeCellGone when the cell the run stopped at was deleted from the notebook', async () => {
    const api = client(await newTenant());
    const failed = await failedRun(api, { keepKernelSeconds: 0 });
    await editCells(api, failed.notebookId, (cells) => cells.filter((c) => c.id !== 'c3'));
    const res = await api.post(`/notebook/${failed.notebookId}/execution/${failed.executionId}/resume`);
    expect(res.status, res.text).toBe(409);
    expect(res.body).toMatchObject({
      Error: 'ResumeCellGone',
      ExecutionId: failed.executionId,
      CellId: 'c3',
    });
    // Nothing started, and the notebook is free for a run of its own.
    expect((await api.get(`/notebook/${failed.notebookId}/executions`)).body.totalCount).toBe(1);
    const next = await execute(api, failed.notebookId);
    expect((await waitForRun(api, failed.notebookId, next.executionId)).status).toBe('Completed');
  });

  it('answers 409 NothingToResume for a run that ended Cancelled after all its cells had succeeded', async () => {
    const tenant = await newTenant();
    const api = client(tenant);
    const notebookId = await upload(api, notebookOf(['x = 1', 'print(x)']));
    const run = await execute(api, notebookId);
    expect((await waitForRun(api, notebookId, run.executionId)).status).toBe('Completed');
    // Arranged: a cancel that lands while the last cell is finishing (the interrupt comes too
    // late) ends the run Cancelled with every cell a success. The row is set to that state.
    const pointer = { ...tenant, notebookId, executionId: run.executionId };
    expect(
      await stackRunStore().update(
        pointer,
        { status: 'Cancelled', cancelRequested: true, stopReason: 'cancel' },
        ['Completed'],
      ),
    ).toBe(true);
    const res = await api.post(`/notebook/${notebookId}/execution/${run.executionId}/resume`);
    expect(res.status, res.text).toBe(409);
    expect(res.body).toMatchObject({ Error: 'NothingToResume', ExecutionId: run.executionId });
    expect((await api.get(`/notebook/${notebookId}/executions`)).body.totalCount).toBe(1);
  });

  it('answers 415 for a resume body that is not JSON', async () => {
    const api = client(await newTenant());
    const failed = await failedRun(api, { keepKernelSeconds: 0 });
    const path = `/notebook/${failed.notebookId}/execution/${failed.executionId}/resume`;
    const form = await api.raw('POST', path, 'priority=High', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status, form.text).toBe(415);
    expect(form.body.Error).toBeTypeOf('string');
    const text = await api.raw('POST', path, '{"priority":"High"}', { 'content-type': 'text/plain' });
    expect(text.status, text.text).toBe(415);
    // Refused before anything started: the run is still resumable.
    expect((await api.get(`/notebook/${failed.notebookId}/executions`)).body.totalCount).toBe(1);
    const resumed = await api.post(path);
    expect(resumed.status, resumed.text).toBe(202);
    await waitForRun(api, failed.notebookId, resumed.body.executionId);
  });
});
