import type { KernelHostView } from '../ports/kernel-ports.ts';

/** Room for one more kernel of `memoryMiB` (0: the host's default), by count and by memory. */
export function hasRoom(host: KernelHostView, memoryMiB: number): boolean {
  return (
    !host.draining &&
    host.load.kernels < host.capacity.kernels &&
    host.load.memoryMiB + memoryMiB <= host.capacity.memoryMiB
  );
}

/** How full a host is: the larger of its kernel and memory shares. */
function fullness(host: KernelHostView): number {
  return Math.max(
    host.load.kernels / Math.max(1, host.capacity.kernels),
    host.load.memoryMiB / Math.max(1, host.capacity.memoryMiB),
  );
}

/**
 * Where a run's kernel goes, best first: live hosts with room (not draining), those with a
 * warm kernel of that kernelspec first (a lease then skips a kernel start), then the least
 * loaded; ties by host id, so placement is stable.
 */
export function placement(fleet: KernelHostView[], kernelName: string, memoryMiB: number): KernelHostView[] {
  return fleet
    .filter((host) => hasRoom(host, memoryMiB))
    .sort(
      (a, b) =>
        Number((b.warm[kernelName] ?? 0) > 0) - Number((a.warm[kernelName] ?? 0) > 0) ||
        fullness(a) - fullness(b) ||
        a.hostId.localeCompare(b.hostId),
    );
}

/** Kernels the fleet can hold at once, in all (what admission counts). */
export function fleetCapacity(fleet: KernelHostView[]): number {
  return fleet.filter((host) => !host.draining).reduce((n, host) => n + host.capacity.kernels, 0);
}
