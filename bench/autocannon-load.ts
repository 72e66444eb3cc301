import autocannon from 'autocannon';
import { type LoadResult, latencyStats } from './load-result.ts';
import type { Scenario } from './scenarios.ts';

export interface LoadOptions {
  rate: number;
  seconds: number;
  connections: number;
  timeoutSeconds: number;
}

function run(scenario: Scenario, options: LoadOptions, seconds: number) {
  return autocannon({
    url: scenario.baseUrl,
    connections: options.connections,
    overallRate: options.rate,
    duration: seconds,
    timeout: options.timeoutSeconds,
    headers: scenario.headers,
    // autocannon 9 corrects for coordinated omission with an expected interval of
    // ceil(1 / perConnectionRate) = 1 ms (seconds mistaken for ms), which adds a synthetic
    // sample per millisecond of every response: raw latencies are the honest numbers.
    ignoreCoordinatedOmission: true,
    requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: scenario.nextPath() }) }],
  });
}

/**
 * autocannon with `overallRate`: each connection may send rate/connections requests per
 * one-second window, back to back, then waits for the next window. So arrivals come in
 * per-second bursts and slow responses lower the rate (closed loop); latency is measured
 * from the moment a request is written.
 */
export async function runAutocannon(
  scenario: Scenario,
  options: LoadOptions,
  warmupSeconds: number,
): Promise<LoadResult> {
  if (warmupSeconds > 0) await run(scenario, options, warmupSeconds);
  const instance = run(scenario, options, options.seconds);
  const latencies: number[] = [];
  instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  const result = await instance;
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, Number(count)]),
  );
  const completed = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  const ok2xx = Object.entries(statusCodes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((a, [, n]) => a + n, 0);
  return {
    generator: 'autocannon',
    scenario: scenario.key,
    system: scenario.system,
    label: scenario.label,
    targetRate: options.rate,
    seconds: result.duration,
    connections: options.connections,
    completed,
    ok2xx,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    achievedRps: completed / result.duration,
    // raw per-response times rather than autocannon's histogram, so that failed requests
    // (errors, which include timeouts) rank last, as in the open-loop runs
    ...latencyStats(latencies, result.errors),
    statusCodes,
    note: scenario.note,
  };
}
