import { type ParameterChange, parameterChanges } from './parameter-diff.ts';
import { type CellState, cellStates, type RunSide } from './run-diff.ts';

/** Entries of each list a brief diff keeps (a webhook payload stays small). */
export const BRIEF_LIMIT = 10;
/** Characters of an error message a brief diff keeps. */
const MESSAGE_CHARS = 500;
/** Characters of JSON a parameter value may take in a brief diff; a longer one is named by its size. */
const VALUE_CHARS = 256;

/** A parameter value as the brief shows it: itself, or `"(N characters of JSON)"` when long. */
function briefValue(value: unknown): unknown {
  const json = JSON.stringify(value) ?? 'null';
  return json.length > VALUE_CHARS ? `(${json.length} characters of JSON)` : value;
}

/** A failed run's short diff against the last successful run (the webhook's `diffFromLastSuccessful`). */
export interface RunDiffBrief {
  againstExecutionId: string;
  /** Cells whose status differs, in the failed run's plan order (then cells it did not have). */
  cells: { cellId: string; before: CellState | null; after: CellState | null }[];
  /** The failed run's first failed cell and its error (null when no cell failed: a timeout, a lost kernel). */
  firstError: { cellId: string; ename: string; evalue: string } | null;
  parameters: ParameterChange[];
  /** `cells` or `parameters` were cut at their limit. */
  truncated: boolean;
}

/**
 * The short diff of a run against an earlier one, from their rows and cell results only (no
 * outputs are read): cells whose status changed, the run's first error, parameters that differ.
 */
export function briefDiff(
  before: Pick<RunSide, 'run' | 'results'>,
  after: Pick<RunSide, 'run' | 'results'>,
): RunDiffBrief {
  const a = cellStates(before);
  const b = cellStates(after);
  const state = (states: typeof a, id: string): CellState | null =>
    states.has(id) ? (states.get(id)?.status ?? 'NotRun') : null;
  const ids = [...b.keys(), ...[...a.keys()].filter((id) => !b.has(id))];
  const cells = ids
    .map((cellId) => ({ cellId, before: state(a, cellId), after: state(b, cellId) }))
    .filter((c) => c.before !== c.after);
  const failed = after.results.find((r) => r.status === 'Error' && (r.error || r.stoppedBy));
  const parameters = parameterChanges(before.run.parametersJson, after.run.parametersJson);
  return {
    againstExecutionId: before.run.executionId,
    cells: cells.slice(0, BRIEF_LIMIT),
    firstError: failed
      ? {
          cellId: failed.cellId,
          ename: failed.error?.ename ?? failed.stoppedBy ?? 'Error',
          evalue: (failed.error?.evalue ?? '').slice(0, MESSAGE_CHARS),
        }
      : null,
    parameters: parameters
      .slice(0, BRIEF_LIMIT)
      .map((p) => ({ ...p, before: briefValue(p.before), after: briefValue(p.after) })),
    truncated: cells.length > BRIEF_LIMIT || parameters.length > BRIEF_LIMIT,
  };
}
