import {
  checkEnvironmentRequest,
  type KernelEnvironment,
  kernelSpecName,
  notebookEnvironment,
  requireEnvironment,
} from '../environments.ts';
import { ServiceUnavailableError } from '../errors.ts';
import type { Environment, KernelType } from '../notebook.ts';
import type { Services } from '../ports.ts';

/** How long a process reuses the kernel host's answer. */
export const ENVIRONMENTS_CACHE_MS = 60_000;

const cache = new WeakMap<Services, { until: number; value: Promise<KernelEnvironment[]> }>();

/**
 * The kernels this deployment can really run (route `GET /environments`): the configured
 * kernel types (`services.kernels`) whose kernelspec the kernel host has, each with the
 * language version, installed packages and custom libraries the host reports. Kept for
 * {@link ENVIRONMENTS_CACHE_MS} per process; a failed ask is not kept.
 */
export function listEnvironments(services: Services): Promise<KernelEnvironment[]> {
  const now = services.now().getTime();
  const hit = cache.get(services);
  if (hit && hit.until > now) return hit.value;
  const value = askHost(services);
  cache.set(services, { until: now + ENVIRONMENTS_CACHE_MS, value });
  value.catch(() => {
    if (cache.get(services)?.value === value) cache.delete(services);
  });
  return value;
}

async function askHost(services: Services): Promise<KernelEnvironment[]> {
  const specs = await services.kernelHost.specs.environments().catch(() => {
    throw new ServiceUnavailableError('The kernel host could not list its kernels; retry later');
  });
  const environments: KernelEnvironment[] = [];
  for (const kernelType of services.kernels) {
    const spec = specs.find((s) => s.name === kernelSpecName(kernelType));
    if (!spec) continue;
    environments.push({
      kernelType,
      displayName: spec.displayName,
      language: spec.language,
      languageVersion: spec.languageVersion,
      packages: spec.packages,
      customLibraries: spec.customLibraries,
    });
  }
  return environments;
}

/**
 * Checks a notebook's kernel type and requested environment against what the deployment can
 * run (400s naming the field and what is available) and returns the kernel type and the
 * environment to store (with the real Python version). `previous` is the stored environment
 * an update starts from.
 */
export async function resolveNotebookEnvironment(
  services: Services,
  kernelType: string,
  requested: Partial<Environment> | undefined,
  options: { path?: string; previous?: Environment } = {},
): Promise<{ kernelType: KernelType; environment: Environment }> {
  const environments = await listEnvironments(services);
  const environment = requireEnvironment(environments, kernelType, options.path);
  checkEnvironmentRequest(environment, requested);
  return {
    kernelType: environment.kernelType,
    environment: notebookEnvironment(environment, requested, options.previous),
  };
}
