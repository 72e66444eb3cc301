/**
 * `npm run bench`: Cellwise GET notebook / list latency under a fixed request rate, next to
 * Jupyter Server's contents API over the same notebooks, then the optimistic-lock check, then
 * the execution engine next to nbclient, the dataset upload next to pandas, then the kernel fleet's
 * capacity figures, the live output's latency and a 50 MB notebook's presigned upload next to
 * nbformat.validate. `npm run bench -- engine` (or `datasets`, `fleet`, `live`, `bignb`, `scala`, `list`) runs only that part.
 * Only measured numbers are printed and written to bench/results/.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BignbReport, bignbTable, runBignbBench } from './bignb/bignb-bench.ts';
import { CellwiseClient } from './cellwise-client.ts';
import { Cleanup } from './cleanup.ts';
import { concurrencyRound } from './concurrency-check.ts';
import { loadBenchConfig } from './config.ts';
import { type DatasetsReport, datasetsTable, runDatasetsBench } from './datasets/datasets-bench.ts';
import { kernelRead } from './datasets/kernel-read.ts';
import { type EngineReport, engineTable, runEngineBench } from './engine/engine-bench.ts';
import { type FleetReport, fleetTable, runFleetBench } from './fleet/fleet-bench.ts';
import { writeJupyterRoot } from './jupyter-files.ts';
import { type RunningJupyter, startJupyter } from './jupyter-server.ts';
import { runListBench } from './list/list-bench.ts';
import { type LiveReport, liveTable, runLiveBench } from './live/live-bench.ts';
import { runLoadPhase } from './load-phase.ts';
import { type BenchReport, printReport, writeResults } from './report.ts';
import { runScalaBench, type ScalaReport, scalaTable } from './scala/scala-bench.ts';
import { seedNotebooks } from './seed.ts';
import { type StackControl, startStack } from './stack.ts';
import { summaryRows, summaryTable } from './summary.ts';

const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
const log = (message: string) => console.log(`[${elapsed().toFixed(0).padStart(4)} s] ${message}`);

const ENGINE_ONLY = process.argv.slice(2).includes('engine');
const DATASETS_ONLY = process.argv.slice(2).includes('datasets');
const FLEET_ONLY = process.argv.slice(2).includes('fleet');
const LIVE_ONLY = process.argv.slice(2).includes('live');
const BIGNB_ONLY = process.argv.slice(2).includes('bignb');
const SCALA_ONLY = process.argv.slice(2).includes('scala');
const LIST_ONLY = process.argv.slice(2).includes('list');

/** Writes bench/results/<name>-latest.json: the date, the machine, then `body`. */
async function writeResult(name: string, body: object): Promise<void> {
  const results = new URL('./results/', import.meta.url);
  await mkdir(results, { recursive: true });
  const document = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadavg: loadavg() },
    ...body,
  };
  await writeFile(new URL(`${name}-latest.json`, results), `${JSON.stringify(document, null, 2)}\n`);
  log(`wrote bench/results/${name}-latest.json`);
}

/** The kernel fleet part (stacks of its own); bench/results/fleet-latest.json. */
async function fleet(cleanup: Cleanup, base: string): Promise<FleetReport> {
  const waitSeconds = Number(process.env.BENCH_FLEET_WAIT_SECONDS ?? 600);
  const dir = join(base, 'fleet');
  await mkdir(dir, { recursive: true });
  const report = await runFleetBench(cleanup, dir, waitSeconds, log);
  console.log(`\nKernel fleet (by shape: ${cpus().length} CPUs)\n${fleetTable(report)}\n`);
  await writeResult('fleet', { ...report });
  return report;
}

/** The dataset upload part: a 1M-event log next to pandas.read_csv; bench/results/datasets-latest.json. */
async function datasets(client: CellwiseClient, stackPid: number, base: string): Promise<DatasetsReport> {
  const events = Number(process.env.BENCH_DATASET_EVENTS ?? 1_000_000);
  const dir = join(base, 'datasets');
  await mkdir(dir, { recursive: true });
  const report = await runDatasetsBench(client, stackPid, dir, events, log);
  log("datasets: get_dataset in a run's kernel next to pandas.read_csv of the same file");
  const kernel = await kernelRead(client, report.datasetId, join(dir, 'events.csv'), log);
  console.log(
    `\nDataset upload next to pandas.read_csv (${events} events, ${(report.fileBytes / 1e6).toFixed(1)} MB)\n${datasetsTable(report)}\n` +
      `In a run's kernel: get_dataset ${kernel.getDataset.seconds.toFixed(2)} s (${kernel.getDataset.rows} rows), ` +
      `pandas.read_csv of the uploaded file ${kernel.readCsv.seconds.toFixed(2)} s (ratio ${kernel.ratio.toFixed(2)}), ` +
      `of the stored version ${kernel.readNormalised.seconds.toFixed(2)} s (ratio ${kernel.ratioNormalised.toFixed(2)}: the SDK's own cost); ` +
      `POST execute → first cell ${kernel.firstCellSeconds.toFixed(2)} s (the kernel host stages the version first); ` +
      `kernel peak RSS ${(kernel.getDataset.peakRssBytes / 2 ** 20).toFixed(0)} MiB after get_dataset\n`,
  );
  await writeResult('datasets', {
    ...report,
    kernel,
  });
  return report;
}

/** The engine part: runs next to nbclient; results in bench/results/engine-latest.json. */
async function engine(client: CellwiseClient, base: string): Promise<EngineReport> {
  const reps = Number(process.env.BENCH_ENGINE_REPS ?? 5);
  const dir = join(base, 'engine');
  await mkdir(dir, { recursive: true });
  const report: EngineReport = await runEngineBench(client, dir, reps, log);
  console.log(
    `\nExecution engine next to nbclient (Debian ${'python3-nbclient'}), medians of ${reps} runs\n${engineTable(report)}\n`,
  );
  await writeResult('engine', {
    reps,
    ...report,
  });
  return report;
}

/** A large notebook through the presigned upload next to nbformat.validate; bench/results/bignb-latest.json. */
async function bignb(client: CellwiseClient, base: string): Promise<BignbReport> {
  const bytes = Number(process.env.BENCH_BIGNB_BYTES ?? 50 * 1024 * 1024);
  const dir = join(base, 'bignb');
  await mkdir(dir, { recursive: true });
  const report = await runBignbBench(client, dir, bytes, log);
  console.log(
    `\nA ${(report.fileBytes / 1e6).toFixed(1)} MB notebook (${report.cells} cells)\n${bignbTable(report)}\n`,
  );
  await writeResult('bignb', { ...report });
  return report;
}

/** A Scala run's first-cell latency, cold and pooled, next to Python's; bench/results/scala-latest.json. */
async function scala(cleanup: Cleanup, base: string): Promise<ScalaReport> {
  const reps = Number(process.env.BENCH_SCALA_REPS ?? 5);
  const report = await runScalaBench(cleanup, join(base, 'scala'), reps, log);
  console.log(`\nFirst cell of a run, Python and Scala (${cpus().length} CPUs)\n${scalaTable(report)}\n`);
  await writeResult('scala', { ...report });
  return report;
}

/** Live output latency next to a Jupyter websocket client; bench/results/live-latest.json. */
async function live(client: CellwiseClient, base: string): Promise<LiveReport> {
  const dir = join(base, 'live');
  await mkdir(dir, { recursive: true });
  const report = await runLiveBench(client, dir, log);
  console.log(`\nLive output: each line's delay from its print to a client\n${liveTable(report)}\n`);
  await writeResult('live', { ...report });
  return report;
}

/** Issue 15's table from the parts that ran: printed, and written to bench/results/summary-latest.json. */
async function summary(
  load: BenchReport | null,
  engineReport: EngineReport | null,
  data: DatasetsReport | null,
) {
  const rows = summaryRows(load, engineReport, data);
  console.log(
    `\nSummary (issue 15's table; ${cpus().length} CPUs, load average now ${loadavg()[0]!.toFixed(2)}; ` +
      `'load avg' is the 1-minute load while each row was measured, Cellwise / reference)\n${summaryTable(rows)}\n`,
  );
  await writeResult('summary', {
    rows,
  });
}

async function bench(cleanup: Cleanup, onStack: (s: StackControl) => void): Promise<boolean> {
  const config = loadBenchConfig();
  const base = await mkdtemp(join(tmpdir(), 'cellwise-bench-'));
  cleanup.removeDir(base);
  log(`config ${JSON.stringify(config)}; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)}`);
  if (FLEET_ONLY) {
    const report = await fleet(cleanup, base);
    return report.capacity.every((c) => c.completed === c.submitted);
  }
  if (SCALA_ONLY) {
    await scala(cleanup, base);
    return true;
  }

  const stack = await startStack(cleanup, join(base, 'cellwise'));
  onStack(stack);
  const client = new CellwiseClient(stack.current().info);
  log(`Cellwise stack up at ${client.info.baseUrl}`);
  if (ENGINE_ONLY) {
    const report = await engine(client, base);
    await summary(null, report, null);
    return report.concurrent.allCompleted;
  }
  if (BIGNB_ONLY) {
    await bignb(client, base);
    return true;
  }
  if (LIVE_ONLY) {
    await live(client, base);
    return true;
  }
  if (LIST_ONLY) {
    const rounds = Number(process.env.BENCH_LIST_ROUNDS ?? 3);
    await writeResult('list', { ...(await runListBench(stack, config, rounds, log)) });
    return true;
  }
  if (DATASETS_ONLY) {
    await summary(null, null, await datasets(client, stack.current().process.pid!, base));
    return true;
  }

  log(
    `seeding ${config.notebooks} notebooks (5 cells) via POST /notebook, ${config.seedConcurrency} in flight`,
  );
  const seed = await seedNotebooks(client, config.notebooks, config.seedConcurrency);
  log(`seeded ${seed.ids.length} in ${seed.seconds.toFixed(1)} s = ${seed.perSecond.toFixed(1)} notebooks/s`);
  const first = await client.expect<{ totalCount: number }>(200, 'GET', '/notebooks?page=1&pageSize=100');
  if (first.totalCount !== config.notebooks) throw new Error(`totalCount ${first.totalCount}`);

  const root = join(base, 'jupyter-root');
  const layout = await writeJupyterRoot(client, root, seed.ids, config.pageSize, 32);
  const mb = (layout.bytes / 1e6).toFixed(1);
  log(
    `wrote ${seed.ids.length} .ipynb (${mb} MB) from GET /notebook/{id}/content in ${layout.seconds.toFixed(1)} s`,
  );
  const state = join(base, 'jupyter-state');
  let jupyter: RunningJupyter | undefined = await startJupyter(root, state);
  const { version: jupyterVersion, port, token } = jupyter;
  const stopJupyter = async () => {
    await jupyter?.stop();
    jupyter = undefined;
  };
  cleanup.add('stop Jupyter Server', stopJupyter);
  log(`Jupyter Server ${jupyterVersion} up at ${jupyter.baseUrl} (root_dir: ${seed.ids.length} notebooks)`);

  log(`load: ${config.rate} req/s for ${config.seconds} s per run, after ${config.warmupSeconds} s warm-up`);
  const { results, baselines } = await runLoadPhase({
    config,
    client,
    ids: seed.ids,
    layout,
    jupyter: () => jupyter!,
    targets: {
      cellwise: {
        probe: () => ({
          url: `${client.info.baseUrl}${client.prefix}/notebook/${seed.ids[0]}`,
          headers: client.headers,
        }),
        restart: () => stack.restart(),
        diagnostics: async (reset) =>
          (await fetch(`${client.info.baseUrl}/local/diagnostics${reset ? '?reset=1' : ''}`)).json(),
      },
      jupyter: {
        probe: () => ({ url: `${jupyter!.baseUrl}/api/status`, headers: jupyter!.headers }),
        restart: async () => {
          await stopJupyter();
          jupyter = await startJupyter(root, state, { port, token });
        },
      },
    },
  });
  await stopJupyter();

  log(
    `concurrency check: ${config.concurrentPuts} parallel PUTs with the same dateModified, ${config.concurrencyRounds} rounds`,
  );
  const rounds = [];
  for (let round = 1; round <= config.concurrencyRounds; round++) {
    const r = await concurrencyRound(client, round, config.concurrentPuts);
    rounds.push(r);
    const other = Object.keys(r.other).length ? `, other ${JSON.stringify(r.other)}` : '';
    const failures = r.failures.map((f) => `\n    - ${f}`).join('');
    console.log(
      `  round ${r.round}: ${r.pass ? 'PASS' : 'FAIL'}: ${r.ok}x 200, ${r.conflicts}x 409${other} (${r.millis.toFixed(0)} ms)${failures}`,
    );
  }
  const report = {
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
    baselines,
    results,
    concurrency: { pass: rounds.every((r) => r.pass), rounds },
    totalSeconds: elapsed(),
  };
  printReport(report);
  await writeResults(report);
  log('wrote bench/results/latest.json');
  const engineReport = await engine(new CellwiseClient(stack.current().info), base);
  const datasetsReport = await datasets(
    new CellwiseClient(stack.current().info),
    stack.current().process.pid!,
    base,
  );
  await summary(report, engineReport, datasetsReport);
  await live(new CellwiseClient(stack.current().info), base);
  await bignb(new CellwiseClient(stack.current().info), base);
  // (The main stack stays up, idle: the fleet part starts stacks of its own.)
  const fleetReport = await fleet(cleanup, base);
  return (
    report.concurrency.pass &&
    engineReport.concurrent.allCompleted &&
    fleetReport.capacity.every((c) => c.completed === c.submitted)
  );
}

const cleanup = new Cleanup();
cleanup.onSignals();
let stack: StackControl | undefined;
let ok = false;
try {
  ok = await bench(cleanup, (s) => {
    stack = s;
  });
} catch (error) {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  if (stack) console.error(`last output of the Cellwise stack:\n${stack.tail()}`);
} finally {
  await cleanup.run();
}
log(`done: ${ok ? 'ok' : 'FAILED'} (total ${elapsed().toFixed(0)} s)`);
process.exit(ok ? 0 : 1);
