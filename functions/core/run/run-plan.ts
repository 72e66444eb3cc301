import { ValidationError } from '../errors.ts';
import { cellTags } from '../nbformat/cells.ts';
import { kernelTypeOf } from '../nbformat/document.ts';
import { joinSource, type NbCell, type NbDocument } from '../nbformat/types.ts';
import { INJECTED_PARAMETERS_TAG, injectParameters } from '../parameters.ts';
import type { PlannedCell } from './run.ts';

export interface PlanOptions {
  executionMode: 'all' | 'range';
  cellRange: { startCell: string; endCell: string } | null;
  /** Parameters as parsed losslessly (numbers as raw JSON). */
  parameters: Record<string, unknown>;
  /**
   * A resume: the range starts at `fromCell`, and cells before it whose ids are in `replay`
   * (the ones that had succeeded) are planned first, marked `replay`. The injected
   * parameters cell is planned only through `replay` (a kept kernel already has them).
   */
  resume?: { fromCell: string; replay: ReadonlySet<string> };
  /** The notebook's kernel: the parameters cell is written in its language (default: the document's). */
  kernelType?: string;
  /** nbclient's `allow_errors`: every cell may fail without stopping the run (as `raises-exception`). */
  allowErrors?: boolean;
}

/** Checks a cell range against the document: both ids exist and the start is not after the end. */
export function checkCellRange(document: NbDocument, range: { startCell: string; endCell: string }): void {
  const ids = document.cells.map((c) => c.id);
  const start = ids.indexOf(range.startCell);
  const end = ids.indexOf(range.endCell);
  const details = [];
  if (start < 0)
    details.push({
      path: 'body.cellRange.startCell',
      message: `no cell '${range.startCell}' in the notebook`,
    });
  if (end < 0)
    details.push({ path: 'body.cellRange.endCell', message: `no cell '${range.endCell}' in the notebook` });
  if (details.length > 0)
    throw new ValidationError('The cell range names cells the notebook does not have', details);
  if (start > end) {
    throw new ValidationError('The cell range starts after it ends', [
      { path: 'body.cellRange', message: `'${range.startCell}' comes after '${range.endCell}'` },
    ]);
  }
}

function freshId(cells: NbCell[]): string {
  const taken = new Set(cells.map((c) => c.id));
  for (let n = 1; ; n++) {
    const id = n === 1 ? INJECTED_PARAMETERS_TAG : `${INJECTED_PARAMETERS_TAG}-${n}`;
    if (!taken.has(id)) return id;
  }
}

/**
 * The document a run executes and its plan. Outputs and execution counts of code cells are
 * cleared (a run starts fresh, as papermill does); parameters, when given, go in a cell
 * tagged `injected-parameters` placed as papermill places it. `all` plans every code cell;
 * `range` the code cells from `startCell` to `endCell` (inclusive), preceded by the injected
 * cell when it lies before the range. Cells tagged `skip-execution`, and empty ones (as
 * nbclient skips them), are planned as skipped; `raises-exception` cells may fail, and with
 * `allowErrors` every cell may.
 */
export function planRun(
  source: NbDocument,
  options: PlanOptions,
): { document: NbDocument; plan: PlannedCell[] } {
  let cells: NbCell[] = source.cells.map((cell) =>
    cell.cell_type === 'code' ? { ...cell, outputs: [], execution_count: null } : { ...cell },
  );
  let injectedIndex = -1;
  if (Object.keys(options.parameters).length > 0) {
    const injected = injectParameters(
      cells,
      (text) => ({
        id: freshId(cells),
        cell_type: 'code' as const,
        source: text,
        metadata: {},
        execution_count: null,
        outputs: [],
      }),
      options.parameters,
      options.kernelType ?? kernelTypeOf(source),
    );
    cells = injected.cells;
    injectedIndex = injected.injectedIndex;
  }
  let first = 0;
  let last = cells.length - 1;
  if (options.executionMode === 'range' && options.cellRange) {
    first = cells.findIndex((c) => c.id === options.cellRange!.startCell);
    last = cells.findIndex((c) => c.id === options.cellRange!.endCell);
  }
  const resume = options.resume;
  if (resume) first = cells.findIndex((c) => c.id === resume.fromCell);
  const plan: PlannedCell[] = [];
  cells.forEach((cell, index) => {
    const inRange = index >= first && index <= last;
    const replay = Boolean(resume && index < first && cell.id && resume.replay.has(cell.id));
    const injectedBefore = !resume && index === injectedIndex && index < first;
    if (cell.cell_type !== 'code' || !(inRange || injectedBefore || replay)) return;
    const tags = cellTags(cell);
    const empty = joinSource(cell.source).trim() === '';
    plan.push({
      index,
      cellId: cell.id ?? `cell-${index}`,
      action: tags.includes('skip-execution') || empty ? 'skip' : 'run',
      allowErrors: options.allowErrors === true || tags.includes('raises-exception'),
      ...(replay ? { replay: true } : {}),
    });
  });
  return { document: { ...source, cells }, plan };
}
