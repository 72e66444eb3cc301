/**
 * A diagnostic, not part of `npm run bench`: the main part's GET scenario alone, on a smaller
 * seed, so a change to the GET path can be compared in a minute instead of the full bench's
 * twenty. Seeds `BENCH_NOTEBOOKS` (default 1,000) notebooks, writes them as Jupyter's root
 * dir, then alternates open-loop GET runs (200 req/s, `BENCH_SECONDS` each, default 10)
 * against Cellwise and Jupyter Server `BENCH_PROBE_ROUNDS` times (default 2), printing p50/p99
 * and the API process's event-loop delay, GC and CPU per request. `BENCH_PROBE_RESTART=1`
 * restarts the stack before each Cellwise run (cold caches, as after the full bench's
 * restarts); `BENCH_GET_PROFILE=<prefix>` also writes a CPU profile of the API during each
 * Cellwise run.
 *
 *   node --import tsx bench/list/get-probe.ts
 */
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessDiagnostics } from '../../local-stack/diagnostics.ts';
import { CellwiseClient } from '../cellwise-client.ts';
import { Cleanup } from '../cleanup.ts';
import { loadBenchConfig } from '../config.ts';
import { writeJupyterRoot } from '../jupyter-files.ts';
import { startJupyter } from '../jupyter-server.ts';
import { runOpenLoop } from '../open-loop-load.ts';
import { cellwiseScenarios, jupyterScenarios } from '../scenarios.ts';
import { seedNotebooks } from '../seed.ts';
import { startStack } from '../stack.ts';

process.env.BENCH_NOTEBOOKS ??= '1000';
process.env.BENCH_SECONDS ??= '10';
const config = loadBenchConfig();
const ROUNDS = Number(process.env.BENCH_PROBE_ROUNDS ?? 2);
const PROFILE = process.env.BENCH_GET_PROFILE;
const RESTART = process.env.BENCH_PROBE_RESTART === '1';

const cleanup = new Cleanup();
cleanup.onSignals();
try {
  const base = mkdtempSync(join(tmpdir(), 'cellwise-get-'));
  cleanup.removeDir(base);
  const stack = await startStack(cleanup, join(base, 'cellwise'));
  let client = new CellwiseClient(stack.current().info);
  const seed = await seedNotebooks(client, config.notebooks, config.seedConcurrency);
  const layout = await writeJupyterRoot(client, join(base, 'jupyter-root'), seed.ids, config.pageSize, 32);
  const jupyter = await startJupyter(join(base, 'jupyter-root'), join(base, 'jupyter-state'));
  cleanup.add('stop Jupyter Server', () => jupyter.stop());
  const reference = jupyterScenarios(jupyter, seed.ids, layout).find((s) => s.key === 'jupyter-get')!;
  const options = { rate: config.rate, seconds: config.seconds, connections: 50, timeoutSeconds: 10 };
  const f = (v: number) => v.toFixed(2).padStart(6);
  for (let round = 1; round <= ROUNDS; round++) {
    if (RESTART) {
      await stack.restart();
      client = new CellwiseClient(stack.current().info);
    }
    const cellwise = cellwiseScenarios(client, seed.ids, config.pageSize).find(
      (s) => s.key === 'cellwise-get',
    )!;
    const load = loadavg()[0]!;
    await fetch(`${client.info.baseUrl}/local/diagnostics?reset=1`);
    const profile = PROFILE
      ? fetch(
          `${client.info.baseUrl}/local/profile?ms=${(config.seconds + config.warmupSeconds) * 1000}`,
        ).then((r) => r.text())
      : null;
    const ours = await runOpenLoop(cellwise, options, config.warmupSeconds);
    const d = (
      (await (await fetch(`${client.info.baseUrl}/local/diagnostics`)).json()) as { api: ProcessDiagnostics }
    ).api;
    if (profile) await writeFile(`${PROFILE}-get-${round}.cpuprofile`, await profile);
    const theirs = await runOpenLoop(reference, options, config.warmupSeconds);
    const perRequest = d.cpuMs / (config.rate * (config.seconds + config.warmupSeconds));
    console.log(
      `round ${round} (load ${load.toFixed(2)}): Cellwise p50 ${f(ours.p50)} p99 ${f(ours.p99)} ms | ` +
        `Jupyter p50 ${f(theirs.p50)} p99 ${f(theirs.p99)} ms | ratio p99 ${(ours.p99 / theirs.p99).toFixed(2)} | ` +
        `API: ${perRequest.toFixed(2)} ms CPU/request, loop delay p99 ${d.eventLoopDelayMs.p99} max ${d.eventLoopDelayMs.max} ms, ` +
        `GC ${d.gc.count}× max ${d.gc.maxMs} ms, ELU ${d.eventLoopUtilization}`,
    );
  }
} finally {
  await cleanup.run();
}
