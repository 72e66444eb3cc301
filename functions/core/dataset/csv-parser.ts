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
 * The rows one chunk of CSV text completed. Lines without a quote stay in `text` as spans
 * (no substrings, no arrays: most of an event log); the others are parsed into `records`.
 * `spans` holds triples in file order: `start, stop, line` of a line without quotes (`stop`
 * before its line end), or `-1, i, line` for `records[i]`.
 */
export interface CsvBatch {
  text: string;
  spans: number[];
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
 * An incremental RFC 4180 parser over text chunks: comma-separated, `"` quotes (`""` inside
 * a quoted field), CRLF or LF line ends, quoted fields may span lines; empty lines are
 * skipped and fields are kept as they are (no trimming). A quote inside an unquoted field,
 * text after a closing quote and an unclosed quote at the end are errors naming the line.
 *
 * Lines without a quote (nearly all of an event log) are found with `indexOf` alone and left
 * as spans of the text; a line with one goes through the character-by-character path.
 */
export class CsvParser {
  private carry = '';
  /** The line number of the first line in `carry`. */
  private line = 1;

  /** Parses what `text` completes (with what was carried). */
  push(text: string): CsvBatch {
    return this.parse(this.carry + text, false);
  }

  /** What the end of the input completes. */
  end(): CsvBatch {
    return this.parse(this.carry, true);
  }

  private parse(text: string, final: boolean): CsvBatch {
    const records: SourceRecord[] = [];
    const spans: number[] = [];
    const length = text.length;
    let pos = 0;
    let line = this.line;
    let nextQuote = text.indexOf('"');
    while (pos < length) {
      let end = text.indexOf('\n', pos);
      if (end < 0) {
        if (!final) break;
        end = length;
      }
      if (nextQuote >= 0 && nextQuote < pos) nextQuote = text.indexOf('"', pos);
      if (nextQuote < 0 || nextQuote > end) {
        // No quote on this line: split at commas.
        const stop = end > pos && text.charCodeAt(end - 1) === CR ? end - 1 : end;
        if (stop > pos) spans.push(pos, stop, line);
        pos = end + 1;
        line++;
        continue;
      }
      const quoted = this.quotedRecord(text, pos, line, final);
      if (!quoted) break; // needs more text
      spans.push(-1, records.length, line);
      records.push({ values: quoted.values, line, quoted: true });
      pos = quoted.next;
      line += quoted.lines;
    }
    this.carry = pos < length ? text.slice(pos) : '';
    this.line = line;
    return { text, spans, records };
  }

  /** A record with quotes from `start`; null when it continues past the text (not final). */
  private quotedRecord(
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
}
