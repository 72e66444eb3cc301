import type { SourceRecord } from './csv-records.ts';
import { quotedRecord } from './quoted-record.ts';

const QUOTE = 34;
const CR = 13;
const LF = 10;

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
