import { describe, expect, it } from 'vitest';
import type { KernelHostView } from '../../functions/core/ports/kernel-ports.ts';
import type { Services } from '../../functions/core/ports.ts';
import { fleetCapacity, hasRoom, placement, withPending } from '../../functions/core/run/kernel-placement.ts';
import type { RunRecord } from '../../functions/core/run/run.ts';
import { attemptOf, nextWorkflowName } from '../../functions/core/use-cases/requeue-run.ts';
import { hostsFor } from '../../functions/core/use-cases/sweep-queue.ts';

function host(
  id: string,
  over: Partial<KernelHostView> & { kernels?: number; kept?: number } = {},
): KernelHostView {
  const kernels = over.kernels ?? 0;
  const kept = over.kept ?? 0;
  return {
    hostId: id,
    url: `http://${id}:8888`,
    draining: over.draining ?? false,
    capacity: over.capacity ?? { kernels: 4, memoryMiB: 8192 },
    load: over.load ?? { kernels, kept, memoryMiB: kernels * 2048, keptMemoryMiB: kept * 2048 },
    warm: over.warm ?? {},
  };
}

describe('kernel placement', () => {
  it('puts the least loaded host first and leaves out full and draining hosts', () => {
    const fleet = [
      host('a', { kernels: 2 }),
      host('b', { kernels: 1 }),
      host('c', { kernels: 4 }),
      host('d', { draining: true }),
    ];
    expect(placement(fleet, 'python3', 2048).map((h) => h.hostId)).toEqual(['b', 'a']);
  });

  it('prefers a host with a warm kernel of that kernelspec among equally loaded hosts', () => {
    const fleet = [
      host('a', { kernels: 1 }),
      host('b', { kernels: 1, warm: { python3: 1 } }),
      host('c', { kernels: 1, warm: { ir: 1 } }),
    ];
    expect(placement(fleet, 'python3', 2048, () => 0.5)[0]!.hostId).toBe('b');
    expect(placement(fleet, 'ir', 2048, () => 0.5)[0]!.hostId).toBe('c');
  });

  it('breaks remaining ties at random, so a burst spreads', () => {
    const fleet = [host('a'), host('b'), host('c')];
    const firsts = new Set<string>();
    for (let i = 0; i < 60; i++) firsts.add(placement(fleet, 'python3', 2048)[0]!.hostId);
    expect(firsts.size).toBe(3);
  });

  it('counts kept kernels as room (a full host evicts one for a run), by count and by memory', () => {
    expect(hasRoom(host('a', { kernels: 4 }), 2048)).toBe(false);
    expect(hasRoom(host('a', { kernels: 4, kept: 1 }), 2048)).toBe(true);
    expect(hasRoom(host('a', { kernels: 3 }), 4096)).toBe(false);
    expect(hasRoom(host('a', { kernels: 3 }), 2048)).toBe(true);
  });

  it('sees the kernels this process placed a moment ago, before the hosts count them', () => {
    const fleet = withPending([host('a'), host('b', { kernels: 1 })], new Map([['a', 2]]));
    expect(placement(fleet, 'python3', 2048).map((h) => h.hostId)).toEqual(['b', 'a']);
  });

  it('counts the capacity of the hosts that take runs (draining ones do not)', () => {
    expect(
      fleetCapacity([
        host('a'),
        host('b', { capacity: { kernels: 3, memoryMiB: 8192 } }),
        host('c', { draining: true }),
      ]),
    ).toBe(7);
  });
});

describe('fleet demand in hosts', () => {
  const services = (minHosts: number, maxHosts: number, kernelsPerHost: number | null) =>
    ({ runSettings: { fleet: { minHosts, maxHosts, kernelsPerHost } } }) as unknown as Services;

  it('wants as many hosts as hold the demand, within the bounds', () => {
    expect(hostsFor(services(1, 4, 3), 0, null)).toBe(1);
    expect(hostsFor(services(1, 4, 3), 7, null)).toBe(3);
    expect(hostsFor(services(1, 4, 3), 100, null)).toBe(4);
    expect(hostsFor(services(0, 4, 3), 0, null)).toBe(0);
  });

  it("takes a host's kernels from the live hosts when the deployment does not say", () => {
    const fleet = [
      host('a'),
      host('b'),
      host('c', { draining: true, capacity: { kernels: 100, memoryMiB: 1 } }),
    ];
    expect(hostsFor(services(1, 10, null), 9, fleet)).toBe(3);
  });
});

describe('run attempts', () => {
  it('names each attempt after the run: the execution id, then -r1, -r2', () => {
    const run = { executionId: 'e1', workflowName: 'e1' } as RunRecord;
    expect(attemptOf(run.workflowName)).toBe(0);
    const second = nextWorkflowName(run);
    expect(second).toBe('e1-r1');
    expect(nextWorkflowName({ ...run, workflowName: second })).toBe('e1-r2');
    expect(attemptOf('e1-r12')).toBe(12);
  });
});
