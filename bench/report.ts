import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Baseline } from './baseline.ts';
import type { ConcurrencyRound } from './concurrency-check.ts';
import type { BenchConfig } from './config.ts';
import type { JupyterLayout } from './jupyter-files.ts';
import type { LoadResult } from './load-result.ts';
import { baselineTable, ratios, ratioTable, resultsTable } from './tables.ts';

export interface BenchReport {
  date: string;
  machine: { cpus: number; cpuModel?: string; node: string; loadavg: number[] };
  config: BenchConfig;
  seeding: { method: string; notebooks: number; seconds: number; perSecond: number };
  jupyter: { version: string; files: JupyterLayout };
  baselines: Baseline[];
  results: LoadResult[];
  concurrency: { pass: boolean; rounds: ConcurrencyRound[] };
  totalSeconds: number;
}

export function printReport(report: BenchReport) {
  const { config, results, baselines } = report;
  const labels = new Map(results.map((r) => [r.scenario, r.label]));
  console.log(`
Unloaded: one request at a time (service time without queueing)
${baselineTable(baselines, labels)}

Under load: ${config.notebooks} notebooks, target ${config.rate} req/s for ${config.seconds} s per run
${resultsTable(results)}

Ratios Cellwise / Jupyter (below 1: Cellwise faster; 'timeout': that percentile is a request that failed or took > ${config.timeoutSeconds} s)
${ratioTable(ratios(results, baselines))}

Notes
- autocannon: overallRate ${config.rate} over ${config.connections} connections. Each connection sends its share
  (${config.rate / config.connections}/s) back to back at the start of every second, so arrivals come in bursts, and a slow
  server lowers the rate (closed loop). Latency from send, percentiles over raw response times with failed
  requests (timeouts > ${config.timeoutSeconds} s, errors) ranked last. Its coordinated-omission correction is off
  (autocannon 9 uses ceil(1 / rate) = 1 ms as the expected interval, adding a sample per ms of latency).
- open-loop: one request due every ${(1000 / config.rate).toFixed(1)} ms however the server is doing, at most ${config.connections} sockets.
  Latency from the due time (client-side queueing counted). Requests unanswered ${config.timeoutSeconds} s after
  their due time are timeouts and rank as 'timeout' in the percentiles.
- Jupyter has no pagination: jupyter-list-all lists all ${config.notebooks} notebooks in every response.
  jupyter-list-page lists a 100-notebook directory (hard links to the same files), the closest match to a
  Cellwise page of 100. cellwise-list picks a random page 1..${Math.ceil(config.notebooks / config.pageSize)}. cellwise-list-p1 always asks for page 1.
- After every run the target must answer a probe in < 100 ms three times within 20 s, or it is restarted
  (same data) so that one run's backlog does not spill into the next.
- Seeding: ${report.seeding.method}, ${report.seeding.perSecond.toFixed(1)} notebooks/s. Jupyter ${report.jupyter.version} serves the same documents byte for byte.
- Concurrency check: ${report.concurrency.pass ? 'PASS' : 'FAIL'} (${report.concurrency.rounds.filter((r) => r.pass).length}/${report.concurrency.rounds.length} rounds of ${config.concurrentPuts} parallel PUTs).`);
}

/** JSON has no Infinity: censored (timed-out) percentiles are written as "timeout". */
function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : 'timeout') : v),
    2,
  );
}

/** Writes bench/results/latest.json (git-ignored, and outside Biome's file set). */
export async function writeResults(report: BenchReport) {
  const dir = new URL('./results/', import.meta.url);
  await mkdir(dir, { recursive: true });
  const file = fileURLToPath(new URL('latest.json', dir));
  const ratioList = ratios(report.results, report.baselines);
  await writeFile(file, `${toJson({ ...report, ratios: ratioList })}\n`);
}
