import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { JupyterKernelHost } from '../../functions/adapters/jupyter-kernel-host.ts';
import { startKernelHost } from '../../local-stack/kernel-host.ts';
import type { CellwiseClient } from '../cellwise-client.ts';
import { percentile, uploadNotebook } from '../engine/measure.ts';

/** Lines a cell prints, one every `INTERVAL_S`: each its own print time (the machine's clock). */
const LINES = 100;
const INTERVAL_S = 0.1;
const CODE = `import time\nfor i in range(${LINES}):\n    print(f"{time.time():.6f}", flush=True)\n    time.sleep(${INTERVAL_S})`;

export interface LatencyStats {
  lines: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LiveReport {
  /** Print → a client of `GET .../outputs` (long polls from cursor to cursor). */
  cellwise: LatencyStats;
  /** Print → a websocket client of the kernel's own Jupyter Server (no service between). */
  jupyter: LatencyStats;
  ratioP50: number;
  ratioP99: number;
}

/** Each received line's delay from its print, in ms (lines carry their print time). */
function delays(text: string, receivedAt: number): number[] {
  return text
    .split('\n')
    .filter((line) => /^\d+\.\d+$/.test(line))
    .map((line) => receivedAt - Number(line) * 1000);
}

function stats(values: number[]): LatencyStats {
  return {
    lines: values.length,
    p50Ms: percentile(values, 50),
    p99Ms: percentile(values, 99),
    maxMs: Math.max(...values),
  };
}

/** A cell printing LINES lines through the service, read from the live output route as it runs. */
async function throughService(client: CellwiseClient): Promise<number[]> {
  const document = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [{ cell_type: 'code', id: 'c1', metadata: {}, source: CODE, outputs: [], execution_count: null }],
  };
  const notebookId = await uploadNotebook(client, `live-bench-${Date.now()}`, document);
  const run = await client.expect<{ executionId: string }>(
    202,
    'POST',
    `/notebook/${notebookId}/execute`,
    {},
  );
  const found: number[] = [];
  let after = '';
  for (;;) {
    const path = `/notebook/${notebookId}/execution/${run.executionId}/outputs?waitSeconds=10${after ? `&after=${after}` : ''}`;
    const answer = await client.expect<{
      chunks: { type: string; text?: string }[];
      nextCursor: string | null;
      ended: boolean;
    }>(200, 'GET', path);
    const at = Date.now();
    for (const chunk of answer.chunks)
      if (chunk.type === 'stream') found.push(...delays(chunk.text ?? '', at));
    after = answer.nextCursor ?? after;
    if (answer.ended) return found;
  }
}

/** The same cell on a kernel of a plain kernel host, its stream messages read off the websocket. */
async function throughJupyter(dir: string): Promise<number[]> {
  const server = await startKernelHost(join(dir, 'live-reference'), { nodelay: true });
  try {
    const kernels = new JupyterKernelHost(server.baseUrl, async () => server.token).kernels;
    const ref = await kernels.start('python3', randomUUID());
    const session = await kernels.connect(ref, 'live-reference');
    const msgId = session.execute(CODE, {});
    const found: number[] = [];
    for (let idle = false; !idle; ) {
      const event = await session.next(30_000);
      if (!event) throw new Error('the reference kernel went silent');
      if (event.kind !== 'message' || event.message.parentMsgId !== msgId) continue;
      const m = event.message;
      if (m.msgType === 'stream') found.push(...delays(String(m.content.text), Date.now()));
      idle = m.msgType === 'status' && m.content.execution_state === 'idle';
    }
    await session.close();
    await kernels.shutdown(ref);
    return found;
  } finally {
    await server.stop();
  }
}

/**
 * Live output latency: a cell prints a line every 100 ms for 10 s; each line's delay from its
 * print to a client, through the service's live output route and, for reference, straight off
 * the kernel's Jupyter Server websocket in the same run.
 */
export async function runLiveBench(
  client: CellwiseClient,
  dir: string,
  log: (m: string) => void,
): Promise<LiveReport> {
  log(`live output: ${LINES} lines every ${INTERVAL_S * 1000} ms, print → client`);
  const cellwise = stats(await throughService(client));
  const jupyter = stats(await throughJupyter(dir));
  if (cellwise.lines !== LINES || jupyter.lines !== LINES)
    throw new Error(`lines received: Cellwise ${cellwise.lines}, Jupyter ${jupyter.lines} of ${LINES}`);
  return {
    cellwise,
    jupyter,
    ratioP50: cellwise.p50Ms / jupyter.p50Ms,
    ratioP99: cellwise.p99Ms / jupyter.p99Ms,
  };
}

export function liveTable(r: LiveReport): string {
  const row = (name: string, s: LatencyStats) =>
    `| ${name} | ${s.lines} | ${s.p50Ms.toFixed(1)} | ${s.p99Ms.toFixed(1)} | ${s.maxMs.toFixed(1)} |`;
  return [
    '| print → client | lines | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|',
    row('Cellwise GET .../outputs (long poll)', r.cellwise),
    row('Jupyter Server websocket (reference)', r.jupyter),
    `ratio p50 ${r.ratioP50.toFixed(1)}×, p99 ${r.ratioP99.toFixed(1)}× (goal: within about a second)`,
  ].join('\n');
}
