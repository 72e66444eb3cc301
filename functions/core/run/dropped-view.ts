import type { CellResult } from './cell-result.ts';
import { type OutputLoss, sumLosses } from './output-limits.ts';

/**
 * `outputs.dropped` of a run's status and results: what its cells did not keep of their
 * outputs (limits reached, invalid data skipped, unreadable messages), in total and per cell
 * with the reasons and what was wrong. All zero and no cells when everything was kept.
 */
export function droppedView(results: CellResult[]) {
  const cells = results
    .filter((r): r is CellResult & { dropped: OutputLoss } => r.dropped !== undefined)
    .map((r) => ({
      cellId: r.cellId,
      outputs: r.dropped.outputs,
      truncated: r.dropped.truncated,
      bytes: r.dropped.bytes,
      reasons: [...r.dropped.reasons],
      details: [...r.dropped.details],
    }));
  const total = sumLosses(results.map((r) => r.dropped));
  return {
    outputs: total.outputs,
    truncated: total.truncated,
    bytes: total.bytes,
    reasons: total.reasons,
    cells,
  };
}

export type DroppedView = ReturnType<typeof droppedView>;

/** How many outputs the cells stored (each one is in the executed notebook and the results). */
export const storedOutputs = (results: CellResult[]): number =>
  results.reduce((n, r) => n + r.outputs.length + r.moreOutputs, 0);
