import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cloud assembly directory of the shared synthesis (test/infra/support/synth.ts). */
    infraOutdir: string;
  }
}

let outdir: string | undefined;

/**
 * The infra project's one cloud assembly directory: made before its tests, removed after
 * them by the main process (a worker's own exit hooks do not run when vitest stops it).
 */
export async function setup(project: TestProject) {
  outdir = await mkdtemp(join(tmpdir(), 'cellwise-cdk-'));
  project.provide('infraOutdir', outdir);
}

export async function teardown() {
  if (outdir) await rm(outdir, { recursive: true, force: true });
}
