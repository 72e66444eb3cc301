import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { JupyterKernelHost } from '../../functions/adapters/jupyter-kernel-host.ts';
import { executeCell } from '../../functions/core/run/cell-executor.ts';
import { UNLIMITED } from '../../functions/core/run/output-limits.ts';
import { startKernelHost } from '../../local-stack/kernel-host.ts';

/**
 * Per-cell round trip through the kernel host (Jupyter Server's websocket) with the project's
 * TCP_NODELAY fix and without it (Debian's jupyter_server 1.23 as shipped): the same
 * executor, `cells` trivial cells, after a warm-up.
 */
export async function nodelayComparison(
  dir: string,
  cells = 60,
): Promise<{ withFix: number; without: number }> {
  const perCell = async (nodelay: boolean) => {
    const server = await startKernelHost(join(dir, nodelay ? 'nodelay-on' : 'nodelay-off'), { nodelay });
    try {
      const host = new JupyterKernelHost(server.baseUrl, async () => server.token).kernels;
      const ref = await host.start('python3', randomUUID());
      const session = await host.connect(ref, `nodelay-${nodelay}`);
      const far = Date.now() + 600_000;
      const limits = {
        runDeadline: far,
        cellTimeoutSeconds: null,
        sliceEnd: far,
        stopRequested: async () => null,
      };
      const run = (i: number) =>
        executeCell(host, ref, session, `x = ${i}`, { allowErrors: false, limits, budget: UNLIMITED });
      for (let i = 0; i < 5; i++) await run(i);
      const started = performance.now();
      for (let i = 0; i < cells; i++) await run(i);
      const ms = (performance.now() - started) / cells;
      await session.close();
      await host.shutdown(ref);
      return ms;
    } finally {
      await server.stop();
    }
  };
  return { withFix: await perCell(true), without: await perCell(false) };
}
