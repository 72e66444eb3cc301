import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { Scope } from '../core/notebook.ts';
import { parseCron, toEventBridgeCron } from '../core/schedule/cron.ts';
import type { ScheduleRecord } from '../core/schedule/schedule.ts';
import type { ScheduleMirror } from './dynamo-schedule-registry.ts';

/** The deployment's scheduler: the group schedules go in, the fire Lambda and the role that invokes it. */
export interface SchedulerTarget {
  groupName: string;
  targetArn: string;
  roleArn: string;
  /** The SQS queue a fire that fails for good goes to (the role may send to it). */
  deadLetterArn?: string;
}

/**
 * How EventBridge Scheduler retries a fire the fire function did not take: a few times within
 * an hour (a fire later than that is no longer the one scheduled), then the dead-letter queue.
 */
export const FIRE_RETRY_POLICY = { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 } as const;

/** The schedule's name in its group: one per notebook (notebook ids are unique across tenants). */
export const scheduleName = (notebookId: string) => `nb-${notebookId}`;

/** The fire Lambda's input; EventBridge Scheduler fills in the fire time. */
export function fireInput(scope: Scope, notebookId: string): string {
  return JSON.stringify({
    tenantId: scope.tenantId,
    projectId: scope.projectId,
    notebookId,
    scheduledFor: '<aws.scheduler.scheduled-time>',
  });
}

const notFound = (error: unknown) =>
  error instanceof ResourceNotFoundException ||
  (error as { name?: string } | null)?.name === 'ResourceNotFoundException';

/**
 * Mirrors schedule records into EventBridge Scheduler: one schedule per notebook, its cron in
 * the notebook's time zone, targeting the fire Lambda with the notebook's ids and
 * `<aws.scheduler.scheduled-time>`, with a retry policy and (when configured) a dead-letter
 * queue, so no failed fire is lost silently. No flexible window, so fire times are the cron's.
 */
export class EventBridgeScheduleMirror implements ScheduleMirror {
  constructor(
    private readonly scheduler: SchedulerClient,
    private readonly target: SchedulerTarget,
  ) {}

  async put(schedule: ScheduleRecord): Promise<void> {
    const input: CreateScheduleCommandInput = {
      Name: scheduleName(schedule.notebookId),
      GroupName: this.target.groupName,
      ScheduleExpression: toEventBridgeCron(parseCron(schedule.cron)),
      ScheduleExpressionTimezone: schedule.timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Description: `Cellwise notebook ${schedule.tenantId}/${schedule.projectId}/${schedule.notebookId}`,
      Target: {
        Arn: this.target.targetArn,
        RoleArn: this.target.roleArn,
        Input: fireInput(schedule, schedule.notebookId),
        RetryPolicy: { ...FIRE_RETRY_POLICY },
        ...(this.target.deadLetterArn ? { DeadLetterConfig: { Arn: this.target.deadLetterArn } } : {}),
      },
    };
    try {
      await this.scheduler.send(new UpdateScheduleCommand(input));
    } catch (error) {
      if (!notFound(error)) throw error;
      await this.scheduler.send(new CreateScheduleCommand(input));
    }
  }

  async delete(_scope: Scope, notebookId: string): Promise<void> {
    try {
      await this.scheduler.send(
        new DeleteScheduleCommand({ Name: scheduleName(notebookId), GroupName: this.target.groupName }),
      );
    } catch (error) {
      if (!notFound(error)) throw error;
    }
  }
}
