import type { Baseline } from './baseline.ts';
import type { LoadResult } from './load-result.ts';
import { COMPARISONS } from './scenarios.ts';

export const ms = (v: number) =>
  Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : Number.isNaN(v) ? 'n/a' : 'timeout';
const times = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a';

/** A plain-text table: the first column (and any in `left`) left-aligned, numbers right-aligned. */
export function table(header: string[], rows: string[][], left: number[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function resultsTable(results: LoadResult[]): string {
  return table(
    [
      'generator  scenario',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'req/s',
      '2xx',
      'non2xx',
      'errors',
      'timeouts',
    ],
    results.map((r) => [
      `${r.generator.padEnd(10)} ${r.scenario}`,
      ms(r.p50),
      ms(r.p90),
      ms(r.p99),
      ms(r.max),
      r.achievedRps.toFixed(1),
      String(r.ok2xx),
      String(r.non2xx),
      String(r.errors),
      String(r.timeouts),
    ]),
  );
}

export function baselineTable(baselines: Baseline[], labels: Map<string, string>): string {
  return table(
    ['scenario', 'p50 ms', 'max ms', 'requests', 'what'],
    baselines.map((b) => [
      b.scenario,
      ms(b.p50),
      ms(b.max),
      `${b.requests} (${Object.entries(b.statuses)
        .map(([s, n]) => `${n}x ${s}`)
        .join(', ')})`,
      labels.get(b.scenario) ?? '',
    ]),
    [4],
  );
}

export interface Ratio {
  generator: string;
  comparison: string;
  cellwiseP50: number;
  jupyterP50: number;
  p50Ratio: number;
  cellwiseP99: number;
  jupyterP99: number;
  p99Ratio: number;
}

/** Cellwise / Jupyter per comparison and generator (NaN where either side has no value). */
export function ratios(results: LoadResult[], baselines: Baseline[]): Ratio[] {
  const out: Ratio[] = [];
  const unloaded = (key: string) => baselines.find((b) => b.scenario === key);
  for (const c of COMPARISONS) {
    for (const generator of ['autocannon', 'open-loop'] as const) {
      const cw = results.find((r) => r.generator === generator && r.scenario === c.cellwise);
      const jp = results.find((r) => r.generator === generator && r.scenario === c.jupyter);
      if (!cw || !jp) continue;
      const [a, b] = [cw, jp];
      out.push({
        generator,
        comparison: c.label,
        cellwiseP50: a.p50,
        jupyterP50: b.p50,
        p50Ratio: a.p50 / b.p50,
        cellwiseP99: a.p99,
        jupyterP99: b.p99,
        p99Ratio: a.p99 / b.p99,
      });
    }
    const cw = unloaded(c.cellwise);
    const jp = unloaded(c.jupyter);
    if (cw && jp) {
      out.push({
        generator: 'unloaded',
        comparison: c.label,
        cellwiseP50: cw.p50,
        jupyterP50: jp.p50,
        p50Ratio: cw.p50 / jp.p50,
        // too few samples for a p99
        cellwiseP99: Number.NaN,
        jupyterP99: Number.NaN,
        p99Ratio: Number.NaN,
      });
    }
  }
  return out;
}

export function ratioTable(list: Ratio[]): string {
  return table(
    [
      'comparison (Cellwise / Jupyter)',
      'load',
      'p50 CW',
      'p50 JP',
      'p50 ratio',
      'p99 CW',
      'p99 JP',
      'p99 ratio',
    ],
    list.map((r) => [
      r.comparison,
      r.generator,
      ms(r.cellwiseP50),
      ms(r.jupyterP50),
      times(r.cellwiseP50, r.jupyterP50),
      ms(r.cellwiseP99),
      ms(r.jupyterP99),
      times(r.cellwiseP99, r.jupyterP99),
    ]),
  );
}
