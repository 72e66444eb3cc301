import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ICluster } from 'aws-cdk-lib/aws-ecs';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { LogLevel } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeDeadLetterQueue } from './nag-acknowledgments.ts';
import type { TenantNetwork } from './network.ts';
import { RunWorkflow } from './run-workflow.ts';
import type { MakeFunction } from './tenant-function.ts';
import {
  AWS_RUN_SLICE_SECONDS,
  RECONCILER_ENTRY,
  SWEEPER_ENTRY,
  WORKFLOW_TASKS,
  type WorkflowTask,
} from './workflow-tasks.ts';

/** The workflow statuses that leave a run behind: the reconciler ends it. */
export const RECONCILED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** The stack's function factory, network and grants the workflow functions are made with. */
export interface WorkflowFunctionsProps {
  tenantId: string;
  makeFunction: MakeFunction;
  network: TenantNetwork;
  /** Variables the task functions and the reconciler get (kernel host URL and token secret). */
  environment: Record<string, string>;
  /** The fleet's size, for the sweep's `KernelHostsWanted` (see `kernelFleetEnvironment`). */
  fleetEnvironment: Record<string, string>;
  /** The kernel hosts' cluster: a task that starts or stops there wakes the sweep. */
  kernelHostCluster: ICluster;
  /** Grants one task function or the reconciler what it needs (table, bucket, token secret). */
  grant: (fn: NodejsFunction) => void;
  /** The name of what `grant` gives (functions with the same permissions share a role). */
  permissions: string;
  /**
   * The RunCells task alone (a role of its own) may read the secrets master key: it sets a
   * run's secrets in the kernel and redacts them from what it collects.
   */
  secretsKey?: { environment: Record<string, string>; grant: (fn: NodejsFunction) => void };
}

/** The run workflow's state machine name: fixed, so its ARN is known to the functions that start it. */
export const runWorkflowName = (tenantId: string) => `cellwise-${tenantId}-runs`;

/**
 * The run workflow in AWS: one Lambda per `WORKFLOW_TASKS` entry, the `RunWorkflow` state
 * machine over them (Standard, every event logged, X-Ray traced), and the reconciler, which
 * EventBridge feeds the workflow's FAILED / TIMED_OUT / ABORTED status changes; events it
 * cannot take (EventBridge's delivery, or the reconciler's own retries) end in
 * `deadLetters`, which an alarm watches. The queue sweep admits what a lost wake-up left
 * waiting and publishes the fleet's demand: every minute, and when a kernel host task starts
 * or stops. Every function here runs in the VPC, beside the kernel hosts. The tasks, the
 * reconciler and the sweep start workflows too (a run that ends admits the next), by the
 * state machine's ARN made from its fixed name (a reference would be a cycle).
 */
export class WorkflowFunctions extends Construct {
  /** The task Lambda behind each Task state. */
  readonly tasks: ReadonlyMap<WorkflowTask['state'], NodejsFunction>;
  readonly reconciler: NodejsFunction;
  /** The queue sweep (`functions/workflow/sweep-queue.ts`). */
  readonly sweeper: NodejsFunction;
  /** Sweep events that could not be delivered (a sweep that cannot run at all). */
  readonly sweepDeadLetters: Queue;
  readonly sweepRules: { everyMinute: Rule; kernelHostChanged: Rule };
  readonly workflow: RunWorkflow;
  readonly endedRule: Rule;
  /** The reconciler's dead letters: status changes it could not take after the retries. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: WorkflowFunctionsProps) {
    super(scope, id);
    const { makeFunction, network, tenantId, permissions } = props;
    const stateMachineName = runWorkflowName(tenantId);
    const stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const environment = {
      ...props.environment,
      CELLWISE_RUN_SLICE_SECONDS: String(AWS_RUN_SLICE_SECONDS),
      CELLWISE_STATE_MACHINE_ARN: stateMachineArn,
    };
    const grant = (fn: NodejsFunction) => {
      props.grant(fn);
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }),
      );
    };

    const tasks = new Map<WorkflowTask['state'], NodejsFunction>();
    for (const task of WORKFLOW_TASKS) {
      const secrets = task.state === 'RunCells' ? props.secretsKey : undefined;
      const fn = makeFunction(task.id, task.entry, {
        group: 'runs',
        permissions: secrets ? `${permissions}+secretsKey` : permissions,
        invokedBy: `the run workflow's ${task.state} state (its Retry and Catch handle a failure; Finalize always runs)`,
        memoryMb: task.memoryMb,
        timeoutSeconds: task.timeoutSeconds,
        environment: { ...environment, ...secrets?.environment },
        network,
      });
      grant(fn);
      secrets?.grant(fn);
      tasks.set(task.state, fn);
    }
    this.tasks = tasks;

    const logGroup = new LogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy from growing per group.
      logGroupName: `/aws/vendedlogs/states/cellwise-${tenantId}-run-workflow`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.workflow = new RunWorkflow(this, 'RunWorkflow', {
      tasks: Object.fromEntries(tasks) as Record<WorkflowTask['state'], NodejsFunction>,
      stateMachineName,
      // The state holds only the run's ids, so execution data is safe to log, every event.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracing: true,
    });

    // Events the reconciler could not take after the retries are kept for two weeks.
    this.deadLetters = new Queue(this, 'ReconcilerDeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acknowledgeDeadLetterQueue(
      this.deadLetters,
      "the reconciler (EventBridge delivery and the function's async retries)",
    );

    // The reconciler finalizes the run the workflow left behind: sized like Finalize.
    const finalize = WORKFLOW_TASKS.find((t) => t.state === 'Finalize')!;
    this.reconciler = makeFunction('ReconcileRun', RECONCILER_ENTRY, {
      group: 'runs',
      permissions,
      invokedBy: 'EventBridge (asynchronously)',
      deadLetterQueue: this.deadLetters,
      memoryMb: finalize.memoryMb,
      timeoutSeconds: finalize.timeoutSeconds,
      environment,
      network,
    });
    grant(this.reconciler);
    this.endedRule = new Rule(this, 'RunWorkflowEnded', {
      description:
        'Run workflow executions that failed, timed out or were stopped: the reconciler ends the run',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [this.workflow.stateMachine.stateMachineArn],
          status: [...RECONCILED_STATUSES],
        },
      },
      targets: [
        new LambdaFunction(this.reconciler, {
          retryAttempts: 4,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.deadLetters,
        }),
      ],
    });

    // The queue sweep: nothing waits forever for a wake-up that was lost, and the fleet's
    // demand is published every minute (what the kernel hosts scale on). A sweep that failed is
    // redone by the next one (no retries); events EventBridge or Lambda could not deliver are
    // kept, so a sweep that cannot run at all raises an alarm.
    this.sweepDeadLetters = new Queue(this, 'SweepDeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acknowledgeDeadLetterQueue(this.sweepDeadLetters, 'the queue sweep (EventBridge delivery)');
    this.sweeper = makeFunction('SweepQueue', SWEEPER_ENTRY, {
      group: 'runs',
      permissions,
      invokedBy: 'EventBridge every minute and when a kernel host task starts or stops',
      deadLetterQueue: this.sweepDeadLetters,
      memoryMb: 512,
      timeoutSeconds: 90,
      environment: { ...environment, ...props.fleetEnvironment },
      network,
    });
    grant(this.sweeper);
    const sweep = new LambdaFunction(this.sweeper, {
      retryAttempts: 0,
      maxEventAge: Duration.minutes(2),
      deadLetterQueue: this.sweepDeadLetters,
    });
    this.sweepRules = {
      everyMinute: new Rule(this, 'QueueSweep', {
        description: 'Admits waiting runs a lost wake-up left behind; publishes the kernel fleet demand',
        schedule: Schedule.rate(Duration.minutes(1)),
        targets: [sweep],
      }),
      kernelHostChanged: new Rule(this, 'KernelHostChanged', {
        description: 'A kernel host task started or stopped: the queue sweep admits what fits now',
        eventPattern: {
          source: ['aws.ecs'],
          detailType: ['ECS Task State Change'],
          detail: { clusterArn: [props.kernelHostCluster.clusterArn], lastStatus: ['RUNNING', 'STOPPED'] },
        },
        targets: [sweep],
      }),
    };
  }
}
