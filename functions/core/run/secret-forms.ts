/**
 * The spellings of a secret value a notebook can print without meaning to hide it: the value as
 * is, base64 (standard and URL-safe, padded or not, and the value at each of the three byte
 * alignments inside a longer base64 text, as GitHub Actions masks them), URL-encoded
 * (`encodeURIComponent`, Python's `quote` and `quote_plus`), JSON-escaped (`JSON.stringify`,
 * Python's `json.dumps` with `ensure_ascii`), Python's `repr` inside either quote, and
 * HTML-escaped (pandas' and IPython's HTML). Each is what appears between the delimiters, so
 * it is found inside any longer text.
 */

/** Alignment forms shorter than this are left out: too short to be told from other base64 text. */
const MIN_ALIGNED_LENGTH = 8;

const urlSafe = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_');
const unpadded = (b64: string) => b64.replace(/=+$/, '');

/**
 * The base64 characters that depend on the value alone when it starts `offset` bytes (0–2) into
 * a 3-byte group of a longer text: the characters mixing in bytes before or after it are cut.
 */
function alignedBase64(bytes: Buffer, offset: number): string {
  const encoded = unpadded(Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64'));
  const skip = [0, 2, 3][offset]!;
  const partialEnd = (offset + bytes.length) % 3 !== 0;
  return encoded.slice(skip, partialEnd ? encoded.length - 1 : encoded.length);
}

function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const whole = bytes.toString('base64');
  const forms = [whole, unpadded(whole), urlSafe(whole), unpadded(urlSafe(whole))];
  for (const offset of [0, 1, 2]) {
    const aligned = alignedBase64(bytes, offset);
    if (aligned.length >= MIN_ALIGNED_LENGTH) forms.push(aligned, urlSafe(aligned));
  }
  return forms;
}

const hex = (c: string) =>
  Array.from(Buffer.from(c, 'utf8'))
    .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');

/** Python's `urllib.parse.quote(value, safe)`: everything but `A-Za-z0-9_.-~` and `safe` escaped. */
function pythonQuote(value: string, safe: string): string {
  return Array.from(value)
    .map((c) => (/^[A-Za-z0-9_.~-]$/.test(c) || safe.includes(c) ? c : hex(c)))
    .join('');
}

function urlForms(value: string): string[] {
  const component = encodeURIComponent(value);
  const plus = Array.from(value)
    .map((c) => (c === ' ' ? '+' : pythonQuote(c, '')))
    .join('');
  return [component, pythonQuote(value, '/'), plus, component.replace(/%20/g, '+')];
}

/** `json.dumps(value, ensure_ascii=True)` between its quotes (lower-case hex, as Python writes it). */
function pythonJson(value: string): string {
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Python's `repr` of a str between the given quotes (printable characters as they are). */
function pythonRepr(value: string, quote: "'" | '"'): string {
  const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return Array.from(value)
    .map((c) => {
      if (escapes[c]) return escapes[c];
      if (c === quote) return `\\${c}`;
      const code = c.codePointAt(0)!;
      if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
      return c;
    })
    .join('');
}

function htmlForms(value: string): string[] {
  const base = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const quoted = base.replace(/"/g, '&quot;');
  return [base, quoted.replace(/'/g, '&#x27;'), quoted.replace(/'/g, '&#39;')];
}

/** Every form of `value`, distinct, longest first. */
export function secretForms(value: string): string[] {
  const forms = new Set([
    value,
    ...base64Forms(value),
    ...urlForms(value),
    JSON.stringify(value).slice(1, -1),
    pythonJson(value),
    pythonRepr(value, "'"),
    pythonRepr(value, '"'),
    ...htmlForms(value),
  ]);
  forms.delete('');
  return [...forms].sort((a, b) => b.length - a.length);
}
