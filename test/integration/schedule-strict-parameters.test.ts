import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../functions/core/ports.ts';
import { ScheduleLoop } from '../../local-stack/schedule-loop.ts';
import { type ApiResponse, client, newTenant, stackServices, type Tenant } from '../support/api.ts';
import { waitForRun } from '../support/runs.ts';

/*
 * strictParameters on schedules: `integration.scheduleStrictParameters` checks the schedule's
 * parameters against the parameters cell when written, and again at each fire. Loops run here
 * with injected clocks two years ahead (the test stack fires nothing on the wall clock).
 */

const YEAR = new Date().getUTCFullYear() + 2;
const at = (monthDayTime: string) => `${YEAR}-${monthDayTime}`;
const CELLS = [
  { cellType: 'code', content: 'n = 1  # rows', tags: ['parameters'] },
  { cellType: 'code', content: 'print(n)' },
];

let tenant: Tenant;
let api: ReturnType<typeof client>;
let services: Services;
const loops: ScheduleLoop[] = [];

beforeAll(async () => {
  tenant = await newTenant();
  api = client(tenant);
  services = stackServices();
});

afterAll(async () => {
  await Promise.all(loops.map((l) => l.stop()));
});

const create = (name: string, integration: Record<string, unknown>) =>
  api.post('/notebook', {
    notebookName: name,
    integration: { autoExecution: true, scheduleExecution: '0 9 * 6 *', ...integration },
    initialCells: CELLS,
  });

function expectPaths(res: ApiResponse, error: string, paths: string[]) {
  expect(res.status, res.text).toBe(400);
  expect(res.body.Error).toBe(error);
  expect(res.body.Details.map((d: { path: string }) => d.path)).toEqual(paths);
}

describe('strictParameters on schedules', () => {
  it('refuses a strict schedule whose parameters the parameters cell does not declare or type', async () => {
    expectPaths(
      await create('strict bad', { scheduleStrictParameters: true, scheduleParameters: { n: 'x', m: 1 } }),
      'ParameterMismatch',
      ['body.integration.scheduleParameters.n', 'body.integration.scheduleParameters.m'],
    );
    // Not strict: stored as before.
    const loose = await create('loose', { scheduleParameters: { m: 1 } });
    expect(loose.status, loose.text).toBe(201);
    expect(loose.body.integration.scheduleStrictParameters).toBeNull();
    // Switching strictness on later checks the stored parameters.
    expectPaths(
      await api.put(`/notebook/${loose.body.notebookId}`, {
        name: 'loose',
        integration: { scheduleStrictParameters: true },
      }),
      'ParameterMismatch',
      ['body.integration.scheduleParameters.m'],
    );
  });

  it('is a 400 naming the field when scheduleStrictParameters is not a boolean', async () => {
    const res = await create('not bool', { scheduleStrictParameters: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body.Details.map((d: { path: string }) => d.path)).toContain(
      'body.integration.scheduleStrictParameters',
    );
  });

  it('fires a strict schedule whose parameters fit, and starts no run once the cell no longer declares them', async () => {
    const nb = await create('strict good', { scheduleStrictParameters: true, scheduleParameters: { n: 5 } });
    expect(nb.status, nb.text).toBe(201);
    expect(nb.body.integration.scheduleStrictParameters).toBe(true);
    const id = nb.body.notebookId as string;
    const outcomes: string[] = [];
    const loopAt = (now: string) => {
      const loop = new ScheduleLoop(services, {
        now: () => new Date(now),
        scope: tenant,
        onFire: (schedule, _at, outcome) => {
          if (schedule.notebookId === id) outcomes.push(outcome); // the tenant's other schedules fire too
        },
      });
      loops.push(loop);
      return loop;
    };
    await loopAt(at('06-02T09:00:20Z')).tick();
    expect(outcomes).toEqual(['started']);
    const runs = (await api.get(`/notebook/${id}/executions`)).body.executions;
    expect(runs).toHaveLength(1);
    expect((await waitForRun(api, id, runs[0].executionId)).status).toBe('Completed');

    // The parameters cell renames n: the next fire is refused (recorded as failed), no run starts.
    const edited = await api.put(`/notebook/${id}`, {
      name: 'strict good',
      cells: [{ ...CELLS[0], content: 'rows = 1' }, CELLS[1]],
    });
    expect(edited.status, edited.text).toBe(200);
    await loopAt(at('06-03T09:00:20Z')).tick();
    expect(outcomes).toEqual(['started', 'failed']);
    expect((await api.get(`/notebook/${id}/executions`)).body.executions).toHaveLength(1);
  }, 120_000);
});
