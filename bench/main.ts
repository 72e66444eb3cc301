/**
 * `npm run bench`: Cellwise GET notebook / list latency under a fixed request rate, next to
 * Jupyter Server's contents API over the same notebooks, then the optimistic-lock check.
 * Only measured numbers are printed and written to bench/results/latest.json.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CellwiseClient } from './cellwise-client.ts';
import { Cleanup } from './cleanup.ts';
import { concurrencyRound } from './concurrency-check.ts';
import { loadBenchConfig } from './config.ts';
import { writeJupyterRoot } from './jupyter-files.ts';
import { type RunningJupyter, startJupyter } from './jupyter-server.ts';
import { runLoadPhase } from './load-phase.ts';
import { ratios, ratioTable, resultsTable, toJson } from './report.ts';
import { seedNotebooks } from './seed.ts';
import { startStack } from './stack.ts';

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (message: string) => console.log(`[${elapsed().padStart(5)}] ${message}`);

async function bench(cleanup: Cleanup): Promise<boolean> {
  const config = loadBenchConfig();
  const base = await mkdtemp(join(tmpdir(), 'cellwise-bench-'));
  cleanup.removeDir(base);
  log(`config ${JSON.stringify(config)}; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)}`);

  const stack = await startStack(cleanup, join(base, 'cellwise'));
  const client = new CellwiseClient(stack.info);
  log(`Cellwise stack up at ${stack.info.baseUrl}`);

  log(
    `seeding ${config.notebooks} notebooks (5 cells each) via POST /notebook, ${config.seedConcurrency} in flight`,
  );
  const seed = await seedNotebooks(client, config.notebooks, config.seedConcurrency);
  log(`seeded ${seed.ids.length} in ${seed.seconds.toFixed(1)} s = ${seed.perSecond.toFixed(1)} notebooks/s`);
  const page = await client.expect<{ totalCount: number }>(200, 'GET', '/notebooks?page=1&pageSize=100');
  if (page.totalCount !== config.notebooks)
    throw new Error(`totalCount ${page.totalCount} != ${config.notebooks}`);

  const root = join(base, 'jupyter-root');
  const layout = await writeJupyterRoot(client, root, seed.ids, config.pageSize, 32);
  log(
    `wrote ${seed.ids.length} .ipynb files (${(layout.bytes / 1e6).toFixed(1)} MB, from GET /notebook/{id}/content) in ${layout.seconds.toFixed(1)} s`,
  );
  let jupyter: RunningJupyter | undefined;
  const stopJupyter = async () => {
    await jupyter?.stop();
    jupyter = undefined;
  };
  cleanup.add('stop Jupyter Server', stopJupyter);
  const state = join(base, 'jupyter-state');
  jupyter = await startJupyter(root, state);
  const jupyterVersion = jupyter.version;
  log(
    `Jupyter Server ${jupyterVersion} up at ${jupyter.baseUrl} (root_dir with ${seed.ids.length} notebooks)`,
  );

  log(`load: ${config.rate} req/s for ${config.seconds} s per run (after ${config.warmupSeconds} s warm-up)`);
  const results = await runLoadPhase({
    config,
    client,
    ids: seed.ids,
    layout,
    jupyter: () => jupyter!,
    restartJupyter: async () => {
      await stopJupyter();
      jupyter = await startJupyter(root, state);
      return jupyter;
    },
  });
  await stopJupyter();

  log(`concurrency check: ${config.concurrentPuts} parallel PUTs with the same dateModified`);
  const rounds = [];
  for (let round = 1; round <= config.concurrencyRounds; round++) {
    const r = await concurrencyRound(client, round, config.concurrentPuts);
    rounds.push(r);
    const other = Object.keys(r.other).length ? `, other ${JSON.stringify(r.other)}` : '';
    console.log(
      `  round ${r.round}: ${r.pass ? 'PASS' : 'FAIL'} — ${r.ok}x 200, ${r.conflicts}x 409${other} in ${r.millis.toFixed(0)} ms${r.failures.map((f) => `\n    - ${f}`).join('')}`,
    );
  }
  const concurrencyPass = rounds.every((r) => r.pass);

  const ratioList = ratios(results);
  console.log(
    `\nResults (${config.notebooks} notebooks, target ${config.rate} req/s, ${config.seconds} s each)\n`,
  );
  console.log(resultsTable(results));
  console.log('\nRatios Cellwise / Jupyter (below 1 = Cellwise faster)\n');
  console.log(ratioTable(ratioList));
  console.log(`
Notes
  autocannon: overallRate ${config.rate} over ${config.connections} connections; each connection sends its share
    back to back at the start of every second (bursts), and a slow server lowers the rate (closed loop);
    latency from send; its coordinated-omission correction is off (autocannon 9 uses a 1 ms interval).
  open-loop: one request due every ${(1000 / config.rate).toFixed(1)} ms regardless of responses, max ${config.connections} sockets;
    latency from the due time (queueing counted); timeouts (> ${config.timeoutSeconds} s) rank as 'timeout'.
  Jupyter has no pagination: jupyter-list-all returns all ${config.notebooks} entries per request; jupyter-list-page
    lists a directory holding 100 of the same notebooks (the closest match to a Cellwise page of 100).
  Seeding: ${seed.method}; Jupyter serves byte-identical documents.
  Concurrency check: ${concurrencyPass ? 'PASS' : 'FAIL'} (${rounds.filter((r) => r.pass).length}/${rounds.length} rounds)
  Total bench time: ${elapsed()}`);

  const out = new URL('./results/', import.meta.url);
  await mkdir(out, { recursive: true });
  await writeFile(
    new URL('latest.json', out),
    toJson({
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadavg: loadavg() },
      config,
      seeding: {
        method: seed.method,
        notebooks: seed.ids.length,
        seconds: seed.seconds,
        perSecond: seed.perSecond,
      },
      jupyter: { version: jupyterVersion, files: layout },
      results,
      ratios: ratioList,
      concurrency: { pass: concurrencyPass, rounds },
      totalSeconds: (performance.now() - started) / 1000,
    }),
  );
  log('wrote bench/results/latest.json');
  return concurrencyPass;
}

const cleanup = new Cleanup();
cleanup.onSignals();
let ok = false;
try {
  ok = await bench(cleanup);
} catch (error) {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
} finally {
  await cleanup.run();
}
log(`done (${ok ? 'ok' : 'FAILED'})`);
process.exit(ok ? 0 : 1);
