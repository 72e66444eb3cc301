import { describe, expect, it } from 'vitest';
import type { ApiResponse } from '../support/api.ts';
import { waitForRun } from '../support/runs.ts';
import { scheduleHarness } from '../support/schedule-harness.ts';

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

const harness = scheduleHarness(CELLS);
const { create } = harness;

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
      await harness.api.put(`/notebook/${loose.body.notebookId}`, {
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
    const loopAt = (now: string) => harness.loopFor(id, outcomes, now);
    await loopAt(at('06-02T09:00:20Z')).tick();
    expect(outcomes).toEqual(['started']);
    const runs = (await harness.api.get(`/notebook/${id}/executions`)).body.executions;
    expect(runs).toHaveLength(1);
    expect((await waitForRun(harness.api, id, runs[0].executionId)).status).toBe('Completed');

    // The parameters cell renames n: the next fire is refused (recorded as failed), no run starts.
    const edited = await harness.api.put(`/notebook/${id}`, {
      name: 'strict good',
      cells: [{ ...CELLS[0], content: 'rows = 1' }, CELLS[1]],
    });
    expect(edited.status, edited.text).toBe(200);
    await loopAt(at('06-03T09:00:20Z')).tick();
    expect(outcomes).toEqual(['started', 'failed']);
    expect((await harness.api.get(`/notebook/${id}/executions`)).body.executions).toHaveLength(1);
  }, 120_000);
});
