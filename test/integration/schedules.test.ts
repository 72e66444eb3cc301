import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../functions/core/ports.ts';
import { ScheduleLoop } from '../../local-stack/schedule-loop.ts';
import { type ApiResponse, call, client, newTenant, stackServices, type Tenant } from '../support/api.ts';
import { streamText, waitForRun } from '../support/runs.ts';

/*
 * Schedules against the real local stack. Loops are built here, in the test process, with
 * injected clocks two years ahead (the test stack runs with CELLWISE_LOCAL_SCHEDULER=off, so
 * the wall clock fires nothing; a schedule takes effect when it is written, so fire times
 * must lie after the real now).
 */

/** Fire times two years ahead of the real clock: `at('01-05T09:00:20Z')`. */
const YEAR = new Date().getUTCFullYear() + 2;
const at = (monthDayTime: string) => `${YEAR}-${monthDayTime}`;
/** The day of the last Sunday of a month in YEAR (Europe/Berlin's DST changes). */
function lastSunday(month: number): number {
  const last = new Date(Date.UTC(YEAR, month, 0));
  return last.getUTCDate() - last.getUTCDay();
}
const day = (n: number) => String(n).padStart(2, '0');
const MARCH = lastSunday(3);
const OCTOBER = lastSunday(10);

let tenant: Tenant;
let api: ReturnType<typeof client>;
let services: Services;
const loops: ScheduleLoop[] = [];

/** A loop over the current tenant's schedules whose clock reads `at`. */
function loopAt(at: string): ScheduleLoop {
  const loop = new ScheduleLoop(services, { now: () => new Date(at), scope: tenant });
  loops.push(loop);
  return loop;
}

const runsOf = async (notebookId: string) => {
  const res = await api.get(`/notebook/${notebookId}/executions?pageSize=100`);
  expect(res.status, res.text).toBe(200);
  return res.body.executions as { executionId: string; trigger: string; scheduledFor: string | null }[];
};

async function scheduled(name: string, integration: Record<string, unknown>, source = 'print("ok")') {
  const res = await api.post('/notebook', {
    notebookName: name,
    integration: { autoExecution: true, ...integration },
    initialCells: [{ cellType: 'code', content: source }],
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

function expectField(res: ApiResponse, path: string, message?: RegExp) {
  expect(res.status, res.text).toBe(400);
  const detail = (res.body.Details as { path: string; message: string }[]).find((d) => d.path === path);
  expect(detail, res.text).toBeDefined();
  if (message) expect(detail!.message).toMatch(message);
}

const berlinWallClock = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );

beforeAll(async () => {
  tenant = await newTenant();
  api = client(tenant);
  services = stackServices();
});

afterAll(async () => {
  await Promise.all(loops.map((l) => l.stop()));
});

describe('schedule settings', () => {
  it('rejects a bad cron, both day fields and an unknown time zone with 400 naming the field', async () => {
    expectField(
      await api.post('/notebook', {
        notebookName: 'bad cron',
        integration: { scheduleExecution: '61 * * * *' },
      }),
      'body.integration.scheduleExecution',
      /minute: 61/,
    );
    expectField(
      await api.post('/notebook', {
        notebookName: 'both',
        integration: { scheduleExecution: '0 2 1 * MON' },
      }),
      'body.integration.scheduleExecution',
      /EventBridge Scheduler/,
    );
    expectField(
      await api.post('/notebook', {
        notebookName: 'tz',
        integration: { scheduleTimezone: 'Europe/Nowhere' },
      }),
      'body.integration.scheduleTimezone',
    );
    // Template creation takes the same body.
    expectField(
      await api.post('/notebook', {
        notebookName: 'from template',
        template: 'process_mining_starter',
        integration: { scheduleExecution: '0 2 * *' },
      }),
      'body.integration.scheduleExecution',
    );
    expectField(
      await api.post('/notebook', {
        notebookName: 'param',
        integration: { scheduleExecution: '0 2 * 1 *', scheduleParameters: { 'not valid': 1 } },
      }),
      'body.integration.scheduleParameters.not valid',
    );
    const nb = await scheduled('update target', { scheduleExecution: '0 2 * 1 *' });
    expectField(
      await api.put(`/notebook/${nb.notebookId}`, {
        name: 'update target',
        integration: { scheduleExecution: 'x' },
      }),
      'body.integration.scheduleExecution',
    );
    expectField(
      await api.put(`/notebook/${nb.notebookId}`, {
        name: 'update target',
        integration: { scheduleTimezone: 'CEST' },
      }),
      'body.integration.scheduleTimezone',
    );
  });

  it('rejects scheduleParameters that are not an object or larger than 64 KiB with 400 naming the field', async () => {
    const integration = { autoExecution: true, scheduleExecution: '0 2 * 1 *' };
    const before = (await api.get('/notebooks?pageSize=100')).body.totalCount;
    for (const scheduleParameters of [[1, 2], 'n=1', 42, true, null]) {
      expectField(
        await api.post('/notebook', {
          notebookName: 'bad parameters',
          integration: { ...integration, scheduleParameters },
        }),
        'body.integration.scheduleParameters',
      );
    }
    // 64 KiB as JSON is the limit, as for route 12's parameters: {"v":"…"} is 8 characters more.
    const atLimit = { v: 'x'.repeat(64 * 1024 - 8) };
    expect(JSON.stringify(atLimit).length).toBe(64 * 1024);
    const over = { v: `${atLimit.v}x` };
    expectField(
      await api.post('/notebook', {
        notebookName: 'too big',
        integration: { ...integration, scheduleParameters: over },
      }),
      'body.integration.scheduleParameters',
      /64 KiB/,
    );
    expect((await api.get('/notebooks?pageSize=100')).body.totalCount).toBe(before);
    const nb = await scheduled('at the limit', { ...integration, scheduleParameters: atLimit });
    expect(nb.integration.scheduleParameters.v).toHaveLength(64 * 1024 - 8);
    // The same rules on update; a refused update leaves the stored parameters as they were.
    for (const scheduleParameters of [['v'], over]) {
      expectField(
        await api.put(`/notebook/${nb.notebookId}`, {
          name: 'at the limit',
          integration: { scheduleParameters },
        }),
        'body.integration.scheduleParameters',
      );
    }
    const stored = await api.get(`/notebook/${nb.notebookId}`);
    expect(stored.body.integration.scheduleParameters).toEqual(atLimit);
  });

  it('stores a time zone in its canonical IANA spelling', async () => {
    const nb = await scheduled('lower case zone', {
      scheduleExecution: '0 2 * * *',
      scheduleTimezone: 'europe/berlin',
    });
    expect(nb.integration.scheduleTimezone).toBe('Europe/Berlin');
    const record = (await services.schedules.list()).find((s) => s.notebookId === nb.notebookId);
    expect(record?.timezone).toBe('Europe/Berlin');
    const linked = await api.put(`/notebook/${nb.notebookId}`, {
      name: 'lower case zone',
      integration: { scheduleTimezone: 'US/Pacific' },
    });
    expect(linked.status, linked.text).toBe(200);
    expect(linked.body.integration.scheduleTimezone).toBe('America/Los_Angeles');
  });

  it('returns the next three fire times, stores parameters losslessly, and keeps the schedule record in step', async () => {
    const nb = await call('POST', `${tenant.base}/notebook`, {
      token: tenant.token,
      raw: `{"notebookName":"nightly","integration":{"autoExecution":true,"scheduleExecution":"0 2 * * *","scheduleTimezone":"Europe/Berlin","scheduleParameters":{"big":123456789012345678901234567890,"f":1.0}}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(nb.status, nb.text).toBe(201);
    expect(nb.text).toContain('"scheduleParameters":{"big":123456789012345678901234567890,"f":1.0}');
    const runs: string[] = nb.body.integration.nextScheduledRuns;
    expect(runs).toHaveLength(3);
    expect(runs.map(berlinWallClock)).toEqual(['02:00', '02:00', '02:00']);
    expect(Date.parse(runs[0]!)).toBeGreaterThan(Date.now() - 1000);
    expect([...runs].sort()).toEqual(runs);
    expect(nb.body.integration.scheduleTimezone).toBe('Europe/Berlin');

    const id = nb.body.notebookId as string;
    const got = await api.get(`/notebook/${id}`);
    expect(got.text).toContain('"scheduleParameters":{"big":123456789012345678901234567890,"f":1.0}');
    expect(got.body.integration.nextScheduledRuns).toEqual(runs);
    const mine = async () => (await services.schedules.list()).filter((s) => s.tenantId === tenant.tenantId);
    expect((await mine()).find((s) => s.notebookId === id)).toMatchObject({
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
    });

    const copy = await api.post(`/notebook/${id}/copy`, {});
    expect(copy.status, copy.text).toBe(201);
    expect(copy.body.integration.nextScheduledRuns).toEqual(runs);
    expect((await mine()).some((s) => s.notebookId === copy.body.notebookId)).toBe(true);

    const off = await api.put(`/notebook/${id}`, { name: 'nightly', integration: { autoExecution: false } });
    expect(off.status, off.text).toBe(200);
    expect(off.body.integration.nextScheduledRuns).toEqual([]);
    expect((await mine()).some((s) => s.notebookId === id)).toBe(false);

    expect((await api.del(`/notebook/${copy.body.notebookId}`)).status).toBe(200);
    expect((await mine()).some((s) => s.notebookId === copy.body.notebookId)).toBe(false);

    const plain = await api.post('/notebook', { notebookName: 'no schedule' });
    expect(plain.body.integration).toMatchObject({
      scheduleTimezone: 'UTC',
      scheduleParameters: {},
      nextScheduledRuns: [],
    });
  });
});

describe('firing', () => {
  // Each test on a fresh tenant: a loop only sees the schedules of the test it belongs to.
  beforeEach(async () => {
    tenant = await newTenant();
    api = client(tenant);
  });

  it('runs a due schedule once with trigger "schedule", its fire time and its parameters', async () => {
    const nb = await call('POST', `${tenant.base}/notebook`, {
      token: tenant.token,
      raw: JSON.stringify({
        notebookName: 'january',
        integration: { autoExecution: true, scheduleExecution: '0 9 * 1 *' },
        initialCells: [{ cellType: 'code', content: 'print(repr(big), repr(f))' }],
      }).replace(
        '"autoExecution":true',
        '"autoExecution":true,"scheduleParameters":{"big":98765432109876543210,"f":1.0}',
      ),
      headers: { 'content-type': 'application/json' },
    });
    expect(nb.status, nb.text).toBe(201);
    const id = nb.body.notebookId as string;

    await loopAt(at('01-05T09:00:20Z')).tick();
    const [run, ...more] = await runsOf(id);
    expect(more).toEqual([]);
    expect(run).toMatchObject({ trigger: 'schedule', scheduledFor: at('01-05T09:00:00.000Z') });
    const status = await waitForRun(api, id, run!.executionId);
    expect(status).toMatchObject({
      status: 'Completed',
      trigger: 'schedule',
      scheduledFor: at('01-05T09:00:00.000Z'),
    });
    const results = await api.get(`/notebook/${id}/execution/${run!.executionId}/results?format=detailed`);
    const executed: any = await fetch(results.body.executedNotebook.downloadUrl).then((r) => r.json());
    expect(streamText(executed.cells.at(-1))).toBe('98765432109876543210 1.0\n');

    // Two loops racing over the same fire time (and a second tick): still one run.
    await Promise.all([loopAt(at('01-05T09:00:40Z')).tick(), loopAt(at('01-05T09:00:40Z')).tick()]);
    expect(await runsOf(id)).toHaveLength(1);

    // A restart days later: the latest missed fire time runs, once; the ones before it do not.
    const restarted = loopAt(at('01-09T10:00:00Z'));
    await Promise.all([restarted.tick(), loopAt(at('01-09T10:00:00Z')).tick()]);
    const after = await runsOf(id);
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({ trigger: 'schedule', scheduledFor: at('01-09T09:00:00.000Z') });
    await waitForRun(api, id, after[0]!.executionId);
    await restarted.tick();
    expect(await runsOf(id)).toHaveLength(2);
  }, 120_000);

  it('retries a scheduled run by its scheduleRetry, each attempt a schedule run of the same fire time', async () => {
    const nb = await scheduled(
      'retried',
      {
        scheduleExecution: '0 9 * 2 *',
        scheduleRetry: { maxAttempts: 2, backoffSeconds: 0, on: ['CellError'] },
      },
      'raise ValueError("always")',
    );
    expect(nb.integration.scheduleRetry).toEqual({ maxAttempts: 2, backoffSeconds: 0, on: ['CellError'] });
    await loopAt(at('02-03T09:00:10Z')).tick();
    const [first] = await runsOf(nb.notebookId);
    const one = await waitForRun(api, nb.notebookId, first!.executionId);
    expect(one).toMatchObject({ status: 'Error', trigger: 'schedule', attempt: 1 });
    const two = await waitForRun(api, nb.notebookId, one.nextAttemptId);
    expect(two).toMatchObject({
      status: 'Error',
      trigger: 'schedule',
      scheduledFor: at('02-03T09:00:00.000Z'),
      attempt: 2,
      previousAttemptId: one.executionId,
      nextAttemptId: null,
    });
    expectField(
      await api.put(`/notebook/${nb.notebookId}`, {
        name: 'retried',
        integration: { scheduleRetry: { maxAttempts: 9 } },
      }),
      'body.integration.scheduleRetry.maxAttempts',
    );
  }, 120_000);

  it('skips the fire time that does not exist at the March change in Europe/Berlin', async () => {
    const nb = await scheduled('march', {
      scheduleExecution: '30 2 * 3 *',
      scheduleTimezone: 'Europe/Berlin',
    });
    // 03:45 CEST on the last Sunday of March: 02:30 did not happen that day; the latest fire is the day before.
    await loopAt(at(`03-${day(MARCH)}T01:45:00Z`)).tick();
    const runs = await runsOf(nb.notebookId);
    expect(runs.map((r) => [r.trigger, r.scheduledFor])).toEqual([
      ['schedule', at(`03-${day(MARCH - 1)}T01:30:00.000Z`)],
    ]);
    await waitForRun(api, nb.notebookId, runs[0]!.executionId);
    // The next fire is the Monday, 02:30 CEST.
    await loopAt(at(`03-${day(MARCH + 1)}T00:29:00Z`)).tick();
    expect(await runsOf(nb.notebookId)).toHaveLength(1);
    await loopAt(at(`03-${day(MARCH + 1)}T00:30:05Z`)).tick();
    const next = await runsOf(nb.notebookId);
    expect(next[0]!.scheduledFor).toBe(at(`03-${day(MARCH + 1)}T00:30:00.000Z`));
    await waitForRun(api, nb.notebookId, next[0]!.executionId);
  }, 120_000);

  it('fires the repeated 02:30 of the October change in Europe/Berlin once', async () => {
    const nb = await scheduled('october', {
      scheduleExecution: '30 2 * 10 *',
      scheduleTimezone: 'Europe/Berlin',
    });
    await loopAt(at(`10-${day(OCTOBER)}T00:31:00Z`)).tick(); // 02:31 CEST, first pass
    const runs = await runsOf(nb.notebookId);
    expect(runs.map((r) => r.scheduledFor)).toEqual([at(`10-${day(OCTOBER)}T00:30:00.000Z`)]);
    await waitForRun(api, nb.notebookId, runs[0]!.executionId);
    // 02:31 CET, the second pass through 02:30: nothing new.
    await loopAt(at(`10-${day(OCTOBER)}T01:31:00Z`)).tick();
    expect(await runsOf(nb.notebookId)).toHaveLength(1);
  }, 120_000);

  it('records a fire as skipped while the notebook is busy, and fires nothing once the schedule is off', async () => {
    const nb = await scheduled('busy', { scheduleExecution: '*/5 * * 2 *' }, 'import time; time.sleep(3)');
    const manual = await api.post(`/notebook/${nb.notebookId}/execute`, {});
    expect(manual.status, manual.text).toBe(202);
    await loopAt(at('02-01T00:05:00Z')).tick();
    let runs = await runsOf(nb.notebookId);
    expect(runs.map((r) => r.trigger)).toEqual(['api']);
    await waitForRun(api, nb.notebookId, manual.body.executionId);
    // Skipped is final: the same fire time does not run later, when the notebook is free.
    await loopAt(at('02-01T00:05:30Z')).tick();
    expect((await runsOf(nb.notebookId)).map((r) => r.trigger)).toEqual(['api']);

    await api.put(`/notebook/${nb.notebookId}`, { name: 'busy', integration: { autoExecution: false } });
    await loopAt(at('02-01T00:10:00Z')).tick();
    runs = await runsOf(nb.notebookId);
    expect(runs).toHaveLength(1);
  }, 120_000);

  it('keeps schedules to their tenant: another tenant cannot read or change the notebook', async () => {
    const nb = await scheduled('private', { scheduleExecution: '0 3 * 4 *' });
    const other = await newTenant();
    const path = `${tenant.base}/notebook/${nb.notebookId}`;
    expect((await call('GET', path, { token: other.token })).status).toBe(404);
    const put = await call('PUT', path, {
      token: other.token,
      json: { name: 'x', integration: { autoExecution: false } },
    });
    expect(put.status).toBe(404);
    expect((await services.schedules.list()).some((s) => s.notebookId === nb.notebookId)).toBe(true);
  });
});
