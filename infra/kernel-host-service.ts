import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Duration, FileSystem, RemovalPolicy, Stage, Validations } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
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
import { KERNEL_HOST_PORT, type TenantNetwork } from './network.ts';

/**
 * The private DNS namespace (Cloud Map) a tenant's kernel hosts are registered in: one per
 * tenant, so tenants sharing a VPC never share (or clash over) a name.
 */
export const kernelHostNamespace = (tenantId: string) => `cellwise-${tenantId.toLowerCase()}.internal`;
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

/** What of the SDK is not part of the image. */
const SDK_EXCLUDE = ['**/__pycache__', '**/*.pyc'];

/**
 * The image's build context, staged as one directory: `kernel-host/` with `kernel-sdk/`
 * inside it, which the Dockerfile takes as the named build context `kernel-sdk`, passed as
 * a path relative to the context. CDK copies the directory into the cloud assembly, so the
 * asset manifest names no path of this machine and a deployment from another checkout (or
 * another CI job) builds the same image. Staged under `outdir` (the cloud assembly's
 * directory) once per content (a hash of both), atomically.
 */
export function stageKernelHostImage(repoRoot: string, outdir: string): string {
  const host = path.join(repoRoot, 'kernel-host');
  const sdk = path.join(repoRoot, 'kernel-sdk');
  const hash = createHash('sha256')
    .update(FileSystem.fingerprint(host, { exclude: SDK_EXCLUDE }))
    .update(FileSystem.fingerprint(sdk, { exclude: SDK_EXCLUDE }))
    .digest('hex')
    .slice(0, 16);
  const staged = path.join(outdir, `kernel-host-context.${hash}`);
  if (existsSync(staged)) return staged;
  mkdirSync(outdir, { recursive: true });
  const building = mkdtempSync(`${staged}.tmp-`);
  const keep = (file: string) => !/(^|\/)(__pycache__)(\/|$)|\.pyc$/.test(file);
  cpSync(host, building, { recursive: true, filter: keep });
  cpSync(sdk, path.join(building, 'kernel-sdk'), { recursive: true, filter: keep });
  try {
    renameSync(building, staged);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another synth staged it first
  }
  return staged;
}

/**
 * The kernel host: Jupyter Server (`kernel-host/Dockerfile`) on ECS Fargate in the private
 * subnets, found through Cloud Map at `http://kernels.cellwise.internal:8888`, with its token
 * in Secrets Manager. The image is only staged at synth; `cdk deploy` builds it.
 */
export class KernelHostService extends Construct {
  /** The kernel host's token (48 letters and digits); the functions read it, ECS injects it. */
  readonly token: Secret;
  readonly cluster: Cluster;
  readonly service: FargateService;
  readonly taskDefinition: FargateTaskDefinition;
  /** Base URL the functions use (`CELLWISE_KERNEL_HOST_URL`); resolves to every healthy host. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: KernelHostServiceProps) {
    super(scope, id);
    const { network, repoRoot, tenantId } = props;
    this.url = `http://${KERNEL_HOST_SERVICE_NAME}.${kernelHostNamespace(tenantId)}:${KERNEL_HOST_PORT}`;
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
    Validations.of(this.token).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The kernel host token: the host reads it once at start and the functions cache it per container, so a rotation means restarting the kernel host (ending its kernels); it is rotated by hand in a quiet window (README: Rotating secrets), never by a timer mid-run',
    });

    // Container Insights: the service's running and desired task counts (the kernel host alarm).
    this.cluster = new Cluster(this, 'Cluster', {
      vpc: network.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });
    const namespace = new PrivateDnsNamespace(this, 'Namespace', {
      name: kernelHostNamespace(tenantId),
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
    const container = this.taskDefinition.addContainer('jupyter', {
      image: ContainerImage.fromAsset(stageKernelHostImage(repoRoot, Stage.of(this)!.outdir), {
        platform: arm ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
        // The in-kernel SDK is a named build context (`COPY --from=kernel-sdk`), staged inside
        // the context directory: a relative path, resolved where the asset is built.
        buildContexts: { 'kernel-sdk': 'kernel-sdk' },
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
    Validations.of(container.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The kernel host container gets two plain settings as variables (KERNEL_HOST_POOL_SIZE, KERNEL_HOST_DEFAULT_LIMITS); its one secret, the token, comes from Secrets Manager as an ECS secret',
    });

    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: sizing.count,
      vpcSubnets: network.privateSubnets,
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
