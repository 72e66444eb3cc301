import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStack, spawnStack } from '../../local-stack/spawn-stack.ts';
import { client, newTenant } from '../support/api.ts';
import {
  execute,
  notebookOf,
  resultsOf,
  streamText,
  upload,
  waitForRun,
  waitUntil,
} from '../support/runs.ts';

/**
 * A local stack with three kernel hosts (CELLWISE_KERNEL_HOSTS=3), registered in a directory as
 * ECS registers Fargate tasks in Cloud Map, and one of them killed in the middle of runs.
 */
let fleetStack: RunningStack;
let dataDir: string;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cellwise-fleet-'));
  fleetStack = await spawnStack({
    CELLWISE_DATA_DIR: dataDir,
    CELLWISE_KERNEL_HOSTS: '3',
    CELLWISE_RUN_SLICE_SECONDS: '3',
    CELLWISE_MAX_CONCURRENT_RUNS: '9',
    CELLWISE_LOCAL_SCHEDULER: 'off',
    CELLWISE_DEMO: 'off',
  });
  api = client(await newTenant({ on: fleetStack.info }));
}, 180_000);

afterAll(async () => {
  await fleetStack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The directory the stack keeps: the live hosts' URLs. */
const directory = (): string[] =>
  (
    JSON.parse(readFileSync(join(dataDir, 'kernel-host', 'hosts.json'), 'utf8')).hosts as { url: string }[]
  ).map((h) => h.url);

/** The Jupyter Server process of the local host `index` (its launcher stays out of it). */
function serverOf(index: number): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (
        cmdline.includes(`kernel-host/host-${index}/`) &&
        cmdline.includes('jupyter_server') &&
        !cmdline.includes('launcher.py')
      ) {
        return Number(name);
      }
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no server of host ${index}`);
}

/** Runs that print, sleep `seconds`, then print again: one per host when started at once. */
async function sleepers(count: number, seconds: number) {
  const document = notebookOf(["print('first')", `import time\ntime.sleep(${seconds})`, "print('last')"]);
  return Promise.all(
    Array.from({ length: count }, async () => {
      const notebookId = await upload(api, document);
      const started = await execute(api, notebookId);
      return { notebookId, executionId: started.executionId as string };
    }),
  );
}

const indexOf = (hostId: string) => Number(hostId.split('-')[1]);

describe('a fleet of three kernel hosts', () => {
  it('places runs on hosts with room, least loaded first, and says which in the status', async () => {
    expect(directory()).toHaveLength(3);
    const runs = await sleepers(3, 2);
    const placed = await Promise.all(
      runs.map((r) => waitUntil(api, r.notebookId, r.executionId, (s) => s.kernelHost !== null)),
    );
    // Three runs at once on three idle hosts: one each.
    expect(new Set(placed.map((s) => s.kernelHost)).size).toBe(3);
    for (const r of runs)
      expect((await waitForRun(api, r.notebookId, r.executionId)).status).toBe('Completed');
  });

  it('ends the runs of a killed host KernelHostLost within 30 s, keeps their finished outputs, and goes on', async () => {
    const runs = await sleepers(3, 12);
    const placed = await Promise.all(
      runs.map((r) =>
        waitUntil(api, r.notebookId, r.executionId, (s) => s.currentCell === 'c2' && s.kernelHost),
      ),
    );
    const victim = placed[0].kernelHost as string;
    const killedAt = Date.now();
    process.kill(serverOf(indexOf(victim)), 'SIGKILL');
    // New runs go to the survivors while the lost host is away.
    const during = await sleepers(1, 0);
    const duringStatus = await waitForRun(api, during[0]!.notebookId, during[0]!.executionId);
    expect(duringStatus.status).toBe('Completed');
    expect(duringStatus.kernelHost).not.toBe(victim);
    for (const [i, r] of runs.entries()) {
      const status = await waitForRun(api, r.notebookId, r.executionId, 60_000);
      if (placed[i].kernelHost === victim) {
        expect(status.status).toBe('Error');
        expect(status.error).toMatchObject({ errorType: 'KernelHostLost', cellId: 'c2' });
        expect(Date.parse(status.endTime) - killedAt).toBeLessThan(30_000);
        const { executed } = await resultsOf(api, r.notebookId, r.executionId);
        expect(streamText(executed.cells[0])).toBe('first\n');
      } else {
        expect(status.status, JSON.stringify(status.error)).toBe('Completed');
      }
    }
    // The lost host is started again (a new id at a new address) and takes new runs.
    const index = indexOf(victim);
    let back = '';
    for (let i = 0; i < 150 && !back; i++) {
      await new Promise((r) => setTimeout(r, 200));
      if (directory().length === 3) back = 'yes';
    }
    expect(back).toBe('yes');
    const after = await sleepers(3, 1);
    const hosts = await Promise.all(
      after.map(async (r) => (await waitForRun(api, r.notebookId, r.executionId)).kernelHost as string),
    );
    const reborn = hosts.filter((h) => indexOf(h) === index);
    expect(reborn.length).toBeGreaterThan(0);
    expect(reborn[0]).not.toBe(victim);
  }, 180_000);
});
