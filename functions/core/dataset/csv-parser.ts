import { ValidationError } from '../errors.ts';
import type { SourceRecord } from './csv-records.ts';

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/** A CSV syntax error: a 400 InvalidCsv naming the line. */
export function invalidCsv(line: number, reason: string): ValidationError {
  return new ValidationError(
    `The file is not valid CSV (line ${line}): ${reason}`,
    [{ path: 'file', message: reason }],
    'InvalidCsv',
  );
}

/**
 * The rows one chunk of CSV bytes completed. Lines without a quote stay in `bytes` as spans
 * (no strings, no arrays: most of an event log); the others are parsed into `records`.
 * `spans` holds triples in file order: `start, stop, line` of a line without quotes (`stop`
 * before its line end), or `-1, i, line` for `records[i]`. The parser reuses `spans` for
 * its next chunk: a batch is read before the parser is given more.
 */
export interface CsvBatch {
  bytes: Buffer;
  spans: Int32Array;
  records: SourceRecord[];
}

/** The fields of a span of `text` without quotes (split at commas). */
export function splitPlain(text: string, start: number, stop: number): string[] {
  const values: string[] = [];
  let from = start;
  for (let comma = text.indexOf(',', from); comma >= 0 && comma < stop; comma = text.indexOf(',', from)) {
    values.push(text.slice(from, comma));
    from = comma + 1;
  }
  values.push(text.slice(from, stop));
  return values;
}

/**
 * The line end (LF) that ends the record starting at `start` if its quotes are balanced (a
 * `""` inside a quoted field opens and closes again), or -1 when `bytes` ends first.
 */
function recordEnd(bytes: Buffer, start: number): number {
  for (let i = start; ; ) {
    const quote = bytes.indexOf(QUOTE, i);
    const lf = bytes.indexOf(LF, i);
    if (lf >= 0 && (quote < 0 || lf < quote)) return lf;
    if (quote < 0) return -1;
    const close = bytes.indexOf(QUOTE, quote + 1);
    if (close < 0) return -1;
    i = close + 1;
  }
}

/**
 * An incremental RFC 4180 parser over UTF-8 byte chunks: comma-separated, `"` quotes (`""`
 * inside a quoted field), CRLF or LF line ends, quoted fields may span lines; empty lines
 * are skipped and fields are kept as they are (no trimming). A quote inside an unquoted
 * field, text after a closing quote and an unclosed quote at the end are errors naming the
 * line. A BOM at the start is dropped.
 *
 * Lines without a quote (nearly all of an event log) are found with `indexOf` alone (bytes
 * below 0x80 never occur inside a multi-byte character) and left as spans of the bytes; a
 * record with one is decoded and goes through the character-by-character path.
 */
export class CsvParser {
  private carry: Buffer = Buffer.alloc(0);
  /** The line number of the first line in `carry`. */
  private line = 1;
  private started = false;

  /**
   * Parses what `chunk` completes (with what was carried). The line begun in the previous
   * chunk is completed on its own so that the chunk is parsed where it is, not copied.
   */
  push(chunk: Buffer): CsvBatch[] {
    if (this.carry.length === 0) return [this.parse(chunk, false)];
    const lf = chunk.indexOf(LF);
    if (lf < 0) return [this.parse(Buffer.concat([this.carry, chunk]), false)];
    const first = this.parse(
      Buffer.concat([this.carry, chunk.subarray(0, lf + 1)]),
      false,
      new Int32Array(3),
    );
    // (A quoted field the line began may go on: the rest is parsed after what it left.)
    const rest = chunk.subarray(lf + 1);
    return [first, this.parse(this.carry.length > 0 ? Buffer.concat([this.carry, rest]) : rest, false)];
  }

  /** What the end of the input completes. */
  end(): CsvBatch {
    return this.parse(this.carry, true);
  }

  /** Spans of the lines of the last batch (grown as needed, reused). */
  private spans = new Int32Array(3 * 1024);

  private parse(bytes: Buffer, final: boolean, into?: Int32Array): CsvBatch {
    const records: SourceRecord[] = [];
    let spans = into ?? this.spans;
    let count = 0;
    const add = (a: number, b: number, line: number) => {
      if (count === spans.length) {
        const bigger = new Int32Array(2 * spans.length);
        bigger.set(spans);
        spans = bigger;
        if (!into) this.spans = bigger;
      }
      spans[count++] = a;
      spans[count++] = b;
      spans[count++] = line;
    };
    const length = bytes.length;
    let pos = 0;
    if (!this.started) {
      if (length < 3 && !final) {
        this.carry = bytes;
        return { bytes, spans: spans.subarray(0, count), records };
      }
      this.started = true;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) pos = 3;
    }
    let line = this.line;
    let nextQuote = bytes.indexOf(QUOTE, pos);
    while (pos < length) {
      let end = bytes.indexOf(LF, pos);
      if (end < 0) {
        if (!final) break;
        end = length;
      }
      if (nextQuote >= 0 && nextQuote < pos) nextQuote = bytes.indexOf(QUOTE, pos);
      if (nextQuote < 0 || nextQuote > end) {
        // No quote on this line: split at commas.
        const stop = end > pos && bytes[end - 1] === CR ? end - 1 : end;
        if (stop > pos) add(pos, stop, line);
        pos = end + 1;
        line++;
        continue;
      }
      const lf = recordEnd(bytes, pos);
      const text = bytes.toString('utf8', pos, lf < 0 ? length : lf + 1);
      // A complete record, or an error found early (a quote inside a field, say), or the end.
      const quoted = quotedRecord(text, 0, line, final || lf >= 0);
      if (!quoted) break; // needs more bytes
      add(-1, records.length, line);
      records.push({ values: quoted.values, line, quoted: true });
      pos = lf < 0 ? length : lf + 1;
      line += quoted.lines;
    }
    this.carry = pos < length ? bytes.subarray(pos) : Buffer.alloc(0);
    this.line = line;
    return { bytes, spans: spans.subarray(0, count), records };
  }
}

/** A record with quotes from `start` of `text`; null when it continues past the text (not final). */
function quotedRecord(
  text: string,
  start: number,
  line: number,
  final: boolean,
): { values: string[]; next: number; lines: number } | null {
  const values: string[] = [];
  let lines = 0;
  let i = start;
  const length = text.length;
  for (;;) {
    // One field from i.
    if (i < length && text.charCodeAt(i) === QUOTE) {
      let value = '';
      const opened = i + 1;
      let from = opened;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) {
          if (!final) return null;
          throw invalidCsv(line, 'a quoted field is not closed before the end of the file');
        }
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          from = q + 2;
          continue;
        }
        for (let k = text.indexOf('\n', opened); k >= 0 && k < q; k = text.indexOf('\n', k + 1)) lines++;
        i = q + 1;
        break;
      }
      values.push(value);
    } else {
      let j = i;
      while (j < length) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF || (c === CR && text.charCodeAt(j + 1) === LF)) break;
        if (c === QUOTE)
          throw invalidCsv(line + lines, 'a quote inside a field that does not start with one');
        j++;
      }
      values.push(text.slice(i, j));
      i = j;
    }
    if (i >= length) {
      if (!final) return null;
      return { values, next: length, lines: lines + 1 };
    }
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      i++;
      continue;
    }
    if (c === CR && text.charCodeAt(i + 1) === LF) i++;
    else if (c === CR && i + 1 >= length && !final) return null;
    if (text.charCodeAt(i) === LF) return { values, next: i + 1, lines: lines + 1 };
    throw invalidCsv(line + lines, 'text after the closing quote of a field');
  }
}
