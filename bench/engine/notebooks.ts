/** The benchmark's notebooks (nbformat 4.5), the same documents for Cellwise and nbclient. */

const PYTHON = { name: 'python3', display_name: 'Python 3', language: 'python' };
const SCALA = { name: 'scala', display_name: 'Scala', language: 'scala' };

function notebook(sources: string[], kernelspec: object = PYTHON) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec },
    cells: sources.map((source, i) => ({
      id: `c${i + 1}`,
      cell_type: 'code',
      metadata: {},
      source,
      execution_count: null,
      outputs: [],
    })),
  };
}

/** `count` trivial cells: an assignment each, every tenth also prints (a small stream output). */
export function trivialNotebook(count: number) {
  return notebook(
    Array.from({ length: count }, (_, i) => (i % 10 === 9 ? `x = ${i}\nprint(x)` : `x = ${i}`)),
  );
}

/** One cell that sleeps `seconds` (holds a kernel, uses no CPU). */
export function sleeperNotebook(seconds: number) {
  return notebook([`import time\ntime.sleep(${seconds})`]);
}

/** pandas over a 1M-row frame: build, group, join, sort, describe (compute in the kernel dominates). */
export function pandasNotebook(rows = 1_000_000) {
  return notebook([
    'import numpy as np\nimport pandas as pd',
    `rng = np.random.default_rng(7)\nn = ${rows}\ndf = pd.DataFrame({"case_id": rng.integers(0, n // 20, n), "activity": rng.choice(["A", "B", "C", "D", "E"], n), "duration": rng.exponential(3600, n)})\ndf["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 86400 * 365, n), unit="s")\nlen(df)`,
    'per_case = df.groupby("case_id").agg(events=("activity", "size"), total=("duration", "sum"), first=("timestamp", "min"), last=("timestamp", "max"))\nper_case.describe()',
    'per_activity = df.groupby("activity")["duration"].agg(["mean", "median", "max"])\nper_activity',
    'joined = df.merge(per_case[["events"]], left_on="case_id", right_index=True)\njoined.sort_values(["case_id", "timestamp"]).groupby("case_id").head(1).shape',
    'df["hour"] = df["timestamp"].dt.hour\ndf.pivot_table(index="activity", columns="hour", values="duration", aggfunc="mean").round(1).iloc[:, :6]',
  ]);
}

/** One cell that prints the kernel's clock when it starts running (Unix seconds). */
export function clockNotebook() {
  return notebook(['import time\nprint(repr(time.time()))']);
}

/** The same for Scala: the JVM's clock when the cell starts running (Unix seconds). */
export function scalaClockNotebook() {
  return notebook(['println("%.6f".format(System.currentTimeMillis / 1000.0))'], SCALA);
}
