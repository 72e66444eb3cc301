import type { Services } from '../ports.ts';

/**
 * Liveness and readiness: each dependency's check (`ok` or what is wrong) and the kernel
 * host's warm pool (per kernel name: configured size, kernels ready to lease, starting).
 */
export async function serviceHealth(services: Services) {
  const [checks, kernelPool] = await Promise.all([
    services.readiness(),
    services.kernelHost.specs.pool().catch(() => ({})),
  ]);
  const ok = Object.values(checks).every((v) => v === 'ok');
  return { ok, body: { status: ok ? 'ok' : 'degraded', checks, kernelPool } };
}
