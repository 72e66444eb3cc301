import { parse } from 'csv-parse';
import { ValidationError } from '../errors.ts';
import { firstInvalidUtf8Byte } from '../json-limits.ts';

/** One parsed row and the file line it started on. */
export interface SourceRecord {
  values: string[];
  line: number;
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
 * Parses CSV (RFC 4180: comma-separated, `"` quotes, CRLF or LF) incrementally with
 * csv-parse, yielding the rows parsed so far in batches (one await per batch, not per row).
 * Rows may differ in length here: the caller reports ragged rows with their row number.
 * Syntax errors (an unclosed quote) are 400s naming the line.
 */
export async function* csvRecords(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SourceRecord[]> {
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, info: true });
  let ended = false;
  let failure: unknown;
  parser.on('end', () => {
    ended = true;
  });
  parser.on('error', (error) => {
    failure = error;
  });
  const feed = (async () => {
    try {
      for await (const text of utf8Text(chunks)) {
        if (!parser.write(text)) await new Promise((resolve) => parser.once('drain', resolve));
      }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  const progress = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        parser.off('readable', done);
        parser.off('end', done);
        parser.off('error', done);
        parser.off('close', done);
        resolve();
      };
      parser.on('readable', done);
      parser.on('end', done);
      parser.on('error', done);
      parser.on('close', done);
    });
  try {
    for (;;) {
      const batch: SourceRecord[] = [];
      for (let item = parser.read(); item !== null; item = parser.read())
        batch.push({ values: item.record, line: item.info.lines });
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (failure !== undefined) throw failure;
      if (ended || parser.destroyed) return;
      await progress();
    }
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const e = error as { message?: string; lines?: number; code?: string };
    throw notCsv(
      `The file is not valid CSV${e.lines ? ` (line ${e.lines})` : ''}: ${e.message ?? String(error)}`,
      e.code ?? 'invalid CSV',
    );
  } finally {
    parser.destroy();
    await feed;
  }
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
