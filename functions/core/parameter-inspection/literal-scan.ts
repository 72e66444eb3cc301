/**
 * Bracket- and quote-aware scans of one statement's code (no comments left), shared by the
 * Python and R parsers.
 */

const OPEN = '([{';
const CLOSE = ')]}';

/** Calls `visit(i, depth)` for each character of `text` outside string literals; stops when it returns true. */
function scan(text: string, visit: (i: number, depth: number) => boolean): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      i += quote.length;
      while (i < text.length && !text.startsWith(quote, i)) i += text[i] === '\\' ? 2 : 1;
      i += quote.length - 1;
      continue;
    }
    if (CLOSE.includes(c)) depth--;
    if (visit(i, depth)) return;
    if (OPEN.includes(c)) depth++;
  }
}

/**
 * The index of the first `char` outside strings and brackets for which `accept(text, i)`
 * holds (default: any), or -1.
 */
export function topLevelIndex(
  text: string,
  char: string,
  accept: (text: string, at: number) => boolean = () => true,
): number {
  let found = -1;
  scan(text, (i, depth) => {
    if (depth === 0 && text[i] === char && accept(text, i)) found = i;
    return found >= 0;
  });
  return found;
}

/** True when the bracket at `open` closes at the text's last character (`[1] + [2]` does not). */
export function closesAtEnd(text: string, open: number): boolean {
  let closedAt = -1;
  scan(text, (i, depth) => {
    if (i > open && depth === 0 && CLOSE.includes(text[i]!)) closedAt = i;
    return closedAt >= 0;
  });
  return open >= 0 && closedAt === text.length - 1;
}
