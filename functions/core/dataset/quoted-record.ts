import { ValidationError } from '../errors.ts';

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/** A CSV syntax error: a 400 InvalidCsv naming the line. */
function invalidCsv(line: number, reason: string): ValidationError {
  return new ValidationError(
    `The file is not valid CSV (line ${line}): ${reason}`,
    [{ path: 'file', message: reason }],
    'InvalidCsv',
  );
}

/**
 * The record with quotes that starts at `start` of `text`, parsed character by character
 * (RFC 4180, see `CsvParser`): its values, where the next record starts and how many lines it
 * took. Null when it continues past the text and more may come (not `final`).
 */
export function quotedRecord(
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
