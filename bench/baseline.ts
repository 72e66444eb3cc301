import { quantile } from './load-result.ts';
import type { Scenario } from './scenarios.ts';

export interface Baseline {
  scenario: string;
  requests: number;
  p50: number;
  max: number;
  statuses: Record<string, number>;
}

/** `count` requests one at a time (after `warmup` unrecorded ones), no other load: service time without queueing. */
export async function measureBaseline(scenario: Scenario, count = 10, warmup = 2): Promise<Baseline> {
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  for (let i = -warmup; i < count; i++) {
    const started = performance.now();
    const res = await fetch(`${scenario.baseUrl}${scenario.nextPath()}`, {
      headers: scenario.headers,
      signal: AbortSignal.timeout(60_000),
    });
    await res.arrayBuffer();
    if (i < 0) continue;
    times.push(performance.now() - started);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  }
  times.sort((a, b) => a - b);
  return { scenario: scenario.key, requests: count, p50: quantile(times, 0.5), max: times.at(-1)!, statuses };
}
