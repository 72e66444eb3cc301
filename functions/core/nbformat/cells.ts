import { randomBytes } from 'node:crypto';
import { joinSource, type NbCell } from './types.ts';

export type CellType = NbCell['cell_type'];

/** A cell as the API shows it (the seeds' field names). */
export interface CellView {
  cellId: string;
  cellType: CellType;
  source: string;
  executionCount: number | null;
  hasOutput: boolean;
  lastExecuted: string | null;
  executionStatus: string | null;
  lastModified: string | null;
  tags: string[];
}

/** A cell as a client sends it: `source` or the execution seed's `content`. */
export interface CellInput {
  cellId?: string;
  cellType: CellType;
  source: string;
  tags?: string[];
}

interface CellwiseMeta {
  lastExecuted?: string;
  executionStatus?: string;
  lastModified?: string;
}

const CELL_ID = /^[a-zA-Z0-9-_]{1,64}$/;

function cellwiseMeta(cell: NbCell): CellwiseMeta {
  const meta = cell.metadata.cellwise;
  return typeof meta === 'object' && meta !== null ? (meta as CellwiseMeta) : {};
}

export function cellTags(cell: NbCell): string[] {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

export function toCellView(cell: NbCell): CellView {
  const meta = cellwiseMeta(cell);
  return {
    cellId: cell.id ?? '',
    cellType: cell.cell_type,
    source: joinSource(cell.source),
    executionCount: cell.cell_type === 'code' ? (cell.execution_count ?? null) : null,
    hasOutput: (cell.outputs?.length ?? 0) > 0,
    lastExecuted: meta.lastExecuted ?? null,
    executionStatus: meta.executionStatus ?? null,
    lastModified: meta.lastModified ?? null,
    tags: cellTags(cell),
  };
}

/** A fresh id in the seeds' `cell-NNN` style that is not in `taken`. */
function freshCellId(taken: Set<string>): string {
  for (let n = 1; n <= taken.size + 1; n++) {
    const id = `cell-${String(n).padStart(3, '0')}`;
    if (!taken.has(id)) return id;
  }
  return `cell-${randomBytes(6).toString('hex')}`;
}

/** Gives every cell a unique, valid id (nbformat 4.5). Returns how many ids were added or replaced. */
export function ensureCellIds(cells: NbCell[]): number {
  const taken = new Set<string>();
  for (const cell of cells) if (cell.id && CELL_ID.test(cell.id)) taken.add(cell.id);
  const seen = new Set<string>();
  let changed = 0;
  for (const cell of cells) {
    if (!cell.id || !CELL_ID.test(cell.id) || seen.has(cell.id)) {
      cell.id = freshCellId(taken);
      taken.add(cell.id);
      changed++;
    }
    seen.add(cell.id);
  }
  return changed;
}

function newCell(input: CellInput, id: string, now: string): NbCell {
  const metadata: Record<string, unknown> = { cellwise: { lastModified: now } };
  if (input.tags && input.tags.length > 0) metadata.tags = [...input.tags];
  if (input.cellType === 'code') {
    return { id, cell_type: 'code', source: input.source, metadata, execution_count: null, outputs: [] };
  }
  return { id, cell_type: input.cellType, source: input.source, metadata };
}

/** Builds cells from client input, numbering them `cell-001`, `cell-002`, ... */
export function buildCells(inputs: CellInput[], now: string): NbCell[] {
  const taken = new Set<string>(inputs.flatMap((c) => (c.cellId ? [c.cellId] : [])));
  return inputs.map((input) => {
    const id = input.cellId ?? freshCellId(taken);
    taken.add(id);
    return newCell(input, id, now);
  });
}

function sameCell(cell: NbCell, input: CellInput): boolean {
  const tags = input.tags ?? cellTags(cell);
  return (
    cell.cell_type === input.cellType &&
    joinSource(cell.source) === input.source &&
    JSON.stringify(tags) === JSON.stringify(cellTags(cell))
  );
}

/**
 * Replaces a document's cells with the client's list. A cell whose id, type, source and
 * tags are unchanged keeps its outputs and execution data; every other cell is new.
 * Returns the new cells and whether anything about the cells changed.
 */
export function applyCellEdits(current: NbCell[], inputs: CellInput[], now: string) {
  const byId = new Map(current.map((c) => [c.id, c]));
  const taken = new Set<string>(inputs.flatMap((c) => (c.cellId ? [c.cellId] : [])));
  const cells = inputs.map((input) => {
    const existing = input.cellId ? byId.get(input.cellId) : undefined;
    if (existing && sameCell(existing, input)) return existing;
    const id = input.cellId ?? freshCellId(taken);
    taken.add(id);
    return newCell(input, id, now);
  });
  const changed = cells.length !== current.length || cells.some((cell, i) => cell !== current[i]);
  return { cells, changed };
}
