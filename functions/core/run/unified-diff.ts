/**
 * A small line diff in unified format (`diff -u`'s hunks, without the file header): the
 * longest common subsequence of the lines after their common head and tail, with a cap on
 * the work (too many changed lines at once: the middle is shown as replaced whole) and on
 * the text given back.
 */

/** A unified diff of two texts, and whether it was cut to fit its caps. */
export interface UnifiedDiff {
  /** `@@ -a,b +c,d @@` hunks with ` `, `-` and `+` lines, each ending in a newline. */
  unified: string;
  /** Lines only in the new text. */
  added: number;
  /** Lines only in the old text. */
  removed: number;
  /** The hunks were cut at `maxLines` or `maxBytes`. */
  truncated: boolean;
}

export interface DiffCaps {
  /** Unchanged lines shown around a change (3, as `diff -u`). */
  context?: number;
  /** Lines of `unified` at most. */
  maxLines?: number;
  /** UTF-8 bytes of `unified` at most. */
  maxBytes?: number;
}

/** Cells of the LCS table at most (changed lines before × after); beyond, the middle is replaced whole. */
const MAX_TABLE = 4_000_000;

type Op = [' ' | '-' | '+', string];

/** Splits text into lines (a last line without a newline is still a line). */
function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The edit script turning `a` into `b`: LCS by dynamic programming on what differs. */
function editScript(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const middle: Op[] = [];
  if (x.length * y.length > MAX_TABLE) {
    for (const line of x) middle.push(['-', line]);
    for (const line of y) middle.push(['+', line]);
  } else {
    // lcs[i][j]: the LCS length of x[i..] and y[j..], one row of (y.length + 1) per i.
    const width = y.length + 1;
    const lcs = new Uint32Array((x.length + 1) * width);
    for (let i = x.length - 1; i >= 0; i--)
      for (let j = y.length - 1; j >= 0; j--)
        lcs[i * width + j] =
          x[i] === y[j]
            ? lcs[(i + 1) * width + j + 1]! + 1
            : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        middle.push([' ', x[i++]!]);
        j++;
      } else if (i < x.length && (j === y.length || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
        // On a tie the removal comes first, as `diff -u` writes it.
        middle.push(['-', x[i++]!]);
      } else middle.push(['+', y[j++]!]);
    }
  }
  const same = (lines: string[]): Op[] => lines.map((line) => [' ', line]);
  return [...same(a.slice(0, head)), ...middle, ...same(a.slice(a.length - tail))];
}

/** The hunks of an edit script: changes with `context` lines around them, close ones merged. */
function hunks(ops: Op[], context: number): string[] {
  const lines: string[] = [];
  let n = 0;
  while (n < ops.length) {
    while (n < ops.length && ops[n]![0] === ' ') n++;
    if (n === ops.length) break;
    const start = Math.max(0, n - context);
    let end = n;
    // Extend over changes and the unchanged runs between them shorter than two contexts.
    for (let k = n; k < ops.length; k++) {
      if (ops[k]![0] !== ' ') end = k + 1;
      else if (k - end >= 2 * context) break;
    }
    const stop = Math.min(ops.length, end + context);
    const before = ops.slice(0, start);
    const oldStart = before.filter((o) => o[0] !== '+').length;
    const newStart = before.filter((o) => o[0] !== '-').length;
    const body = ops.slice(start, stop);
    const oldCount = body.filter((o) => o[0] !== '+').length;
    const newCount = body.filter((o) => o[0] !== '-').length;
    const from = (s: number, c: number) => `${c === 0 ? s : s + 1},${c}`;
    lines.push(`@@ -${from(oldStart, oldCount)} +${from(newStart, newCount)} @@`);
    for (const [mark, text] of body) lines.push(`${mark}${text}`);
    n = stop;
  }
  return lines;
}

/**
 * The unified diff of two texts, by line; null when they are equal. `unified` keeps whole
 * lines up to `maxLines` (200) and `maxBytes` (16 KiB), then `truncated` is true; `added`
 * and `removed` count every changed line whatever was cut. Texts with the same lines (they
 * differ in a last newline only) count as equal.
 */
export function unifiedDiff(before: string, after: string, caps: DiffCaps = {}): UnifiedDiff | null {
  if (before === after) return null;
  const { context = 3, maxLines = 200, maxBytes = 16 * 1024 } = caps;
  const ops = editScript(linesOf(before), linesOf(after));
  // Texts that differ only in a last newline have the same lines.
  if (ops.every((o) => o[0] === ' ')) return null;
  const all = hunks(ops, context);
  const kept: string[] = [];
  let bytes = 0;
  for (const line of all) {
    const size = Buffer.byteLength(line, 'utf8') + 1;
    if (kept.length === maxLines || bytes + size > maxBytes) break;
    kept.push(line);
    bytes += size;
  }
  return {
    unified: kept.map((line) => `${line}\n`).join(''),
    added: ops.filter((o) => o[0] === '+').length,
    removed: ops.filter((o) => o[0] === '-').length,
    truncated: kept.length < all.length,
  };
}
