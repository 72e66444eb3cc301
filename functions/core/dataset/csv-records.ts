import { isUtf8 } from 'node:buffer';
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

/** The length of the UTF-8 sequence a lead byte starts (0: not a lead byte). */
const sequenceLength = (b: number) =>
  b < 0x80 ? 1 : b < 0xc2 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 0;

/**
 * Where the last UTF-8 sequence of `bytes` starts when the bytes end before it does (the
 * rest of it comes with the next chunk), else `bytes.length`.
 */
function incompleteTail(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= 0 && i >= bytes.length - 3; i--) {
    const b = bytes[i]!;
    if (b < 0x80) break;
    if (b >= 0xc0) return i + sequenceLength(b) > bytes.length ? i : bytes.length;
  }
  return bytes.length;
}

/** Whether the start of a UTF-8 sequence can still become a character (checked by completing it). */
function isUtf8Prefix(bytes: Buffer): boolean {
  const whole = Buffer.alloc(Math.max(sequenceLength(bytes[0]!), bytes.length), 0x80);
  bytes.copy(whole);
  // The smallest second byte each lead byte allows.
  if (bytes.length === 1) whole[1] = bytes[0] === 0xe0 ? 0xa0 : bytes[0] === 0xf0 ? 0x90 : 0x80;
  return isUtf8(whole);
}

/**
 * Checks that chunks are UTF-8 and hold no NUL bytes (binary files), chunk by chunk (as a
 * streaming decoder would: a character may be split across chunks), passing them on as they
 * came: the file is never decoded into one string.
 */
async function* utf8Chunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let offset = 0;
  /** The start of a character the previous chunk ended inside. */
  let tail: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let from = 0;
    let valid = true;
    if (tail.length > 0) {
      from = Math.min(bytes.length, sequenceLength(tail[0]!) - tail.length);
      tail = Buffer.concat([tail, bytes.subarray(0, from)]);
      const whole = tail.length === sequenceLength(tail[0]!);
      valid = whole ? isUtf8(tail) : isUtf8Prefix(tail);
      if (whole) tail = Buffer.alloc(0);
    }
    if (valid && tail.length === 0) {
      const stop = incompleteTail(bytes);
      if (from < stop) valid = isUtf8(bytes.subarray(from, stop));
      if (valid && stop < bytes.length) {
        tail = Buffer.from(bytes.subarray(stop));
        valid = isUtf8Prefix(tail);
      }
    }
    if (!valid) {
      // The first bad byte of this chunk (a character split across chunks counts from here).
      const at = offset + Math.max(0, firstInvalidUtf8Byte(chunk));
      throw notCsv(`The file is not UTF-8 text (invalid bytes at byte ${at})`, 'must be UTF-8 encoded CSV');
    }
    if (bytes.indexOf(0) >= 0) throw notCsv('The file is binary, not CSV text', 'must be a CSV text file');
    offset += chunk.byteLength;
    if (bytes.length > 0) yield bytes;
  }
  if (tail.length > 0)
    throw notCsv('The file is not UTF-8 text (it ends inside a character)', 'must be UTF-8 encoded CSV');
}

/**
 * Parses CSV (RFC 4180: comma-separated, `"` quotes, CRLF or LF) incrementally, yielding the
 * rows each chunk completes as one batch (one await per chunk, not per row; see `CsvBatch`).
 * Rows may differ in length here: the caller reports ragged rows with their row number.
 * Syntax errors (an unclosed quote) are 400s naming the line.
 */
export async function* csvRecords(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<CsvBatch> {
  const parser = new CsvParser();
  for await (const bytes of utf8Chunks(chunks)) {
    for (const batch of parser.push(bytes)) if (batch.spans.length > 0) yield batch;
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
