import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnAuthorizer,
  HttpApi,
  type HttpMethod,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  type AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { isGuid } from '../functions/core/ids.ts';
import { dataAccessOf, grantDataAccess } from './data-access.ts';
import { type KernelEgressRule, kernelEgressOf } from './kernel-egress.ts';
import { KernelHostService } from './kernel-host-service.ts';
import { type KernelLimitsProps, kernelLimitsEnvironment, kernelLimitsOf } from './kernel-limits.ts';
import { TenantNetwork } from './network.ts';
import { NotebookSchedules } from './notebook-schedules.ts';
import { AUTHORIZER_ENTRY, ROUTES } from './routes.ts';
import { TABLE_SCHEMA } from './table-schema.ts';
import { functionFactory } from './tenant-function.ts';
import { WebhookDelivery } from './webhook-delivery.ts';
import { WorkflowFunctions } from './workflow-functions.ts';

export { dataAccessOf } from './data-access.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const DEFAULT_MEMORY_MB = 512;
/** API Gateway HTTP APIs stop waiting for an integration after 30 s. */
const DEFAULT_TIMEOUT_SECONDS = 29;

export interface TenantStackProps extends StackProps {
  /** The tenant this deployment serves (a GUID); every resource is tagged with it. */
  tenantId: string;
  /** Runs the tenant may have Running at once (default 10); `npm run admin -- set-run-limits` overrides it. */
  maxConcurrentRuns?: number;
  /**
   * Destinations notebook code may reach (each one TCP egress rule on the kernel host's
   * security group; at most `MAX_KERNEL_EGRESS_RULES`). Default: context `kernelEgress` (a JSON
   * list), else none: the kernel host reaches only S3 and the AWS endpoints it needs.
   */
  kernelEgress?: readonly KernelEgressRule[];
  /**
   * Kernel limits: `defaults` a run gets when its execute body names none (2048 MiB, 256
   * processes, 1024 MiB of disk) and `max`, the most a run may ask for (four times the
   * defaults). Default: context `kernelLimits` (JSON), else those.
   */
  kernelLimits?: KernelLimitsProps;
}

/** `listNotebooks` → `ListNotebooks`, for construct ids. */
function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}

/**
 * One tenant's Cellwise: a DynamoDB table, an S3 bucket for .ipynb files, one Lambda per
 * route of the manifest (`routes.ts`) and an HTTP API in front of them, with the Lambda
 * authorizer on the routes that need a caller; and for runs, a VPC with the kernel host
 * (Jupyter Server on Fargate), the run workflow (Step Functions) and its reconciler.
 */
export class TenantStack extends Stack {
  readonly table: Table;
  readonly bucket: Bucket;
  readonly api: HttpApi;
  readonly functions: ReadonlyMap<string, NodejsFunction>;
  readonly authorizerFunction: NodejsFunction;
  readonly network: TenantNetwork;
  readonly kernelHost: KernelHostService;
  /** The run workflow, its task Lambdas and the reconciler. */
  readonly runs: WorkflowFunctions;
  /** The webhook delivery worker and its schedule. */
  readonly webhooks: WebhookDelivery;
  /** Notebook schedules: the EventBridge Scheduler group, the fire Lambda and its invoke role. */
  readonly schedules: NotebookSchedules;

  constructor(scope: Construct, id: string, props: TenantStackProps) {
    if (typeof props?.tenantId !== 'string' || !isGuid(props.tenantId)) {
      throw new Error(
        `TenantStack: tenantId must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got ${JSON.stringify(props?.tenantId)}`,
      );
    }
    const { tenantId, maxConcurrentRuns = 10, kernelEgress, kernelLimits, ...stackProps } = props;
    super(scope, id, {
      description: `Cellwise for tenant ${tenantId}: HTTP API, Lambda routes, DynamoDB table, S3 bucket, run workflow, kernel host`,
      ...stackProps,
    });
    Tags.of(this).add('cellwise:tenant', tenantId);
    // Checked before anything is built: a bad allow-list fails at once, with its own message.
    const kernelEgressRules = kernelEgressOf(this, kernelEgress);
    const limits = kernelLimitsOf(this, kernelLimits);

    // --- Data -------------------------------------------------------------------------------
    this.table = new Table(this, 'Table', {
      partitionKey: {
        name: TABLE_SCHEMA.partitionKey.name,
        type: TABLE_SCHEMA.partitionKey.type as AttributeType,
      },
      sortKey: { name: TABLE_SCHEMA.sortKey.name, type: TABLE_SCHEMA.sortKey.type as AttributeType },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_SCHEMA.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey.name, type: index.partitionKey.type as AttributeType },
        sortKey: { name: index.sortKey.name, type: index.sortKey.type as AttributeType },
        projectionType: ProjectionType.ALL,
      });
    }

    this.bucket = new Bucket(this, 'Notebooks', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(90),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });

    // --- API --------------------------------------------------------------------------------
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `cellwise-${tenantId}`,
      description: `Cellwise REST API for tenant ${tenantId}`,
      createDefaultStage: false,
    });
    this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    // The default stage serves at the API's root; the API resource depends on no function,
    // so the functions can reference it without a cycle.
    const publicBaseUrl = this.api.apiEndpoint;

    const environment: Record<string, string> = {
      CELLWISE_TABLE_NAME: this.table.tableName,
      CELLWISE_BUCKET_NAME: this.bucket.bucketName,
      CELLWISE_PUBLIC_BASE_URL: publicBaseUrl,
      // The kernel host image has both (kernel-host/Dockerfile: ipykernel and IRkernel).
      CELLWISE_KERNELS: 'python3,r',
      CELLWISE_MAX_UPLOAD_BYTES: String(4 * 1024 * 1024),
      CELLWISE_MAX_CONCURRENT_RUNS: String(maxConcurrentRuns),
      // A queued run's workflow asks for admission every 5 s (each ask is 3 state transitions).
      CELLWISE_QUEUE_POLL_SECONDS: '5',
      ...kernelLimitsEnvironment(limits),
      NODE_OPTIONS: '--enable-source-maps',
    };

    const makeFunction = functionFactory(this, { repoRoot: REPO_ROOT, tenantId, environment });

    // --- Runs: network, kernel host, workflow -------------------------------------------------
    this.network = new TenantNetwork(this, 'Network', {
      bucket: this.bucket,
      table: this.table,
      kernelEgress: kernelEgressRules,
    });
    this.kernelHost = new KernelHostService(this, 'KernelHost', {
      network: this.network,
      repoRoot: REPO_ROOT,
      tenantId,
      defaultLimits: limits.defaults,
    });
    const kernelHostEnvironment = {
      CELLWISE_KERNEL_HOST_URL: this.kernelHost.url,
      CELLWISE_KERNEL_HOST_TOKEN_SECRET: this.kernelHost.token.secretArn,
    };
    const grantKernelHostToken = (fn: NodejsFunction) =>
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [this.kernelHost.token.secretArn],
        }),
      );
    this.runs = new WorkflowFunctions(this, 'Runs', {
      tenantId,
      makeFunction,
      network: this.network,
      environment: kernelHostEnvironment,
      grant: (fn) => {
        grantDataAccess(fn, 'write-delete', this);
        grantKernelHostToken(fn);
      },
    });
    const stateMachine = this.runs.workflow.stateMachine;

    // --- Webhooks: the delivery worker; whatever ends runs may kick it ----------------------
    this.webhooks = new WebhookDelivery(this, 'Webhooks', { makeFunction, table: this.table });
    this.webhooks.allowKick(this.runs.tasks.get('Finalize')!);
    this.webhooks.allowKick(this.runs.reconciler);

    // --- Schedules: EventBridge Scheduler → the fire Lambda, which submits runs as route 12 does
    this.schedules = new NotebookSchedules(this, 'Schedules', {
      tenantId,
      makeFunction,
      environment: { CELLWISE_STATE_MACHINE_ARN: stateMachine.stateMachineArn },
      grant: (fn) => {
        grantDataAccess(fn, 'write', this);
        stateMachine.grantStartExecution(fn);
      },
    });

    // Signed notebook links (route 11 with `expiresIn`): the HMAC key, read by the functions that
    // sign links and by the authorizer that verifies them; it never leaves them.
    const linkKey = new Secret(this, 'LinkSigningKey', {
      description: `Cellwise notebook link signing key (tenant ${tenantId})`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    const linkKeyEnvironment = { CELLWISE_LINK_SIGNING_KEY_SECRET: linkKey.secretArn };
    // The pages' browser bundles (web/), built next to the handler: `/static/{asset}` serves them.
    const staticAssets = {
      environment: { CELLWISE_STATIC_DIR: '/var/task/static' },
      afterBundling: (outputDir: string) => [
        `cd "${REPO_ROOT}" && node --import tsx scripts/build-static.ts "${outputDir}/static"`,
      ],
    };

    this.authorizerFunction = makeFunction('Authorizer', AUTHORIZER_ENTRY, {
      memoryMb: 256,
      timeoutSeconds: 10,
      environment: linkKeyEnvironment,
    });
    linkKey.grantRead(this.authorizerFunction);
    // Token lookups only: one GetItem on the base table.
    this.authorizerFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [this.table.tableArn] }),
    );

    const authorizer = new HttpLambdaAuthorizer('TokenAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      // No identity source and no caching: API Gateway calls the authorizer on every request,
      // even one without a token, so the route answers 401 in the contract's shape.
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    const functions = new Map<string, NodejsFunction>();
    for (const route of ROUTES) {
      // Only what the route says it uses: the workflow, or the kernel host (and its network).
      const usesWorkflow = route.uses?.includes('workflow') ?? false;
      const usesKernelHost = route.uses?.includes('kernelHost') ?? false;
      const signsLinks = route.uses?.includes('linkSigningKey') ?? false;
      const servesAssets = route.uses?.includes('staticAssets') ?? false;
      const fn = makeFunction(pascal(route.id), route.entry, {
        memoryMb: route.memoryMb ?? DEFAULT_MEMORY_MB,
        timeoutSeconds: route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
        environment: {
          ...(usesWorkflow ? { CELLWISE_STATE_MACHINE_ARN: stateMachine.stateMachineArn } : {}),
          ...(usesKernelHost ? kernelHostEnvironment : {}),
          ...(signsLinks ? linkKeyEnvironment : {}),
          ...(servesAssets ? staticAssets.environment : {}),
        },
        ...(usesKernelHost ? { network: this.network } : {}),
        ...(servesAssets ? { afterBundling: staticAssets.afterBundling } : {}),
      });
      if (signsLinks) linkKey.grantRead(fn);
      grantDataAccess(fn, dataAccessOf(route), this);
      if (usesWorkflow) stateMachine.grantStartExecution(fn);
      if (usesKernelHost) grantKernelHostToken(fn);
      if (route.uses?.includes('webhooks')) this.webhooks.allowKick(fn);
      if (route.uses?.includes('schedules')) this.schedules.allowManage(fn);
      this.api.addRoutes({
        path: route.path,
        methods: [route.method as HttpMethod],
        integration: new HttpLambdaIntegration(`${pascal(route.id)}Integration`, fn),
        ...(route.auth ? { authorizer } : {}),
      });
      functions.set(route.id, fn);
    }
    this.functions = functions;

    // CDK renders `identitySource: []` as an empty list; leave the property out altogether,
    // which is what API Gateway documents for a REQUEST authorizer without caching.
    const cfnAuthorizer = this.api.node.tryFindChild('TokenAuthorizer')?.node.defaultChild as
      | CfnAuthorizer
      | undefined;
    if (!cfnAuthorizer) throw new Error('TenantStack: the Lambda authorizer was not attached to any route');
    cfnAuthorizer.addPropertyDeletionOverride('IdentitySource');

    new CfnOutput(this, 'ApiUrl', { value: publicBaseUrl, description: 'Base URL of the REST API' });
    new CfnOutput(this, 'TableName', {
      value: this.table.tableName,
      description: 'DynamoDB table (set CELLWISE_TABLE_NAME to this for `npm run admin`)',
    });
    new CfnOutput(this, 'BucketName', {
      value: this.bucket.bucketName,
      description: 'S3 bucket holding the .ipynb files',
    });
    new CfnOutput(this, 'StateMachineArn', {
      value: stateMachine.stateMachineArn,
      description: 'The run workflow (Step Functions, Standard)',
    });
    new CfnOutput(this, 'KernelHostUrl', {
      value: this.kernelHost.url,
      description:
        'The kernel host inside the VPC (Cloud Map private DNS); reachable from the run functions only',
    });
  }
}
