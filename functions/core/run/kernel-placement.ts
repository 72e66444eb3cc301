import type { KernelHostView } from '../ports/kernel-ports.ts';

/**
 * Room for one more kernel of `memoryMiB` (0: the host's default), by count and by memory,
 * counting kept kernels as free: a full host evicts one for a run (its resume then replays).
 */
export function hasRoom(host: KernelHostView, memoryMiB: number): boolean {
  const { load, capacity } = host;
  return (
    !host.draining &&
    load.kernels - load.kept < capacity.kernels &&
    load.memoryMiB - load.keptMemoryMiB + memoryMiB <= capacity.memoryMiB
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
 * Where a run's kernel goes, best first: live hosts with room (not draining), the least loaded
 * first, and among equally loaded ones those with a warm kernel of that kernelspec (a lease
 * then skips a kernel start); remaining ties in random order (`random`), so placements made
 * at the same moment from the same view spread instead of piling onto one host.
 */
export function placement(
  fleet: KernelHostView[],
  kernelName: string,
  memoryMiB: number,
  random: () => number = Math.random,
): KernelHostView[] {
  const drawn = new Map(fleet.map((host) => [host.hostId, random()]));
  return fleet
    .filter((host) => hasRoom(host, memoryMiB))
    .sort(
      (a, b) =>
        fullness(a) - fullness(b) ||
        Number((b.warm[kernelName] ?? 0) > 0) - Number((a.warm[kernelName] ?? 0) > 0) ||
        drawn.get(a.hostId)! - drawn.get(b.hostId)!,
    );
}

/**
 * A fleet view with the kernels this process has just placed and the hosts have not counted
 * yet (`pending`, by host id): placements in a burst see each other.
 */
export function withPending(fleet: KernelHostView[], pending: ReadonlyMap<string, number>): KernelHostView[] {
  return fleet.map((host) => {
    const more = pending.get(host.hostId) ?? 0;
    return more === 0 ? host : { ...host, load: { ...host.load, kernels: host.load.kernels + more } };
  });
}

/** Kernels the fleet can hold at once, in all (what admission counts). */
export function fleetCapacity(fleet: KernelHostView[]): number {
  return fleet.filter((host) => !host.draining).reduce((n, host) => n + host.capacity.kernels, 0);
}
