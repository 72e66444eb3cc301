import { Duration, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeDeadLetterQueue } from './nag-acknowledgments.ts';
import type { MakeFunction } from './tenant-function.ts';

/** The fire Lambda's handler module, relative to the repository root. */
export const FIRE_SCHEDULE_ENTRY = 'functions/schedules/fire-schedule.ts';

/** What the API functions that create, update or delete schedules may do in the group. */
export const SCHEDULE_MANAGEMENT_ACTIONS = [
  'scheduler:CreateSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
  'scheduler:GetSchedule',
] as const;

export interface NotebookSchedulesProps {
  tenantId: string;
  makeFunction: MakeFunction;
  /** Variables the fire function gets on top of the common ones (the run workflow's ARN). */
  environment: Record<string, string>;
  /** Grants the fire function what submitting a run needs (as the execute route). */
  grant: (fn: NodejsFunction) => void;
  /** The name of what `grant` gives. */
  permissions: string;
}

/**
 * Notebook schedules in AWS: an EventBridge Scheduler group holding one schedule per
 * notebook (the API functions create, update and delete them with the notebook, see
 * `allowManage`, each with a retry policy and `deadLetters` as its dead-letter queue), the
 * fire Lambda every schedule targets (its input: the notebook's ids and
 * `<aws.scheduler.scheduled-time>`), and the role the scheduler assumes to invoke it. A fire
 * that fails for good (the scheduler's retries, or the function's own async retries) lands
 * in `deadLetters`, which an alarm watches: no scheduled run is lost silently.
 */
export class NotebookSchedules extends Construct {
  readonly group: ScheduleGroup;
  readonly fireFunction: NodejsFunction;
  /** The role EventBridge Scheduler invokes the fire function with (and sends dead letters with). */
  readonly invokeRole: Role;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: NotebookSchedulesProps) {
    super(scope, id);
    this.group = new ScheduleGroup(this, 'Group', { scheduleGroupName: `cellwise-${props.tenantId}` });
    this.deadLetters = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acknowledgeDeadLetterQueue(
      this.deadLetters,
      'the notebook schedules (the scheduler and the fire function)',
    );
    this.fireFunction = props.makeFunction('FireSchedule', FIRE_SCHEDULE_ENTRY, {
      group: 'schedules',
      permissions: props.permissions,
      invokedBy: 'EventBridge Scheduler (asynchronously)',
      deadLetterQueue: this.deadLetters,
      memoryMb: 512,
      timeoutSeconds: 60,
      environment: props.environment,
    });
    props.grant(this.fireFunction);
    this.invokeRole = new Role(this, 'InvokeRole', {
      description: `Cellwise (tenant ${props.tenantId}): EventBridge Scheduler invokes the fire function`,
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    this.fireFunction.grantInvoke(this.invokeRole);
    this.deadLetters.grantSendMessages(this.invokeRole);
  }

  /**
   * Lets `fn` create, update, read and delete schedules in the group (nothing outside it) and
   * pass the invoke role to the scheduler; sets the variables that switch the mirror on.
   */
  allowManage(fn: NodejsFunction & IGrantable): void {
    const schedules = Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.group.scheduleGroupName}/*`,
    });
    fn.addToRolePolicy(
      new PolicyStatement({ actions: [...SCHEDULE_MANAGEMENT_ACTIONS], resources: [schedules] }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.invokeRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    fn.addEnvironment('CELLWISE_SCHEDULE_GROUP', this.group.scheduleGroupName);
    fn.addEnvironment('CELLWISE_SCHEDULER_TARGET_ARN', this.fireFunction.functionArn);
    fn.addEnvironment('CELLWISE_SCHEDULER_ROLE_ARN', this.invokeRole.roleArn);
    fn.addEnvironment('CELLWISE_SCHEDULER_DEAD_LETTER_ARN', this.deadLetters.queueArn);
  }
}
