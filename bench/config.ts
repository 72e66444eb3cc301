/** Bench parameters, read once from the environment (all optional). */
export interface BenchConfig {
  /** How many notebooks to seed (BENCH_NOTEBOOKS, default 10000). */
  notebooks: number;
  /** Measured seconds per load scenario (BENCH_SECONDS, default 20). */
  seconds: number;
  /** Warm-up seconds before each measured run (BENCH_WARMUP_SECONDS, default 3). */
  warmupSeconds: number;
  /** Target arrival rate in requests per second (BENCH_RATE, default 200). */
  rate: number;
  /** autocannon connections (BENCH_CONNECTIONS, default 50). */
  connections: number;
  /** Requests in flight while seeding (BENCH_SEED_CONCURRENCY, default 24). */
  seedConcurrency: number;
  /** Page size of the list scenarios (fixed by the issue). */
  pageSize: number;
  /** Parallel PUTs in the concurrency check, and how many times it runs. */
  concurrentPuts: number;
  concurrencyRounds: number;
  /** Per-request timeout of the load generators, seconds. */
  timeoutSeconds: number;
}

function int(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}`);
  return value;
}

export function loadBenchConfig(): BenchConfig {
  return {
    notebooks: int('BENCH_NOTEBOOKS', 10_000, 100),
    seconds: int('BENCH_SECONDS', 20),
    warmupSeconds: int('BENCH_WARMUP_SECONDS', 3, 0),
    rate: int('BENCH_RATE', 200),
    connections: int('BENCH_CONNECTIONS', 50),
    seedConcurrency: int('BENCH_SEED_CONCURRENCY', 24),
    pageSize: 100,
    concurrentPuts: 100,
    concurrencyRounds: 3,
    timeoutSeconds: 10,
  };
}
