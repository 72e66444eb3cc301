/**
 * Python source literals for JSON values, written exactly as papermill's `PythonTranslator`
 * writes them (papermill 2.x `translators.py`, without the optional `black` reformatting) for
 * the value Python's `json.loads` makes of the same JSON text.
 */

/** A JSON number kept as its exact source text (`JSON.rawJSON`, Node 22). */
export interface RawJson {
  readonly rawJSON: string;
}

/** The parts of `JSON` from the JSON.parse source text access proposal that TypeScript's lib lacks. */
interface JsonRaw {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): boolean;
}

const json = JSON as unknown as JsonRaw;

/** Wraps JSON source text (a number, string, `true`, `false` or `null`) so `JSON.stringify` re-emits it as is. */
export function rawJson(text: string): RawJson {
  return json.rawJSON(text);
}

/** True when `value` was made by `JSON.rawJSON` (plain objects with a `rawJSON` key are not). */
export function isRawJson(value: unknown): value is RawJson {
  return json.isRawJSON(value);
}

const INTEGER = /^-?\d+$/;
/** A JSON number's source text. */
export const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
/** The characters papermill's `unicode_escape` (then `"` → `\"`) writes as short escapes. */
export const SHORT_ESCAPES: Record<string, string> = {
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '"': '\\"',
  '\\': '\\\\',
};

/**
 * The Python literal papermill writes for a JSON value:
 * - `null` → `None`, booleans → `True` / `False`;
 * - strings → `"…"` escaped as `str.encode('unicode_escape')` with `"` → `\"` (papermill's
 *   `translate_escaped_str`), code point by code point, lone surrogates as `\udxxx`;
 * - raw JSON numbers (from {@link rawJson}): an integer literal is a Python int printed exactly
 *   (`-0` → `0`); any other is a Python float, `Number(source)`, printed as `repr(float)`;
 * - plain JS numbers: a Python int when `Number.isInteger(v)` and `|v| <= 2^53` (so `1.0` parsed
 *   by plain `JSON.parse` becomes `1`: use raw numbers to keep the distinction), else a float;
 *   bigints are ints; non-finite floats → `float('nan')`, `float('inf')`, `float('-inf')`;
 * - arrays → `[a, b]`; objects → `{"key": value}` in the object's own key order (note that JS
 *   puts integer-like keys such as `"2024"` first, where Python keeps the JSON text's order).
 *
 * Throws a TypeError for values JSON has no form for (undefined, functions, symbols).
 */
export function toPythonLiteral(value: unknown): string {
  if (value === null) return 'None';
  switch (typeof value) {
    case 'string':
      return pythonString(value);
    case 'boolean':
      return value ? 'True' : 'False';
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isInteger(value) && Math.abs(value) <= 2 ** 53
        ? BigInt(value).toString()
        : pythonFloat(value);
    case 'object':
      if (isRawJson(value)) return rawLiteral(value.rawJSON);
      if (Array.isArray(value)) return `[${value.map(toPythonLiteral).join(', ')}]`;
      return `{${Object.entries(value)
        .map(([key, item]) => `${pythonString(key)}: ${toPythonLiteral(item)}`)
        .join(', ')}}`;
    default:
      throw new TypeError(`no Python literal for a value of type ${typeof value}`);
  }
}

function rawLiteral(source: string): string {
  if (INTEGER.test(source)) return BigInt(source).toString();
  if (NUMBER.test(source)) return pythonFloat(Number(source));
  return toPythonLiteral(JSON.parse(source));
}

/** `repr(float)`: shortest round-trip digits, fixed notation when -4 < decpt <= 16. */
function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return "float('nan')";
  if (!Number.isFinite(value)) return value < 0 ? "float('-inf')" : "float('inf')";
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const [mantissa = '0', exponent = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const decpt = Number(exponent) + 1;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const e = decpt - 1;
  return `${sign}${digits[0]}${fraction}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** papermill's `translate_escaped_str`: `unicode_escape`, then `"` → `\"`, in double quotes. */
function pythonString(text: string): string {
  return escapedString(text);
}

/**
 * A double-quoted string escaped as papermill's `translate_escaped_str` writes it, code point
 * by code point: short escapes, printable ASCII as is, `\x..` below `byteLimit`, then `\u....`
 * and `\U........`. `refuse` may reject a code point (it throws). Shared by the R writer.
 */
export function escapedString(text: string, byteLimit = 0x100, refuse?: (code: number) => void): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else {
      refuse?.(code);
      if (code >= 0x20 && code < 0x7f) out += char;
      else if (code < byteLimit) out += `\\x${hex(code, 2)}`;
      else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
      else out += `\\U${hex(code, 8)}`;
    }
  }
  return `${out}"`;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
