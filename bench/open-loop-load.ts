import { Agent, request } from 'node:http';
import type { LoadOptions } from './autocannon-load.ts';
import { type LoadResult, latencyStats } from './load-result.ts';
import type { Scenario } from './scenarios.ts';

interface Tally {
  latencies: number[];
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  lastDone: number;
}

/**
 * Open-loop load at a constant arrival rate: request i is due at t0 + i/rate, whatever the
 * server is doing, over at most `connections` keep-alive sockets (later requests queue in
 * the client). Latency is measured from the due time, so queueing is counted (no
 * coordinated omission). A request not answered `timeoutSeconds` after its due time counts
 * as a timeout (ranked +Infinity in the percentiles): if it never got a socket it is never
 * sent; if it is in flight, its socket waits on, so the server is never left with more than
 * `connections` abandoned requests (aborting would let the backlog grow without bound).
 */
function runFor(scenario: Scenario, options: LoadOptions, seconds: number): Promise<Tally> {
  const url = new URL(scenario.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const tally: Tally = { latencies: [], statusCodes: {}, errors: 0, timeouts: 0, lastDone: 0 };
  const total = Math.round(options.rate * seconds);
  const interval = 1000 / options.rate;
  const timeoutMs = options.timeoutSeconds * 1000;
  let pending = total;
  return new Promise((resolve) => {
    const finish = () => {
      if (--pending > 0) return;
      agent.destroy();
      resolve(tally);
    };
    const fire = (due: number) => {
      let settled = false;
      const settle = (record: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        record();
        finish();
      };
      const req = request(
        { agent, host: url.hostname, port: url.port, path: scenario.nextPath(), headers: scenario.headers },
        (res) => {
          res.on('data', () => {});
          res.on('error', () => settle(() => tally.errors++));
          res.on('end', () =>
            settle(() => {
              const now = performance.now();
              tally.latencies.push(now - due);
              tally.lastDone = now;
              const code = String(res.statusCode);
              tally.statusCodes[code] = (tally.statusCodes[code] ?? 0) + 1;
            }),
          );
        },
      );
      let sent = false;
      req.once('socket', () => {
        sent = true;
      });
      const timer = setTimeout(
        () => {
          settle(() => tally.timeouts++);
          if (!sent) req.destroy();
        },
        Math.max(0, due + timeoutMs - performance.now()),
      );
      req.on('error', () => settle(() => tally.errors++));
      req.end();
    };
    const t0 = performance.now() + 20;
    let next = 0;
    const pump = () => {
      const now = performance.now();
      while (next < total && t0 + next * interval <= now) fire(t0 + next++ * interval);
      if (next < total) setTimeout(pump, Math.max(0, t0 + next * interval - performance.now()));
    };
    setTimeout(pump, 20);
    tally.lastDone = t0;
  });
}

export async function runOpenLoop(
  scenario: Scenario,
  options: LoadOptions,
  warmupSeconds: number,
): Promise<LoadResult> {
  if (warmupSeconds > 0) await runFor(scenario, options, warmupSeconds);
  const started = performance.now();
  const tally = await runFor(scenario, options, options.seconds);
  const completed = tally.latencies.length;
  const ok2xx = Object.entries(tally.statusCodes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((a, [, n]) => a + n, 0);
  const elapsed = Math.max(options.seconds, (tally.lastDone - started) / 1000);
  return {
    generator: 'open-loop',
    scenario: scenario.key,
    system: scenario.system,
    label: scenario.label,
    targetRate: options.rate,
    seconds: options.seconds,
    connections: options.connections,
    completed,
    ok2xx,
    non2xx: completed - ok2xx,
    errors: tally.errors,
    timeouts: tally.timeouts,
    achievedRps: completed / elapsed,
    ...latencyStats(tally.latencies, tally.errors + tally.timeouts),
    statusCodes: tally.statusCodes,
    note: scenario.note,
  };
}
