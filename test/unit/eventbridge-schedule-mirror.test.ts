import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import {
  EventBridgeScheduleMirror,
  FIRE_RETRY_POLICY,
} from '../../functions/adapters/eventbridge-schedule-mirror.ts';

/** A scheduler that answers each command by its name (error translation only; no behaviour faked). */
function scheduler(answers: Record<string, () => unknown>) {
  const sent: { name: string; input: any }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      const name = command.constructor.name;
      sent.push({ name, input: command.input });
      return answers[name]?.() ?? {};
    },
  } as unknown as SchedulerClient;
  return { client, sent };
}

const notFound = () => {
  throw new ResourceNotFoundException({
    message: 'no such schedule',
    Message: 'no such schedule',
    $metadata: {},
  });
};
const target = { groupName: 'cellwise-t', targetArn: 'arn:fire', roleArn: 'arn:role' };
const schedule = {
  tenantId: 't',
  projectId: 'p',
  notebookId: 'n',
  cron: '0 9 * * 1-5',
  timezone: 'Europe/Berlin',
  effectiveFrom: '2027-01-01T00:00:00.000Z',
};

describe('unit', () => {
  describe('EventBridgeScheduleMirror', () => {
    it('updates the notebook schedule, creating it when EventBridge has none', async () => {
      const { client, sent } = scheduler({ [UpdateScheduleCommand.name]: notFound });
      await new EventBridgeScheduleMirror(client, target).put(schedule);
      expect(sent.map((s) => s.name)).toEqual([UpdateScheduleCommand.name, CreateScheduleCommand.name]);
      expect(sent[1]!.input).toMatchObject({
        Name: 'nb-n',
        GroupName: 'cellwise-t',
        ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: 'arn:fire', RoleArn: 'arn:role' },
      });
      expect(JSON.parse(sent[1]!.input.Target.Input)).toEqual({
        tenantId: 't',
        projectId: 'p',
        notebookId: 'n',
        scheduledFor: '<aws.scheduler.scheduled-time>',
      });
    });

    it('gives every schedule a retry policy and, when configured, the dead-letter queue a failed fire goes to', async () => {
      const { client, sent } = scheduler({});
      await new EventBridgeScheduleMirror(client, { ...target, deadLetterArn: 'arn:dlq' }).put(schedule);
      expect(sent[0]!.input.Target).toMatchObject({
        RetryPolicy: FIRE_RETRY_POLICY,
        DeadLetterConfig: { Arn: 'arn:dlq' },
      });
      expect(FIRE_RETRY_POLICY.MaximumRetryAttempts).toBeGreaterThan(0);
      const plain = scheduler({});
      await new EventBridgeScheduleMirror(plain.client, target).put(schedule);
      expect(plain.sent[0]!.input.Target.DeadLetterConfig).toBeUndefined();
      expect(plain.sent[0]!.input.Target.RetryPolicy).toEqual(FIRE_RETRY_POLICY);
    });

    it('treats deleting a schedule EventBridge does not have as done, and passes other errors on', async () => {
      const gone = scheduler({ [DeleteScheduleCommand.name]: notFound });
      await expect(
        new EventBridgeScheduleMirror(gone.client, target).delete(schedule, 'n'),
      ).resolves.toBeUndefined();
      const denied = scheduler({
        [DeleteScheduleCommand.name]: () => {
          throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
        },
      });
      await expect(
        new EventBridgeScheduleMirror(denied.client, target).delete(schedule, 'n'),
      ).rejects.toThrow('denied');
    });
  });
});
