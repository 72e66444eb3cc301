/**
 * Limits on JSON text the service reads from clients (request bodies, uploaded notebooks),
 * checked on the raw text before anything parses it: recursive code (JSON.parse with a
 * reviver, JSON.stringify, schema validators, the DynamoDB marshaller) never sees a value
 * deep enough to overflow the stack.
 */
import { InvalidUtf8Error, RequestTooDeepError } from './errors.ts';

/**
 * How deep objects and arrays may nest in a JSON request body or an uploaded notebook.
 * Notebooks nest about 7 levels (cells, outputs, data, a JSON output), widget state a few
 * more; parameters a handful. 64 leaves room for any real document.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The offset of the bracket that opens the `limit + 1`-th nested object or array of `text`,
 * or -1 when it nests at most `limit` deep. One pass, O(n); brackets inside strings do not
 * count. The text need not be valid JSON: the parser reports syntax errors afterwards.
 */
export function depthExceededAt(text: string, limit: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string: find its closing quote (one not escaped by an odd run of backslashes).
      for (;;) {
        const quote = text.indexOf('"', i + 1);
        if (quote < 0) return -1;
        let backslashes = 0;
        while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
        i = quote;
        if (backslashes % 2 === 0) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return i;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return -1;
}

/**
 * Throws {@link RequestTooDeepError} (a 400 naming `where` and the limit) when `text` nests
 * deeper than {@link MAX_JSON_DEPTH}.
 */
export function assertJsonDepth(text: string, where: string, limit = MAX_JSON_DEPTH): void {
  const at = depthExceededAt(text, limit);
  if (at < 0) return;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  throw new RequestTooDeepError(where, limit, `line ${line}, column ${column}`);
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** The offset of the first byte that does not continue a well-formed UTF-8 sequence (RFC 3629). */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // The length of the sequence and the range of its second byte (overlongs, surrogates and
    // code points above U+10FFFF are excluded by the second byte's range).
    const [n, low, high] =
      b >= 0xc2 && b <= 0xdf
        ? [2, 0x80, 0xbf]
        : b === 0xe0
          ? [3, 0xa0, 0xbf]
          : b === 0xed
            ? [3, 0x80, 0x9f]
            : b >= 0xe1 && b <= 0xef
              ? [3, 0x80, 0xbf]
              : b === 0xf0
                ? [4, 0x90, 0xbf]
                : b >= 0xf1 && b <= 0xf3
                  ? [4, 0x80, 0xbf]
                  : b === 0xf4
                    ? [4, 0x80, 0x8f]
                    : [0, 0, 0];
    if (n === 0) return i;
    for (let k = 1; k < n; k++) {
      const next = bytes[i + k];
      const [lo, hi] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (next === undefined || next < lo || next > hi) return i;
    }
    i += n;
  }
  return -1;
}

/**
 * Decodes UTF-8 strictly: invalid bytes are a 400 {@link InvalidUtf8Error} naming `where` and
 * the offset, never replaced by U+FFFD. A leading byte order mark is dropped.
 */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return strict.decode(bytes);
  } catch (cause) {
    throw new InvalidUtf8Error(where, Math.max(0, firstInvalidUtf8Byte(bytes)), { cause });
  }
}
