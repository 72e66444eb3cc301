/**
 * A diagnostic, not part of `npm run bench`: bursts of POST execute at once on a stack of its
 * own, each with the POSTs' latencies (R: admitted, Q: queued), the CPU each process of the
 * stack used during the burst (from /proc: the API, dynalite, s3rver, the functions host, the
 * kernel host) and the API and functions host's event-loop utilisation. The burst is the
 * engine part's (`BENCH_BURST` notebooks of 20 trivial cells, the tenant limit the cores), so
 * a change can be compared in a minute instead of the engine part's 2.5. `BENCH_BURST_ROUNDS`
 * bursts (default 5); `BENCH_BURST_PROFILE=<prefix>` also writes CPU profiles of the API and
 * functions host during each burst to `<prefix>-api-N.cpuprofile` / `-functions-N`.
 *
 *   node --import tsx bench/engine/burst-probe.ts
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessDiagnostics } from '../../local-stack/diagnostics.ts';
import { CellwiseClient } from '../cellwise-client.ts';
import { Cleanup } from '../cleanup.ts';
import { startStack } from '../stack.ts';
import { percentile, uploadNotebook } from './measure.ts';
import { trivialNotebook } from './notebooks.ts';
import { waitForWarmKernel } from './warm.ts';

const ROUNDS = Number(process.env.BENCH_BURST_ROUNDS ?? 5);
const SIZE = Number(process.env.BENCH_BURST ?? 20);
const PROFILE = process.env.BENCH_BURST_PROFILE;
const FINAL = ['Completed', 'Error', 'Cancelled'];

/** CPU milliseconds used so far by `root` and its descendants, by command line. */
function treeCpu(root: number): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${pid} ${args}`, (Number(fields[11]) + Number(fields[12])) * 10);
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) walk(Number(child));
    } catch {
      // the process ended meanwhile
    }
  };
  walk(root);
  return out;
}

const PROCESSES: [string, RegExp][] = [
  ['api', /local-stack\/main\.ts/],
  ['dynalite', /dynalite-process/],
  ['s3rver', /s3rver-process/],
  ['functions', /functions-host\.ts/],
  ['kernel host', /jupyter_server|launcher\.py|kernel\.py/],
];

function cpuBetween(before: Map<string, number>, after: Map<string, number>): string {
  return PROCESSES.map(([name, pattern]) => {
    let ms = 0;
    for (const [key, value] of after) if (pattern.test(key)) ms += value - (before.get(key) ?? 0);
    return `${name} ${ms}`;
  }).join(', ');
}

async function waitFinal(client: CellwiseClient, notebookId: string, executionId: string) {
  for (;;) {
    const run = await client.expect<{ status: string }>(
      200,
      'GET',
      `/notebook/${notebookId}/execution/${executionId}`,
    );
    if (FINAL.includes(run.status)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const cleanup = new Cleanup();
cleanup.onSignals();
try {
  const base = mkdtempSync(join(tmpdir(), 'cellwise-burst-'));
  cleanup.removeDir(base);
  const stack = await startStack(cleanup, join(base, 'cellwise'));
  const client = new CellwiseClient(stack.current().info);
  const root = stack.current().process.pid!;
  await waitForWarmKernel(client, 120_000);
  const ids: string[] = [];
  for (let i = 0; i < SIZE; i++) ids.push(await uploadNotebook(client, `burst ${i}`, trivialNotebook(20)));
  for (let round = 1; round <= ROUNDS; round++) {
    await waitForWarmKernel(client);
    await fetch(`${client.info.baseUrl}/local/diagnostics?reset=1`);
    const profiles = PROFILE
      ? Promise.all(
          ['api', 'functions'].map((which) =>
            fetch(`${client.info.baseUrl}/local/profile?ms=2500&process=${which}`).then((r) => r.text()),
          ),
        )
      : null;
    const load = loadavg()[0]!;
    const before = treeCpu(root);
    const posts = await Promise.all(
      ids.map(async (id) => {
        const t0 = performance.now();
        const run = await client.expect<{ executionId: string; status: string }>(
          202,
          'POST',
          `/notebook/${id}/execute`,
          {},
        );
        return { id, ms: performance.now() - t0, ...run };
      }),
    );
    const cpu = cpuBetween(before, treeCpu(root));
    const diagnostics = (await (await fetch(`${client.info.baseUrl}/local/diagnostics`)).json()) as Record<
      'api' | 'functions',
      ProcessDiagnostics
    >;
    const ms = posts.map((p) => p.ms);
    const sorted = posts
      .map((p) => [p.ms, `${p.ms.toFixed(0)}${p.status[0]}`] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, label]) => label);
    console.log(
      `burst ${round}: p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms ` +
        `(load average ${load.toFixed(2)}); CPU ms during it: ${cpu}; event-loop utilisation api ` +
        `${diagnostics.api.eventLoopUtilization}, functions ${diagnostics.functions.eventLoopUtilization}\n  ${sorted.join(' ')}`,
    );
    if (profiles) {
      const [api, functions] = await profiles;
      await writeFile(`${PROFILE}-api-${round}.cpuprofile`, api!);
      await writeFile(`${PROFILE}-functions-${round}.cpuprofile`, functions!);
    }
    for (const p of posts) await waitFinal(client, p.id, p.executionId);
  }
} finally {
  await cleanup.run();
}
