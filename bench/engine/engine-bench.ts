import { loadavg } from 'node:os';
import type { CellwiseClient } from '../cellwise-client.ts';
import {
  median,
  percentile,
  printedText,
  type RunTiming,
  runThroughApi,
  runWithNbclient,
  runWithNbclientOutput,
  uploadNotebook,
} from './measure.ts';
import { nodelayComparison } from './nodelay.ts';
import { clockedTrivialNotebook, clockSpanMs, pandasNotebook, trivialNotebook } from './notebooks.ts';
import { firstCellLatency, waitForWarmKernel } from './warm.ts';

export interface Comparison {
  scenario: string;
  cellwise: number[];
  nbclient: number[];
  cellwiseMedian: number;
  nbclientMedian: number;
  /** The fastest run of each: what the per-cell overhead is computed from. */
  cellwiseMin: number;
  nbclientMin: number;
  ratio: number;
  goal: number | null;
}

export interface EngineReport {
  comparisons: Comparison[];
  /** Whether Cellwise's runs started on a warm (pooled) kernel. */
  warm: boolean;
  /** POST execute → the first cell running in the kernel, with a warm kernel (ms). */
  firstCellMs: { samples: number[]; p50: number; p95: number; goal: number };
  /**
   * Per trivial cell, from the kernel's own clock: the span from the end of the 200-cell
   * notebook's first cell to the start of its last, over 199, median of the runs (no kernel
   * start, admission or finalize in it on either side).
   */
  perCellOverheadMs: {
    cellwise: number;
    nbclient: number;
    ratio: number;
    spans: { cellwise: number[]; nbclient: number[] };
  };
  /** The same from run totals: (fastest 200-cell run − fastest 1-cell run) / 199 (kernel start variance included). */
  perCellFromTotalsMs: { cellwise: number; nbclient: number; ratio: number };
  /** Kernel round trip per trivial cell through the kernel host, with and without TCP_NODELAY. */
  kernelHostPerCellMs: { withFix: number; without: number };
  /** POST execute latency: one at a time, and in the burst of concurrent runs. */
  submitMs: { sequential: { p50: number; p99: number }; burst: { p50: number; p99: number } };
  /** The machine's 1-minute load average during the 200-cell comparison and at the burst. */
  loadAverage: { cells: number; burst: number };
  concurrent: {
    runs: number;
    cellsPerRun: number;
    allCompleted: boolean;
    wallSeconds: number;
    runsPerSecond: number;
    cellsPerSecond: number;
    latencyP50: number;
    latencyP99: number;
    /** The same runs as concurrent nbclient processes (counted: some fail at kernel start). */
    nbclient: {
      completed: number;
      wallSeconds: number;
      latencyP50: number | null;
      latencyP99: number | null;
    };
  };
}

type Log = (message: string) => void;

/**
 * How often the benchmark polls a run's status. Durations come from the run's recorded
 * endTime, not from when a poll saw it, so polling less only spares the machine the load
 * of the poller (nbclient has none).
 */
const POLL_MS = 1000;

/**
 * The execution engine next to nbclient on the same notebooks in the same run, kernel start
 * included on both sides, alternating the two so both see the same machine. Medians of
 * `reps` runs; ratios are Cellwise / nbclient (below 1: Cellwise faster).
 */
export async function runEngineBench(
  client: CellwiseClient,
  dir: string,
  reps: number,
  log: Log,
): Promise<EngineReport> {
  const submits: number[] = [];
  let warm = true;
  const spans: { cellwise: number[]; nbclient: number[] } = { cellwise: [], nbclient: [] };
  const compare = async (
    scenario: string,
    document: object,
    goal: number | null,
    times = reps,
    clocked = false,
  ) => {
    const id = await uploadNotebook(client, `bench ${scenario}`, document);
    const cellwise: number[] = [];
    const nbclient: number[] = [];
    const cellIds = (document as { cells: { id: string }[] }).cells.map((c) => c.id);
    const span = (text: string, side: string) => {
      const ms = clockSpanMs(text);
      if (ms === null) throw new Error(`${scenario}: ${side} printed no clocks`);
      return ms;
    };
    for (let i = 0; i < times; i++) {
      // Each Cellwise run starts on a warm kernel from the kernel host's pool (refilled
      // while nbclient runs); nbclient starts its kernel cold, as it always does.
      warm = (await waitForWarmKernel(client)) && warm;
      const ours: RunTiming = await runThroughApi(client, id, POLL_MS);
      if (ours.status !== 'Completed') throw new Error(`${scenario}: run ended ${ours.status}`);
      submits.push(ours.submitMs);
      cellwise.push(ours.serverSeconds);
      const theirs = await runWithNbclientOutput(dir, scenario.replace(/\W+/g, '-'), document);
      nbclient.push(theirs.seconds);
      if (clocked) {
        const ends = [cellIds[0]!, cellIds.at(-1)!];
        spans.cellwise.push(span(await printedText(client, id, ours.executionId, ends), 'Cellwise'));
        spans.nbclient.push(span(theirs.text, 'nbclient'));
      }
      log(
        `  ${scenario} #${i + 1}: Cellwise ${ours.serverSeconds.toFixed(2)} s, nbclient ${nbclient.at(-1)!.toFixed(2)} s`,
      );
    }
    const result = {
      scenario,
      cellwise,
      nbclient,
      cellwiseMedian: median(cellwise),
      nbclientMedian: median(nbclient),
      cellwiseMin: Math.min(...cellwise),
      nbclientMin: Math.min(...nbclient),
      ratio: median(cellwise) / median(nbclient),
      goal,
    };
    return result;
  };

  log('engine: POST execute → first cell running, warm kernel');
  const firstCell = await firstCellLatency(client, Math.max(10, reps * 2));
  log(`  p50 ${firstCell.p50.toFixed(0)} ms, p95 ${firstCell.p95.toFixed(0)} ms`);
  log('engine: 1 trivial cell (the fixed cost: admission, kernel lease, finalize)');
  const one = await compare('1 trivial cell', trivialNotebook(1), null);
  log('engine: 200 trivial cells');
  const many = await compare('200 trivial cells', clockedTrivialNotebook(200), 1.0, reps, true);
  const cellsLoad = loadavg()[0]!;
  log('engine: pandas over a 1M-row frame');
  const pandas = await compare('pandas, 1M rows', pandasNotebook(), 1.05, Math.max(2, reps - 1));
  // From each side's fastest run: nbclient's kernel start now and then stalls about 3 s
  // (jupyter_client, also outside this bench), which medians of 5 do not always hide.
  const overhead = (c: 'cellwiseMin' | 'nbclientMin') => ((many[c] - one[c]) / 199) * 1000;

  log('engine: kernel host round trip per cell with and without the TCP_NODELAY fix');
  const nodelay = await nodelayComparison(dir);
  log('engine: 20 concurrent runs of 20 trivial cells');
  const ids = [];
  for (let i = 0; i < 20; i++)
    ids.push(await uploadNotebook(client, `bench concurrent ${i}`, trivialNotebook(20)));
  const burstLoad = loadavg()[0]!;
  const started = performance.now();
  const runs = await Promise.all(ids.map((id) => runThroughApi(client, id, POLL_MS)));
  const wallSeconds = (performance.now() - started) / 1000;
  const latencies = runs.map((r) => r.serverSeconds);
  const burst = runs.map((r) => r.submitMs);
  log('engine: the same 20 runs as concurrent nbclient processes');
  const referenceStart = performance.now();
  const settled = await Promise.allSettled(
    ids.map((_, i) => runWithNbclient(dir, `concurrent-${i}`, trivialNotebook(20))),
  );
  const reference = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  // Until the last completed one finished (one that hangs is killed at the deadline and
  // counted as failed, not as wall time).
  const referenceWall = reference.length
    ? Math.max(...reference)
    : (performance.now() - referenceStart) / 1000;

  return {
    comparisons: [one, many, pandas],
    warm,
    firstCellMs: { ...firstCell, goal: 150 },
    perCellOverheadMs: {
      cellwise: median(spans.cellwise) / 199,
      nbclient: median(spans.nbclient) / 199,
      ratio: median(spans.cellwise) / median(spans.nbclient),
      spans,
    },
    perCellFromTotalsMs: {
      cellwise: overhead('cellwiseMin'),
      nbclient: overhead('nbclientMin'),
      ratio: overhead('cellwiseMin') / overhead('nbclientMin'),
    },
    kernelHostPerCellMs: nodelay,
    submitMs: {
      sequential: { p50: percentile(submits, 50), p99: percentile(submits, 99) },
      burst: { p50: percentile(burst, 50), p99: percentile(burst, 99) },
    },
    loadAverage: { cells: cellsLoad, burst: burstLoad },
    concurrent: {
      runs: runs.length,
      cellsPerRun: 20,
      allCompleted: runs.every((r) => r.status === 'Completed' && r.cells === 20),
      wallSeconds,
      runsPerSecond: runs.length / wallSeconds,
      cellsPerSecond: (runs.length * 20) / wallSeconds,
      latencyP50: percentile(latencies, 50),
      latencyP99: percentile(latencies, 99),
      nbclient: {
        completed: reference.length,
        wallSeconds: referenceWall,
        latencyP50: reference.length ? percentile(reference, 50) : null,
        latencyP99: reference.length ? percentile(reference, 99) : null,
      },
    },
  };
}

const f2 = (n: number) => n.toFixed(2);

/** The engine part of the report, as printed. */
export function engineTable(report: EngineReport): string {
  const rows = report.comparisons.map(
    (c) =>
      `| ${c.scenario} | ${f2(c.cellwiseMedian)} | ${f2(c.nbclientMedian)} | ${f2(c.ratio)} | ${c.goal === null ? '–' : c.goal === 1 ? '< 1.0' : `≤ ${c.goal}`} |`,
  );
  const o = report.perCellOverheadMs;
  const t = report.perCellFromTotalsMs;
  const k = report.concurrent;
  const fc = report.firstCellMs;
  return [
    `POST execute → first cell running (${report.warm ? 'warm kernel' : 'NO WARM POOL'}): p50 ${fc.p50.toFixed(0)} ms, ` +
      `p95 ${fc.p95.toFixed(0)} ms (goal ≤ ${fc.goal} ms) over ${fc.samples.length} runs`,
    '',
    `| notebook (POST execute → Completed${report.warm ? ', warm kernel' : ''}; nbclient: kernel start → done) | Cellwise s | nbclient s | ratio | goal |`,
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Fastest runs (s), Cellwise / nbclient: ${report.comparisons.map((c) => `${c.scenario} ${f2(c.cellwiseMin)} / ${f2(c.nbclientMin)}`).join('; ')}`,
    `Per-cell overhead (kernel clock, end of cell 1 → start of cell 200, / 199, median of ${o.spans.cellwise.length}): Cellwise ${f2(o.cellwise)} ms, nbclient ${f2(o.nbclient)} ms (ratio ${f2(o.ratio)})`,
    `  from run totals ((200 cells − 1 cell) / 199, fastest runs, nbclient's kernel start variance included): Cellwise ${f2(t.cellwise)} ms, nbclient ${f2(t.nbclient)} ms (ratio ${f2(t.ratio)})`,
    `Kernel host round trip per trivial cell: ${f2(report.kernelHostPerCellMs.withFix)} ms with the TCP_NODELAY fix, ` +
      `${f2(report.kernelHostPerCellMs.without)} ms without it (jupyter_server 1.23 as shipped)`,
    `POST execute latency: one at a time p50 ${f2(report.submitMs.sequential.p50)} ms, p99 ${f2(report.submitMs.sequential.p99)} ms; ` +
      `in a burst of ${k.runs} p50 ${f2(report.submitMs.burst.p50)} ms, p99 ${f2(report.submitMs.burst.p99)} ms`,
    `${k.runs} concurrent runs of ${k.cellsPerRun} cells: ${k.allCompleted ? 'all Completed' : 'NOT ALL COMPLETED'} in ${f2(k.wallSeconds)} s; ` +
      `${f2(k.runsPerSecond)} runs/s, ${f2(k.cellsPerSecond)} cells/s; run latency p50 ${f2(k.latencyP50)} s, p99 ${f2(k.latencyP99)} s`,
    `  the same as ${k.runs} concurrent nbclient processes: ${k.nbclient.completed} of ${k.runs} completed ` +
      `(a failed one stops at kernel start, e.g. 'Kernel died before replying to kernel_info') in ${f2(k.nbclient.wallSeconds)} s; ` +
      `latency p50 ${k.nbclient.latencyP50 === null ? '–' : f2(k.nbclient.latencyP50)} s, ` +
      `p99 ${k.nbclient.latencyP99 === null ? '–' : f2(k.nbclient.latencyP99)} s`,
  ].join('\n');
}
