import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';
import { execute, notebookOf, upload, waitForRun, waitUntil } from '../support/runs.ts';

type Api = ReturnType<typeof client>;
let api: Api;
let other: Api;
let notebookId: string;
/** Run 1 (n=1) Completed; run 2 (n=2, fail) Error. */
let first: string;
let second: string;

const diffPath = (notebook: string, executionId: string, against?: string) =>
  `/notebook/${notebook}/execution/${executionId}/diff${against === undefined ? '' : `?against=${encodeURIComponent(against)}`}`;

/** A parameter printed, a plot drawn from it, metrics logged, a cell that fails when told to, one after it. */
const DOCUMENT = notebookOf([
  { source: 'n = 1\nfail = False\ndelay = 0', tags: ['parameters'] },
  'print(f"n = {n}")\nprint("same line")',
  'import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(2, 2), dpi=50)\nax.plot([0, 1], [0, n])\nplt.show()',
  'from mindzie_sdk import ProcessMiningClient\nProcessMiningClient().log_metrics({"score": n * 0.25, "cases": 10, "label": "x"})',
  'import time\ntime.sleep(delay)\nassert not fail, "told to fail"',
  'print("the end")',
]);

beforeAll(async () => {
  api = client(await newTenant());
  other = client(await newTenant());
  notebookId = await upload(api, DOCUMENT);
  first = (await execute(api, notebookId, { parameters: { n: 1 } })).executionId;
  expect((await waitForRun(api, notebookId, first, 90_000)).status).toBe('Completed');
  second = (await execute(api, notebookId, { parameters: { n: 2, fail: true } })).executionId;
  expect((await waitForRun(api, notebookId, second, 90_000)).status).toBe('Error');
}, 200_000);

describe('run diff (GET .../execution/{executionId}/diff)', () => {
  it('compares a failed run with the last successful one cell by cell', async () => {
    const res = await api.get(diffPath(notebookId, second, 'lastSuccessful'));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const diff = res.body;
    expect(diff).toMatchObject({
      notebookId,
      executionId: second,
      againstExecutionId: first,
      before: { executionId: first, status: 'Completed' },
      after: { executionId: second, status: 'Error' },
    });
    const cell = (id: string) => diff.cells.find((c: any) => c.cellId === id);
    expect(cell('c2').streams).toEqual([
      {
        name: 'stdout',
        unified: '@@ -1,2 +1,2 @@\n-n = 1\n+n = 2\n same line\n',
        added: 1,
        removed: 1,
        truncated: false,
      },
    ]);
    expect(cell('c2').durationMs.delta).toBe(cell('c2').durationMs.after - cell('c2').durationMs.before);
    const plot = cell('c3');
    expect(plot.change).toBe('changed');
    expect(plot.outputs).toHaveLength(1);
    expect(plot.outputs[0]).toMatchObject({ index: 0, change: 'changed' });
    expect(plot.outputs[0].mimeTypes).toContain('image/png');
    expect(plot.outputs[0].before['image/png']).toMatch(/^[0-9a-f]{64}$/);
    expect(cell('c5')).toMatchObject({
      change: 'changed',
      status: { before: 'Success', after: 'Error' },
      error: { before: null, after: { ename: 'AssertionError', evalue: 'told to fail' } },
    });
    expect(cell('c6').status).toEqual({ before: 'Success', after: 'NotRun' });
    expect(cell('c1').change).toBe('same');
    expect(diff.metrics).toEqual([
      { name: 'score', source: 'log_metrics', cellId: 'c4', before: 0.25, after: 0.5, delta: 0.25 },
      { name: 'cases', source: 'log_metrics', cellId: 'c4', before: 10, after: 10, delta: 0 },
    ]);
    expect(diff.parameters).toEqual([
      { name: 'n', change: 'changed', before: 1, after: 2 },
      { name: 'fail', change: 'added', before: null, after: true },
    ]);
    expect(diff.summary).toMatchObject({ statusChanges: 2, parametersChanged: 2, metricsChanged: 1 });
  });

  it('compares with a run named by its id, either way round', async () => {
    const res = await api.get(diffPath(notebookId, first, second.toUpperCase()));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.againstExecutionId).toBe(second);
    const c5 = res.body.cells.find((c: any) => c.cellId === 'c5');
    expect(c5.status).toEqual({ before: 'Error', after: 'Success' });
    expect(res.body.parameters).toEqual([
      { name: 'n', change: 'changed', before: 2, after: 1 },
      { name: 'fail', change: 'removed', before: true, after: null },
    ]);
  });

  it('answers 404 when the notebook has no other successful run to compare with', async () => {
    for (const path of [diffPath(notebookId, first), diffPath(notebookId, first, 'lastSuccessful')]) {
      const res = await api.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body.Error).toBe('Successful execution not found');
    }
  });

  it('answers 400 when against is neither an execution id nor lastSuccessful', async () => {
    for (const against of ['nope', 'last', '', `${first}x`]) {
      const res = await api.get(diffPath(notebookId, second, against));
      expect(res.status, against).toBe(400);
      expect(res.body.Details[0].path, against).toBe('query.against');
    }
    expect((await api.get(diffPath('not-a-guid', second))).status).toBe(400);
    expect((await api.get(diffPath(notebookId, 'not-a-guid'))).status).toBe(400);
  });

  it('answers 404 for a run of another notebook, an unknown run and another tenant (never 403)', async () => {
    const otherNotebook = await upload(api, notebookOf(['print(1)']));
    const elsewhere = (await execute(api, otherNotebook)).executionId;
    await waitForRun(api, otherNotebook, elsewhere);
    expect((await api.get(diffPath(notebookId, second, elsewhere))).status).toBe(404);
    expect((await api.get(diffPath(notebookId, second, '00000000-0000-4000-8000-000000000000'))).status).toBe(
      404,
    );
    expect((await api.get(diffPath(otherNotebook, second, first))).status).toBe(404);
    const foreign = await other.get(diffPath(notebookId, second, first));
    expect(foreign.status).toBe(404);
    const theirs = await upload(other, notebookOf(['print(2)']));
    const theirRun = (await execute(other, theirs)).executionId;
    await waitForRun(other, theirs, theirRun);
    expect((await api.get(diffPath(notebookId, second, theirRun))).status).toBe(404);
  });

  it('answers 409 ExecutionNotEnded while either run is still active', async () => {
    const active = (await execute(api, notebookId, { parameters: { delay: 60 } })).executionId;
    await waitUntil(api, notebookId, active, (s) => s.status === 'Running' && s.currentCell === 'c5', 60_000);
    for (const path of [diffPath(notebookId, active, first), diffPath(notebookId, first, active)]) {
      const res = await api.get(path);
      expect(res.status, path).toBe(409);
      expect(res.body).toMatchObject({ Error: 'ExecutionNotEnded', ExecutionId: active, Status: 'Running' });
    }
    expect((await api.post(`/notebook/${notebookId}/execution/${active}/cancel`)).status).toBe(202);
    await waitForRun(api, notebookId, active);
  }, 90_000);
});
