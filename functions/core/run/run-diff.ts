import type { NbOutput } from '../nbformat/types.ts';
import { diffCell } from './cell-diff.ts';
import type { CellResult, CellStatus } from './cell-result.ts';
import { type MetricChange, metricChanges } from './metric-diff.ts';
import { type ParameterChange, parameterChanges } from './parameter-diff.ts';
import type { RunRecord, RunStatus } from './run.ts';

export type { MetricChange, ParameterChange };

/** A cell's status in one run: its result's, `NotRun` for a planned cell that never ended. */
export type CellState = CellStatus | 'NotRun';

/** One run as the diff reads it: its row, its cell results and each cell's stored outputs. */
export interface RunSide {
  run: Pick<
    RunRecord,
    'executionId' | 'status' | 'startTime' | 'endTime' | 'parametersJson' | 'plan' | 'error' | 'published'
  >;
  results: CellResult[];
  /** Stored outputs by cell id (cells without outputs may be missing). */
  outputs: Map<string, NbOutput[]>;
}

/** How a run ended, for one side of the diff. */
export interface RunEnd {
  executionId: string;
  status: RunStatus;
  startTime: string | null;
  endTime: string | null;
  durationMs: number | null;
}

export type CellDiff = ReturnType<typeof diffCell>;

/** Per-cell differences between two ended runs of a notebook: `before` is the run compared against. */
export interface RunDiff {
  before: RunEnd;
  after: RunEnd;
  summary: {
    cellsChanged: number;
    cellsAdded: number;
    cellsRemoved: number;
    statusChanges: number;
    parametersChanged: number;
    metricsChanged: number;
  };
  parameters: ParameterChange[];
  metrics: MetricChange[];
  /** Every cell of either run: the later run's plan order, then cells only the earlier run had. */
  cells: CellDiff[];
}

/** Stream diff text one answer carries at most, all cells together (an answer must fit Lambda's 6 MB). */
export const DIFF_TEXT_BUDGET = 2 * 1024 * 1024;

/** Empties the stream diffs past the answer's budget (`truncated`; their line counts stay). */
function withinBudget(cells: CellDiff[], budget: number): void {
  let left = budget;
  for (const stream of cells.flatMap((c) => c.streams)) {
    const bytes = Buffer.byteLength(stream.unified, 'utf8');
    if (bytes <= left) left -= bytes;
    else {
      left = 0;
      stream.unified = '';
      stream.truncated = true;
    }
  }
}

const durationOf = (start: string | null, end: string | null) =>
  start && end ? Math.max(0, Date.parse(end) - Date.parse(start)) : null;

/** How a run ended: its id, status, times and measured duration. */
export function runEnd(run: RunSide['run']): RunEnd {
  return {
    executionId: run.executionId,
    status: run.status,
    startTime: run.startTime,
    endTime: run.endTime,
    durationMs: durationOf(run.startTime, run.endTime),
  };
}

/** Each planned cell's state, in plan order (cells without a result never ran: `NotRun`). */
export function cellStates(side: Pick<RunSide, 'run' | 'results'>): Map<string, CellResult | null> {
  const byPosition = new Map(side.results.map((r) => [r.position, r]));
  const states = new Map<string, CellResult | null>();
  (side.run.plan ?? []).forEach((p, position) => {
    states.set(p.cellId, byPosition.get(position) ?? null);
  });
  return states;
}

/**
 * Compares two ended runs of one notebook, cell by cell (matched by cell id): status, time,
 * error, stream text (unified diff), displays (by MIME type and content hash), then the
 * metrics they logged and the parameters they were given. Stream diffs past `budget` bytes
 * in all are left empty (`truncated`). Pure: the caller reads the runs.
 */
export function diffRuns(before: RunSide, after: RunSide, budget = DIFF_TEXT_BUDGET): RunDiff {
  const a = cellStates(before);
  const b = cellStates(after);
  const order = [...b.keys(), ...[...a.keys()].filter((id) => !b.has(id))];
  const cells = order.map((cellId) =>
    diffCell(
      cellId,
      a.has(cellId) ? { result: a.get(cellId)!, outputs: before.outputs.get(cellId) ?? [] } : null,
      b.has(cellId) ? { result: b.get(cellId)!, outputs: after.outputs.get(cellId) ?? [] } : null,
    ),
  );
  withinBudget(cells, budget);
  const parameters = parameterChanges(before.run.parametersJson, after.run.parametersJson);
  const metrics = metricChanges(before, after, order);
  return {
    before: runEnd(before.run),
    after: runEnd(after.run),
    summary: {
      cellsChanged: cells.filter((c) => c.change === 'changed').length,
      cellsAdded: cells.filter((c) => c.change === 'added').length,
      cellsRemoved: cells.filter((c) => c.change === 'removed').length,
      statusChanges: cells.filter((c) => c.status.before !== c.status.after).length,
      parametersChanged: parameters.length,
      metricsChanged: metrics.filter((m) => m.before !== m.after).length,
    },
    parameters,
    metrics,
    cells,
  };
}
