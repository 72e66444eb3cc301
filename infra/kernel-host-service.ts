import path from 'node:path';
import { Duration, FileSystem, RemovalPolicy } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  CpuArchitecture,
  Secret as EcsSecret,
  FargateService,
  FargateTaskDefinition,
  LinuxParameters,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { DnsRecordType, PrivateDnsNamespace } from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import type { KernelLimits } from '../functions/core/run/kernel.ts';
import { KERNEL_HOST_PORT, PRIVATE_SUBNETS, type TenantNetwork } from './network.ts';

/** The private DNS namespace (Cloud Map) the kernel hosts are registered in. */
export const KERNEL_HOST_NAMESPACE = 'cellwise.internal';
/** The Cloud Map service of the kernel hosts: one A record per healthy task. */
export const KERNEL_HOST_SERVICE_NAME = 'kernels';
/** The environment variable the container's entrypoint takes the token from (and then removes). */
export const KERNEL_HOST_TOKEN_ENV = 'KERNEL_HOST_TOKEN';

/** Sizing of the kernel host; each value can be set with `-c <name>=<value>`. */
export interface KernelHostSizing {
  /** `kernelHostCount`: Fargate tasks (default 1). */
  count: number;
  /** `kernelHostCpu`: CPU units of one task (default 2048 = 2 vCPU). */
  cpu: number;
  /** `kernelHostMemoryMb`: memory of one task (default 8192). */
  memoryMb: number;
  /** `kernelHostArch`: `x86_64` (default: builds without emulation on most machines) or `arm64`. */
  arch: 'x86_64' | 'arm64';
}

function positiveInt(scope: Construct, key: string, fallback: number, min = 1): number {
  const raw: unknown = scope.node.tryGetContext(key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`context ${key} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** The kernel host's sizing from the CDK context, with the defaults above. */
export function kernelHostSizing(scope: Construct): KernelHostSizing {
  const arch: unknown = scope.node.tryGetContext('kernelHostArch') ?? 'x86_64';
  if (arch !== 'x86_64' && arch !== 'arm64') {
    throw new Error(`context kernelHostArch must be x86_64 or arm64, got ${JSON.stringify(arch)}`);
  }
  return {
    count: positiveInt(scope, 'kernelHostCount', 1, 0),
    cpu: positiveInt(scope, 'kernelHostCpu', 2048),
    memoryMb: positiveInt(scope, 'kernelHostMemoryMb', 8192),
    arch,
  };
}

/** What the kernel host is placed in and built from. */
export interface KernelHostServiceProps {
  network: TenantNetwork;
  /** The repository root (the image is built from `kernel-host/`, with `kernel-sdk/` beside it). */
  repoRoot: string;
  tenantId: string;
  /**
   * Warm kernels each task keeps started per kernel name (`KERNEL_HOST_POOL_SIZE`; 0 disables
   * the pool). Default: context `kernelHostPoolSize`, else 2.
   */
  poolSize?: number;
  /** The limits the warm pool's kernels start with (a lease gives each its run's). */
  defaultLimits?: KernelLimits;
}

/** Warm python3 kernels per kernel host task unless the props or the context say otherwise. */
export const DEFAULT_KERNEL_POOL_SIZE = 2;

/**
 * The kernel host: Jupyter Server (`kernel-host/Dockerfile`) on ECS Fargate in the private
 * subnets, found through Cloud Map at `http://kernels.cellwise.internal:8888`, with its token
 * in Secrets Manager. The image is only staged at synth; `cdk deploy` builds it.
 */
export class KernelHostService extends Construct {
  /** The kernel host's token (48 letters and digits); the functions read it, ECS injects it. */
  readonly token: Secret;
  readonly service: FargateService;
  readonly taskDefinition: FargateTaskDefinition;
  /** Base URL the functions use (`CELLWISE_KERNEL_HOST_URL`); resolves to every healthy host. */
  readonly url = `http://${KERNEL_HOST_SERVICE_NAME}.${KERNEL_HOST_NAMESPACE}:${KERNEL_HOST_PORT}`;

  constructor(scope: Construct, id: string, props: KernelHostServiceProps) {
    super(scope, id);
    const { network, repoRoot, tenantId } = props;
    const sizing = kernelHostSizing(this);
    const poolSize = props.poolSize ?? positiveInt(this, 'kernelHostPoolSize', DEFAULT_KERNEL_POOL_SIZE, 0);
    // The kernel host accepts 0..16 (it falls back to 1 otherwise).
    if (!Number.isInteger(poolSize) || poolSize < 0 || poolSize > 16)
      throw new Error(`poolSize must be an integer from 0 to 16, got ${poolSize}`);

    this.token = new Secret(this, 'Token', {
      description: `Cellwise kernel host token (tenant ${tenantId})`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const cluster = new Cluster(this, 'Cluster', { vpc: network.vpc });
    const namespace = new PrivateDnsNamespace(this, 'Namespace', {
      name: KERNEL_HOST_NAMESPACE,
      vpc: network.vpc,
      description: 'Cellwise kernel hosts',
    });

    // Notebook code runs in this task and can reach the task's credentials endpoint: whatever
    // the task role may do, every notebook may do. So the role has no policies at all (and the
    // entrypoint unsets its credentials URI too); image pulls, logs and the token secret are
    // the execution role's, which only the ECS agent uses and no container ever sees.
    const taskRole = new Role(this, 'TaskRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Cellwise kernel host task role: deliberately no permissions (tenant ${tenantId})`,
    });
    const arm = sizing.arch === 'arm64';
    this.taskDefinition = new FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: sizing.cpu,
      memoryLimitMiB: sizing.memoryMb,
      taskRole,
      runtimePlatform: {
        cpuArchitecture: arm ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });

    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The task reaches Logs and Secrets Manager only through the VPC endpoints, whose policies
    // let through nothing but this log group and this secret (the functions read it there too).
    network.allowLogDelivery(logGroup);
    network.allowSecretReads(this.token);
    const sdkDir = path.join(repoRoot, 'kernel-sdk');
    this.taskDefinition.addContainer('jupyter', {
      image: ContainerImage.fromAsset(path.join(repoRoot, 'kernel-host'), {
        platform: arm ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
        // The in-kernel SDK is a named build context (`COPY --from=kernel-sdk`); its content is
        // hashed into the asset so an SDK change rebuilds the image.
        buildContexts: { 'kernel-sdk': sdkDir },
        extraHash: FileSystem.fingerprint(sdkDir, { exclude: ['**/__pycache__', '**/*.pyc'] }),
      }),
      essential: true,
      portMappings: [{ containerPort: KERNEL_HOST_PORT }],
      environment: {
        KERNEL_HOST_POOL_SIZE: String(poolSize),
        ...(props.defaultLimits ? { KERNEL_HOST_DEFAULT_LIMITS: JSON.stringify(props.defaultLimits) } : {}),
      },
      secrets: { [KERNEL_HOST_TOKEN_ENV]: EcsSecret.fromSecretsManager(this.token) },
      logging: LogDrivers.awsLogs({ streamPrefix: 'kernel-host', logGroup }),
      // An init process reaps orphaned kernel processes and forwards SIGTERM to the server.
      linuxParameters: new LinuxParameters(this, 'LinuxParameters', { initProcessEnabled: true }),
      // `GET /api` answers without the token once the server is up.
      healthCheck: {
        command: [
          'CMD',
          'python3',
          '-c',
          `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${KERNEL_HOST_PORT}/api', timeout=4)`,
        ],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      stopTimeout: Duration.seconds(30),
    });

    this.service = new FargateService(this, 'Service', {
      cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: sizing.count,
      vpcSubnets: PRIVATE_SUBNETS,
      securityGroups: [network.kernelHostSg],
      assignPublicIp: false,
      // Replacing a host ends the kernels on it: start the new one before stopping the old.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      enableExecuteCommand: false,
      cloudMapOptions: {
        cloudMapNamespace: namespace,
        name: KERNEL_HOST_SERVICE_NAME,
        dnsRecordType: DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
      },
    });
    // The task has no way out but the endpoints: started before they are up, its image pull
    // would fail (and fail the deployment through the circuit breaker).
    this.service.node.addDependency(network.kernelHostEgressReady);
  }
}
