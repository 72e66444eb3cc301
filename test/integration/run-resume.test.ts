import { describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';
import { execute, notebookOf, upload, waitForRun } from '../support/runs.ts';

type Api = ReturnType<typeof client>;

/** c1 builds state, c2 fails until it is fixed, c3 uses the state; `n` is a parameter. */
const failing = notebookOf([
  { source: 'n = 1', tags: ['parameters'] },
  "import os\nstate = {'n': n * 10}\npid = os.getpid()\nprint('c2 ran')",
  "raise ValueError('not fixed yet')",
  "print('result', state['n'] + 1, 'same kernel', pid == os.getpid())",
]);

/** Replaces the failing cell (c3) with a working one, keeping the cell ids. */
async function fix(api: Api, notebookId: string, cellId = 'c3') {
  const content = (await api.get(`/notebook/${notebookId}/content`)).body;
  const cells = (content.cells ?? content.content?.cells) as {
    id: string;
    cell_type: string;
    source: unknown;
    metadata: any;
  }[];
  const name = (await api.get(`/notebook/${notebookId}`)).body.notebookName;
  const res = await api.put(`/notebook/${notebookId}`, {
    name,
    cells: cells.map((c) => ({
      cellId: c.id,
      cellType: c.cell_type,
      source: c.id === cellId ? "print('fixed')" : Array.isArray(c.source) ? c.source.join('') : c.source,
      ...(c.metadata?.tags ? { tags: c.metadata.tags } : {}),
    })),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function failedRun(api: Api, body: object = {}) {
  const notebookId = await upload(api, failing);
  const started = await execute(api, notebookId, { parameters: { n: 4 }, ...body });
  const ended = await waitForRun(api, notebookId, started.executionId);
  expect(ended.status).toBe('Error');
  expect(ended.error.cellId ?? ended.cellResults.find((c: any) => c.status === 'Error')?.cellId).toBe('c3');
  return { notebookId, executionId: started.executionId as string };
}

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
    const dataset = await api.post('/dataset', {
      name: 'tiny log',
      rows: [
        { case_id: 'a', activity: 'Start', timestamp: '2024-01-01T08:00:00Z' },
        { case_id: 'a', activity: 'End', timestamp: '2024-01-01T09:00:00Z' },
      ],
    });
    expect(dataset.status, JSON.stringify(dataset.body)).toBe(201);
    const notebookId = await upload(
      api,
      notebookOf([
        'import json\nfrom mindzie_sdk import ProcessMiningClient\nrows = len(ProcessMiningClient().get_dataset())',
        "raise ValueError('not fixed yet')",
        "print('staged for', json.load(open('.cellwise/run.json'))['executionId'], 'rows', rows)",
      ]),
    );
    const failedRun = await execute(api, notebookId, { parameters: { dataset_id: dataset.body.datasetId } });
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
