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
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { HEALTH_KEY } from '../functions/adapters/readiness.ts';
import { isGuid } from '../functions/core/ids.ts';
import { AUTHORIZER_ENTRY, ROUTES, type RouteDefinition } from './routes.ts';
import { TABLE_SCHEMA } from './table-schema.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const DEFAULT_MEMORY_MB = 512;
/** API Gateway HTTP APIs stop waiting for an integration after 30 s. */
const DEFAULT_TIMEOUT_SECONDS = 29;

/** Routes that serve static content and must not touch the table or the bucket. */
const NO_DATA_ROUTES: ReadonlySet<string> = new Set(['viewNotebookPage', 'getOpenApi']);

export interface TenantStackProps extends StackProps {
  /** The tenant this deployment serves (a GUID); every resource is tagged with it. */
  tenantId: string;
}

type DataAccess = 'none' | 'health' | 'read' | 'write' | 'write-delete';

/** What a route may do with the table and the bucket: the least its handler needs. */
export function dataAccessOf(route: RouteDefinition): DataAccess {
  if (NO_DATA_ROUTES.has(route.id)) return 'none';
  if (route.id === 'health') return 'health';
  if (route.method === 'GET') return 'read';
  if (route.method === 'DELETE') return 'write-delete';
  return 'write';
}

/** `listNotebooks` → `ListNotebooks`, for construct ids. */
function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}

/**
 * One tenant's Cellwise: a DynamoDB table, an S3 bucket for .ipynb files, one Lambda per
 * route of the manifest (`routes.ts`) and an HTTP API in front of them, with the Lambda
 * authorizer on the routes that need a caller.
 */
export class TenantStack extends Stack {
  readonly table: Table;
  readonly bucket: Bucket;
  readonly api: HttpApi;
  readonly functions: ReadonlyMap<string, NodejsFunction>;
  readonly authorizerFunction: NodejsFunction;

  constructor(scope: Construct, id: string, props: TenantStackProps) {
    if (typeof props?.tenantId !== 'string' || !isGuid(props.tenantId)) {
      throw new Error(
        `TenantStack: tenantId must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got ${JSON.stringify(props?.tenantId)}`,
      );
    }
    const { tenantId, ...stackProps } = props;
    super(scope, id, {
      description: `Cellwise for tenant ${tenantId}: HTTP API, Lambda routes, DynamoDB table, S3 bucket`,
      ...stackProps,
    });
    Tags.of(this).add('cellwise:tenant', tenantId);

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
      CELLWISE_KERNELS: 'python3',
      CELLWISE_MAX_UPLOAD_BYTES: String(4 * 1024 * 1024),
      NODE_OPTIONS: '--enable-source-maps',
    };

    const makeFunction = (constructId: string, entry: string, memoryMb: number, timeoutSeconds: number) => {
      const logGroup = new LogGroup(this, `${constructId}Logs`, {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // An own role instead of AWSLambdaBasicExecutionRole (logs:* on every log group):
      // the function may write to its log group and nothing else until granted more.
      const role = new Role(this, `${constructId}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `Cellwise ${constructId} (tenant ${tenantId})`,
      });
      logGroup.grantWrite(role);
      return new NodejsFunction(this, constructId, {
        entry: path.join(REPO_ROOT, entry),
        handler: 'handler',
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: memoryMb,
        timeout: Duration.seconds(timeoutSeconds),
        environment,
        role,
        logGroup,
        projectRoot: REPO_ROOT,
        depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
        bundling: {
          format: OutputFormat.ESM,
          target: 'node22',
          mainFields: ['module', 'main'],
          minify: true,
          sourceMap: true,
          logLevel: LogLevel.WARNING,
          // The SDK the code was tested with, not whichever version the runtime ships.
          bundleAwsSDK: true,
          // CommonJS dependencies inside an ESM bundle still call `require`.
          banner:
            "import { createRequire as __cellwiseCreateRequire } from 'node:module'; const require = __cellwiseCreateRequire(import.meta.url);",
          forceDockerBundling: false,
        },
      });
    };

    this.authorizerFunction = makeFunction('Authorizer', AUTHORIZER_ENTRY, 256, 10);
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
      const fn = makeFunction(
        pascal(route.id),
        route.entry,
        route.memoryMb ?? DEFAULT_MEMORY_MB,
        route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      );
      this.grantDataAccess(fn, dataAccessOf(route));
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
  }

  private grantDataAccess(fn: NodejsFunction, access: DataAccess): void {
    switch (access) {
      case 'none':
        return;
      case 'health':
        // One GetItem probe, and a read of the one probe key (ListBucket makes a missing key
        // answer NoSuchKey rather than AccessDenied); nothing else.
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [this.table.tableArn] }),
        );
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
        );
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['s3:GetObject'],
            resources: [this.bucket.arnForObjects(HEALTH_KEY)],
          }),
        );
        return;
      case 'read':
        this.table.grantReadData(fn);
        this.bucket.grantRead(fn);
        return;
      case 'write':
        this.table.grantReadWriteData(fn);
        this.bucket.grantReadWrite(fn);
        return;
      case 'write-delete':
        this.table.grantReadWriteData(fn);
        this.bucket.grantReadWrite(fn);
        this.bucket.grantDelete(fn);
        return;
    }
  }
}
