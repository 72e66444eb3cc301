import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { FargateService } from 'aws-cdk-lib/aws-ecs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRIC } from '../functions/observability/names.ts';
import { serviceMetric, type TenantAlarms } from './alarms.ts';
import type { FunctionRegistry } from './tenant-function.ts';

export interface TenantDashboardProps {
  tenantId: string;
  namespace: string;
  api: HttpApi;
  stateMachine: IStateMachine;
  functions: FunctionRegistry;
  kernelHosts: FargateService;
  deadLetters: Record<'reconciler' | 'webhooks' | 'schedules' | 'sweeps', IQueue>;
  alarms: TenantAlarms;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * One CloudWatch dashboard per tenant (`cellwise-<tenantId>`): the alarms' states; the API
 * (requests, 5xx, latency); runs (started and ended by outcome, failures by error type, queue
 * wait and admission refusals, cells run and their duration); the workflow; the kernel hosts
 * (running against desired, CPU and memory); Lambda errors, throttles and duration per
 * function group; webhooks and the dead-letter queues.
 */
export class TenantDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: TenantDashboardProps) {
    super(scope, id);
    const { namespace, api } = props;
    const own = (name: string, statistic = 'Sum') => serviceMetric(namespace, name, statistic);
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 8, height: 6 });
    const service = props.kernelHosts;
    const insights = (metricName: string) =>
      new Metric({
        namespace: 'ECS/ContainerInsights',
        metricName,
        dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName },
        statistic: 'Average',
        period: FIVE_MINUTES,
      });
    const lambdaSum = (kind: string, statistic = 'Sum') =>
      [...props.functions.byGroup]
        .filter(([, functions]) => functions.length > 0)
        .map(([group, functions]) => {
          const metrics = Object.fromEntries(
            functions.map((fn, i) => [`${group}${i}`, fn.metric(kind, { statistic, period: FIVE_MINUTES })]),
          );
          const expression =
            statistic === 'Sum'
              ? Object.keys(metrics).join(' + ')
              : `MAX([${Object.keys(metrics).join(', ')}])`;
          return new MathExpression({
            expression,
            usingMetrics: metrics,
            label: group,
            period: FIVE_MINUTES,
          });
        });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `cellwise-${props.tenantId}`,
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          new TextWidget({
            markdown: `# Cellwise tenant ${props.tenantId}\nMetrics namespace \`${namespace}\`; logs: the function groups' log groups (one JSON line per event, with \`function_request_id\`, \`tenantId\`, \`notebookId\`, \`executionId\`).`,
            width: 24,
            height: 2,
          }),
        ],
        [new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms.alarms, width: 24, height: 4 })],
        [
          graph(
            'API requests and 5xx',
            [api.metricCount({ period: FIVE_MINUTES })],
            [api.metricServerError({ period: FIVE_MINUTES })],
          ),
          graph('API latency (ms)', [
            api.metricLatency({ statistic: 'p50', period: FIVE_MINUTES }),
            api.metricLatency({ statistic: 'p99', period: FIVE_MINUTES }),
          ]),
          graph('Runs', [
            own(METRIC.runsStarted),
            own(METRIC.runsCompleted),
            own(METRIC.runsFailed),
            own(METRIC.runsCancelled),
          ]),
        ],
        [
          graph('Failed runs by error type', [
            new MathExpression({
              expression: `SEARCH('{${namespace},ErrorType,service} MetricName="${METRIC.runsFailed}"', 'Sum', 300)`,
              label: '',
            }),
          ]),
          graph(
            'Queue wait (s) and admission refusals',
            [own(METRIC.queueWait, 'p50'), own(METRIC.queueWait, 'p90')],
            [own(METRIC.admissionRefusals)],
          ),
          graph(
            'Cells run and cell duration (s)',
            [own(METRIC.cellsRun)],
            [own(METRIC.cellDuration, 'p50'), own(METRIC.cellDuration, 'p90')],
          ),
        ],
        [
          graph('Workflow executions', [
            props.stateMachine.metricStarted({ period: FIVE_MINUTES }),
            props.stateMachine.metricSucceeded({ period: FIVE_MINUTES }),
            props.stateMachine.metricFailed({ period: FIVE_MINUTES }),
            props.stateMachine.metricTimedOut({ period: FIVE_MINUTES }),
          ]),
          graph('Kernel hosts: running and desired', [
            insights('RunningTaskCount'),
            insights('DesiredTaskCount'),
          ]),
          graph('Kernel hosts: CPU and memory used', [insights('CpuUtilized')], [insights('MemoryUtilized')]),
        ],
        [
          graph('Lambda errors by function group', lambdaSum('Errors')),
          graph('Lambda throttles by function group', lambdaSum('Throttles')),
          graph('Lambda duration, slowest of each group (ms)', lambdaSum('Duration', 'Maximum')),
        ],
        [
          graph('Webhook deliveries', [
            own(METRIC.webhookDeliveriesSucceeded),
            own(METRIC.webhookDeliveriesRetrying),
            own(METRIC.webhookDeliveriesFailed),
          ]),
          graph(
            'Dead letters',
            Object.entries(props.deadLetters).map(([name, queue]) =>
              queue.metricApproximateNumberOfMessagesVisible({
                label: name,
                statistic: 'Maximum',
                period: FIVE_MINUTES,
              }),
            ),
          ),
        ],
      ],
    });
  }
}
