import { Duration } from 'aws-cdk-lib';
import {
  AdjustmentType,
  MetricAggregationType,
  type ScalingInterval,
} from 'aws-cdk-lib/aws-applicationautoscaling';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { FargateService } from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { METRIC, SERVICE_NAME } from '../functions/observability/names.ts';

/** The fleet's size bounds as stack props (else context `minHosts` / `maxHosts`). */
export interface KernelFleetProps {
  /** Kernel hosts that always run, busy or not (default 1; 0 lets an idle tenant cost no task). */
  minHosts?: number;
  /** The most kernel hosts demand may start (default 4, at most `MAX_HOSTS`). */
  maxHosts?: number;
}

/** Step scaling allows 40 steps: one per host count from 0 to 39. */
export const MAX_HOSTS = 39;

/** What the kernel host's server keeps for itself of its task's memory (kernel-host/cellwise_kernel_host/host.py). */
export const SERVER_RESERVE_MIB = 512;

/** The kernel hosts' size: how many, and what one task is and holds. */
export interface KernelFleetSizing {
  minHosts: number;
  maxHosts: number;
  /** `kernelHostCpu`: CPU units of one task (default 2048 = 2 vCPU). */
  cpu: number;
  /** `kernelHostMemoryMb`: memory of one task (default 8192). */
  memoryMb: number;
  /** `kernelHostArch`: `x86_64` (default: builds without emulation on most machines) or `arm64`. */
  arch: 'x86_64' | 'arm64';
  /** The memory kernels may reserve on one host (the task's, less the server's share). */
  hostMemoryMiB: number;
  /** Kernels of the default memory limit one host holds: its capacity, as admission counts it. */
  kernelsPerHost: number;
}

function wholeNumber(scope: Construct, key: string, given: unknown, fallback: number, min: number): number {
  const raw: unknown = given ?? scope.node.tryGetContext(key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${key} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** The memory kernels may reserve on one host: `kernelHostMemoryMb` (default 8192) less the server's share. */
export function kernelHostMemoryMiB(scope: Construct): number {
  return wholeNumber(scope, 'kernelHostMemoryMb', undefined, 8192, 1024) - SERVER_RESERVE_MIB;
}

/**
 * The fleet's sizing from the props, else the context, else the defaults (1 to 4 hosts of 2 vCPU
 * and 8 GiB). A host holds as many kernels of the default memory limit as fit in its memory
 * less the server's share: it must hold at least one.
 */
export function kernelFleetSizing(
  scope: Construct,
  props: KernelFleetProps,
  defaultKernelMemoryMiB: number,
): KernelFleetSizing {
  if (scope.node.tryGetContext('kernelHostCount') !== undefined) {
    throw new Error(
      'context kernelHostCount is gone: the kernel hosts scale on demand between minHosts and maxHosts',
    );
  }
  const arch: unknown = scope.node.tryGetContext('kernelHostArch') ?? 'x86_64';
  if (arch !== 'x86_64' && arch !== 'arm64') {
    throw new Error(`context kernelHostArch must be x86_64 or arm64, got ${JSON.stringify(arch)}`);
  }
  const minHosts = wholeNumber(scope, 'minHosts', props.minHosts, 1, 0);
  const maxHosts = wholeNumber(scope, 'maxHosts', props.maxHosts, Math.max(4, minHosts), 1);
  if (maxHosts > MAX_HOSTS) throw new Error(`maxHosts must be at most ${MAX_HOSTS}, got ${maxHosts}`);
  if (minHosts > maxHosts) throw new Error(`minHosts (${minHosts}) must not be above maxHosts (${maxHosts})`);
  const cpu = wholeNumber(scope, 'kernelHostCpu', undefined, 2048, 256);
  const memoryMb = wholeNumber(scope, 'kernelHostMemoryMb', undefined, 8192, 1024);
  const hostMemoryMiB = kernelHostMemoryMiB(scope);
  const kernelsPerHost = Math.floor(hostMemoryMiB / defaultKernelMemoryMiB);
  if (kernelsPerHost < 1) {
    throw new Error(
      `kernelHostMemoryMb ${memoryMb} holds no kernel of the default ${defaultKernelMemoryMiB} MiB (the server keeps ${SERVER_RESERVE_MIB} MiB)`,
    );
  }
  return { minHosts, maxHosts, cpu, memoryMb, arch, hostMemoryMiB, kernelsPerHost };
}

/** The functions' view of the fleet's size (functions/adapters/config.ts reads it). */
export function kernelFleetEnvironment(sizing: KernelFleetSizing): Record<string, string> {
  return {
    CELLWISE_KERNEL_FLEET_MIN_HOSTS: String(sizing.minHosts),
    CELLWISE_KERNEL_FLEET_MAX_HOSTS: String(sizing.maxHosts),
    CELLWISE_KERNELS_PER_HOST: String(sizing.kernelsPerHost),
  };
}

/**
 * One step per host count: a `KernelHostsWanted` of n sets the service to exactly n tasks
 * (within min..max). n is what the queue sweep publishes every minute: the kernels in use
 * plus the runs waiting, in hosts.
 */
export function hostSteps(minHosts: number, maxHosts: number): ScalingInterval[] {
  const steps: ScalingInterval[] = [{ upper: minHosts + 0.5, change: minHosts }];
  for (let n = minHosts + 1; n < maxHosts; n++) steps.push({ lower: n - 0.5, upper: n + 0.5, change: n });
  steps.push({ lower: maxHosts - 0.5, change: maxHosts });
  return steps;
}

/** The metric the fleet scales on (published by the queue sweep, `functions/core/use-cases/sweep-queue.ts`). */
export function hostsWantedMetric(namespace: string): Metric {
  return new Metric({
    namespace,
    metricName: METRIC.kernelHostsWanted,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: 'Maximum',
    period: Duration.minutes(1),
  });
}

/**
 * Scales the kernel hosts on demand: Application Auto Scaling between min and max tasks, a
 * step policy with exact capacities on `KernelHostsWanted`. Scale-in stops only hosts that
 * hold no kernel (busy hosts protect themselves, see host.py), and a stopped host drains first.
 * With min = max the fleet is fixed and has no policy.
 */
export function scaleOnDemand(service: FargateService, sizing: KernelFleetSizing, namespace: string): void {
  const capacity = service.autoScaleTaskCount({ minCapacity: sizing.minHosts, maxCapacity: sizing.maxHosts });
  if (sizing.minHosts === sizing.maxHosts) return;
  capacity.scaleOnMetric('OnDemand', {
    metric: hostsWantedMetric(namespace),
    scalingSteps: hostSteps(sizing.minHosts, sizing.maxHosts),
    adjustmentType: AdjustmentType.EXACT_CAPACITY,
    metricAggregationType: MetricAggregationType.MAXIMUM,
    evaluationPeriods: 1,
    cooldown: Duration.seconds(60),
  });
}
