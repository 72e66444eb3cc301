import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { TenantNetwork } from './network.ts';

/** How one Cellwise Lambda differs from the others. */
export interface FunctionOptions {
  memoryMb: number;
  timeoutSeconds: number;
  /** Variables on top of the environment every function gets. */
  environment?: Record<string, string>;
  /** Place the function in the private subnets with the functions' security group. */
  network?: TenantNetwork;
  /** Shell commands run after bundling, given the bundle's output directory (files shipped with the code). */
  afterBundling?: (outputDir: string) => string[];
}

/** Creates one Cellwise Lambda (`constructId` in the factory's scope) from a handler module. */
export type MakeFunction = (constructId: string, entry: string, options: FunctionOptions) => NodejsFunction;

/**
 * The one way this stack makes a Lambda: Node 22 on arm64, bundled with the local esbuild
 * (no Docker), its own log group, and its own role that may write to that log group and
 * nothing else until granted more. Functions placed in the VPC also get the network-interface
 * permissions Lambda needs, scoped to the private subnets (see `TenantNetwork`).
 */
export function functionFactory(
  scope: Construct,
  props: { repoRoot: string; tenantId: string; environment: Record<string, string> },
): MakeFunction {
  const { repoRoot, tenantId } = props;
  return (constructId, entry, options) => {
    const logGroup = new LogGroup(scope, `${constructId}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole (logs:* on every log group).
    const role = new Role(scope, `${constructId}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Cellwise ${constructId} (tenant ${tenantId})`,
    });
    logGroup.grantWrite(role);
    if (options.network) options.network.grantFunctionNetworking(role);
    return new NodejsFunction(scope, constructId, {
      entry: path.join(repoRoot, entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: options.memoryMb,
      timeout: Duration.seconds(options.timeoutSeconds),
      environment: { ...props.environment, ...options.environment },
      role,
      logGroup,
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
  };
}
