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

/**
 * `trivialNotebook(count)` whose first cell prints the kernel's clock as it ends and whose
 * last cell prints it as it starts (`clock <Unix seconds>`): the span between the two is
 * `count − 1` cells as the client drives them, measured by the kernel itself, with no kernel
 * start or run set-up in it. The same document goes to Cellwise and to nbclient.
 */
export function clockedTrivialNotebook(count: number) {
  const doc = trivialNotebook(count);
  const first = doc.cells[0]!;
  const last = doc.cells.at(-1)!;
  first.source = `import time\n${first.source}\nprint(f"clock {time.time():.6f}")`;
  last.source = `print(f"clock {time.time():.6f}")\n${last.source}`;
  return doc;
}

/** The span between the first and the last `clock <seconds>` printed in `text`, in ms. */
export function clockSpanMs(text: string): number | null {
  const clocks = [...text.matchAll(/clock (\d{10}\.\d+)/g)].map((m) => Number(m[1]));
  return clocks.length >= 2 ? (clocks.at(-1)! - clocks[0]!) * 1000 : null;
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
