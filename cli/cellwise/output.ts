/** Printing helpers: lossless JSON for `--json`, durations, and exit codes from run statuses. */
import { parseParametersLossless } from '../../functions/core/parameters.ts';
import type { RunStatus } from './api-types.ts';
import { EXIT } from './errors.ts';

/** Pretty-prints API JSON text keeping every number exactly as sent (big integers, `1.0`). */
export function prettyJson(text: string): string {
  return JSON.stringify(parseParametersLossless(text), null, 2);
}

/** Prints a value (or API JSON text) as pretty JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${typeof value === 'string' ? prettyJson(value) : JSON.stringify(value, null, 2)}\n`);
}

/** `0.42s`, `12.3s`, `4m 05s`, `2h 01m`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)}s`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.floor(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The exit code of a run that has ended: 0 Completed, 1 Error, 2 Cancelled. */
export function exitCodeOf(status: RunStatus['status']): number {
  if (status === 'Completed') return EXIT.completed;
  if (status === 'Cancelled') return EXIT.cancelled;
  return EXIT.error;
}

/** Seconds a run has been going (or took), from its own timestamps. */
export function elapsedSeconds(
  run: Pick<RunStatus, 'startTime' | 'endTime' | 'totalDurationSeconds'>,
): number {
  if (run.totalDurationSeconds !== null) return run.totalDurationSeconds;
  if (!run.startTime) return 0;
  const end = run.endTime ? Date.parse(run.endTime) : Date.now();
  return Math.max(0, (end - Date.parse(run.startTime)) / 1000);
}

/** One line about a run's end: `Completed in 3.21s: 4 of 4 cells succeeded`. */
export function summaryLine(run: RunStatus): string {
  const p = run.progress;
  const parts = [`${p.successfulCells} of ${p.totalCells} cells succeeded`];
  if (p.failedCells) parts.push(`${p.failedCells} failed`);
  if (p.skippedCells) parts.push(`${p.skippedCells} skipped`);
  const error = run.error
    ? ` (${run.error.errorType}: ${run.error.errorMessage}${run.error.cellId ? ` in cell ${run.error.cellId}` : ''})`
    : '';
  return `${run.status} in ${formatSeconds(elapsedSeconds(run))}: ${parts.join(', ')}${error}`;
}

/** A fixed-width text table (no borders), for `ls`. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
