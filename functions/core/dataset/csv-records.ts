import { ValidationError } from '../errors.ts';
import { firstInvalidUtf8Byte } from '../json-limits.ts';
import { type CsvBatch, CsvParser } from './csv-parser.ts';

/** One parsed row and the file line it started on. */
export interface SourceRecord {
  values: string[];
  line: number;
  /** False when no field was quoted in the file (so none holds a comma, quote or line end). */
  quoted?: boolean;
}

function notCsv(message: string, detail: string): ValidationError {
  return new ValidationError(message, [{ path: 'file', message: detail }], 'InvalidCsv');
}

/**
 * Checks that chunks are UTF-8 (a BOM is dropped) and hold no NUL bytes (binary files),
 * passing them on as text, chunk by chunk: the whole file is never one string.
 */
async function* utf8Text(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let offset = 0;
  for await (const chunk of chunks) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      // The first bad byte of this chunk (a character split across chunks counts from here).
      const at = offset + Math.max(0, firstInvalidUtf8Byte(chunk));
      throw notCsv(`The file is not UTF-8 text (invalid bytes at byte ${at})`, 'must be UTF-8 encoded CSV');
    }
    if (text.includes('\0')) throw notCsv('The file is binary, not CSV text', 'must be a CSV text file');
    offset += chunk.byteLength;
    if (text) yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw notCsv('The file is not UTF-8 text (it ends inside a character)', 'must be UTF-8 encoded CSV');
  }
}

/**
 * Parses CSV (RFC 4180: comma-separated, `"` quotes, CRLF or LF) incrementally, yielding the
 * rows each chunk completes as one batch (one await per chunk, not per row; see `CsvBatch`). Rows may differ
 * in length here: the caller reports ragged rows with their row number. Syntax errors (an
 * unclosed quote) are 400s naming the line.
 */
export async function* csvRecords(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<CsvBatch> {
  const parser = new CsvParser();
  for await (const text of utf8Text(chunks)) {
    const batch = parser.push(text);
    if (batch.spans.length > 0) yield batch;
  }
  const rest = parser.end();
  if (rest.spans.length > 0) yield rest;
}

/** Rows of a JSON upload (`rows: [{column: value}]`) as one batch of records; the header is the union of keys. */
export function jsonRecords(rows: ReadonlyArray<Record<string, unknown>>): SourceRecord[][] {
  const columns: string[] = [];
  const known = new Set<string>();
  for (const row of rows)
    for (const key of Object.keys(row))
      if (!known.has(key)) {
        known.add(key);
        columns.push(key);
      }
  const records: SourceRecord[] = [{ values: columns, line: 0 }];
  rows.forEach((row, index) => {
    const values = columns.map((column) => {
      const value = row[column];
      if (value === null || value === undefined) return '';
      if (typeof value === 'object')
        throw new ValidationError(
          `Row ${index + 1}: column '${column}' holds an object or array; values must be strings, numbers, booleans or null`,
          [{ path: `body.rows.${index}.${column}`, message: 'must be a string, number, boolean or null' }],
        );
      return String(value);
    });
    records.push({ values, line: index + 1 });
  });
  return [records];
}
