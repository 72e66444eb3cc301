import type { KernelHostView } from '../ports/kernel-ports.ts';
import type { Services } from '../ports.ts';
import { fleetCapacity } from '../run/kernel-placement.ts';
import { admitQueued } from './admission.ts';

/** What one sweep saw and did. */
export interface SweepReport {
  /** Live hosts (null: the fleet could not be asked; its last figure stands). */
  hosts: number | null;
  /** Kernels the fleet can hold (null as above). */
  capacity: number | null;
  /** Tenants that had waiting runs. */
  tenants: number;
  /** Runs this sweep started. */
  started: number;
  /** Runs still waiting after it. */
  waiting: number;
  /** Kernels in use on the fleet (kept ones too) plus the runs still waiting. */
  demand: number;
  /** The hosts that demand needs, within the fleet's bounds. */
  hostsWanted: number;
}

/** How long a sweep woken by a host that joined waits to see it answer (Cloud Map registers it a little later). */
const JOIN_WAIT_MS = 45_000;
const JOIN_POLL_MS = 2_000;

/**
 * The queue sweep, every minute (EventBridge in AWS, a timer locally) and whenever a kernel
 * host starts or stops. It asks every host of the fleet what it holds and records the fleet's
 * capacity (what admission counts), admits every tenant's waiting runs that fit now (and
 * finishes any start a dying process cut short), and publishes the demand the fleet scales on:
 * the kernels in use plus the runs still waiting, in hosts. Whatever a lost wake-up left
 * behind waits at most one sweep. `joined`: the id of a host that just started (the sweep
 * waits, within reason, until it answers, so its capacity is counted).
 */
export async function sweepQueue(services: Services, joined?: string): Promise<SweepReport> {
  const fleet = await fleetNow(services, joined);
  if (fleet) {
    await services.queue.recordFleet({
      kernels: fleetCapacity(fleet),
      hosts: fleet.length,
      seenAt: services.now().toISOString(),
    });
  }
  const waiting = await services.queue.waiting();
  const tenants = [...new Set(waiting.map((entry) => entry.pointer.tenantId))];
  let started = 0;
  for (const tenantId of tenants) {
    try {
      started += (await admitQueued(services, tenantId)).length;
    } catch (error) {
      services.telemetry.problem('queue sweep: admission failed', {
        tenantId,
        error: (error as Error).message,
      });
    }
  }
  const stillWaiting = tenants.length > 0 ? (await services.queue.waiting()).length : 0;
  const inUse = fleet ? fleet.reduce((n, host) => n + host.load.kernels, 0) : 0;
  const demand = inUse + stillWaiting;
  const hostsWanted = hostsFor(services, demand, fleet);
  services.telemetry.fleetDemand({ demand, hostsWanted });
  return {
    hosts: fleet?.length ?? null,
    capacity: fleet ? fleetCapacity(fleet) : null,
    tenants: tenants.length,
    started,
    waiting: stillWaiting,
    demand,
    hostsWanted,
  };
}

/** The fleet as it answers now (with `joined` among it, if it shows up in time); null if unreachable. */
async function fleetNow(services: Services, joined?: string): Promise<KernelHostView[] | null> {
  const until = Date.now() + (joined ? JOIN_WAIT_MS : 0);
  for (;;) {
    const fleet = await services.kernelHost.kernels.fleet().catch(() => null);
    if (!joined || fleet?.some((host) => host.hostId === joined) || Date.now() >= until) return fleet;
    await new Promise((resolve) => setTimeout(resolve, JOIN_POLL_MS));
  }
}

/**
 * Hosts for `demand` kernels: as many as hold them (a host holds `kernelsPerHost`, else what the
 * live hosts hold on average), within the fleet's bounds.
 */
export function hostsFor(services: Services, demand: number, fleet: KernelHostView[] | null): number {
  const { minHosts, maxHosts, kernelsPerHost } = services.runSettings.fleet;
  const live = fleet?.filter((host) => !host.draining) ?? [];
  const perHost =
    kernelsPerHost ?? (live.length > 0 ? Math.max(1, Math.floor(fleetCapacity(live) / live.length)) : 1);
  return Math.min(maxHosts, Math.max(minHosts, Math.ceil(demand / perHost)));
}
