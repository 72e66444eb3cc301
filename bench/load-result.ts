/** One measured run of one scenario with one load generator; latencies in milliseconds. */
export interface LoadResult {
  generator: 'autocannon' | 'open-loop';
  scenario: string;
  system: 'cellwise' | 'jupyter';
  label: string;
  targetRate: number;
  seconds: number;
  connections: number;
  completed: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  achievedRps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  statusCodes: Record<string, number>;
  note?: string;
  /** The machine's 1-minute load average when the run started and when it ended. */
  loadAverage?: { before: number; after: number };
  /**
   * What the stack's processes went through during the run (Cellwise only): event-loop delay,
   * GC, CPU of the API process and of the functions host (`GET /local/diagnostics`).
   */
  diagnostics?: unknown;
}

/** The q-quantile (0..1) of ascending `sorted`, nearest-rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * Percentiles over every request: answered ones by latency, failed ones (timeouts, errors)
 * as +Infinity, so a percentile that lands on a failure reads 'timeout' instead of hiding it.
 */
export function latencyStats(latencies: number[], failed: number) {
  const all = [...latencies, ...Array<number>(failed).fill(Number.POSITIVE_INFINITY)].sort((a, b) => a - b);
  return {
    p50: quantile(all, 0.5),
    p90: quantile(all, 0.9),
    p99: quantile(all, 0.99),
    max: all.at(-1) ?? Number.NaN,
    mean: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : Number.NaN,
  };
}
