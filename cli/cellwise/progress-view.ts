/**
 * How `watch` shows a run: on a terminal a per-cell progress bar with the elapsed time and the
 * running cell, each cell's line printed above it as the cell ends; elsewhere (pipes, CI logs)
 * plain lines: one when a cell starts, one when it ends.
 */
import cliProgress from 'cli-progress';
import type { CellResult, RunStatus } from './api-types.ts';
import { elapsedSeconds, formatSeconds } from './output.ts';

export interface ProgressView {
  /** The run's state after each poll. */
  update(run: RunStatus): void;
  /** A cell that ended (`position` 1-based). */
  cellEnded(cell: CellResult, position: number, total: number): void;
  /** A line of text (a note) above the bar. */
  note(text: string): void;
  /** Takes the bar off the screen (before a prompt); `update` brings it back. */
  pause(): void;
  stop(): void;
}

const MARK: Record<string, string> = { Success: '✓', Error: '✗', Skipped: '-', Cancelled: '⊘' };

/** A cell's end as one line: `✓ [2/4] load-data  1.03s` (plus the error for failed cells). */
export function cellLine(cell: CellResult, position: number, total: number, marks: boolean): string {
  const head = marks ? `${MARK[cell.status] ?? '?'} ` : '';
  const time = cell.executionTimeMs === null ? '' : `  ${formatSeconds(cell.executionTimeMs / 1000)}`;
  const error = cell.errorType ? `  ${cell.errorType}: ${cell.errorMessage ?? ''}`.trimEnd() : '';
  const status = marks ? '' : ` ${cell.status}`;
  return `${head}[${position}/${total}] ${cell.cellId}${status}${time}${error}`;
}

/** The first line of a cell's source, shortened, to show what is running. */
export type SourceOf = (cellId: string) => string | undefined;

/** A cancelled cell ends the run: the cell after it is not really starting. */
const ending = (run: RunStatus) => run.cellResults.some((c) => c.status === 'Cancelled');

function runningText(run: RunStatus, sourceOf: SourceOf): string {
  if (run.status === 'Queued') return `queued${run.queuePosition ? ` (position ${run.queuePosition})` : ''}`;
  if (run.status === 'Running' && ending(run)) return 'cancelling';
  if (!run.currentCell) return run.status === 'Running' ? 'starting kernel' : run.status;
  const source = sourceOf(run.currentCell);
  return `running ${run.currentCell}${source ? `: ${source}` : ''}`;
}

class BarView implements ProgressView {
  private readonly bars: cliProgress.MultiBar;
  private bar: cliProgress.SingleBar | undefined;
  private last: RunStatus | undefined;
  private readonly ticker: NodeJS.Timeout;

  constructor(
    stream: NodeJS.WriteStream,
    private readonly sourceOf: SourceOf,
  ) {
    // A terminal that reports no size (0 columns: `script`, some CI runners and serial consoles) gets 80.
    const width = Math.max(20, (stream.columns || 80) - 1);
    this.bars = new cliProgress.MultiBar(
      {
        stream,
        format: (options, params, payload) => {
          const bar = cliProgress.Format.BarFormat(params.progress, options);
          return `${bar} ${params.value}/${params.total} cells | ${payload.elapsed} | ${payload.running}`.slice(
            0,
            width,
          );
        },
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
    // The elapsed time moves between polls too.
    this.ticker = setInterval(() => this.bar && this.last && this.update(this.last), 1000);
    this.ticker.unref();
  }

  update(run: RunStatus): void {
    this.last = run;
    const payload = { elapsed: formatSeconds(elapsedSeconds(run)), running: runningText(run, this.sourceOf) };
    const total = Math.max(run.progress.totalCells, 1);
    if (!this.bar) this.bar = this.bars.create(total, run.progress.completedCells, payload);
    this.bar.setTotal(total);
    this.bar.update(run.progress.completedCells, payload);
  }

  cellEnded(cell: CellResult, position: number, total: number): void {
    this.note(cellLine(cell, position, total, true));
  }

  note(text: string): void {
    // Shown above the bar at its next redraw (and when it stops).
    this.bars.log(`${text}\n`);
  }

  pause(): void {
    if (this.bar) this.bars.remove(this.bar);
    this.bar = undefined;
    this.bars.stop();
  }

  stop(): void {
    clearInterval(this.ticker);
    this.pause();
  }
}

class LineView implements ProgressView {
  private lastRunning: string | undefined;
  private lastState: string | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly sourceOf: SourceOf,
  ) {}

  update(run: RunStatus): void {
    const state = runningText(run, this.sourceOf);
    if (run.status === 'Queued' && state !== this.lastState) this.note(state);
    this.lastState = state;
    if (run.status === 'Running' && !ending(run) && run.currentCell && run.currentCell !== this.lastRunning) {
      const index = run.progress.currentCellIndex ?? run.progress.completedCells + 1;
      this.note(`[${index}/${run.progress.totalCells}] ${runningText(run, this.sourceOf)}`);
    }
    this.lastRunning = run.currentCell ?? undefined;
  }

  cellEnded(cell: CellResult, position: number, total: number): void {
    this.note(cellLine(cell, position, total, false));
  }

  note(text: string): void {
    this.stream.write(`${text}\n`);
  }

  pause(): void {}
  stop(): void {}
}

/** A bar on a terminal, plain lines otherwise. */
export function progressView(stream: NodeJS.WriteStream, sourceOf: SourceOf): ProgressView {
  return stream.isTTY ? new BarView(stream, sourceOf) : new LineView(stream, sourceOf);
}
