import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { isGuid } from '../functions/core/ids.ts';
import { metricsNamespaceOf, SERVICE_NAME } from '../functions/observability/names.ts';
import { TenantAlarms } from './alarms.ts';
import { TenantDashboard } from './dashboard.ts';
import { type DataAccess, dataAccessOf, grantDataAccess } from './data-access.ts';
import { type KernelEgressRule, kernelEgressOf } from './kernel-egress.ts';
import {
  type KernelFleetProps,
  kernelFleetEnvironment,
  kernelFleetSizing,
  kernelHostMemoryMiB,
} from './kernel-fleet.ts';
import { KernelHostService } from './kernel-host-service.ts';
import { type KernelLimitsProps, kernelLimitsEnvironment, kernelLimitsOf } from './kernel-limits.ts';
import { acknowledgeUnavoidableWildcards } from './nag-acknowledgments.ts';
import { TenantNetwork } from './network.ts';
import { NotebookSchedules, SCHEDULE_MANAGEMENT_ACTIONS } from './notebook-schedules.ts';
import { type OperationsProps, operationsOf } from './operations-props.ts';
import type { RouteDependency } from './routes.ts';
import { addTenantApi } from './tenant-api.ts';
import { addTenantData } from './tenant-data.ts';
import { type FunctionRegistry, functionFactory } from './tenant-function.ts';
import { type ExistingVpcProps, existingVpcOf } from './vpc-props.ts';
import { WebhookDelivery } from './webhook-delivery.ts';
import { WorkflowFunctions } from './workflow-functions.ts';

export { dataAccessOf } from './data-access.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface TenantStackProps extends StackProps, OperationsProps, KernelFleetProps {
  /** The tenant this deployment serves (a GUID); every resource is tagged with it. */
  tenantId: string;
  /** Runs the tenant may have Running at once (default 10); `npm run admin -- set-run-limits` overrides it. */
  maxConcurrentRuns?: number;
  /**
   * Destinations notebook code may reach (each one TCP egress rule on the kernel host's
   * security group; at most `MAX_KERNEL_EGRESS_RULES`). Default: context `kernelEgress` (a JSON
   * list), else none: the kernel host reaches only S3 and the AWS endpoints it needs. In a VPC
   * the stack makes, an allow-list also makes the one NAT gateway.
   */
  kernelEgress?: readonly KernelEgressRule[];
  /**
   * Kernel limits: `defaults` a run gets when its execute body names none (2048 MiB, 256
   * processes, 1024 MiB of disk) and `max`, the most a run may ask for (four times the
   * defaults). Default: context `kernelLimits` (JSON), else those.
   */
  kernelLimits?: KernelLimitsProps;
  /** Run in this existing VPC (default: context `existingVpc`, else a VPC of the stack's own). */
  existingVpc?: ExistingVpcProps;
}

/** What a route's `uses` grant beyond data, in the order they name a role. */
const GRANTING_USES: readonly RouteDependency[] = [
  'workflow',
  'kernelHost',
  'webhooks',
  'schedules',
  'linkSigningKey',
  'secretsKey',
];

/**
 * One tenant's Cellwise: a DynamoDB table, an S3 bucket for .ipynb files (its access logs in
 * a log bucket of its own), one Lambda per route of the manifest (`routes.ts`) behind an
 * HTTP API with the Lambda authorizer, and for runs a network (a VPC of its own without NAT,
 * or an existing one) with the kernel host (Jupyter Server on Fargate), the run workflow
 * (Step Functions) and its reconciler; webhooks and schedules; alarms to an SNS topic and a
 * dashboard. Every Lambda and the workflow are traced with X-Ray.
 */
export class TenantStack extends Stack {
  readonly table: Table;
  readonly bucket: Bucket;
  /** Server access logs of `bucket` and the VPC's flow logs. */
  readonly logBucket: Bucket;
  readonly api: HttpApi;
  readonly functions: ReadonlyMap<string, NodejsFunction>;
  readonly authorizerFunction: NodejsFunction;
  readonly functionGroups: FunctionRegistry;
  readonly network: TenantNetwork;
  readonly kernelHost: KernelHostService;
  /** The run workflow, its task Lambdas and the reconciler. */
  readonly runs: WorkflowFunctions;
  /** The webhook delivery worker and its schedule. */
  readonly webhooks: WebhookDelivery;
  /** Notebook schedules: the EventBridge Scheduler group, the fire Lambda and its invoke role. */
  readonly schedules: NotebookSchedules;
  readonly alarms: TenantAlarms;
  readonly dashboard: TenantDashboard;

  constructor(scope: Construct, id: string, props: TenantStackProps) {
    if (typeof props?.tenantId !== 'string' || !isGuid(props.tenantId)) {
      throw new Error(
        `TenantStack: tenantId must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got ${JSON.stringify(props?.tenantId)}`,
      );
    }
    const {
      maxConcurrentRuns = 10,
      kernelEgress,
      kernelLimits,
      existingVpc,
      alarmEmail,
      queueWaitAlarmSeconds,
      reservedConcurrency,
      minHosts,
      maxHosts,
      ...stackProps
    } = props;
    const tenantId = props.tenantId.toLowerCase();
    super(scope, id, {
      description: `Cellwise for tenant ${tenantId}: HTTP API, Lambda routes, DynamoDB table, S3 bucket, run workflow, kernel host`,
      ...stackProps,
      // The stack's own tag (CloudFormation puts it on what it creates) and every resource's.
      tags: { ...stackProps.tags, 'cellwise:tenant': tenantId },
    });
    Tags.of(this).add('cellwise:tenant', tenantId);
    // Checked before anything is built: a bad setting fails at once, with its own message.
    const kernelEgressRules = kernelEgressOf(this, kernelEgress);
    const limits = kernelLimitsOf(this, kernelLimits, kernelHostMemoryMiB(this));
    const fleet = kernelFleetSizing(this, { minHosts, maxHosts }, limits.defaults.memoryMiB);
    const vpc = existingVpcOf(this, existingVpc);
    const operations = operationsOf(this, { alarmEmail, queueWaitAlarmSeconds, reservedConcurrency });
    acknowledgeUnavoidableWildcards(this);

    // --- Data -------------------------------------------------------------------------------
    ({ table: this.table, bucket: this.bucket, logBucket: this.logBucket } = addTenantData(this));
    const data = { table: this.table, bucket: this.bucket, tenantId };

    // --- Functions --------------------------------------------------------------------------
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const namespace = metricsNamespaceOf(tenantId);
    const environment: Record<string, string> = {
      CELLWISE_TABLE_NAME: this.table.tableName,
      CELLWISE_BUCKET_NAME: this.bucket.bucketName,
      // The kernel host image has all three (kernel-host/Dockerfile: ipykernel, IRkernel, and
      // Debian's Scala behind the image's own scala kernelspec).
      CELLWISE_KERNELS: 'python3,r,scala',
      CELLWISE_MAX_UPLOAD_BYTES: String(4 * 1024 * 1024),
      CELLWISE_MAX_CONCURRENT_RUNS: String(maxConcurrentRuns),
      ...kernelLimitsEnvironment(limits),
      CELLWISE_LOG_LEVEL: 'info',
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: namespace,
      NODE_OPTIONS: '--enable-source-maps',
    };
    const factory = functionFactory(this, {
      repoRoot: REPO_ROOT,
      tenantId,
      environment,
      reservedConcurrency: operations.reservedConcurrency,
    });
    const makeFunction = factory.makeFunction;
    this.functionGroups = factory.registry;

    // --- Runs: network, kernel host, workflow -------------------------------------------------
    this.network = new TenantNetwork(this, 'Network', {
      bucket: this.bucket,
      table: this.table,
      kernelEgress: kernelEgressRules,
      flowLogBucket: this.logBucket,
      ...(vpc ? { existingVpc: vpc } : {}),
    });
    this.kernelHost = new KernelHostService(this, 'KernelHost', {
      network: this.network,
      repoRoot: REPO_ROOT,
      tenantId,
      sizing: fleet,
      metricsNamespace: namespace,
      defaultLimits: limits.defaults,
    });
    const kernelHostEnvironment = {
      CELLWISE_KERNEL_HOST_URL: this.kernelHost.url,
      CELLWISE_KERNEL_HOST_TOKEN_SECRET: this.kernelHost.token.secretArn,
    };
    const fleetEnvironment = kernelFleetEnvironment(fleet);
    const grantKernelHostToken = (fn: NodejsFunction) =>
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [this.kernelHost.token.secretArn],
        }),
      );
    // Project secrets are sealed under a key derived from this one (HKDF, AES-256-GCM in the
    // table); only the secrets routes and the RunCells task (which sets them in kernels) read it.
    const secretsKey = new Secret(this, 'SecretsKey', {
      description: `Cellwise project secrets master key (tenant ${tenantId})`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(secretsKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The project secrets master key: every stored secret is sealed under it, so a rotation re-seals them (README: Secrets); rotated by hand, not on a timer',
    });
    const secretsKeyEnvironment = { CELLWISE_SECRETS_KEY_SECRET: secretsKey.secretArn };
    this.runs = new WorkflowFunctions(this, 'Runs', {
      secretsKey: { environment: secretsKeyEnvironment, grant: (fn) => secretsKey.grantRead(fn) },
      tenantId,
      makeFunction,
      network: this.network,
      environment: kernelHostEnvironment,
      fleetEnvironment,
      kernelHostCluster: this.kernelHost.cluster,
      permissions: 'run',
      grant: (fn) => {
        grantDataAccess(fn, 'run', data);
        grantKernelHostToken(fn);
      },
    });
    const stateMachine = this.runs.workflow.stateMachine;

    // --- Webhooks: the delivery worker (outside the VPC); whatever ends runs may kick it ------
    this.webhooks = new WebhookDelivery(this, 'Webhooks', {
      makeFunction,
      grant: (fn) => grantDataAccess(fn, 'table', data),
    });
    this.webhooks.allowKick(this.runs.tasks.get('Finalize')!);
    this.webhooks.allowKick(this.runs.reconciler);

    // --- Schedules: EventBridge Scheduler → the fire Lambda, which submits runs as route 12 does
    this.schedules = new NotebookSchedules(this, 'Schedules', {
      tenantId,
      makeFunction,
      permissions: 'submit+workflow',
      environment: { CELLWISE_STATE_MACHINE_ARN: stateMachine.stateMachineArn },
      grant: (fn) => {
        grantDataAccess(fn, 'submit', data);
        stateMachine.grantStartExecution(fn);
      },
    });
    // What the VPC's functions reach through the endpoints besides data and the token.
    this.network.allowWorkflowStart(stateMachine);
    this.network.allowInvoke(this.webhooks.function);
    this.network.allowScheduleManagement(this.schedules.group.scheduleGroupName, SCHEDULE_MANAGEMENT_ACTIONS);

    // Signed notebook links (route 11 with `expiresIn`): the HMAC key, read by the functions that
    // sign links and by the authorizer that verifies them; it never leaves them.
    const linkKey = new Secret(this, 'LinkSigningKey', {
      description: `Cellwise notebook link signing key (tenant ${tenantId})`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(linkKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The link signing key: rotating it ends every shared notebook link at once, so it is rotated by hand when links must be revoked (README: Rotating secrets), not on a timer',
    });
    const linkKeyEnvironment = { CELLWISE_LINK_SIGNING_KEY_SECRET: linkKey.secretArn };
    const staticAssets = (outputDir: string) => [
      `cd "${REPO_ROOT}" && node --import tsx scripts/build-static.ts "${outputDir}/static"`,
    ];

    const tenantApi = addTenantApi(this, {
      tenantId,
      makeFunction,
      accessLogs,
      network: this.network,
      authorizer: {
        environment: linkKeyEnvironment,
        permissions: 'lookup+linkSigningKey',
        grant: (fn) => {
          linkKey.grantRead(fn);
          grantDataAccess(fn, 'lookup', data);
        },
      },
      route: (route) => {
        const uses = new Set(route.uses ?? []);
        const access: DataAccess = dataAccessOf(route);
        return {
          permissions: [access, ...GRANTING_USES.filter((u) => uses.has(u))].join('+'),
          inVpc: uses.has('kernelHost'),
          environment: {
            ...(uses.has('workflow') ? { CELLWISE_STATE_MACHINE_ARN: stateMachine.stateMachineArn } : {}),
            ...(uses.has('kernelHost') ? kernelHostEnvironment : {}),
            ...(uses.has('linkSigningKey') ? linkKeyEnvironment : {}),
            ...(uses.has('secretsKey') ? secretsKeyEnvironment : {}),
            ...(uses.has('staticAssets') ? { CELLWISE_STATIC_DIR: '/var/task/static' } : {}),
          },
          ...(uses.has('staticAssets') ? { afterBundling: staticAssets } : {}),
          grant: (fn) => {
            grantDataAccess(fn, access, data);
            if (uses.has('linkSigningKey')) linkKey.grantRead(fn);
            if (uses.has('secretsKey')) secretsKey.grantRead(fn);
            if (uses.has('workflow')) stateMachine.grantStartExecution(fn);
            if (uses.has('kernelHost')) grantKernelHostToken(fn);
            if (uses.has('webhooks')) this.webhooks.allowKick(fn);
            if (uses.has('schedules')) this.schedules.allowManage(fn);
          },
        };
      },
    });
    this.api = tenantApi.api;
    this.authorizerFunction = tenantApi.authorizerFunction;
    this.functions = tenantApi.functions;
    // The base URL of shareable links; the API resource depends on no function, so no cycle.
    for (const fns of this.functionGroups.byGroup.values())
      for (const fn of fns) fn.addEnvironment('CELLWISE_PUBLIC_BASE_URL', this.api.apiEndpoint);

    // --- Operations: alarms to an SNS topic, a dashboard ---------------------------------------
    const deadLetters = {
      reconciler: this.runs.deadLetters,
      webhooks: this.webhooks.deadLetters,
      schedules: this.schedules.deadLetters,
      sweeps: this.runs.sweepDeadLetters,
    };
    const watched = {
      tenantId,
      namespace,
      api: this.api,
      stateMachine,
      functions: this.functionGroups,
      kernelHosts: this.kernelHost.service,
      deadLetters,
    };
    this.alarms = new TenantAlarms(this, 'Alarms', { ...watched, ...operations });
    this.dashboard = new TenantDashboard(this, 'Dashboard', { ...watched, alarms: this.alarms });

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output('ApiUrl', this.api.apiEndpoint, 'Base URL of the REST API');
    output(
      'TableName',
      this.table.tableName,
      'DynamoDB table (set CELLWISE_TABLE_NAME to this for `npm run admin`)',
    );
    output('BucketName', this.bucket.bucketName, 'S3 bucket holding the .ipynb files');
    output('StateMachineArn', stateMachine.stateMachineArn, 'The run workflow (Step Functions, Standard)');
    output(
      'KernelHostUrl',
      this.kernelHost.url,
      'The kernel host inside the VPC (Cloud Map private DNS); reachable from the run functions only',
    );
    output(
      'AlarmTopicArn',
      this.alarms.topic.topicArn,
      'SNS topic every alarm notifies (subscribe on-call here)',
    );
    output('DashboardName', this.dashboard.dashboard.dashboardName, 'CloudWatch dashboard of this tenant');
  }
}
