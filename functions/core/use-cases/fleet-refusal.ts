import type { Services } from '../ports.ts';
import { fleetCapacity, hasRoom } from '../run/kernel-placement.ts';
import type { RunRecord } from '../run/run.ts';
import { admitQueued } from './admission.ts';
import { attemptOf } from './requeue-run.ts';

/** Attempts after which a refused run waits for a run's end or the sweep, not for itself. */
const READMIT_ATTEMPTS = 3;

/**
 * After a run found every kernel host full and went back to the queue: the fleet figure that
 * let it through is corrected from what the hosts say now (so admission stops letting runs
 * through to a full fleet), and if a host has room after all (a kernel was freed while this
 * run was refused: the wake-up of that run's end came before this one was queued), the queue
 * is worked again at once rather than at the next sweep. A run refused again and again leaves
 * that to the next run end or sweep.
 */
export async function afterFleetRefusal(services: Services, run: RunRecord): Promise<void> {
  const fleet = await services.kernelHost.kernels.fleet().catch(() => null);
  if (!fleet) return;
  await services.queue.recordFleet({
    kernels: fleetCapacity(fleet),
    hosts: fleet.length,
    seenAt: services.now().toISOString(),
  });
  const attempt = attemptOf(run.workflowName) + 1;
  const memoryMiB = (run.resourceLimits ?? services.runSettings.kernelLimits.defaults).memoryMiB;
  if (attempt <= READMIT_ATTEMPTS && fleet.some((host) => hasRoom(host, memoryMiB)))
    await admitQueued(services, run.tenantId);
}
