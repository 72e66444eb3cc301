import { beforeAll, describe, expect, it } from 'vitest';
import { client, GUID, newTenant } from '../support/api.ts';
import { execute, notebookOf, resultsOf, streamText, upload, waitForRun } from '../support/runs.ts';

type Api = ReturnType<typeof client>;
let api: Api;
let other: Api;

beforeAll(async () => {
  api = client(await newTenant());
  other = client(await newTenant());
});

const outputsPath = (notebookId: string, executionId: string) =>
  `/notebook/${notebookId}/execution/${executionId}/outputs`;

interface Received {
  at: number;
  status: string;
  chunks: any[];
}

/** Long-polls a run's live output to its end; every answer with the time it arrived. */
async function follow(api: Api, notebookId: string, executionId: string, waitSeconds = 5) {
  const answers: Received[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 500; i++) {
    const query: string = cursor
      ? `?after=${cursor}&waitSeconds=${waitSeconds}`
      : `?waitSeconds=${waitSeconds}`;
    const res = await api.get(`${outputsPath(notebookId, executionId)}${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    answers.push({ at: Date.now(), status: res.body.status, chunks: res.body.chunks });
    cursor = res.body.nextCursor;
    if (res.body.ended) return answers;
  }
  throw new Error('the live output never ended');
}

/** What a client replaying the chunks shows for one cell: its stream text. */
const textOf = (answers: Received[], cellId: string) =>
  answers
    .flatMap((a) => a.chunks)
    .filter((c) => c.cellId === cellId && c.type === 'stream')
    .map((c) => c.text)
    .join('');

describe('live output (GET .../execution/{executionId}/outputs)', () => {
  it('shows a cell printing a line every 200 ms line by line while it runs', async () => {
    const lines = 25;
    const document = notebookOf([
      'print("before")',
      `import time\nfor i in range(${lines}):\n    print(f"line {i}", flush=True)\n    time.sleep(0.2)`,
      'print("after")',
    ]);
    const notebookId = await upload(api, document);
    const { executionId } = await execute(api, notebookId);
    const answers = await follow(api, notebookId, executionId);
    const status = await waitForRun(api, notebookId, executionId);
    expect(status.status).toBe('Completed');
    // Every line came, in order, once; the client's text is the stored one.
    const { executed } = await resultsOf(api, notebookId, executionId);
    expect(textOf(answers, 'c2')).toBe(streamText(executed.cells[1]));
    expect(textOf(answers, 'c1')).toBe('before\n');
    expect(textOf(answers, 'c3')).toBe('after\n');
    // Line by line: the lines arrived in many answers, and all but the last ones while the run went on.
    const withLines = answers.filter((a) => a.chunks.some((c) => c.cellId === 'c2'));
    expect(withLines.length).toBeGreaterThanOrEqual(10);
    const seenRunning = answers
      .filter((a) => a.status === 'Running')
      .flatMap((a) => a.chunks)
      .filter((c) => c.cellId === 'c2')
      .map((c) => c.text)
      .join('');
    expect(seenRunning.split('\n').length).toBeGreaterThan(lines - 3);
    const last = answers.at(-1)!;
    expect(last.status).toBe('Completed');
  }, 90_000);

  it('carries displays, clears and display updates as the collector keeps them', async () => {
    const document = notebookOf([
      'from IPython.display import display, clear_output\nh = display("v1", display_id=True)\nprint("gone")\nclear_output()\nprint("kept")',
      'h.update("v2")',
      'raise ValueError("boom")',
    ]);
    const notebookId = await upload(api, document);
    const { executionId } = await execute(api, notebookId);
    const answers = await follow(api, notebookId, executionId, 2);
    const chunks = answers.flatMap((a) => a.chunks);
    expect(chunks.filter((c) => c.cellId === 'c1').map((c) => c.type)).toEqual([
      'update',
      'output',
      'stream',
      'clear',
      'stream',
    ]);
    expect(chunks.find((c) => c.cellId === 'c2')).toMatchObject({
      type: 'update',
      data: { 'text/plain': "'v2'" },
    });
    const error = chunks.find((c) => c.cellId === 'c3');
    expect(error).toMatchObject({ type: 'output', output: { output_type: 'error', ename: 'ValueError' } });
    expect(answers.at(-1)!.status).toBe('Error');
  }, 60_000);

  it('answers at once when waitSeconds is 0, waits for the first chunk when not, and ends an ended run', async () => {
    const notebookId = await upload(api, notebookOf(['import time\ntime.sleep(3)\nprint("late")']));
    const { executionId } = await execute(api, notebookId);
    const started = Date.now();
    const now = await api.get(`${outputsPath(notebookId, executionId)}?waitSeconds=0`);
    expect(now.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(now.body).toMatchObject({ executionId, chunks: [], more: false, ended: false });
    const waited = await api.get(`${outputsPath(notebookId, executionId)}?waitSeconds=15`);
    expect(waited.body.chunks.map((c: any) => c.text).join('')).toBe('late\n');
    await waitForRun(api, notebookId, executionId);
    const after = await api.get(
      `${outputsPath(notebookId, executionId)}?after=${waited.body.nextCursor}&waitSeconds=10`,
    );
    expect(after.body).toMatchObject({ status: 'Completed', chunks: [], ended: true });
    expect(after.body.nextCursor).toBe(waited.body.nextCursor);
  }, 60_000);

  it('refuses bad cursors and waits with 400, and other tenants’ runs with 404', async () => {
    const notebookId = await upload(api, notebookOf(['print(1)']));
    const { executionId } = await execute(api, notebookId);
    expect(executionId).toMatch(GUID);
    for (const query of [
      '?after=nope',
      '?after=1.2',
      '?waitSeconds=21',
      '?waitSeconds=-1',
      '?waitSeconds=1.5',
      '?waitSeconds=x',
    ]) {
      const res = await api.get(`${outputsPath(notebookId, executionId)}${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body).toMatchObject({ Error: expect.any(String), Message: expect.any(String) });
      expect(res.body.Details.map((d: { path: string }) => d.path)[0], query).toMatch(
        /^query\.(after|waitSeconds)$/,
      );
    }
    expect((await other.get(outputsPath(notebookId, executionId))).status).toBe(404);
    expect((await api.get(outputsPath(notebookId, '01234567-89ab-7def-8123-456789abcdef'))).status).toBe(404);
    expect((await api.get(outputsPath(notebookId, 'not-a-guid'))).status).toBe(400);
    const run = await waitForRun(api, notebookId, executionId);
    expect(run.status).toBe('Completed');
  }, 60_000);

  it('has nothing for a run that keeps no outputs', async () => {
    const notebookId = await upload(api, notebookOf(['print("secret-ish")']));
    const { executionId } = await execute(api, notebookId, { outputOptions: { captureOutputs: false } });
    await waitForRun(api, notebookId, executionId);
    const res = await api.get(outputsPath(notebookId, executionId));
    expect(res.body).toMatchObject({ chunks: [], ended: true, nextCursor: null });
  }, 60_000);
});
