import path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { TenantNetwork } from './network.ts';
import type { ReservedConcurrency } from './operations-props.ts';

/**
 * The functions of a tenant, by what they serve: the API (the routes and the authorizer),
 * runs (the workflow's tasks and the reconciler), schedules (the fire function), webhooks
 * (the delivery worker). Each group shares one log group, its alarms and its reserved
 * concurrency setting.
 */
export type FunctionGroup = 'api' | 'runs' | 'schedules' | 'webhooks';
export const FUNCTION_GROUPS: readonly FunctionGroup[] = ['api', 'runs', 'schedules', 'webhooks'];

/** How one Cellwise Lambda differs from the others. */
export interface FunctionOptions {
  group: FunctionGroup;
  /**
   * The name of the function's permissions (`read`, `author+kernelHost`...): functions of a
   * group with the same name share one role, granted once what all of them need, and no more.
   */
  permissions: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Who invokes it and how, in words (the reason its failures need no dead-letter queue). */
  invokedBy: string;
  /** For a function invoked asynchronously: where its events go after Lambda's retries. */
  deadLetterQueue?: IQueue;
  /** Variables on top of the environment every function gets. */
  environment?: Record<string, string>;
  /** Place the function in the private subnets with the functions' security group. */
  network?: TenantNetwork;
  /** Shell commands run after bundling, given the bundle's output directory (files shipped with the code). */
  afterBundling?: (outputDir: string) => string[];
}

/** Creates one Cellwise Lambda (`constructId` in the factory's scope) from a handler module. */
export type MakeFunction = (constructId: string, entry: string, options: FunctionOptions) => NodejsFunction;

/** What the factory made: every function by group (the alarms and the dashboard read them). */
export interface FunctionRegistry {
  readonly byGroup: ReadonlyMap<FunctionGroup, NodejsFunction[]>;
  readonly logGroups: ReadonlyMap<FunctionGroup, LogGroup>;
}

/** The reason every function keeps nodejs22.x (AwsSolutions-L1, Serverless-LambdaLatestVersion). */
const RUNTIME_REASON =
  'nodejs22.x is the Node the project builds and tests with (the `node` package, Node 22); moving the Lambdas to a newer runtime moves the tests with them, as one deliberate upgrade';

/**
 * The one way this stack makes a Lambda: Node 22 on arm64, bundled with the local esbuild
 * (no Docker), X-Ray tracing on, Powertools configured by the environment, writing to its
 * group's log group with a role of its permissions' own (log writes to that group and
 * nothing else until granted more). Functions placed in the VPC also get the
 * network-interface permissions Lambda needs, scoped to the private subnets.
 */
export function functionFactory(
  scope: Construct,
  props: {
    repoRoot: string;
    tenantId: string;
    environment: Record<string, string>;
    reservedConcurrency: ReservedConcurrency;
  },
): { makeFunction: MakeFunction; registry: FunctionRegistry } {
  const { repoRoot, tenantId } = props;
  const logGroups = new Map<FunctionGroup, LogGroup>();
  const roles = new Map<string, IRole>();
  const byGroup = new Map<FunctionGroup, NodejsFunction[]>(FUNCTION_GROUPS.map((g) => [g, []]));

  const logGroupOf = (group: FunctionGroup) => {
    let logGroup = logGroups.get(group);
    if (!logGroup) {
      // One log group per group: every line names its function (Powertools' `function_name`).
      logGroup = new LogGroup(scope, `${pascal(group)}FunctionLogs`, {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      logGroups.set(group, logGroup);
    }
    return logGroup;
  };

  const roleOf = (options: FunctionOptions) => {
    const key = `${options.group}:${options.permissions}${options.network ? ':vpc' : ''}`;
    let role = roles.get(key);
    if (!role) {
      const id = `${pascal(options.group)}${options.permissions
        .split(/[^a-zA-Z0-9]+/)
        .map(pascal)
        .join('')}${options.network ? 'Vpc' : ''}Role`;
      // An own role instead of AWSLambdaBasicExecutionRole (logs:* on every log group).
      const created = new Role(scope, id, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `Cellwise ${options.group} functions with ${options.permissions} (tenant ${tenantId})`,
      });
      logGroupOf(options.group).grantWrite(created);
      if (options.network) options.network.grantFunctionNetworking(created);
      roles.set(key, created);
      role = created;
    }
    return role;
  };

  const makeFunction: MakeFunction = (constructId, entry, options) => {
    const reserved = props.reservedConcurrency[options.group];
    const fn = new NodejsFunction(scope, constructId, {
      entry: path.join(repoRoot, entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: options.memoryMb,
      timeout: Duration.seconds(options.timeoutSeconds),
      environment: { ...props.environment, ...options.environment },
      role: roleOf(options),
      logGroup: logGroupOf(options.group),
      tracing: Tracing.ACTIVE,
      ...(reserved !== undefined ? { reservedConcurrentExecutions: reserved } : {}),
      ...(options.deadLetterQueue ? { deadLetterQueue: options.deadLetterQueue } : {}),
      ...(options.network ? options.network.functionPlacement() : {}),
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
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
        ...(options.afterBundling
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) => options.afterBundling!(outputDir),
              },
            }
          : {}),
      },
    });
    const acknowledge = (id: string, reason: string) => Validations.of(fn).acknowledge({ id, reason });
    acknowledge('AwsSolutions-L1', RUNTIME_REASON);
    acknowledge('Serverless-LambdaLatestVersion', RUNTIME_REASON);
    if (!options.deadLetterQueue) {
      acknowledge(
        'Serverless-LambdaDLQ',
        `${constructId} is invoked synchronously by ${options.invokedBy}: a failure goes back to that caller, so no event is left to dead-letter`,
      );
    }
    byGroup.get(options.group)!.push(fn);
    return fn;
  };
  return { makeFunction, registry: { byGroup, logGroups } };
}

function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}
