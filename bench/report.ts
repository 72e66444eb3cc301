import type { LoadResult } from './load-result.ts';
import { COMPARISONS } from './scenarios.ts';

const ms = (v: number) =>
  Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : Number.isNaN(v) ? 'n/a' : 'timeout';
const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function resultsTable(results: LoadResult[]): string {
  return table(
    [
      'generator / scenario',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'req/s',
      '2xx',
      'non2xx',
      'err',
      'timeout',
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

export function ratios(results: LoadResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const generator of ['autocannon', 'open-loop'] as const) {
    for (const c of COMPARISONS) {
      const cw = results.find((r) => r.generator === generator && r.scenario === c.cellwise);
      const jp = results.find((r) => r.generator === generator && r.scenario === c.jupyter);
      if (!cw || !jp) continue;
      out.push({
        generator,
        comparison: c.label,
        cellwiseP50: cw.p50,
        jupyterP50: jp.p50,
        p50Ratio: cw.p50 / jp.p50,
        cellwiseP99: cw.p99,
        jupyterP99: jp.p99,
        p99Ratio: cw.p99 / jp.p99,
      });
    }
  }
  return out;
}

export function ratioTable(list: Ratio[]): string {
  return table(
    [
      'generator / comparison (Cellwise / Jupyter)',
      'p50 CW',
      'p50 JP',
      'p50 ratio',
      'p99 CW',
      'p99 JP',
      'p99 ratio',
    ],
    list.map((r) => [
      `${r.generator.padEnd(10)} ${r.comparison}`,
      ms(r.cellwiseP50),
      ms(r.jupyterP50),
      ratio(r.cellwiseP50, r.jupyterP50),
      ms(r.cellwiseP99),
      ms(r.jupyterP99),
      ratio(r.cellwiseP99, r.jupyterP99),
    ]),
  );
}

/** JSON has no Infinity: censored (timed-out) percentiles become the string "timeout". */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : 'timeout') : v),
    2,
  );
}
