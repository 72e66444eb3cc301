import { describe, expect, it } from 'vitest';
import {
  DynamoScheduleRegistry,
  type ScheduleMirror,
} from '../../functions/adapters/dynamo-schedule-registry.ts';
import type { Scope } from '../../functions/core/notebook.ts';
import type { ScheduleRecord } from '../../functions/core/schedule/schedule.ts';
import { stackTable } from '../support/api.ts';

/*
 * The schedule adapter on the test stack's real DynamoDB (dynalite), with a mirror standing
 * in for EventBridge Scheduler (EventBridgeScheduleMirror's own test covers the SDK calls).
 * The fake records each call and what the table held at that moment.
 */

type Call =
  | { op: 'put'; schedule: ScheduleRecord; rowThen: ScheduleRecord | undefined }
  | { op: 'delete'; scope: Scope; notebookId: string; rowThen: ScheduleRecord | undefined };

function recordingMirror(registry: () => DynamoScheduleRegistry, failWith?: Error) {
  const calls: Call[] = [];
  const rowOf = async (notebookId: string) =>
    (await registry().list()).find((s) => s.notebookId === notebookId);
  const mirror: ScheduleMirror = {
    async put(schedule) {
      calls.push({ op: 'put', schedule, rowThen: await rowOf(schedule.notebookId) });
      if (failWith) throw failWith;
    },
    async delete(scope, notebookId) {
      calls.push({ op: 'delete', scope, notebookId, rowThen: await rowOf(notebookId) });
      if (failWith) throw failWith;
    },
  };
  return { mirror, calls };
}

function registryWith(failWith?: Error) {
  const { dynamodb, tableName } = stackTable();
  let registry: DynamoScheduleRegistry;
  const { mirror, calls } = recordingMirror(() => registry, failWith);
  registry = new DynamoScheduleRegistry(dynamodb, tableName, mirror);
  return { registry, calls };
}

const scheduleOf = (cron = '0 9 * * 1-5'): ScheduleRecord => ({
  tenantId: crypto.randomUUID(),
  projectId: crypto.randomUUID(),
  notebookId: crypto.randomUUID(),
  cron,
  timezone: 'Europe/Berlin',
  effectiveFrom: '2027-01-01T00:00:00.000Z',
});

describe('unit', () => {
  describe('DynamoScheduleRegistry', () => {
    it('mirrors a put after the schedule row is written, and a delete after the row is gone', async () => {
      const { registry, calls } = registryWith();
      const schedule = scheduleOf();
      await registry.put(schedule);
      const changed = { ...schedule, cron: '30 2 * * *', effectiveFrom: '2027-02-01T00:00:00.000Z' };
      await registry.put(changed);
      const scope = { tenantId: schedule.tenantId, projectId: schedule.projectId };
      await registry.delete(scope, schedule.notebookId);
      expect(calls).toEqual([
        { op: 'put', schedule, rowThen: schedule },
        { op: 'put', schedule: changed, rowThen: changed },
        { op: 'delete', scope, notebookId: schedule.notebookId, rowThen: undefined },
      ]);
      expect((await registry.list()).some((s) => s.notebookId === schedule.notebookId)).toBe(false);
    });

    it('passes a mirror failure on to the caller, with the row already written', async () => {
      const { registry, calls } = registryWith(new Error('scheduler unavailable'));
      const schedule = scheduleOf();
      await expect(registry.put(schedule)).rejects.toThrow('scheduler unavailable');
      expect(calls).toHaveLength(1);
      // The row is what the fire path reads; a retried put rewrites both.
      expect((await registry.list()).find((s) => s.notebookId === schedule.notebookId)).toEqual(schedule);
      await expect(registry.delete(schedule, schedule.notebookId)).rejects.toThrow('scheduler unavailable');
      expect(calls.map((c) => c.op)).toEqual(['put', 'delete']);
    });

    it('writes and deletes the rows alone when the deployment has no scheduler', async () => {
      const { dynamodb, tableName } = stackTable();
      const registry = new DynamoScheduleRegistry(dynamodb, tableName);
      const schedule = scheduleOf('0 2 * * *');
      await registry.put(schedule);
      expect((await registry.list()).find((s) => s.notebookId === schedule.notebookId)).toEqual(schedule);
      await registry.delete(schedule, schedule.notebookId);
      expect((await registry.list()).some((s) => s.notebookId === schedule.notebookId)).toBe(false);
    });
  });
});
