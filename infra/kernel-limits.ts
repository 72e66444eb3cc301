import type { Construct } from 'constructs';
import { DEFAULT_KERNEL_LIMITS, type KernelLimits } from '../functions/core/run/kernel.ts';

/** A tenant's kernel limits: what a run gets when it names none, and the most it may ask for. */
export interface KernelLimitsProps {
  defaults?: Partial<KernelLimits>;
  max?: Partial<KernelLimits>;
}

/** What the kernel host's launcher accepts for each limit (kernel-host/cellwise_launcher/limits.py). */
const BOUNDS: Record<keyof KernelLimits, [number, number]> = {
  memoryMiB: [128, 1_048_576],
  processes: [16, 65_536],
  diskMiB: [16, 1_048_576],
};

function complete(
  given: Partial<KernelLimits> | undefined,
  fallback: KernelLimits,
  what: string,
): KernelLimits {
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    throw new Error(`kernelLimits.${what} must be an object of memoryMiB, processes, diskMiB`);
  }
  const unknown = Object.keys(given ?? {}).filter((k) => !(k in BOUNDS));
  if (unknown.length > 0) throw new Error(`kernelLimits.${what}: unknown limit(s) ${unknown.join(', ')}`);
  const limits = { ...fallback, ...given };
  for (const [key, [low, high]] of Object.entries(BOUNDS) as [keyof KernelLimits, [number, number]][]) {
    const value = limits[key];
    if (!Number.isInteger(value) || value < low || value > high) {
      throw new Error(
        `kernelLimits.${what}.${key} must be an integer from ${low} to ${high}, got ${JSON.stringify(value)}`,
      );
    }
  }
  return limits;
}

/**
 * The tenant's kernel limits from the stack prop, else context `kernelLimits` (JSON), with the
 * contract's defaults (2048 MiB, 256 processes, 1024 MiB) and a maximum of four times them (the
 * memory at most what one kernel host has for kernels, `hostMemoryMiB`); the defaults must fit
 * under the maximum, and the maximum on a host.
 */
export function kernelLimitsOf(
  scope: Construct,
  props?: KernelLimitsProps,
  /** What one kernel host has for kernels: no run may ask for more memory than that. */
  hostMemoryMiB = Number.POSITIVE_INFINITY,
): { defaults: KernelLimits; max: KernelLimits } {
  let given: unknown = props ?? scope.node.tryGetContext('kernelLimits');
  if (typeof given === 'string') {
    try {
      given = JSON.parse(given);
    } catch {
      throw new Error('context kernelLimits must be JSON: {"defaults": {...}, "max": {...}}');
    }
  }
  const { defaults, max } = (given ?? {}) as KernelLimitsProps;
  const chosen = complete(defaults, DEFAULT_KERNEL_LIMITS, 'defaults');
  const ceiling = complete(
    max,
    {
      memoryMiB: Math.max(chosen.memoryMiB, Math.min(4 * DEFAULT_KERNEL_LIMITS.memoryMiB, hostMemoryMiB)),
      processes: Math.max(chosen.processes, 4 * DEFAULT_KERNEL_LIMITS.processes),
      diskMiB: Math.max(chosen.diskMiB, 4 * DEFAULT_KERNEL_LIMITS.diskMiB),
    },
    'max',
  );
  for (const key of Object.keys(BOUNDS) as (keyof KernelLimits)[]) {
    if (chosen[key] > ceiling[key]) throw new Error(`kernelLimits: the default ${key} is above the maximum`);
  }
  if (ceiling.memoryMiB > hostMemoryMiB) {
    throw new Error(
      `kernelLimits: a kernel of ${ceiling.memoryMiB} MiB would fit on no kernel host (${hostMemoryMiB} MiB for kernels: raise kernelHostMemoryMb)`,
    );
  }
  return { defaults: chosen, max: ceiling };
}

/** The functions' environment for the limits (functions/adapters/config.ts reads it). */
export function kernelLimitsEnvironment(limits: {
  defaults: KernelLimits;
  max: KernelLimits;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [kind, values] of [
    ['DEFAULT', limits.defaults],
    ['MAX', limits.max],
  ] as const) {
    env[`CELLWISE_KERNEL_${kind}_MEMORY_MIB`] = String(values.memoryMiB);
    env[`CELLWISE_KERNEL_${kind}_PROCESSES`] = String(values.processes);
    env[`CELLWISE_KERNEL_${kind}_DISK_MIB`] = String(values.diskMiB);
  }
  return env;
}
