import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/schedules/fire-schedule.ts';
import { lambdaContext } from '../../local-stack/api-gateway-event.ts';
import { call, client, newTenant, stackEnv, type Tenant } from '../support/api.ts';
import { resultsOf, streamText, waitForRun } from '../support/runs.ts';

/*
 * The fire Lambda (EventBridge Scheduler's target) as Lambda calls it: the event in, the
 * outcome out. Well-formed events go through the real use-case into the test stack (its
 * DynamoDB, S3 and run workflow; the handler builds its services from the environment, as
 * in Lambda). Nothing is mocked; the error log is only listened to.
 */

const context = () => lambdaContext('FireSchedule', 30, crypto.randomUUID());
const fire = (event: unknown) => handler(event, context());

/** A fire time two years ahead (a schedule takes effect when written). */
const YEAR = new Date().getUTCFullYear() + 2;

let tenant: Tenant;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  Object.assign(process.env, stackEnv(), {
    // The handler's info lines stay out of the test output; errors are still logged.
    CELLWISE_LOG_LEVEL: 'warn',
  });
  tenant = await newTenant();
  api = client(tenant);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The ids EventBridge's input carries (not the test's token). */
const scope = () => ({ tenantId: tenant.tenantId, projectId: tenant.projectId });

async function scheduledNotebook(integration: Record<string, unknown>) {
  const res = await call('POST', `${tenant.base}/notebook`, {
    token: tenant.token,
    json: {
      notebookName: `fire ${crypto.randomUUID()}`,
      integration,
      initialCells: [{ cellType: 'code', content: "print('n is', n)" }],
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.notebookId as string;
}

describe('unit', () => {
  describe('fire schedule Lambda handler', () => {
    it('answers a malformed event with an error naming the fields at fault, without throwing', async () => {
      // Powertools' logger writes error lines to stderr.
      const errors = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const ids = {
        tenantId: '01a24000-0000-7000-8000-000000000001',
        projectId: '01a24000-0000-7000-8000-000000000002',
        notebookId: '01a24000-0000-7000-8000-000000000003',
      };
      const cases: [unknown, RegExp][] = [
        // Middy hands an absent event on as {}.
        [undefined, /^malformed input: tenantId: /],
        [null, /event: /],
        ['fire', /event: /],
        [[ids], /event: /],
        [{}, /tenantId: .*projectId: .*notebookId: .*scheduledFor: /],
        // The placeholder EventBridge fills in, left unfilled (a schedule created by hand).
        [{ ...ids, scheduledFor: '<aws.scheduler.scheduled-time>' }, /^malformed input: scheduledFor: /],
        [{ ...ids, scheduledFor: `${YEAR}-01-05` }, /^malformed input: scheduledFor: /],
        [
          { ...ids, tenantId: 'tenant', scheduledFor: `${YEAR}-01-05T09:00:00Z` },
          /^malformed input: tenantId: /,
        ],
      ];
      for (const [event, error] of cases) {
        const result = await fire(event);
        expect(result, JSON.stringify(event)).toMatchObject({ outcome: 'ignored' });
        expect(result.error, JSON.stringify(event)).toMatch(error);
      }
      // Each is logged as an error with the same field-by-field issues.
      const logged = errors.mock.calls
        .flatMap((args) => String(args[0]).split('\n'))
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
        .filter((line) => line.message === 'fire schedule: malformed input');
      expect(logged).toHaveLength(cases.length);
      expect(logged.at(-1)).toMatchObject({
        level: 'ERROR',
        message: 'fire schedule: malformed input',
        service: 'cellwise',
        issues: [expect.stringMatching(/^tenantId: /)],
      });
    });

    it('starts the run of the notebook’s schedule for a well-formed event, once per fire time', async () => {
      const notebookId = await scheduledNotebook({
        autoExecution: true,
        scheduleExecution: '0 9 * 1 *',
        scheduleParameters: { n: 7 },
      });
      // EventBridge's time with an offset and seconds: the fire time is its minute, in UTC.
      const event = { ...scope(), notebookId, scheduledFor: `${YEAR}-01-05T10:00:07+01:00` };
      const started = await fire(event);
      expect(started).toEqual({ outcome: 'started' });
      const runs = (await api.get(`/notebook/${notebookId}/executions`)).body.executions;
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ trigger: 'schedule', scheduledFor: `${YEAR}-01-05T09:00:00.000Z` });
      const ended = await waitForRun(api, notebookId, runs[0].executionId);
      expect(ended).toMatchObject({ status: 'Completed', parameters: { n: 7 } });
      const { executed } = await resultsOf(api, notebookId, runs[0].executionId);
      expect(streamText(executed.cells.at(-1))).toBe('n is 7\n');

      // EventBridge delivers at least once: a repeated delivery of the fire time starts nothing.
      expect(await fire({ ...event, scheduledFor: `${YEAR}-01-05T09:00:30Z` })).toEqual({
        outcome: 'duplicate',
      });
      expect((await api.get(`/notebook/${notebookId}/executions`)).body.totalCount).toBe(1);
    });

    it('skips the fire time of a notebook whose schedule is off or that is gone', async () => {
      const off = await scheduledNotebook({ autoExecution: false, scheduleExecution: '0 9 * 1 *' });
      expect(await fire({ ...scope(), notebookId: off, scheduledFor: `${YEAR}-01-05T09:00:00Z` })).toEqual({
        outcome: 'skipped',
      });
      expect((await api.get(`/notebook/${off}/executions`)).body.totalCount).toBe(0);
      const gone = '01a24000-0000-7000-8000-0000000000ff';
      expect(await fire({ ...scope(), notebookId: gone, scheduledFor: `${YEAR}-01-05T09:00:00Z` })).toEqual({
        outcome: 'skipped',
      });
    });
  });
});
