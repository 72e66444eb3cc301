/**
 * Splits a parameters cell into statements, as papermill's `PythonTranslator.inspect` groups
 * its lines: blank and comment-only lines are skipped, a definition may run over several lines
 * (an open bracket, a string, a trailing `\`), its lines are joined stripped, and only the
 * comment of its last line is kept (the help). Where papermill counts the `=` of each line
 * (skipping a line with two), `#`, `;` and brackets count here only outside strings, and `=`
 * only outside strings and brackets, so `s = "a#b"` and `d = dict(a=1)` are read too.
 */

/** One statement: its code without comments, and the comment ending its last line. */
export interface Statement {
  code: string;
  /** The text after `#` on the statement's last line, or null. */
  comment: string | null;
}

export interface ScanOptions {
  /** Python's `'''` and `"""` strings. */
  tripleQuotes: boolean;
  /** Strings may span lines (R); else an unterminated quote ends at the line's end (Python). */
  multilineStrings: boolean;
}

const OPEN = '([{';
const CLOSE = ')]}';
const WORD_END = /[\p{L}\p{N}_]$/u;
const WORD_START = /^[\p{L}\p{N}_]/u;

/** The statements of `source` in order (see the module comment). */
export function splitStatements(source: string, options: ScanOptions): Statement[] {
  const statements: Statement[] = [];
  let lines: string[] = [''];
  let comment: string | null = null;
  let depth = 0;
  let quote: string | null = null;
  let continued = false;
  /** The last statement the current line ended or holds: the line's comment is its help. */
  let onLine: Statement | null = null;
  const add = (text: string) => {
    lines[lines.length - 1] += text;
  };
  const finish = (): Statement | null => {
    const code = joinLines(lines);
    lines = [''];
    depth = 0;
    if (!code) return null;
    const statement = { code, comment: null };
    statements.push(statement);
    return statement;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote && !(c === '\n' && quote.length === 1 && !options.multilineStrings)) {
      if (c === '\n') lines.push('');
      else add(c);
      if (c === '\\') add(source[++i] ?? '');
      else if (c !== '\n' && source.startsWith(quote, i)) {
        add(quote.slice(1));
        i += quote.length - 1;
        quote = null;
      }
      continue;
    }
    quote = null; // an unterminated Python string ends with its line
    if (c === '"' || c === "'") {
      quote = options.tripleQuotes && source.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      add(quote);
      i += quote.length - 1;
    } else if (c === '#') {
      const end = source.indexOf('\n', i);
      comment = source.slice(i + 1, end < 0 ? source.length : end).replace(/\r$/, '');
      i = (end < 0 ? source.length : end) - 1;
    } else if (c === '\\' && /^\r?\n/.test(source.slice(i + 1, i + 3))) {
      continued = true;
    } else if (c === '\n') {
      if (depth > 0 || continued) lines.push('');
      else {
        onLine = finish() ?? onLine;
        if (onLine && comment !== null) onLine.comment = comment;
        onLine = null;
      }
      comment = null;
      continued = false;
    } else if (c === ';' && depth === 0) {
      onLine = finish() ?? onLine;
    } else if (c !== '\r') {
      if (OPEN.includes(c)) depth++;
      if (CLOSE.includes(c)) depth = Math.max(0, depth - 1);
      add(c);
    }
  }
  onLine = finish() ?? onLine;
  if (onLine && comment !== null) onLine.comment = comment;
  return statements;
}

/** A statement's lines joined as papermill joins them: each stripped, a space only between two words. */
function joinLines(lines: string[]): string {
  let code = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    code += code && WORD_END.test(code) && WORD_START.test(line) ? ` ${line}` : line;
  }
  return code;
}
