import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { newId } from '../../functions/core/ids.ts';
import { LOCAL_STATE_MACHINE_ARN } from '../../local-stack/workflow-service.ts';
import {
  client,
  newTenant,
  setTenantRunLimits,
  stack,
  stackRunQueue,
  stackRunStore,
} from '../support/api.ts';
import { execute, notebookOf, upload, waitForRun, waitUntil } from '../support/runs.ts';

type Api = ReturnType<typeof client>;

/** A tenant whose runs are limited as given. */
async function limitedTenant(maxConcurrentRuns: number, queueAgingSeconds = 3600) {
  const tenant = await newTenant();
  await setTenantRunLimits(tenant.tenantId, { maxConcurrentRuns, queueAgingSeconds });
  return client(tenant);
}

const quick = notebookOf(['x = 1']);
const sleeper = (seconds: number) => notebookOf([`import time\ntime.sleep(${seconds})`]);

/** Starts a run that holds the tenant's only slot for `seconds`, once it is running. */
async function blocker(api: Api, seconds: number) {
  const notebookId = await upload(api, sleeper(seconds));
  const run = await execute(api, notebookId);
  expect(run.status).toBe('Running');
  return { notebookId, executionId: run.executionId as string };
}

/** The largest number of runs whose [startTime, endTime] overlap at one moment. */
function maxOverlap(runs: { startTime: string; endTime: string }[]): number {
  const events = runs.flatMap((r) => [
    { at: Date.parse(r.startTime), delta: 1 },
    { at: Date.parse(r.endTime), delta: -1 },
  ]);
  // At equal times an end comes before a start: the slot was given back first.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let max = 0;
  for (const e of events) {
    now += e.delta;
    max = Math.max(max, now);
  }
  return max;
}

/**
 * The history of a run's workflow execution (its record names the execution), through the
 * Step Functions API; rejects ExecutionDoesNotExist while no workflow was started.
 */
async function historyOf(tenantId: string, projectId: string, notebookId: string, executionId: string) {
  const run = await stackRunStore().get({ tenantId, projectId, notebookId, executionId });
  const sfn = new SFNClient({
    endpoint: stack().sfnEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const executionArn = `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${run!.workflowName}`;
  const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
  return out.events ?? [];
}

describe('run queue', () => {
  it('starts no workflow while a run waits: its history is as long as that of a run that never waited', async () => {
    const tenant = await newTenant();
    await setTenantRunLimits(tenant.tenantId, { maxConcurrentRuns: 1 });
    const api = client(tenant);
    const history = (notebookId: string, executionId: string) =>
      historyOf(tenant.tenantId, tenant.projectId, notebookId, executionId);
    const first = await blocker(api, 5);
    const notebookId = await upload(api, quick);
    const queued = await execute(api, notebookId);
    expect(queued.status).toBe('Queued');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Waiting costs nothing: no execution, no state entered, no Lambda invoked.
    await expect(history(notebookId, queued.executionId)).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
    await waitForRun(api, first.notebookId, first.executionId, 60_000);
    expect((await waitForRun(api, notebookId, queued.executionId)).status).toBe('Completed');
    const direct = await execute(api, notebookId);
    expect(direct.status).toBe('Running');
    expect((await waitForRun(api, notebookId, direct.executionId)).status).toBe('Completed');
    const waited = await history(notebookId, queued.executionId);
    expect(waited.length).toBeGreaterThan(4);
    expect(waited.map((e) => e.type)).toEqual(
      (await history(notebookId, direct.executionId)).map((e) => e.type),
    );
  }, 90_000);

  it('admits a run whose wake-up was lost (a raised limit wakes nobody) at the next sweep', async () => {
    const tenant = await newTenant();
    await setTenantRunLimits(tenant.tenantId, { maxConcurrentRuns: 1 });
    const api = client(tenant);
    const first = await blocker(api, 40);
    const notebookId = await upload(api, quick);
    const queued = await execute(api, notebookId);
    expect(queued.status).toBe('Queued');
    await setTenantRunLimits(tenant.tenantId, { maxConcurrentRuns: 2 });
    // The test stack sweeps every 5 s (CELLWISE_QUEUE_SWEEP_SECONDS); the blocker holds its slot for 40.
    const done = await waitForRun(api, notebookId, queued.executionId, 30_000);
    expect(done.status).toBe('Completed');
    const blocking = await api.get(`/notebook/${first.notebookId}/execution/${first.executionId}`);
    expect(blocking.body.status).toBe('Running');
    await api.post(`/notebook/${first.notebookId}/execution/${first.executionId}/cancel`);
    await waitForRun(api, first.notebookId, first.executionId, 60_000);
  }, 90_000);

  it("counts a kept kernel against the tenant's runs until a resume takes it over", async () => {
    const api = await limitedTenant(1);
    // Fails once: the resume, in the same kernel (and directory), goes past it.
    const failing = await upload(
      api,
      notebookOf([
        "import os\nif not os.path.exists('tried'):\n    open('tried', 'w').close()\n    raise ValueError('kept')",
        'x = 2',
      ]),
    );
    const failed = await execute(api, failing, { keepKernelSeconds: 300 });
    const ended = await waitForRun(api, failing, failed.executionId);
    expect(ended.error.errorType).toBe('CellError');
    // The kept kernel still holds memory on the kernel host: it keeps the only slot.
    const waiting = await upload(api, quick);
    const queued = await execute(api, waiting);
    expect(queued.status).toBe('Queued');
    // A resume continues in the kept kernel, on the slot the kernel held.
    const resumed = await api.post(`/notebook/${failing}/execution/${failed.executionId}/resume`);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(202);
    expect(resumed.body.status).toBe('Running');
    expect((await waitForRun(api, failing, resumed.body.executionId)).status).toBe('Completed');
    // Its end frees the slot for the run that waited.
    expect((await waitForRun(api, waiting, queued.executionId)).status).toBe('Completed');
  });
  it('admits High before Normal before Low, first come within a priority, when the limit is 1', async () => {
    const api = await limitedTenant(1);
    const first = await blocker(api, 3);
    const submitted: Record<string, { notebookId: string; executionId: string }> = {};
    for (const [name, priority] of [
      ['low', 'Low'],
      ['normal1', 'Normal'],
      ['high', 'High'],
      ['normal2', 'Normal'],
    ] as const) {
      const notebookId = await upload(api, quick);
      const run = await execute(api, notebookId, { priority });
      expect(run.status).toBe('Queued');
      expect(run.startTime).toBeNull();
      submitted[name] = { notebookId, executionId: run.executionId };
    }
    const positions: Record<string, number> = {};
    for (const [name, r] of Object.entries(submitted)) {
      positions[name] = (
        await api.get(`/notebook/${r.notebookId}/execution/${r.executionId}`)
      ).body.queuePosition;
    }
    expect(positions).toEqual({ high: 1, normal1: 2, normal2: 3, low: 4 });

    const ended = await Promise.all(
      [first, ...Object.values(submitted)].map((r) => waitForRun(api, r.notebookId, r.executionId, 90_000)),
    );
    expect(ended.map((r) => r.status)).toEqual(Array(5).fill('Completed'));
    const byStart = Object.entries(submitted)
      .map(([name], i) => ({ name, startTime: ended[i + 1].startTime as string }))
      .sort((a, b) => a.startTime.localeCompare(b.startTime))
      .map((r) => r.name);
    expect(byStart).toEqual(['high', 'normal1', 'normal2', 'low']);
    expect(maxOverlap(ended)).toBe(1);
    expect(ended.every((r) => r.queuePosition === null)).toBe(true);
  }, 120_000);

  it('never runs more than the limit when 50 runs are submitted at once', async () => {
    const api = await limitedTenant(2);
    const notebookIds = await Promise.all(
      Array.from({ length: 50 }, () => upload(api, notebookOf(['import time\ntime.sleep(0.2)']))),
    );
    const responses = await Promise.all(notebookIds.map((id) => api.post(`/notebook/${id}/execute`, {})));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(202));
    const admittedAtOnce = responses.filter((r) => r.body.status === 'Running').length;
    expect(admittedAtOnce).toBeLessThanOrEqual(2);
    const ended = await Promise.all(
      responses.map((r, i) => waitForRun(api, notebookIds[i]!, r.body.executionId, 240_000)),
    );
    expect(ended.map((r) => r.status)).toEqual(Array(50).fill('Completed'));
    expect(maxOverlap(ended)).toBe(2);
  }, 300_000);

  it('lets a Low run that waited long enough go before a newer High run (ageing)', async () => {
    // One priority level per 2 s of waiting: after 4 s a Low run ranks with a fresh High one,
    // and it came first.
    const api = await limitedTenant(1, 2);
    const first = await blocker(api, 7);
    const lowNotebook = await upload(api, quick);
    const low = await execute(api, lowNotebook, { priority: 'Low' });
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    const highNotebook = await upload(api, quick);
    const high = await execute(api, highNotebook, { priority: 'High' });
    expect(high.status).toBe('Queued');
    expect(high.queuePosition).toBe(2);
    const [, lowEnd, highEnd] = await Promise.all([
      waitForRun(api, first.notebookId, first.executionId, 60_000),
      waitForRun(api, lowNotebook, low.executionId, 60_000),
      waitForRun(api, highNotebook, high.executionId, 60_000),
    ]);
    expect(lowEnd.status).toBe('Completed');
    expect(Date.parse(lowEnd.startTime)).toBeLessThan(Date.parse(highEnd.startTime));
  }, 90_000);

  it('ends a queued run Cancelled without ever starting it', async () => {
    const api = await limitedTenant(1);
    const first = await blocker(api, 3);
    const notebookId = await upload(api, quick);
    const queued = await execute(api, notebookId);
    expect(queued.status).toBe('Queued');
    const cancel = await api.post(`/notebook/${notebookId}/execution/${queued.executionId}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe('Cancelled');
    await waitForRun(api, first.notebookId, first.executionId, 60_000);
    // The slot it never took is free: the next run is admitted at once.
    const next = await execute(api, notebookId);
    expect(next.status).toBe('Running');
    const final = await waitForRun(api, notebookId, queued.executionId);
    expect(final).toMatchObject({ status: 'Cancelled', startTime: null, queuePosition: null });
    expect(final.progress.completedCells).toBe(0);
    await waitForRun(api, notebookId, next.executionId);
  }, 90_000);

  it('shows a queued run as Queued with its position until it is admitted', async () => {
    const api = await limitedTenant(1);
    const first = await blocker(api, 2);
    const notebookId = await upload(api, quick);
    const queued = await execute(api, notebookId);
    expect(queued).toMatchObject({ status: 'Queued', queuePosition: 1, currentCell: null });
    const running = await waitUntil(
      api,
      notebookId,
      queued.executionId,
      (s) => s.status !== 'Queued',
      30_000,
    );
    expect(running.queuePosition).toBeNull();
    expect(running.startTime).not.toBeNull();
    await waitForRun(api, first.notebookId, first.executionId);
    await waitForRun(api, notebookId, queued.executionId);
  }, 60_000);

  it('reclaims a slot that a crashed submission left taken', async () => {
    const tenant = await newTenant();
    await setTenantRunLimits(tenant.tenantId, { maxConcurrentRuns: 1 });
    const api = client(tenant);
    // A slot taken ten minutes ago for a run that was never written (the process died).
    const tenMinutesAgo = (Date.now() - 600_000).toString(16).padStart(12, '0');
    const oldId = `${tenMinutesAgo.slice(0, 8)}-${tenMinutesAgo.slice(8)}${newId().slice(13)}`;
    const orphan = `${tenant.projectId}/${newId()}/${oldId}`;
    expect(await stackRunQueue().acquire(tenant.tenantId, orphan, 1)).toBe('acquired');
    const notebookId = await upload(api, quick);
    // The submission that finds every slot taken looks for leaked ones (at most every 30 s per
    // tenant): the orphan's slot is freed and this run admitted at once.
    const run = await execute(api, notebookId);
    expect(run.status).toBe('Running');
    const ended = await waitForRun(api, notebookId, run.executionId, 60_000);
    expect(ended.status).toBe('Completed');
    expect((await stackRunQueue().slots(tenant.tenantId)).holders).toEqual([]);
  }, 90_000);
});
