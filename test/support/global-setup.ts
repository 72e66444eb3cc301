import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type RunningStack, type StackInfo, spawnStack } from '../../local-stack/spawn-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

let stack: RunningStack | undefined;
let dataDir: string | undefined;

/** One real local stack (dynalite, s3rver, the gateway) for the whole test run. */
export async function setup(project: TestProject) {
  dataDir = await mkdtemp(join(tmpdir(), 'cellwise-test-'));
  // Short task slices, so cells longer than a few seconds exercise the hand-over between tasks.
  // Webhooks: receivers on loopback are allowed (10/8, 169.254/16, 192.168/16... stay refused),
  // and retries come after 1, 2 and 4 s.
  stack = await spawnStack({
    CELLWISE_DATA_DIR: dataDir,
    CELLWISE_RUN_SLICE_SECONDS: '3',
    CELLWISE_WEBHOOK_ALLOW_CIDRS: '127.0.0.0/8',
    CELLWISE_WEBHOOK_RETRY_SECONDS: '1,2,4',
    CELLWISE_MAX_DATASET_BYTES: String(5 * 1024 * 1024),
    // A detached session's buffer is bounded this low, so hand-overs of chatty cells pause the
    // kernel (it queues the rest) instead of buffering in the kernel host: nothing may be lost.
    CELLWISE_KERNEL_HOST_BUFFER_MESSAGES: '100',
    // Test files run side by side on tenants of their own or the seeded one; the queue's
    // tests set their tenants' own limits.
    CELLWISE_MAX_CONCURRENT_RUNS: '8',
    // Schedule tests fire through loops with injected clocks; the wall clock fires nothing.
    CELLWISE_LOCAL_SCHEDULER: 'off',
  });
  project.provide('stack', stack.info);
}

export async function teardown() {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
