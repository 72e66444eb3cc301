import type { NbOutput } from '../nbformat/types.ts';

/** Caps on what a run keeps of its outputs (`runSettings`; CELLWISE_MAX_CELL_OUTPUT_BYTES, ...). */
export interface OutputLimits {
  /** Bytes one cell keeps (CELLWISE_MAX_CELL_OUTPUT_BYTES). */
  cellBytes: number;
  /** Outputs one cell keeps (CELLWISE_MAX_CELL_OUTPUTS). */
  cellOutputs: number;
  /** Bytes all cells of a run keep together (CELLWISE_MAX_RUN_OUTPUT_BYTES). */
  runBytes: number;
  /** Outputs all cells of a run keep together (CELLWISE_MAX_RUN_OUTPUTS). */
  runOutputs: number;
}

/** What the ended cells of a run kept: the outputs stored and their bytes (`outputBytes`). */
export interface OutputUsage {
  outputs: number;
  bytes: number;
}

/** Why output was not kept: the limit that applied, or what was wrong with it. */
export type LossReason =
  | 'cellOutputBytes'
  | 'cellOutputs'
  | 'runOutputBytes'
  | 'runOutputs'
  | 'invalidOutput'
  | 'unreadableMessage';

/**
 * What a cell did not keep of what its kernel sent, and why: reported as `outputs.dropped`
 * (status, results) and by a note at the end of the cell's outputs. Everything up to a limit
 * is kept; a stream crossing it keeps its text up to the limit.
 */
export interface OutputLoss {
  /** Outputs (or display updates, unreadable messages) not kept at all. */
  outputs: number;
  /** Outputs kept in part: a stream cut at a limit, a display whose bad representations were skipped. */
  truncated: number;
  /** Bytes not kept (`outputBytes` of what was dropped or cut off). */
  bytes: number;
  /** Each reason that applied, once. */
  reasons: LossReason[];
  /** What was wrong with skipped data (at most MAX_DETAILS, the first ones). */
  details: string[];
}

/** Details kept per cell (a cell may emit thousands of bad outputs; the count says how many). */
export const MAX_DETAILS = 10;

export const noLoss = (): OutputLoss => ({ outputs: 0, truncated: 0, bytes: 0, reasons: [], details: [] });

export const hasLoss = (loss: OutputLoss | null | undefined): loss is OutputLoss =>
  !!loss && (loss.outputs > 0 || loss.truncated > 0 || loss.bytes > 0 || loss.reasons.length > 0);

/** Adds one loss to `into` (in place). */
export function addLoss(
  into: OutputLoss,
  loss: { outputs?: number; truncated?: number; bytes?: number; reason: LossReason; details?: string[] },
): void {
  into.outputs += loss.outputs ?? 0;
  into.truncated += loss.truncated ?? 0;
  into.bytes += loss.bytes ?? 0;
  if (!into.reasons.includes(loss.reason)) into.reasons.push(loss.reason);
  for (const detail of loss.details ?? []) {
    if (into.details.length < MAX_DETAILS) into.details.push(detail);
  }
}

/** The losses of several cells (or runs) together. */
export function sumLosses(losses: Array<OutputLoss | null | undefined>): OutputLoss {
  const total = noLoss();
  for (const loss of losses) {
    if (!hasLoss(loss)) continue;
    total.outputs += loss.outputs;
    total.truncated += loss.truncated;
    total.bytes += loss.bytes;
    for (const reason of loss.reasons) if (!total.reasons.includes(reason)) total.reasons.push(reason);
  }
  return total;
}

/** How much one cell may still keep: the cell's limits, or what is left of the run's, whichever is less. */
export interface CellBudget {
  bytes: number;
  outputs: number;
  bytesReason: LossReason;
  outputsReason: LossReason;
}

export function cellBudget(limits: OutputLimits, used: OutputUsage): CellBudget {
  const runBytes = Math.max(0, limits.runBytes - used.bytes);
  const runOutputs = Math.max(0, limits.runOutputs - used.outputs);
  return {
    bytes: Math.min(limits.cellBytes, runBytes),
    outputs: Math.min(limits.cellOutputs, runOutputs),
    bytesReason: runBytes < limits.cellBytes ? 'runOutputBytes' : 'cellOutputBytes',
    outputsReason: runOutputs < limits.cellOutputs ? 'runOutputs' : 'cellOutputs',
  };
}

/** A budget that never applies (tests, a collector without limits). */
export const UNLIMITED: CellBudget = {
  bytes: Number.POSITIVE_INFINITY,
  outputs: Number.POSITIVE_INFINITY,
  bytesReason: 'cellOutputBytes',
  outputsReason: 'cellOutputs',
};

const utf8 = (value: unknown): number => {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return value.reduce((n: number, v: string) => n + Buffer.byteLength(v, 'utf8'), 0);
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
};

/** The bytes of a mime bundle as stored: each representation's text (JSON for JSON values). */
export const bundleBytes = (data: unknown): number =>
  typeof data === 'object' && data !== null
    ? Object.values(data as Record<string, unknown>).reduce((n: number, v) => n + utf8(v), 0)
    : 0;

/**
 * What an output counts against the limits: the UTF-8 bytes of its content as stored (a
 * stream's text, an error's name, value and traceback, a display's representations and
 * metadata). A stream of N bytes of text is N bytes.
 */
export function outputBytes(output: NbOutput): number {
  switch (output.output_type) {
    case 'stream':
      return utf8(output.text);
    case 'error':
      return utf8(output.ename) + utf8(output.evalue) + utf8(output.traceback);
    default: {
      const metadata = output.metadata as Record<string, unknown> | undefined;
      const extra = metadata && Object.keys(metadata).length > 0 ? utf8(metadata) : 0;
      return bundleBytes(output.data) + extra;
    }
  }
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that ends on a character boundary. */
export function utf8Prefix(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // A continuation byte (10xxxxxx) at the cut: the character started before it; cut before it.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
