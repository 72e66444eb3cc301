import type { NbCell, NbOutput } from '../nbformat/types.ts';
import type { KernelMessage } from './kernel.ts';

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
  updates: DisplayUpdate[];
  executionCount: number | null;
  /** nbclient's timing metadata (`cell.metadata.execution`). */
  timing: Record<string, string>;
  /** Outputs dropped because the cell went over the size limit (a note output says so). */
  droppedOutputs: number;
}

const OUTPUT_TYPES = new Set(['stream', 'display_data', 'execute_result', 'error']);

/** nbformat's `output_from_msg`. */
function outputFromMessage(message: KernelMessage): NbOutput {
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

/**
 * Collects one cell's output messages exactly as nbclient's `process_message`/`output`/
 * `clear_output` do, so the executed notebook matches what nbclient would write.
 */
export class CellOutputCollector {
  readonly record: CellOutputRecord;
  private clearBeforeNext = false;
  private bytes: number;

  /** `maxBytes` bounds what one cell keeps (a runaway print loop must not exhaust memory or storage). */
  constructor(
    previous?: CellOutputRecord,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    this.record = previous ?? {
      outputs: [],
      displayIds: [],
      updates: [],
      executionCount: null,
      timing: {},
      droppedOutputs: 0,
    };
    this.bytes = this.record.outputs.reduce((n, o) => n + JSON.stringify(o).length, 0);
  }

  /** Applies one message whose parent is this cell's execute_request. */
  apply(message: KernelMessage): void {
    const { msgType, content } = message;
    const rec = this.record;
    const transient = content.transient as { display_id?: string } | undefined;
    const displayId = transient?.display_id ?? null;
    if (displayId && ['execute_result', 'display_data', 'update_display_data'].includes(msgType)) {
      const update = { displayId, data: content.data as object, metadata: content.metadata as object };
      rec.updates.push(update as DisplayUpdate);
      rec.displayIds.forEach((id, i) => {
        if (id === displayId)
          rec.outputs[i] = { ...rec.outputs[i]!, data: update.data, metadata: update.metadata };
      });
    }
    if (typeof content.execution_count === 'number') rec.executionCount = content.execution_count;
    if (message.date) this.time(message, message.date);
    if (msgType === 'clear_output') {
      if (content.wait) this.clearBeforeNext = true;
      else this.clear();
      return;
    }
    if (!OUTPUT_TYPES.has(msgType)) return;
    if (this.clearBeforeNext) {
      this.clear();
      this.clearBeforeNext = false;
    }
    const output = outputFromMessage(message);
    const size = JSON.stringify(output).length;
    if (this.bytes + size > this.maxBytes) {
      rec.droppedOutputs++;
      return;
    }
    this.bytes += size;
    rec.outputs.push(output);
    rec.displayIds.push(displayId);
  }

  /** Records nbclient's shell.execute_reply timestamp. */
  reply(date: string | null): void {
    if (date) this.record.timing['shell.execute_reply'] = date;
  }

  private time(message: KernelMessage, date: string): void {
    const t = this.record.timing;
    if (message.msgType === 'execute_input') t['iopub.execute_input'] = date;
    if (message.msgType === 'status' && message.content.execution_state === 'busy')
      t['iopub.status.busy'] = date;
    if (message.msgType === 'status' && message.content.execution_state === 'idle')
      t['iopub.status.idle'] = date;
  }

  private clear(): void {
    this.record.outputs = [];
    this.bytes = 0;
    // nbclient forgets this cell's display-id positions; later updates no longer reach them.
    this.record.displayIds = [];
  }
}

/** The record as stored: a note output at the end says how many outputs were dropped for size. */
export function sealRecord(record: CellOutputRecord, maxBytes: number): CellOutputRecord {
  if (record.droppedOutputs === 0) return record;
  const text = `[cellwise] ${record.droppedOutputs} more output(s) were dropped: the cell went over the ${maxBytes}-byte output limit\n`;
  return {
    ...record,
    outputs: [...record.outputs, { output_type: 'stream', name: 'stderr', text }],
    displayIds: [...record.displayIds, null],
  };
}

/**
 * Writes each executed cell's outputs into the document's cells in order, applying every
 * cell's display updates to the outputs of the cells before it (nbclient updates every
 * output that carries the display id, in any cell).
 */
export function assembleOutputs(cells: NbCell[], records: Map<number, CellOutputRecord>): void {
  const shown = new Map<string, Array<{ cell: NbCell; index: number }>>();
  const indices = [...records.keys()].sort((a, b) => a - b);
  for (const cellIndex of indices) {
    const record = records.get(cellIndex)!;
    const cell = cells[cellIndex]!;
    for (const update of record.updates) {
      for (const target of shown.get(update.displayId) ?? []) {
        target.cell.outputs![target.index] = {
          ...target.cell.outputs![target.index]!,
          data: update.data,
          metadata: update.metadata,
        };
      }
    }
    cell.outputs = record.outputs.map((o) => ({ ...o }));
    cell.execution_count = record.executionCount;
    cell.metadata = { ...cell.metadata, execution: { ...record.timing } };
    record.displayIds.forEach((id, index) => {
      if (!id) return;
      const list = shown.get(id) ?? [];
      list.push({ cell, index });
      shown.set(id, list);
    });
  }
}
