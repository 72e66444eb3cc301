import { join } from 'node:path';
import { spawnStack } from '../../local-stack/spawn-stack.ts';
import { CellwiseClient } from '../cellwise-client.ts';
import type { Cleanup } from '../cleanup.ts';
import { clockNotebook, scalaClockNotebook } from '../engine/notebooks.ts';
import { firstCellLatency } from '../engine/warm.ts';

export interface FirstCell {
  samples: number[];
  p50: number;
  p95: number;
}

/** POST execute → first cell running (ms), per kernel, cold and from the warm pool. */
export interface ScalaReport {
  reps: number;
  cold: { python3: FirstCell; scala: FirstCell };
  pooled: { python3: FirstCell; scala: FirstCell };
}

const KERNELS = { python3: clockNotebook, scala: scalaClockNotebook } as const;

/**
 * Two stacks in turn: one without a warm pool (every run starts its kernel: for Scala a JVM and
 * the REPL's compiler), one pooling a kernel of each (`python3,scala=1`: each run waits until
 * the pool has refilled, so every run leases a warm kernel). Python and Scala alternate.
 */
export async function runScalaBench(
  cleanup: Cleanup,
  dir: string,
  reps: number,
  log: (message: string) => void,
): Promise<ScalaReport> {
  const measure = async (name: 'cold' | 'pooled') => {
    const stack = await spawnStack({
      CELLWISE_DATA_DIR: join(dir, name),
      CELLWISE_DEMO: 'off',
      CELLWISE_KERNEL_POOL_SIZE: name === 'cold' ? '0' : '1',
      CELLWISE_KERNEL_POOL_KERNELS: name === 'cold' ? 'python3' : 'python3,scala=1',
    });
    const stop = () => stack.stop();
    cleanup.add(`stop the ${name} stack`, stop);
    try {
      const client = new CellwiseClient(stack.info);
      await kernelsListed(client);
      const out: Partial<Record<keyof typeof KERNELS, FirstCell>> = {};
      for (const kernel of ['python3', 'scala'] as const) {
        out[kernel] = await firstCellLatency(client, reps, {
          document: KERNELS[kernel](),
          kernel,
          warm: name === 'pooled',
        });
        log(`${name} ${kernel}: p50 ${out[kernel].p50.toFixed(0)} ms, p95 ${out[kernel].p95.toFixed(0)} ms`);
      }
      return out as ScalaReport['cold'];
    } finally {
      await stop();
    }
  };
  const cold = await measure('cold');
  const pooled = await measure('pooled');
  return { reps, cold, pooled };
}

/** Waits until the new stack's kernel host lists its kernels (its first probe asks each interpreter). */
async function kernelsListed(client: CellwiseClient, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await client.request('GET', '/environments')).status !== 200) {
    if (Date.now() > deadline) throw new Error(`GET /environments not 200 after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The report as a table. */
export function scalaTable(report: ScalaReport): string {
  const row = (label: string, f: FirstCell) =>
    `| ${label} | ${f.p50.toFixed(0)} | ${f.p95.toFixed(0)} | ${f.samples.length} |`;
  return [
    '| POST execute → first cell running | p50 ms | p95 ms | runs |',
    '|---|---|---|---|',
    row('Python, cold (no warm kernel)', report.cold.python3),
    row('Scala, cold (JVM + REPL start)', report.cold.scala),
    row('Python, pooled (warm kernel)', report.pooled.python3),
    row('Scala, pooled (warm kernel)', report.pooled.scala),
  ].join('\n');
}
