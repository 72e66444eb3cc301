/** The parts of an nbformat v4 document the service reads and writes. */
export type MultilineString = string | string[];

export interface NbOutput {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error';
  [key: string]: unknown;
}

export interface NbCell {
  id?: string;
  cell_type: 'code' | 'markdown' | 'raw';
  source: MultilineString;
  metadata: Record<string, unknown>;
  execution_count?: number | null;
  outputs?: NbOutput[];
  attachments?: Record<string, unknown>;
}

export interface NbDocument {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NbCell[];
}

/** Joins nbformat's multi-line string form (array of lines) into one string. */
export function joinSource(source: MultilineString): string {
  return Array.isArray(source) ? source.join('') : source;
}
