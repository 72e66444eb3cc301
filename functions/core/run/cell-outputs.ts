import type { NbCell, NbOutput } from '../nbformat/types.ts';
import type { KernelMessage } from './kernel.ts';
import { lossNote } from './loss-note.ts';
import { addLoss, hasLoss, noLoss, type OutputLimits, type OutputLoss } from './output-limits.ts';

/** An update_display_data (or a display_data reusing an id): applied to earlier cells at the end. */
export interface DisplayUpdate {
  displayId: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/**
 * What one cell produced, as it is stored: its outputs with nbclient's semantics applied
 * within the cell (clear_output, clear_output(wait=True), display_id updates), which output
 * carries which display id, and the display updates it made (which nbclient also applies to
 * outputs of earlier cells; `assembleOutputs` does that across cells).
 */
export interface CellOutputRecord {
  outputs: NbOutput[];
  displayIds: (string | null)[];
  /** The last update of each display id (applying them all in order ends the same way). */
  updates: DisplayUpdate[];
  executionCount: number | null;
  /** nbclient's timing metadata (`cell.metadata.execution`). */
  timing: Record<string, string>;
  /** What was not kept (limits, invalid data), and why; `sealRecord` notes it in the outputs. */
  loss: OutputLoss;
  /**
   * Only in a hand-over's partial record of a run with secrets: the open stream's tail the
   * redactor still held back (a later chunk could complete a value), for the next task to
   * go on from instead of showing it.
   */
  heldStream?: { name: string; text: string };
}

/** nbformat's `output_from_msg`. */
export function outputFromMessage(message: KernelMessage): NbOutput {
  const c = message.content;
  switch (message.msgType) {
    case 'execute_result':
      return {
        output_type: 'execute_result',
        data: c.data,
        metadata: c.metadata,
        execution_count: c.execution_count,
      };
    case 'stream':
      return { output_type: 'stream', name: c.name, text: c.text };
    case 'error':
      return { output_type: 'error', ename: c.ename, evalue: c.evalue, traceback: c.traceback };
    default:
      return { output_type: 'display_data', data: c.data, metadata: c.metadata };
  }
}

/** A record as stored by any version (records before `loss` counted dropped outputs only). */
export function normalized(record: CellOutputRecord): CellOutputRecord {
  if (record.loss) return record;
  const dropped = (record as { droppedOutputs?: number }).droppedOutputs ?? 0;
  const loss = noLoss();
  if (dropped > 0) addLoss(loss, { outputs: dropped, reason: 'cellOutputBytes' });
  return { ...record, loss };
}

/**
 * The record as stored: when anything was not kept, a note at the end of its outputs (a
 * stderr stream, shown by every notebook viewer) says what and why (`lossNote`).
 */
export function sealRecord(record: CellOutputRecord, limits: OutputLimits): CellOutputRecord {
  const rec = normalized(record);
  if (!hasLoss(rec.loss)) return rec;
  return {
    ...rec,
    outputs: [...rec.outputs, { output_type: 'stream', name: 'stderr', text: lossNote(rec.loss, limits) }],
    displayIds: [...rec.displayIds, null],
  };
}

/**
 * Each record's outputs with the display updates of the records after it applied, as
 * nbclient leaves them: an update reaches every output carrying its display id in any
 * earlier cell (an output a `clear_output` removed no longer carries it). Keys order the
 * records (cell index or plan position); outputs are copies.
 */
export function outputsWithUpdates(records: Map<number, CellOutputRecord>): Map<number, NbOutput[]> {
  const outputs = new Map<number, NbOutput[]>();
  const shown = new Map<string, Array<{ list: NbOutput[]; index: number }>>();
  for (const key of [...records.keys()].sort((a, b) => a - b)) {
    const record = records.get(key)!;
    for (const update of record.updates) {
      for (const { list, index } of shown.get(update.displayId) ?? []) {
        list[index] = { ...list[index]!, data: update.data, metadata: update.metadata };
      }
    }
    const list = record.outputs.map((o) => ({ ...o }));
    outputs.set(key, list);
    record.displayIds.forEach((id, index) => {
      if (!id) return;
      const targets = shown.get(id) ?? [];
      targets.push({ list, index });
      shown.set(id, targets);
    });
  }
  return outputs;
}

/** The display ids a record's outputs carry and those it updated (absent when none). */
export function displayLinks(record: CellOutputRecord): { displayIds?: string[]; displayUpdates?: string[] } {
  const ids = [...new Set(record.displayIds.filter((id): id is string => id !== null))];
  const updates = [...new Set(record.updates.map((u) => u.displayId))];
  return {
    ...(ids.length > 0 ? { displayIds: ids } : {}),
    ...(updates.length > 0 ? { displayUpdates: updates } : {}),
  };
}

/**
 * Writes each executed cell's outputs into the document's cells in order, applying every
 * cell's display updates to the outputs of the cells before it (nbclient updates every
 * output that carries the display id, in any cell).
 */
export function assembleOutputs(cells: NbCell[], records: Map<number, CellOutputRecord>): void {
  const outputs = outputsWithUpdates(records);
  for (const [cellIndex, record] of records) {
    const cell = cells[cellIndex]!;
    cell.outputs = outputs.get(cellIndex)!;
    cell.execution_count = record.executionCount;
    cell.metadata = { ...cell.metadata, execution: { ...record.timing } };
  }
}
