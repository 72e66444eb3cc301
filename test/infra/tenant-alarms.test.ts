import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM } from '../../infra/alarms.ts';
import { DEFAULT_QUEUE_WAIT_ALARM_SECONDS } from '../../infra/operations-props.ts';
import { FUNCTION_GROUPS } from '../../infra/tenant-function.ts';
import type { Synthesized } from './support/synth.ts';
import { TENANT_ID, tenantSynth } from './support/synth.ts';
import { logicalId, ofType, only } from './support/template.ts';

/*
 * The tenant's alarms: each one's metric (namespace, name, dimensions, statistic, period),
 * threshold and comparison, all telling the one encrypted SNS topic; and the dashboard.
 */

let plain: Synthesized;
let configured: Synthesized;

type Alarm = Record<string, any>;
/**
 * The alarms that tell people: every alarm but the kernel fleet's step scaling alarms, whose
 * action is a scaling policy (tenant-fleet.test.ts checks those).
 */
const operatorAlarms = (s: Synthesized) =>
  ofType(s, 'AWS::CloudWatch::Alarm').filter(
    ([, a]) =>
      !(a.Properties!.AlarmActions as any[]).some(
        (action) => s.resources[action.Ref]?.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy',
      ),
  );
const alarm = (s: Synthesized, name: string): Alarm =>
  only(operatorAlarms(s).filter(([, a]) => a.Properties!.AlarmName === `cellwise-${TENANT_ID}-${name}`))[1]
    .Properties!;
interface AlarmMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, any>;
  stat: string;
  period: number;
}
/** The metrics of a math alarm by their id (`errors`, `m0`…). */
const metricsOf = (a: Alarm): Record<string, AlarmMetric> =>
  Object.fromEntries(
    (a.Metrics as any[])
      .filter((m) => m.MetricStat)
      .map((m) => [
        m.Id,
        {
          namespace: m.MetricStat.Metric.Namespace,
          name: m.MetricStat.Metric.MetricName,
          dimensions: Object.fromEntries(m.MetricStat.Metric.Dimensions.map((d: any) => [d.Name, d.Value])),
          stat: m.MetricStat.Stat,
          period: m.MetricStat.Period,
        },
      ]),
  );
const expression = (a: Alarm) => (a.Metrics as any[]).find((m) => m.Expression)?.Expression as string;

beforeAll(async () => {
  ({ plain, configured } = await tenantSynth());
}, 600_000);

describe('alarms', () => {
  it('tells one SNS topic, encrypted with a key of its own (rotated) that CloudWatch may use, TLS only', () => {
    const topicId = logicalId(plain, plain.stack.alarms.topic);
    for (const [, a] of operatorAlarms(plain)) {
      expect(a.Properties!.AlarmActions, a.Properties!.AlarmName).toEqual([{ Ref: topicId }]);
    }
    const topic = plain.resources[topicId]!.Properties!;
    const keyId = topic.KmsMasterKeyId['Fn::GetAtt'][0];
    expect(plain.resources[keyId]!.Properties!.EnableKeyRotation).toBe(true);
    const keyStatements = plain.resources[keyId]!.Properties!.KeyPolicy.Statement as any[];
    expect(keyStatements.some((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com')).toBe(true);
    const policy = only(ofType(plain, 'AWS::SNS::TopicPolicy'))[1].Properties!;
    expect(policy.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    );
  });

  it('mails the alarm address when one is given, and nobody otherwise', () => {
    expect(ofType(plain, 'AWS::SNS::Subscription')).toHaveLength(0);
    expect(only(ofType(configured, 'AWS::SNS::Subscription'))[1].Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('alarms when a dead-letter queue holds a message: reconciler, webhooks, schedules, queue sweeps', () => {
    for (const [name, queue] of [
      ['reconciler-dead-letters', plain.stack.runs.deadLetters],
      ['webhook-dead-letters', plain.stack.webhooks.deadLetters],
      ['schedule-dead-letters', plain.stack.schedules.deadLetters],
      ['sweep-dead-letters', plain.stack.runs.sweepDeadLetters],
    ] as const) {
      const a = alarm(plain, name);
      expect(a, name).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(plain, queue), 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('alarms on run workflow executions that failed or timed out', () => {
    const machine = { Ref: logicalId(plain, plain.stack.runs.workflow.stateMachine) };
    for (const [name, metric] of [
      ['workflow-failed', 'ExecutionsFailed'],
      ['workflow-timed-out', 'ExecutionsTimedOut'],
    ]) {
      expect(alarm(plain, name!)).toMatchObject({
        Namespace: 'AWS/States',
        MetricName: metric,
        Dimensions: [{ Name: 'StateMachineArn', Value: machine }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: ALARM.workflowFailures,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('alarms on Lambda errors and throttles per function group, each alarm summing at most 10 functions, every function in exactly one', () => {
    for (const [kind, threshold] of [
      ['Errors', ALARM.lambdaErrors],
      ['Throttles', ALARM.lambdaThrottles],
    ] as const) {
      const covered: string[] = [];
      for (const group of FUNCTION_GROUPS) {
        const alarms = operatorAlarms(plain)
          .map(([, a]) => a.Properties!)
          .filter((a) =>
            new RegExp(`^cellwise-${TENANT_ID}-lambda-${kind.toLowerCase()}-${group}\\d*$`).test(a.AlarmName),
          );
        expect(alarms.length, `${kind} ${group}`).toBeGreaterThan(0);
        for (const a of alarms) {
          const metrics = Object.values(metricsOf(a));
          expect(metrics.length).toBeLessThanOrEqual(10);
          expect(expression(a)).toBe(Object.keys(metricsOf(a)).join(' + '));
          expect(a).toMatchObject({
            Threshold: threshold,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
            EvaluationPeriods: 1,
          });
          for (const m of metrics) {
            expect(m).toMatchObject({ namespace: 'AWS/Lambda', name: kind, stat: 'Sum', period: 300 });
            covered.push(m.dimensions.FunctionName.Ref);
          }
        }
      }
      const expected = [...plain.stack.functionGroups.byGroup.values()]
        .flat()
        .map((fn) => logicalId(plain, fn));
      expect(covered.sort(), kind).toEqual(expected.sort());
    }
  });

  it('alarms on the API 5xx rate (with a minimum of requests) and its p99 latency', () => {
    const apiId = { Ref: logicalId(plain, plain.stack.api) };
    const rate = alarm(plain, 'api5xx-rate');
    expect(expression(rate)).toBe(`IF(requests >= ${ALARM.api5xxMinRequests}, 100 * errors / requests, 0)`);
    expect(metricsOf(rate)).toEqual({
      errors: {
        namespace: 'AWS/ApiGateway',
        name: '5xx',
        dimensions: { ApiId: apiId },
        stat: 'Sum',
        period: 300,
      },
      requests: {
        namespace: 'AWS/ApiGateway',
        name: 'Count',
        dimensions: { ApiId: apiId },
        stat: 'Sum',
        period: 300,
      },
    });
    expect(rate).toMatchObject({
      Threshold: ALARM.api5xxPercent,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
    });
    expect(alarm(plain, 'api-latency-p99')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: [{ Name: 'ApiId', Value: apiId }],
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: ALARM.apiP99Ms,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
    });
  });

  it('alarms when fewer kernel hosts run than desired for 15 minutes (Container Insights)', () => {
    const a = alarm(plain, 'kernel-hosts-below-desired');
    const service = plain.stack.kernelHost.service;
    const dimensions = {
      ClusterName: { Ref: logicalId(plain, service.cluster) },
      ServiceName: { 'Fn::GetAtt': [logicalId(plain, service), 'Name'] },
    };
    expect(expression(a)).toBe('desired - running');
    expect(metricsOf(a)).toEqual({
      desired: {
        namespace: 'ECS/ContainerInsights',
        name: 'DesiredTaskCount',
        dimensions,
        stat: 'Maximum',
        period: 300,
      },
      running: {
        namespace: 'ECS/ContainerInsights',
        name: 'RunningTaskCount',
        dimensions,
        stat: 'Minimum',
        period: 300,
      },
    });
    expect(a).toMatchObject({
      Threshold: ALARM.kernelHostsMissing,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
    });
    const cluster = plain.resources[logicalId(plain, service.cluster)]!.Properties!;
    expect(cluster.ClusterSettings).toEqual([{ Name: 'containerInsights', Value: 'enabled' }]);
  });

  it("alarms when the queue wait's p90 passes the threshold: 300 s by default, the prop when given", () => {
    for (const [s, seconds] of [
      [plain, DEFAULT_QUEUE_WAIT_ALARM_SECONDS],
      [configured, 600],
    ] as const) {
      expect(alarm(s, 'queue-wait-p90')).toMatchObject({
        Namespace: `Cellwise/${TENANT_ID}`,
        MetricName: 'QueueWaitSeconds',
        Dimensions: [{ Name: 'service', Value: 'cellwise' }],
        ExtendedStatistic: 'p90',
        Period: 300,
        Threshold: seconds,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('makes nothing but these alarms', () => {
    const names = operatorAlarms(plain).map(([, a]) =>
      a.Properties!.AlarmName.slice(`cellwise-${TENANT_ID}-`.length),
    );
    const fixed = [
      'reconciler-dead-letters',
      'webhook-dead-letters',
      'schedule-dead-letters',
      'sweep-dead-letters',
      'workflow-failed',
      'workflow-timed-out',
      'api5xx-rate',
      'api-latency-p99',
      'kernel-hosts-below-desired',
      'queue-wait-p90',
    ];
    expect(names.filter((n) => !n.startsWith('lambda-')).sort()).toEqual(fixed.sort());
  });

  it('draws one dashboard per tenant over the service metrics, the alarms and the kernel hosts', () => {
    const dashboard = only(ofType(plain, 'AWS::CloudWatch::Dashboard'))[1].Properties!;
    expect(dashboard.DashboardName).toBe(`cellwise-${TENANT_ID}`);
    const body = JSON.stringify(dashboard.DashboardBody);
    for (const needle of [
      'RunsStarted',
      'RunsFailed',
      'QueueWaitSeconds',
      'CellDurationSeconds',
      'AdmissionRefusals',
      'WebhookDeliveriesFailed',
      'RunningTaskCount',
      'ExecutionsFailed',
    ]) {
      expect(body, needle).toContain(needle);
    }
  });
});
