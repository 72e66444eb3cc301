import { loadavg } from 'node:os';
import { type Baseline, measureBaseline } from '../baseline.ts';
import { CellwiseClient } from '../cellwise-client.ts';
import type { BenchConfig } from '../config.ts';
import { cellwiseScenarios } from '../scenarios.ts';
import { seedNotebooks } from '../seed.ts';
import type { StackControl } from '../stack.ts';

export interface ListReport {
  notebooks: number;
  pageSize: number;
  /** One round per restart of the stack (cold page caches): each scenario's unloaded baseline. */
  rounds: { loadAverage: number; baselines: Baseline[] }[];
}

/**
 * The list part alone (`npm run bench -- list`): seeds the notebooks as the main part does,
 * then measures the main part's unloaded baselines (GET one notebook, list page 1, list a
 * random page 1..N: 10 requests one at a time after 2 unrecorded ones), each round right
 * after a restart of the stack, so the page caches start cold as after the main part's
 * restarts. No Jupyter, no load runs.
 */
export async function runListBench(
  stack: StackControl,
  config: BenchConfig,
  rounds: number,
  log: (message: string) => void,
): Promise<ListReport> {
  let client = new CellwiseClient(stack.current().info);
  log(`list: seeding ${config.notebooks} notebooks (5 cells) via POST /notebook`);
  const seed = await seedNotebooks(client, config.notebooks, config.seedConcurrency);
  log(`list: seeded ${seed.ids.length} in ${seed.seconds.toFixed(1)} s`);
  const report: ListReport = { notebooks: seed.ids.length, pageSize: config.pageSize, rounds: [] };
  for (let round = 1; round <= rounds; round++) {
    await stack.restart();
    client = new CellwiseClient(stack.current().info);
    const loadAverage = loadavg()[0]!;
    const baselines: Baseline[] = [];
    for (const scenario of cellwiseScenarios(client, seed.ids, config.pageSize))
      baselines.push(await measureBaseline(scenario));
    report.rounds.push({ loadAverage, baselines });
    const line = baselines.map((b) => `${b.scenario} p50 ${b.p50.toFixed(2)} ms (max ${b.max.toFixed(1)})`);
    log(`list: round ${round} (load average ${loadAverage.toFixed(2)}): ${line.join(', ')}`);
  }
  return report;
}
