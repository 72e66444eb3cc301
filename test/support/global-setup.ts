import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type RunningStack, type StackInfo, spawnStack } from '../../local-stack/spawn-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
    uidOnlyStack: StackInfo;
  }
}

const stacks: RunningStack[] = [];
const dataDirs: string[] = [];

/** What every test stack shares: short slices, loopback webhooks, small datasets, no wall-clock schedules. */
async function testStack(env: Record<string, string>): Promise<RunningStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cellwise-test-'));
  dataDirs.push(dataDir);
  // Short task slices, so cells longer than a few seconds exercise the hand-over between tasks.
  // Webhooks: receivers on loopback are allowed (10/8, 169.254/16, 192.168/16... stay refused),
  // and retries come after 1, 2 and 4 s.
  const running = await spawnStack({
    CELLWISE_DATA_DIR: dataDir,
    CELLWISE_RUN_SLICE_SECONDS: '3',
    CELLWISE_WEBHOOK_ALLOW_CIDRS: '127.0.0.0/8',
    CELLWISE_WEBHOOK_RETRY_SECONDS: '1,2,4',
    CELLWISE_MAX_DATASET_BYTES: String(5 * 1024 * 1024),
    // A detached session's buffer is bounded this low, so hand-overs of chatty cells pause the
    // kernel (it queues the rest) instead of buffering in the kernel host: nothing may be lost.
    CELLWISE_KERNEL_HOST_BUFFER_MESSAGES: '100',
    // Schedule tests fire through loops with injected clocks; the wall clock fires nothing.
    CELLWISE_LOCAL_SCHEDULER: 'off',
    // The queue sweep (AWS: every minute) every 5 s, so a lost wake-up is seen within a test.
    CELLWISE_QUEUE_SWEEP_SECONDS: '5',
    ...env,
  });
  stacks.push(running);
  return running;
}

/**
 * The real local stacks for the whole test run: the one every test uses (every kernel boxed
 * with all the machine allows), and one whose kernels are boxed only as AWS Fargate allows
 * (`CELLWISE_KERNEL_SANDBOX=uid`: a user per kernel, no namespaces, no cgroups), for the
 * sandbox tests that must hold in both. The second offers python3 and scala only: it is where
 * a kernel type the deployment cannot run (`r`) is refused (KernelNotAvailable).
 */
export async function setup(project: TestProject) {
  const [main, uidOnly] = await Promise.all([
    // Test files run side by side on tenants of their own or the seeded one; the queue's
    // tests set their tenants' own limits.
    testStack({ CELLWISE_MAX_CONCURRENT_RUNS: '8' }),
    testStack({
      CELLWISE_KERNEL_SANDBOX: 'uid',
      CELLWISE_MAX_CONCURRENT_RUNS: '4',
      CELLWISE_DEMO: 'off',
      CELLWISE_KERNELS: 'python3,scala',
    }),
  ]);
  project.provide('stack', main.info);
  project.provide('uidOnlyStack', uidOnly.info);
}

export async function teardown() {
  await Promise.all(stacks.map((s) => s.stop()));
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
}
