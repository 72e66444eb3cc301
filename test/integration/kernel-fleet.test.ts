import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/adapters/aws-clients.ts';
import { loadConfig } from '../../functions/adapters/config.ts';
import { DynamoRunQueue } from '../../functions/adapters/dynamo-run-queue.ts';
import { DynamoRunStore } from '../../functions/adapters/dynamo-run-store.ts';
import { type RunningStack, spawnStack } from '../../local-stack/spawn-stack.ts';
import { client, newTenant, stackEnv } from '../support/api.ts';
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
 * A local stack with three kernel hosts (CELLWISE_KERNEL_HOSTS=3) of two kernels each,
 * registered in a directory as ECS registers Fargate tasks in Cloud Map, that drain on SIGTERM
 * as the image's hosts do, and talk to a fake ECS agent (scale-in protection); one of them
 * drained and one killed in the middle of runs.
 */
let fleetStack: RunningStack;
let dataDir: string;
let api: ReturnType<typeof client>;
let tenant: Awaited<ReturnType<typeof newTenant>>;
/** What the kernel hosts asked the fake ECS agent: the ProtectionEnabled of each PUT, in order. */
const protection: boolean[] = [];
let agent: Server;

beforeAll(async () => {
  agent = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      if (req.method === 'PUT' && req.url === '/task-protection/v1/state')
        protection.push(JSON.parse(body).ProtectionEnabled === true);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"protection": {}}');
    });
  });
  await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
  dataDir = await mkdtemp(join(tmpdir(), 'cellwise-fleet-'));
  fleetStack = await spawnStack({
    CELLWISE_DATA_DIR: dataDir,
    CELLWISE_KERNEL_HOSTS: '3',
    CELLWISE_KERNEL_HOST_MAX_KERNELS: '2',
    CELLWISE_KERNEL_HOST_DRAIN_SECONDS: '60',
    CELLWISE_KERNEL_HOST_ECS_AGENT_URI: `http://127.0.0.1:${(agent.address() as { port: number }).port}`,
    CELLWISE_KERNEL_HOST_PROTECTION_CHECK_SECONDS: '1',
    // Sweeps only when a host starts or stops (the requeue test sets the fleet figure itself).
    CELLWISE_QUEUE_SWEEP_SECONDS: '3600',
    CELLWISE_RUN_SLICE_SECONDS: '3',
    CELLWISE_MAX_CONCURRENT_RUNS: '9',
    CELLWISE_LOCAL_SCHEDULER: 'off',
    CELLWISE_DEMO: 'off',
  });
  tenant = await newTenant({ on: fleetStack.info });
  api = client(tenant);
}, 180_000);

afterAll(async () => {
  await fleetStack?.stop();
  agent?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The fleet stack's admission records and runs (as its functions see them). */
const fleetDynamo = () => createAwsClients(loadConfig(stackEnv(fleetStack.info))).dynamodb;
const fleetQueue = () => new DynamoRunQueue(fleetDynamo(), fleetStack.info.tableName);
const fleetRuns = () => new DynamoRunStore(fleetDynamo(), fleetStack.info.tableName);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
        // This stack's host (other stacks of the suite have a host-0 of their own).
        cmdline.includes(`${dataDir}/kernel-host/host-${index}/`) &&
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
async function sleepers(count: number, seconds: number, body: object = {}) {
  const document = notebookOf(["print('first')", `import time\ntime.sleep(${seconds})`, "print('last')"]);
  return Promise.all(
    Array.from({ length: count }, async () => {
      const notebookId = await upload(api, document);
      const started = await execute(api, notebookId, body);
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

  it('puts a run back in the queue when every host is full at its start, and runs it once a kernel is free', async () => {
    // A fleet figure above what the hosts hold (as a stale one can be): admission lets 8 runs
    // through to 3 hosts of 2 kernels each, so two find every host full.
    await fleetQueue().recordFleet({ kernels: 50, hosts: 3, seenAt: new Date().toISOString() });
    await sleep(5_500); // the API's cache of the figure
    // Longer than a start waits for a kernel to come free (10 s) before it goes back to the queue.
    const runs = await sleepers(8, 15);
    // (No sweep comes in this stack: whatever admits them again is a run's end or the refusal itself.)
    const ended = await Promise.all(runs.map((r) => waitForRun(api, r.notebookId, r.executionId, 90_000)));
    for (const status of ended) expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    const records = await Promise.all(
      runs.map((r) => fleetRuns().get({ tenantId: tenant.tenantId, projectId: tenant.projectId, ...r })),
    );
    // A requeued run starts a workflow of a new name when it is admitted again.
    const requeued = records.filter((r) => r!.workflowName !== r!.executionId);
    expect(requeued.length).toBeGreaterThanOrEqual(1);
    // The refusal corrected the fleet figure that let them through.
    expect((await fleetQueue().fleet())?.kernels).toBe(6);
    for (const r of requeued) expect(r!.workflowName).toMatch(new RegExp(`^${r!.executionId}-r\\d+$`));
  }, 180_000);

  it('passes the kernels of short runs on to the queue as they end, with no sweep to help', async () => {
    // 14 one-cell runs at once on 6 kernels: each end admits the next, whose lease must not be
    // refused for kernels this process leased a moment ago and that are already gone.
    const document = notebookOf(['x = 1']);
    const runs = await Promise.all(
      Array.from({ length: 14 }, async () => {
        const notebookId = await upload(api, document);
        return { notebookId, executionId: (await execute(api, notebookId)).executionId as string };
      }),
    );
    for (const r of runs)
      expect((await waitForRun(api, r.notebookId, r.executionId, 60_000)).status).toBe('Completed');
  }, 120_000);

  it('protects a host from scale-in while it holds a kernel, and keeps ECS variables from the kernel', async () => {
    // Hosts busy from the tests before are still protected: wait until every one has dropped
    // its protection (nothing asked of the agent for 3 s, the last ask `false`).
    for (let seen = -1, i = 0; i < 60 && (seen !== protection.length || protection.at(-1) === true); i++) {
      seen = protection.length;
      await sleep(3000);
    }
    protection.length = 0;
    const notebookId = await upload(
      api,
      notebookOf([
        "import os\nprint(sorted(k for k in os.environ if k.startswith(('ECS_', 'AWS_CONTAINER', 'KERNEL_HOST'))))",
        'import time\ntime.sleep(3)',
      ]),
    );
    const run = await execute(api, notebookId);
    const ended = await waitForRun(api, notebookId, run.executionId);
    expect(ended.status).toBe('Completed');
    const { executed } = await resultsOf(api, notebookId, run.executionId);
    expect(streamText(executed.cells[0])).toBe('[]\n');
    // Protected when the kernel was leased, unprotected once it is gone.
    for (let i = 0; i < 50 && protection.at(-1) !== false; i++) await sleep(200);
    expect(protection).toContain(true);
    expect(protection.indexOf(true)).toBeLessThan(protection.lastIndexOf(false));
  }, 240_000);

  it('drains a host on SIGTERM: its run ends Completed, new runs go elsewhere, then it leaves and comes back', async () => {
    const [run] = await sleepers(1, 8);
    const placed = await waitUntil(api, run!.notebookId, run!.executionId, (s) => s.currentCell === 'c2');
    const draining = placed.kernelHost as string;
    process.kill(serverOf(indexOf(draining)), 'SIGTERM');
    await sleep(500);
    const during = await sleepers(3, 0);
    for (const r of during) {
      const status = await waitForRun(api, r.notebookId, r.executionId);
      expect(status.status).toBe('Completed');
      expect(status.kernelHost).not.toBe(draining);
    }
    // The host is still there for its run.
    expect(directory()).toHaveLength(3);
    const ended = await waitForRun(api, run!.notebookId, run!.executionId, 60_000);
    expect(ended.status, JSON.stringify(ended.error)).toBe('Completed');
    const { executed } = await resultsOf(api, run!.notebookId, run!.executionId);
    expect(streamText(executed.cells[2])).toBe('last\n');
    // It leaves once the run is over, and the fleet starts it again under a new id.
    let back: string[] = [];
    for (let i = 0; i < 150; i++) {
      await sleep(200);
      const hosts = (await Promise.all(
        (
          await sleepers(1, 0)
        ).map(async (r) => (await waitForRun(api, r.notebookId, r.executionId)).kernelHost),
      )) as string[];
      back = hosts.filter((h) => indexOf(h) === indexOf(draining) && h !== draining);
      if (back.length > 0) break;
    }
    expect(back.length).toBeGreaterThan(0);
  }, 180_000);

  it('ends the runs of a killed host KernelHostLost within 30 s, keeps their finished outputs, retries them elsewhere by their policy, and goes on', async () => {
    const runs = await sleepers(3, 12, {
      retry: { maxAttempts: 2, backoffSeconds: 0, on: ['KernelHostLost'] },
    });
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
        // Its policy names KernelHostLost: a second attempt ran on a host that was not lost.
        const retried = await waitForRun(api, r.notebookId, status.nextAttemptId, 90_000);
        expect(retried).toMatchObject({ status: 'Completed', attempt: 2, previousAttemptId: r.executionId });
        expect(retried.kernelHost).not.toBe(victim);
      } else {
        expect(status.status, JSON.stringify(status.error)).toBe('Completed');
        expect(status.nextAttemptId).toBeNull();
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
