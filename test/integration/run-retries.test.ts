import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';
import { execute, notebookOf, resultsOf, streamText, upload, waitForRun } from '../support/runs.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

/*
 * Retries against the real local stack (its queue sweep runs every 5 s): each kind of failure
 * a policy names starts a new attempt, linked to the one before; the run-end webhook is sent
 * once, for the last attempt.
 */

type Api = ReturnType<typeof client>;
let api: Api;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  api = client(await newTenant());
});

afterAll(async () => {
  await receiver?.close();
});

/** Follows a run's attempts to the last one; every attempt's final status, in order. */
async function attempts(notebookId: string, executionId: string) {
  const all: any[] = [];
  for (let id: string | null = executionId; id; ) {
    const status = await waitForRun(api, notebookId, id, 90_000);
    all.push(status);
    id = status.nextAttemptId;
    if (all.length > 6) throw new Error('too many attempts');
  }
  return all;
}

const run = async (cells: string[], body: object) => {
  const notebookId = await upload(api, notebookOf(cells));
  const started = await execute(api, notebookId, body);
  return { notebookId, executionId: started.executionId as string };
};

describe('run retries (execute body `retry`)', () => {
  it('starts a new attempt after a CellError it names, after the backoff, until one succeeds', async () => {
    const passAfter = Date.now() / 1000 + 8;
    const { notebookId, executionId } = await run(
      [`import time\nassert time.time() > ${passAfter}, "too early"\nprint("passed")`],
      { retry: { maxAttempts: 3, backoffSeconds: 10, on: ['CellError'] }, parameters: { n: 1 } },
    );
    const [first, second, ...rest] = await attempts(notebookId, executionId);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      status: 'Error',
      attempt: 1,
      previousAttemptId: null,
      error: { errorType: 'CellError' },
      retry: { maxAttempts: 3, backoffSeconds: 10, on: ['CellError'] },
    });
    expect(second).toMatchObject({
      status: 'Completed',
      attempt: 2,
      previousAttemptId: executionId,
      nextAttemptId: null,
      parameters: { n: 1 },
    });
    expect(first.nextAttemptId).toBe(second.executionId);
    // Not admitted before the backoff was over.
    expect(Date.parse(second.startTime) - Date.parse(first.endTime)).toBeGreaterThanOrEqual(10_000);
    const { executed } = await resultsOf(api, notebookId, second.executionId);
    expect(streamText(executed.cells[1])).toBe('passed\n');
  }, 120_000);

  it('tries a dying kernel maxAttempts times (KernelDied by default), reporting the end once, for the last', async () => {
    const notebookId = await upload(
      api,
      notebookOf(['import os, signal\nos.kill(os.getpid(), signal.SIGKILL)']),
    );
    const hook = await api.post('/webhooks', {
      url: receiver.url('/died'),
      events: ['execution.failed', 'execution.completed'],
      notebookId,
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const started = await execute(api, notebookId, { retry: { maxAttempts: 3, backoffSeconds: 0 } });
    const all = await attempts(notebookId, started.executionId);
    expect(all.map((a) => [a.attempt, a.status, a.error?.errorType])).toEqual([
      [1, 'Error', 'KernelDied'],
      [2, 'Error', 'KernelDied'],
      [3, 'Error', 'KernelDied'],
    ]);
    expect(all[1].previousAttemptId).toBe(all[0].executionId);
    expect(all[2].previousAttemptId).toBe(all[1].executionId);
    expect(all[2].nextAttemptId).toBeNull();
    // One delivery, for the last attempt (the others are given time to show up, if they would).
    const deadline = Date.now() + 15_000;
    const died = () => receiver.deliveries.filter((r) => r.path === '/died');
    while (Date.now() < deadline && died().length === 0) await sleep(250);
    await sleep(3_000);
    expect(died()).toHaveLength(1);
    expect(died()[0]!.body).toContain(all[2].executionId);
    expect(died()[0]!.body).not.toContain(`"executionId":"${all[0].executionId}"`);
  }, 150_000);

  it('does not retry a kind the policy leaves out (TimeoutError by default), and does when named', async () => {
    const cells = ['import time\ntime.sleep(5)'];
    const unnamed = await run(cells, { cellTimeout: 1, retry: { maxAttempts: 2, backoffSeconds: 0 } });
    const [only, ...none] = await attempts(unnamed.notebookId, unnamed.executionId);
    expect(none).toEqual([]);
    expect(only).toMatchObject({
      status: 'Error',
      error: { errorType: 'TimeoutError' },
      nextAttemptId: null,
    });
    const named = await run(cells, {
      cellTimeout: 1,
      retry: { maxAttempts: 2, backoffSeconds: 0, on: ['TimeoutError'] },
    });
    const both = await attempts(named.notebookId, named.executionId);
    expect(both.map((a) => [a.attempt, a.error?.errorType])).toEqual([
      [1, 'TimeoutError'],
      [2, 'TimeoutError'],
    ]);
  }, 120_000);

  it('never retries without a policy, nor a cancelled run', async () => {
    const plain = await run(['raise ValueError("x")'], {});
    const status = await waitForRun(api, plain.notebookId, plain.executionId);
    expect(status).toMatchObject({ status: 'Error', attempt: 1, retry: null, nextAttemptId: null });
    const cancelled = await run(['import time\ntime.sleep(30)'], {
      retry: { maxAttempts: 5, backoffSeconds: 0 },
    });
    await sleep(1_500);
    expect(
      (await api.post(`/notebook/${cancelled.notebookId}/execution/${cancelled.executionId}/cancel`)).status,
    ).toBe(202);
    const ended = await waitForRun(api, cancelled.notebookId, cancelled.executionId);
    expect(ended).toMatchObject({ status: 'Cancelled', nextAttemptId: null });
  }, 90_000);

  it('refuses a bad policy with 400 naming the field', async () => {
    const notebookId = await upload(api, notebookOf(['1']));
    const cases: [object, string][] = [
      [{ maxAttempts: 0 }, 'body.retry.maxAttempts'],
      [{ maxAttempts: 6 }, 'body.retry.maxAttempts'],
      [{ maxAttempts: 2.5 }, 'body.retry.maxAttempts'],
      [{ backoffSeconds: 5 }, 'body.retry.maxAttempts'],
      [{ maxAttempts: 2, backoffSeconds: -1 }, 'body.retry.backoffSeconds'],
      [{ maxAttempts: 2, on: [] }, 'body.retry.on'],
      [{ maxAttempts: 2, on: ['MemoryLimitExceeded'] }, 'body.retry.on.0'],
      [{ maxAttempts: 2, every: 3 }, 'body.retry'],
    ];
    for (const [retry, path] of cases) {
      const res = await api.post(`/notebook/${notebookId}/execute`, { retry });
      expect(res.status, JSON.stringify(retry)).toBe(400);
      expect(
        res.body.Details.map((d: { path: string }) => d.path),
        JSON.stringify(retry),
      ).toContain(path);
    }
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
