import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Duration, FileSystem, RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
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
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { DnsRecordType, PrivateDnsNamespace } from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import type { KernelLimits } from '../functions/core/run/kernel.ts';
import { type KernelFleetSizing, scaleOnDemand } from './kernel-fleet.ts';
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

function positiveInt(scope: Construct, key: string, fallback: number, min = 1): number {
  const raw: unknown = scope.node.tryGetContext(key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`context ${key} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** How long a kernel host stopped by ECS lets its running runs finish (the task's stopTimeout is 120 s). */
export const KERNEL_HOST_DRAIN_SECONDS = 100;

/** What the kernel host is placed in and built from. */
export interface KernelHostServiceProps {
  network: TenantNetwork;
  /** The repository root (the image is built from `kernel-host/`, with `kernel-sdk/` beside it). */
  repoRoot: string;
  tenantId: string;
  /** How many hosts and how big (see `kernelFleetSizing`). */
  sizing: KernelFleetSizing;
  /** The metrics namespace the queue sweep publishes `KernelHostsWanted` in. */
  metricsNamespace: string;
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
 * The kernel hosts: a fleet of Jupyter Servers (`kernel-host/Dockerfile`) on ECS Fargate in the
 * private subnets, each registered in Cloud Map (`kernels.cellwise-<tenant>.internal`: one A
 * record per healthy task) and describing itself at `/cellwise/v1/host` (its task id, capacity,
 * load, whether it drains), with one token in Secrets Manager. The service scales between
 * `minHosts` and `maxHosts` on the demand the queue sweep publishes (`scaleOnDemand`); a host
 * that holds kernels protects itself from scale-in, and a host ECS stops drains first. The
 * image is only staged at synth; `cdk deploy` builds it.
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
    const { sizing } = props;
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

    // Notebook code runs in this task: whatever the task role may do, a kernel that found the
    // credentials could do. So the role may do one thing, which the ECS agent does for the
    // server: set the scale-in protection of this cluster's tasks (the entrypoint unsets the
    // credentials pointer and kernels get no ECS_* variable, so a kernel has no way to them).
    // Image pulls, logs and the token secret are the execution role's, which only the ECS
    // agent uses and no container ever sees.
    const taskRole = new Role(this, 'TaskRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Cellwise kernel host task role: its scale-in protection, nothing else (tenant ${tenantId})`,
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
        KERNEL_HOST_MEMORY_MIB: String(sizing.hostMemoryMiB),
        KERNEL_HOST_MAX_KERNELS: String(sizing.kernelsPerHost),
        KERNEL_HOST_DRAIN_SECONDS: String(KERNEL_HOST_DRAIN_SECONDS),
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
      // Fargate's longest: a stopped host drains for KERNEL_HOST_DRAIN_SECONDS, then stops.
      stopTimeout: Duration.seconds(120),
    });
    Validations.of(container.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The kernel host container gets plain settings as variables (pool size, default limits, capacity, drain time); its one secret, the token, comes from Secrets Manager as an ECS secret',
    });

    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      // Autoscaling owns the count (a deployment must not reset it); a fixed fleet has its size.
      ...(sizing.minHosts === sizing.maxHosts ? { desiredCount: sizing.minHosts } : {}),
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
    taskRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'],
        resources: [
          Stack.of(this).formatArn({
            service: 'ecs',
            resource: 'task',
            resourceName: `${this.cluster.clusterName}/*`,
          }),
        ],
      }),
    );
    scaleOnDemand(this.service, sizing, props.metricsNamespace);
  }
}
