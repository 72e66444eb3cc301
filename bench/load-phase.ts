import { type LoadOptions, runAutocannon } from './autocannon-load.ts';
import type { CellwiseClient } from './cellwise-client.ts';
import type { BenchConfig } from './config.ts';
import type { JupyterLayout } from './jupyter-files.ts';
import type { RunningJupyter } from './jupyter-server.ts';
import type { LoadResult } from './load-result.ts';
import { runOpenLoop } from './open-loop-load.ts';
import { cellwiseScenarios, jupyterScenarios, type Scenario } from './scenarios.ts';
import { waitIdle } from './wait-idle.ts';

export interface LoadPhaseInput {
  config: BenchConfig;
  client: CellwiseClient;
  ids: string[];
  layout: JupyterLayout;
  jupyter: () => RunningJupyter;
  /** Replaces Jupyter with a fresh process (drops the backlog of an overloaded run). */
  restartJupyter: () => Promise<RunningJupyter>;
}

const GENERATORS = { autocannon: runAutocannon, 'open-loop': runOpenLoop } as const;

function summary(r: LoadResult): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'timeout');
  return `p50 ${f(r.p50)} ms, p99 ${f(r.p99)} ms, ${r.achievedRps.toFixed(1)} req/s, non2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`;
}

/**
 * Every scenario under both generators. Cheap scenarios first; the whole-directory Jupyter
 * listing (which saturates Jupyter) last, with a fresh Jupyter before its second run.
 * Between runs the target must be idle again (see wait-idle.ts).
 */
export async function runLoadPhase(input: LoadPhaseInput): Promise<LoadResult[]> {
  const { config, client, ids, layout } = input;
  const options: LoadOptions = {
    rate: config.rate,
    seconds: config.seconds,
    connections: config.connections,
    timeoutSeconds: config.timeoutSeconds,
  };
  const byKey = (list: Scenario[], key: string) => list.find((s) => s.key === key)!;
  const probe = {
    cellwise: () => ({
      url: `${client.info.baseUrl}${client.prefix}/notebook/${ids[0]}`,
      headers: client.headers,
    }),
    jupyter: () => ({ url: `${input.jupyter().baseUrl}/api/status`, headers: input.jupyter().headers }),
  };
  const results: LoadResult[] = [];
  const measure = async (generator: keyof typeof GENERATORS, scenario: Scenario, drainAfter = true) => {
    const t = performance.now();
    const result = await GENERATORS[generator](scenario, options, config.warmupSeconds);
    results.push(result);
    let drained = '; not drained (this Jupyter is stopped next)';
    if (drainAfter) {
      const { url, headers } = probe[scenario.system]();
      const drain = await waitIdle(url, headers);
      drained =
        drain.seconds > 1
          ? `; ${drain.idle ? 'idle' : 'STILL BUSY'} after ${drain.seconds.toFixed(1)} s`
          : '';
    }
    console.log(
      `  ${generator.padEnd(10)} ${scenario.key.padEnd(18)} ${summary(result)} (${((performance.now() - t) / 1000).toFixed(0)} s${drained})`,
    );
  };
  const order = ['cellwise-get', 'jupyter-get', 'cellwise-list-p1', 'jupyter-list-page', 'cellwise-list'];
  for (const generator of ['autocannon', 'open-loop'] as const) {
    const all = [
      ...cellwiseScenarios(client, ids, config.pageSize),
      ...jupyterScenarios(input.jupyter(), ids, layout),
    ];
    for (const key of order) await measure(generator, byKey(all, key));
  }
  await measure(
    'autocannon',
    byKey(jupyterScenarios(input.jupyter(), ids, layout), 'jupyter-list-all'),
    false,
  );
  const fresh = await input.restartJupyter();
  await measure('open-loop', byKey(jupyterScenarios(fresh, ids, layout), 'jupyter-list-all'), false);
  return results;
}
