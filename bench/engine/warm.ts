import type { CellwiseClient } from '../cellwise-client.ts';
import { percentile, uploadNotebook } from './measure.ts';
import { clockNotebook } from './notebooks.ts';

const FINAL = new Set(['Completed', 'Error', 'Cancelled']);

interface Health {
  kernelPool?: Record<string, { size: number; ready: number; starting: number }>;
}

/** Waits until the kernel host's warm pool has a ready kernel of that name; false if it pools none. */
export async function waitForWarmKernel(
  client: CellwiseClient,
  timeoutMs = 60_000,
  kernel = 'python3',
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = (await (await fetch(`${client.info.baseUrl}/health`)).json()) as Health;
    const pool = health.kernelPool?.[kernel];
    if (!pool || pool.size === 0) return false;
    if (pool.ready > 0) return true;
    if (Date.now() > deadline)
      throw new Error(`no warm kernel after ${timeoutMs} ms: ${JSON.stringify(pool)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * POST execute → first cell running, with a warm kernel: the first cell prints the kernel's
 * own clock when it starts, so the latency is that instant minus the moment the POST was
 * sent (same machine, same clock), with no polling in the measurement. `warm: false` runs
 * without waiting for the pool (a host without one starts a kernel per run: cold).
 */
export async function firstCellLatency(
  client: CellwiseClient,
  reps: number,
  options: { document?: object; kernel?: string; warm?: boolean } = {},
) {
  const { document = clockNotebook(), kernel = 'python3', warm = true } = options;
  const notebookId = await uploadNotebook(client, `bench first cell ${kernel}`, document);
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    if (warm && !(await waitForWarmKernel(client, 120_000, kernel)))
      throw new Error(`the kernel host has no warm ${kernel} pool`);
    const sent = Date.now();
    const run = await client.expect<{ executionId: string }>(
      202,
      'POST',
      `/notebook/${notebookId}/execute`,
      {},
    );
    const path = `/notebook/${notebookId}/execution/${run.executionId}`;
    for (;;) {
      const status = await client.expect<{ status: string }>(200, 'GET', path);
      if (FINAL.has(status.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const results = await client.expect<object>(200, 'GET', `${path}/results?format=detailed&cellId=c1`);
    const clock = /(\d{10}\.\d+)/.exec(JSON.stringify(results))?.[1];
    if (!clock) throw new Error(`first cell printed no clock: ${JSON.stringify(results).slice(0, 300)}`);
    samples.push(Number(clock) * 1000 - sent);
  }
  return { samples, p50: percentile(samples, 50), p95: percentile(samples, 95) };
}
