import { afterAll, beforeAll } from 'vitest';
import type { Services } from '../../functions/core/ports.ts';
import { ScheduleLoop } from '../../local-stack/schedule-loop.ts';
import { type ApiResponse, client, newTenant, stackServices, type Tenant } from './api.ts';

/** What a schedule test works with: see `scheduleHarness`. */
export interface ScheduleHarness {
  /** The tenant's client (set before the file's tests run). */
  api: ReturnType<typeof client>;
  /** Creates a notebook of the harness's cells, auto-executed at 09:00 every day of June, `integration` on top. */
  create(name: string, integration: Record<string, unknown>): Promise<ApiResponse>;
  /**
   * A loop over the tenant's schedules whose clock reads `now`, recording in `outcomes` what
   * each fire of `notebookId` did (the tenant's other schedules fire too).
   */
  loopFor(notebookId: string, outcomes: string[], now: string): ScheduleLoop;
}

/**
 * A fresh tenant on the test stack for schedule tests, whose schedules fire only through loops
 * with injected clocks (the test stack fires nothing on the wall clock); the loops stop after
 * the file. Call at the top of a test file: it registers the file's hooks.
 */
export function scheduleHarness(cells: object[]): ScheduleHarness {
  const loops: ScheduleLoop[] = [];
  let tenant: Tenant;
  let services: Services;
  const harness: ScheduleHarness = {
    api: undefined as unknown as ReturnType<typeof client>,
    create: (name, integration) =>
      harness.api.post('/notebook', {
        notebookName: name,
        integration: { autoExecution: true, scheduleExecution: '0 9 * 6 *', ...integration },
        initialCells: cells,
      }),
    loopFor(notebookId, outcomes, now) {
      const loop = new ScheduleLoop(services, {
        now: () => new Date(now),
        scope: tenant,
        onFire: (schedule, _at, outcome) => {
          if (schedule.notebookId === notebookId) outcomes.push(outcome);
        },
      });
      loops.push(loop);
      return loop;
    },
  };
  beforeAll(async () => {
    tenant = await newTenant();
    harness.api = client(tenant);
    services = stackServices();
  });
  afterAll(async () => {
    await Promise.all(loops.map((l) => l.stop()));
  });
  return harness;
}
