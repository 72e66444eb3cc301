import type { NbOutput } from '../nbformat/types.ts';
import type { CellResult } from './cell-result.ts';
import { type Fingerprint, fingerprintOf, streamTextOf } from './output-fingerprint.ts';
import { type UnifiedDiff, unifiedDiff } from './unified-diff.ts';

/** One side of a cell: its result (null: planned, never ran) and its stored outputs. */
export interface CellSide {
  result: CellResult | null;
  outputs: NbOutput[];
}

/** A display or result output that differs: matched by its place among the cell's displays. */
export interface DisplayChange {
  /** Its index among the cell's display and result outputs. */
  index: number;
  change: 'added' | 'removed' | 'changed';
  /** MIME types whose content differs (all of them when added or removed). */
  mimeTypes: string[];
  before: Fingerprint | null;
  after: Fingerprint | null;
}

type CellError = { ename: string; evalue: string };

const STREAMS = ['stdout', 'stderr'] as const;

const errorOf = (r: CellResult | null): CellError | null =>
  r?.error ?? (r?.stoppedBy ? { ename: r.stoppedBy, evalue: '' } : null);

const sameError = (a: CellError | null, b: CellError | null) =>
  a?.ename === b?.ename && a?.evalue === b?.evalue;

/** The displays that differ between two lists, by index, compared by MIME type and hash. */
export function displayChanges(before: NbOutput[], after: NbOutput[]): DisplayChange[] {
  const a = before.map(fingerprintOf).filter((f) => f !== null);
  const b = after.map(fingerprintOf).filter((f) => f !== null);
  const changes: DisplayChange[] = [];
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const x = a[index] ?? null;
    const y = b[index] ?? null;
    const mimes = [...new Set([...Object.keys(y ?? {}), ...Object.keys(x ?? {})])];
    const differing = mimes.filter((m) => x?.[m] !== y?.[m]);
    if (differing.length === 0) continue;
    const change = x === null ? 'added' : y === null ? 'removed' : 'changed';
    changes.push({ index, change, mimeTypes: differing, before: x, after: y });
  }
  return changes;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What changed in a cell, in words (for titles and the CLI). */
function describe(
  status: { before: string | null; after: string | null },
  error: { before: CellError | null; after: CellError | null } | null,
  streams: (UnifiedDiff & { name: string })[],
  outputs: DisplayChange[],
): string[] {
  const words: string[] = [];
  if (status.before !== status.after) words.push(`status ${status.before} → ${status.after}`);
  if (error?.after) words.push(`error ${error.after.ename}: ${error.after.evalue}`.trim());
  else if (error) words.push('error gone');
  for (const s of streams) words.push(`${s.name} +${s.added} −${s.removed} lines`);
  for (const change of ['changed', 'added', 'removed'] as const) {
    const list = outputs.filter((o) => o.change === change);
    if (list.length === 0) continue;
    const mimes = [...new Set(list.flatMap((o) => o.mimeTypes))].join(', ');
    words.push(`${plural(list.length, 'display')} ${change} (${mimes})`);
  }
  return words;
}

/**
 * How one cell differs between two runs (null side: not in that run's plan): its status,
 * time, error, stdout and stderr (unified diffs, capped), and displays (by content hash).
 * `change` is `same` when only its time differs.
 */
export function diffCell(cellId: string, before: CellSide | null, after: CellSide | null) {
  const a = before?.result ?? null;
  const b = after?.result ?? null;
  const status = {
    before: before ? (a?.status ?? 'NotRun') : null,
    after: after ? (b?.status ?? 'NotRun') : null,
  };
  const ms = { before: a?.executionTimeMs ?? null, after: b?.executionTimeMs ?? null };
  const durationMs = {
    ...ms,
    delta: ms.before !== null && ms.after !== null ? ms.after - ms.before : null,
  };
  const errors = { before: errorOf(a), after: errorOf(b) };
  const error = sameError(errors.before, errors.after) ? null : errors;
  const streams = STREAMS.flatMap((name) => {
    const diff = unifiedDiff(
      streamTextOf(before?.outputs ?? [], name),
      streamTextOf(after?.outputs ?? [], name),
    );
    return diff ? [{ name, ...diff }] : [];
  });
  const outputs = displayChanges(before?.outputs ?? [], after?.outputs ?? []);
  const differs = status.before !== status.after || error || streams.length > 0 || outputs.length > 0;
  const change = !before ? 'added' : !after ? 'removed' : differs ? 'changed' : 'same';
  return {
    cellId,
    change: change as 'added' | 'removed' | 'changed' | 'same',
    status,
    durationMs,
    error,
    streams,
    outputs,
    changes:
      change === 'added'
        ? ['cell added']
        : change === 'removed'
          ? ['cell removed']
          : describe(status, error, streams, outputs),
  };
}
