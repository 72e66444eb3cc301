import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { FargateService } from 'aws-cdk-lib/aws-ecs';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRIC, SERVICE_NAME } from '../functions/observability/names.ts';
import type { FunctionRegistry } from './tenant-function.ts';

/** The thresholds of the alarms (the tests read them; the README lists them). */
export const ALARM = {
  /** Lambda errors (Sum over 5 minutes) of one function group's chunk at which it alarms. */
  lambdaErrors: 3,
  /** Lambda throttles (Sum over 5 minutes) of one function group's chunk. */
  lambdaThrottles: 1,
  /** API 5xx answers, percent of requests over 5 minutes (with at least `api5xxMinRequests`), twice running. */
  api5xxPercent: 5,
  api5xxMinRequests: 20,
  /** API latency p99 in milliseconds over 5 minutes, three times running. */
  apiP99Ms: 5000,
  /** Kernel hosts running below desired by at least this many tasks for 15 minutes. */
  kernelHostsMissing: 1,
  /** A dead-letter queue with at least this many messages. */
  deadLetters: 1,
  /** Failed or timed-out workflow executions over 5 minutes. */
  workflowFailures: 1,
} as const;

/** CloudWatch alarms on math expressions may use at most this many metrics. */
const METRICS_PER_ALARM = 10;
const FIVE_MINUTES = Duration.minutes(5);

export interface TenantAlarmsProps {
  tenantId: string;
  /** The deployment's metrics namespace (`POWERTOOLS_METRICS_NAMESPACE`). */
  namespace: string;
  alarmEmail: string | undefined;
  queueWaitAlarmSeconds: number;
  api: HttpApi;
  stateMachine: IStateMachine;
  functions: FunctionRegistry;
  kernelHosts: FargateService;
  deadLetters: { reconciler: IQueue; webhooks: IQueue; schedules: IQueue; sweeps: IQueue };
}

/**
 * The tenant's alarms, each telling one SNS topic (encrypted with a key of its own, TLS
 * only; mailed to `alarmEmail` when given): the dead-letter queues not empty (reconciler,
 * webhooks, schedules), workflow executions failed or timed out, Lambda errors and throttles
 * per function group, API 5xx rate and p99 latency, kernel hosts running below desired, and
 * the queue wait p90 above its threshold.
 */
export class TenantAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: TenantAlarmsProps) {
    super(scope, id);
    const key = new Key(this, 'TopicKey', {
      description: `Cellwise alarm topic (tenant ${props.tenantId})`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    this.topic = new Topic(this, 'Topic', {
      displayName: `Cellwise alarms (tenant ${props.tenantId})`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'The alarm e-mail subscription: SNS retries e-mail delivery itself, and a dead-letter queue would hold alarm notices nobody reads; the alarms stay visible in CloudWatch either way',
      });
    }
    const alarm = (name: string, options: Omit<ConstructorParameters<typeof Alarm>[2], 'alarmName'>) => {
      const created = new Alarm(this, name, {
        alarmName: `cellwise-${props.tenantId}-${kebab(name)}`,
        ...options,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(created);
      return created;
    };
    const atLeast = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const notBreaching = TreatMissingData.NOT_BREACHING;

    for (const [name, queue] of [
      ['ReconcilerDeadLetters', props.deadLetters.reconciler],
      ['WebhookDeadLetters', props.deadLetters.webhooks],
      ['ScheduleDeadLetters', props.deadLetters.schedules],
      ['SweepDeadLetters', props.deadLetters.sweeps],
    ] as const) {
      alarm(name, {
        alarmDescription: `Messages wait in the ${kebab(name)} queue: events that failed for good; look at them and redrive or drop`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: FIVE_MINUTES,
        }),
        threshold: ALARM.deadLetters,
        evaluationPeriods: 1,
        comparisonOperator: atLeast,
        treatMissingData: notBreaching,
      });
    }
    const machine = props.stateMachine;
    for (const [name, metric] of [
      ['WorkflowFailed', machine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' })],
      ['WorkflowTimedOut', machine.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' })],
    ] as const) {
      alarm(name, {
        alarmDescription: 'Run workflow executions ended outside Finalize (the reconciler ends their runs)',
        metric,
        threshold: ALARM.workflowFailures,
        evaluationPeriods: 1,
        comparisonOperator: atLeast,
        treatMissingData: notBreaching,
      });
    }

    for (const [group, functions] of props.functions.byGroup) {
      chunks(functions, METRICS_PER_ALARM).forEach((chunk, i, all) => {
        const suffix = all.length > 1 ? `${i + 1}` : '';
        for (const [kind, threshold] of [
          ['Errors', ALARM.lambdaErrors],
          ['Throttles', ALARM.lambdaThrottles],
        ] as const) {
          const metrics = Object.fromEntries(
            chunk.map((fn, j) => [`m${j}`, fn.metric(kind, { statistic: 'Sum', period: FIVE_MINUTES })]),
          );
          alarm(`Lambda${kind}${pascal(group)}${suffix}`, {
            alarmDescription: `Lambda ${kind.toLowerCase()} of the ${group} functions${suffix ? ` (part ${suffix} of ${all.length})` : ''}: ${chunk.map((f) => f.node.id).join(', ')}`,
            metric: new MathExpression({
              expression: Object.keys(metrics).join(' + '),
              usingMetrics: metrics,
              period: FIVE_MINUTES,
            }),
            threshold,
            evaluationPeriods: 1,
            comparisonOperator: atLeast,
            treatMissingData: notBreaching,
          });
        }
      });
    }

    const api = props.api;
    alarm('Api5xxRate', {
      alarmDescription: `More than ${ALARM.api5xxPercent}% of API requests answered 5xx (at least ${ALARM.api5xxMinRequests} requests in 5 minutes), twice running`,
      metric: new MathExpression({
        expression: `IF(requests >= ${ALARM.api5xxMinRequests}, 100 * errors / requests, 0)`,
        usingMetrics: {
          errors: api.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES }),
          requests: api.metricCount({ statistic: 'Sum', period: FIVE_MINUTES }),
        },
        period: FIVE_MINUTES,
      }),
      threshold: ALARM.api5xxPercent,
      evaluationPeriods: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: notBreaching,
    });
    alarm('ApiLatencyP99', {
      alarmDescription: `API latency p99 above ${ALARM.apiP99Ms} ms for 15 minutes`,
      metric: api.metricLatency({ statistic: 'p99', period: FIVE_MINUTES }),
      threshold: ALARM.apiP99Ms,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: notBreaching,
    });

    const service = props.kernelHosts;
    const insights = (metricName: string, statistic: string) =>
      new Metric({
        namespace: 'ECS/ContainerInsights',
        metricName,
        dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName },
        statistic,
        period: FIVE_MINUTES,
      });
    alarm('KernelHostsBelowDesired', {
      alarmDescription:
        'Fewer kernel host tasks run than the service wants, for 15 minutes: runs wait or fail with KernelUnavailable',
      metric: new MathExpression({
        expression: 'desired - running',
        usingMetrics: {
          desired: insights('DesiredTaskCount', 'Maximum'),
          running: insights('RunningTaskCount', 'Minimum'),
        },
        period: FIVE_MINUTES,
      }),
      threshold: ALARM.kernelHostsMissing,
      evaluationPeriods: 3,
      comparisonOperator: atLeast,
      treatMissingData: notBreaching,
    });

    alarm('QueueWaitP90', {
      alarmDescription: `Runs waited longer than ${props.queueWaitAlarmSeconds} s for a slot (p90 over 5 minutes): raise the tenant's run limit or the kernel hosts`,
      metric: serviceMetric(props.namespace, METRIC.queueWait, 'p90'),
      threshold: props.queueWaitAlarmSeconds,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: notBreaching,
    });
  }
}

/** One of the service's own metrics (Powertools EMF: dimension `service`). */
export function serviceMetric(namespace: string, metricName: string, statistic: string): IMetric {
  return new Metric({
    namespace,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic,
    period: FIVE_MINUTES,
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
