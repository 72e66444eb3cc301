import type { NbOutput } from '../nbformat/types.ts';
import type { OutputLoss } from './output-limits.ts';

export type CellStatus = 'Success' | 'Error' | 'Skipped' | 'Cancelled';

/** One output as the status and results routes describe it (its content stays in the file store). */
export interface OutputSummary {
  outputType: NbOutput['output_type'];
  /** Mime types of display data / execute results; `text/plain` for streams and errors. */
  mimeTypes: string[];
  /** Size of the output's content in bytes (UTF-8 / decoded base64). */
  bytes: number;
  /** Stream name (stdout / stderr). */
  name?: string;
  /** A pandas DataFrame rendered as HTML. */
  dataFrame?: boolean;
}

/** The end of one planned cell, recorded as it ends. */
export interface CellResult {
  /** Position in the run's plan. */
  position: number;
  cellId: string;
  status: CellStatus;
  startedAt: string | null;
  endedAt: string;
  /** Measured from sending the request to the kernel's reply and idle. */
  executionTimeMs: number | null;
  executionCount: number | null;
  outputs: OutputSummary[];
  /** Outputs beyond those summarised (a cell may print thousands). */
  moreOutputs: number;
  /** Object key of the cell's outputs (null when it produced none and updated no display, or outputs are not captured). */
  outputsKey: string | null;
  /** Bytes stored for the cell's outputs. */
  storedBytes: number;
  error: { ename: string; evalue: string } | null;
  /** The engine's verdict when the cell was stopped (TimeoutError, KernelDied, Cancelled...). */
  stoppedBy: string | null;
  /** What the cell did not keep of its outputs, and why (absent: everything was kept). */
  dropped?: OutputLoss;
  /** Display ids the cell's stored outputs carry (a later cell's update may change them). */
  displayIds?: string[];
  /** Display ids the cell updated (outputs of earlier cells carrying them changed). */
  displayUpdates?: string[];
}

const MAX_SUMMARIES = 200;

const textBytes = (value: unknown): number => {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textBytes(v), 0);
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
};

const BINARY = /^image\/(png|jpeg|gif|webp)$/;

function bundleBytes(data: Record<string, unknown>): number {
  let total = 0;
  for (const [mime, value] of Object.entries(data)) {
    total +=
      BINARY.test(mime) && typeof value === 'string' ? Math.floor((value.length * 3) / 4) : textBytes(value);
  }
  return total;
}

/** Describes one nbformat output. */
export function summarizeOutput(output: NbOutput): OutputSummary {
  switch (output.output_type) {
    case 'stream':
      return {
        outputType: 'stream',
        mimeTypes: ['text/plain'],
        bytes: textBytes(output.text),
        name: String(output.name),
      };
    case 'error':
      return {
        outputType: 'error',
        mimeTypes: ['text/plain'],
        bytes: textBytes(output.traceback) + textBytes(output.evalue),
      };
    default: {
      const data = (output.data ?? {}) as Record<string, unknown>;
      const html = data['text/html'];
      const dataFrame =
        typeof html === 'string' || Array.isArray(html) ? /class="dataframe/.test(String(html)) : false;
      return {
        outputType: output.output_type,
        mimeTypes: Object.keys(data),
        bytes: bundleBytes(data),
        ...(dataFrame ? { dataFrame } : {}),
      };
    }
  }
}

/** Summaries of a cell's outputs, bounded so a cell row stays small. */
export function summarizeOutputs(outputs: NbOutput[]): { outputs: OutputSummary[]; moreOutputs: number } {
  return {
    outputs: outputs.slice(0, MAX_SUMMARIES).map(summarizeOutput),
    moreOutputs: Math.max(0, outputs.length - MAX_SUMMARIES),
  };
}
