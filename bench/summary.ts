import type { DatasetsReport } from './datasets/datasets-bench.ts';
import type { EngineReport } from './engine/engine-bench.ts';
import type { BenchReport } from './report.ts';
import { ms, table } from './tables.ts';

/** One row of issue 15's table: what was measured, next to its reference and its goal. */
export interface SummaryRow {
  measure: string;
  cellwise: string;
  reference: string;
  ratio: string;
  goal: string;
  /** null: not measured in this run. */
  met: boolean | null;
  /** The machine's 1-minute load average while the row was measured. */
  load: string;
}

const x = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN);
const times = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a');
const load = (a?: { before: number; after: number }) =>
  a ? `${a.before.toFixed(1)}→${a.after.toFixed(1)}` : 'n/a';

function loadRows(report: BenchReport): SummaryRow[] {
  const open = (key: string) => report.results.find((r) => r.generator === 'open-loop' && r.scenario === key);
  const unloaded = (key: string) => report.baselines.find((b) => b.scenario === key);
  const rows: SummaryRow[] = [];
  const cwGet = open('cellwise-get');
  const jpGet = open('jupyter-get');
  if (cwGet && jpGet) {
    const ratio = x(cwGet.p99, jpGet.p99);
    rows.push({
      measure: `GET notebook, p99 open-loop ${report.config.rate} req/s`,
      cellwise: `${ms(cwGet.p99)} ms`,
      reference: `Jupyter contents GET ${ms(jpGet.p99)} ms`,
      ratio: times(ratio),
      goal: '≤ 1.0x Jupyter',
      met: ratio <= 1,
      load: `${load(cwGet.loadAverage)} / ${load(jpGet.loadAverage)}`,
    });
  }
  const cwOne = unloaded('cellwise-get');
  const jpOne = unloaded('jupyter-get');
  if (cwOne && jpOne) {
    const ratio = x(cwOne.p50, jpOne.p50);
    rows.push({
      measure: 'GET notebook, p50 unloaded',
      cellwise: `${ms(cwOne.p50)} ms`,
      reference: `Jupyter ${ms(jpOne.p50)} ms`,
      ratio: times(ratio),
      goal: '≤ 1.0x',
      met: ratio <= 1,
      load: 'n/a',
    });
  }
  const list = open('cellwise-list');
  if (list) {
    const saturated = list.achievedRps < 0.95 * report.config.rate || list.timeouts > 0 || list.errors > 0;
    rows.push({
      measure: `list a random page 1..100 (pageSize 100), open-loop ${report.config.rate} req/s`,
      cellwise: `p50 ${ms(list.p50)} ms, p99 ${ms(list.p99)} ms, ${list.achievedRps.toFixed(0)} req/s${saturated ? ' (saturated)' : ''}`,
      reference: '—',
      ratio: '—',
      goal: 'p99 ≤ 50 ms, not saturated',
      met: list.p99 <= 50 && !saturated,
      load: load(list.loadAverage),
    });
  }
  const page = unloaded('cellwise-list');
  const first = unloaded('cellwise-list-p1');
  if (page) {
    rows.push({
      measure: 'list a random page, unloaded p50',
      cellwise: `${ms(page.p50)} ms (max ${ms(page.max)} ms)`,
      reference: first ? `page 1: ${ms(first.p50)} ms` : '—',
      ratio: first ? times(x(page.p50, first.p50)) : '—',
      goal: '≤ 10 ms',
      met: page.p50 <= 10,
      load: 'n/a',
    });
  }
  return rows;
}

function engineRows(engine: EngineReport): SummaryRow[] {
  const { submitMs: s, perCellOverheadMs: o } = engine;
  return [
    {
      measure: 'POST execute, burst of 20 at once',
      cellwise: `p50 ${ms(s.burst.p50)} ms, p99 ${ms(s.burst.p99)} ms`,
      reference: `one at a time p50 ${ms(s.sequential.p50)} ms`,
      ratio: times(x(s.burst.p99, s.sequential.p50)),
      goal: 'burst p99 ≤ 150 ms',
      met: s.burst.p99 <= 150,
      load: engine.loadAverage.burst.toFixed(1),
    },
    {
      measure: 'per-cell overhead, trivial cells',
      cellwise: `${o.cellwise.toFixed(2)} ms`,
      reference: `nbclient ${o.nbclient.toFixed(2)} ms`,
      ratio: times(o.ratio),
      goal: '≤ 1.5x nbclient',
      met: o.ratio <= 1.5,
      load: engine.loadAverage.cells.toFixed(1),
    },
  ];
}

function datasetRows(d: DatasetsReport): SummaryRow[] {
  const c = d.cellwise;
  const ratio = x(c.ingestSeconds, d.pandas.seconds);
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const full = c.apiPeakRssBytes - c.apiRssBeforeBytes;
  return [
    {
      measure: `dataset ingest, ${(d.events / 1e6).toFixed(d.events % 1e6 ? 2 : 0)}M events / ${(d.fileBytes / 1e6).toFixed(0)} MB`,
      cellwise:
        `${c.ingestSeconds.toFixed(1)} s, +${mib(full)} MiB ` +
        `(${(d.smaller.fileBytes / 1e6).toFixed(0)} MB: ${d.smaller.ingestSeconds.toFixed(1)} s, +${mib(d.smaller.apiPeakDeltaBytes)} MiB)`,
      reference: `pandas.read_csv ${d.pandas.seconds.toFixed(1)} s`,
      ratio: times(ratio),
      goal: '≤ 2x read_csv, memory flat in file size',
      // Flat: four times the file costs less than twice the memory.
      met: ratio <= 2 && full <= 2 * Math.max(d.smaller.apiPeakDeltaBytes, 1),
      load: load(c.loadAverage),
    },
  ];
}

/** Issue 15's table, every row, from whichever parts ran (a part not run gives no rows). */
export function summaryRows(
  load: BenchReport | null,
  engine: EngineReport | null,
  datasets: DatasetsReport | null,
): SummaryRow[] {
  return [
    ...(load ? loadRows(load) : []),
    ...(engine ? engineRows(engine) : []),
    ...(datasets ? datasetRows(datasets) : []),
  ];
}

/** The table as printed. */
export function summaryTable(rows: SummaryRow[]): string {
  return table(
    ['measure', 'Cellwise', 'reference, same run', 'ratio', 'goal', 'met', 'load avg'],
    rows.map((r) => [
      r.measure,
      r.cellwise,
      r.reference,
      r.ratio,
      r.goal,
      r.met === null ? '–' : r.met ? 'yes' : 'NO',
      r.load,
    ]),
    [1, 2, 4, 5, 6],
  );
}
