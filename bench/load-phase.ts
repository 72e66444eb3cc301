import { loadavg } from 'node:os';
import { type LoadOptions, runAutocannon } from './autocannon-load.ts';
import { type Baseline, measureBaseline } from './baseline.ts';
import type { CellwiseClient } from './cellwise-client.ts';
import type { BenchConfig } from './config.ts';
import type { JupyterLayout } from './jupyter-files.ts';
import type { RunningJupyter } from './jupyter-server.ts';
import type { LoadResult } from './load-result.ts';
import { runOpenLoop } from './open-loop-load.ts';
import { cellwiseScenarios, jupyterScenarios, type Scenario } from './scenarios.ts';
import { waitIdle } from './wait-idle.ts';

/** A system under test: how to tell it is idle, and how to start it afresh. */
export interface Target {
  probe(): { url: string; headers: Record<string, string> };
  restart(): Promise<void>;
  /** What its processes went through since the last call (`reset` starts a new window). */
  diagnostics?(reset: boolean): Promise<unknown>;
}

export interface LoadPhaseInput {
  config: BenchConfig;
  client: CellwiseClient;
  ids: string[];
  layout: JupyterLayout;
  jupyter: () => RunningJupyter;
  targets: Record<'cellwise' | 'jupyter', Target>;
}

const GENERATORS = { autocannon: runAutocannon, 'open-loop': runOpenLoop } as const;
const ORDER = [
  'cellwise-get',
  'jupyter-get',
  'cellwise-list-p1',
  'jupyter-list-page',
  'cellwise-list',
  'jupyter-list-all',
];
/** How long a target may take to finish its backlog before it is restarted instead. */
const DRAIN_SECONDS = 20;

function summary(r: LoadResult): string {
  const f = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'timeout');
  return `p50 ${f(r.p50)}, p99 ${f(r.p99)}, ${r.achievedRps.toFixed(1)} req/s, non2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`;
}

/** The API process's event-loop delay and GC during a run, as printed. */
function eventLoop(diagnostics: unknown): string {
  const api = (
    diagnostics as { api?: { eventLoopDelayMs: { p99: number; max: number }; gc: { maxMs: number } } }
  )?.api;
  if (!api) return '';
  return `; API event-loop delay p99 ${api.eventLoopDelayMs.p99} ms, max ${api.eventLoopDelayMs.max} ms, longest GC ${api.gc.maxMs} ms`;
}

/** Waits until `target` answers fast again; restarts it when its backlog takes too long. */
async function settle(target: Target): Promise<string> {
  const { url, headers } = target.probe();
  const drain = await waitIdle(url, headers, 100, DRAIN_SECONDS);
  if (drain.idle) return drain.seconds > 1 ? `, drained in ${drain.seconds.toFixed(1)} s` : '';
  const started = performance.now();
  await target.restart();
  return `, still busy after ${DRAIN_SECONDS} s: restarted in ${((performance.now() - started) / 1000).toFixed(1)} s`;
}

/**
 * Every scenario under both generators (cheap ones first, so an overloaded run never
 * precedes a light one on the same target without a settle in between). Before the
 * autocannon runs, each scenario is also timed one request at a time (no load).
 */
export async function runLoadPhase(input: LoadPhaseInput) {
  const { config, client, ids, layout, targets } = input;
  const options: LoadOptions = {
    rate: config.rate,
    seconds: config.seconds,
    connections: config.connections,
    timeoutSeconds: config.timeoutSeconds,
  };
  const scenarios = [
    ...cellwiseScenarios(client, ids, config.pageSize),
    ...jupyterScenarios(input.jupyter(), ids, layout),
  ];
  const results: LoadResult[] = [];
  const baselines: Baseline[] = [];
  for (const generator of ['autocannon', 'open-loop'] as const) {
    for (const key of ORDER) {
      const scenario: Scenario = scenarios.find((s) => s.key === key)!;
      const started = performance.now();
      const target = targets[scenario.system];
      if (generator === 'autocannon') baselines.push(await measureBaseline(scenario));
      const before = loadavg()[0]!;
      await target.diagnostics?.(true);
      const result = await GENERATORS[generator](scenario, options, config.warmupSeconds);
      result.loadAverage = { before, after: loadavg()[0]! };
      const diagnostics = await target.diagnostics?.(true);
      if (diagnostics) result.diagnostics = diagnostics;
      results.push(result);
      const last = generator === 'open-loop' && key === ORDER.at(-1);
      const settled = last ? '' : await settle(target);
      const took = ((performance.now() - started) / 1000).toFixed(0);
      console.log(
        `  ${generator.padEnd(10)} ${key.padEnd(18)} ${summary(result)} (${took} s${settled}; load ${before.toFixed(1)}→${result.loadAverage.after.toFixed(1)}${eventLoop(diagnostics)})`,
      );
    }
  }
  return { results, baselines };
}
