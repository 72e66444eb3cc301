import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../fixtures/launcher_cgroups.py', import.meta.url));
const asRoot = process.getuid?.() === 0;

/** The launcher's cgroup code against a fake cgroupfs of each version (test/fixtures/launcher_cgroups.py). */
function fakeHierarchies() {
  const run = spawnSync('/usr/bin/python3', [SCRIPT], { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`cgroup script failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe.runIf(asRoot)('unit: a cgroup per kernel, v1 or v2 (the launcher)', () => {
  const seen = asRoot ? fakeHierarchies() : undefined;

  it("detects v2 under its own group, delegates memory, pids and cpu, and sets a kernel's limits with no swap", () => {
    expect(seen.v2.version).toBe(2);
    expect(seen.v2.subtreeControl).toBe('+memory +pids +cpu');
    expect(seen.v2.limits).toEqual([String(256 * 2 ** 20), '64', '0']);
  });

  it("reads a v2 group's memory, CPU, out-of-memory kills and processes", () => {
    expect(seen.v2.stats).toEqual({
      memoryBytes: 1000,
      peakMemoryBytes: 1000,
      cpuNanoseconds: 2_500_000_000,
      oomKills: 1,
      processes: 3,
    });
    expect(seen.v2.pids).toEqual([12, 13]);
  });

  it('detects v1 with a group in each of the memory, pids and cpuacct hierarchies under its own', () => {
    expect(seen.v1.version).toBe(1);
    expect(seen.v1.dirs).toEqual(['cpuacct/cellwise-7/k1', 'memory/job/cellwise-7/k1', 'pids/cellwise-7/k1']);
    expect(seen.v1.limits).toEqual([String(512 * 2 ** 20), String(512 * 2 ** 20), '128']);
    expect(seen.v1.stats).toEqual({
      memoryBytes: 2000,
      peakMemoryBytes: 5000,
      cpuNanoseconds: 1_500_000_000,
      oomKills: 2,
      processes: 4,
    });
    expect(seen.v1.pids).toEqual([21]);
  });

  it('finds no usable cgroups when a v1 controller the box needs is missing (rlimits then)', () => {
    expect(seen.v1.withoutPids).toBe(true);
  });
});
