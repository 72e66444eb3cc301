/**
 * R source literals for JSON values, written as papermill's `RTranslator` writes them
 * (papermill 2.x `translators.py`: `NULL`, `TRUE`/`FALSE`, `list(...)` for arrays and objects,
 * numbers as Python prints them, strings through `translate_escaped_str`), except where
 * papermill's text would not mean the same in R (see {@link toRLiteral}).
 */
import { escapedString, isRawJson, NUMBER, toPythonLiteral } from './python-literal.ts';

/**
 * The R literal for a JSON value:
 * - `null` → `NULL`, booleans → `TRUE` / `FALSE`;
 * - numbers as papermill writes them (Python's `str()` of the `json.loads` value: `42`, `1.5`,
 *   `1e+100`; raw JSON numbers keep int/float as in python-literal.ts); R reads all as doubles;
 *   non-finite ones → `Inf`, `-Inf`, `NaN` (papermill would write `inf`, which R does not read);
 * - strings → `"…"` escaped as `str.encode('unicode_escape')` with `"` → `\"`, except that
 *   U+0080–U+00FF are written `\u00e9` (papermill's `\xe9` is a Latin-1 byte in R, not `é`);
 *   a NUL or a lone surrogate cannot be in an R string: RangeError;
 * - arrays → `list(a, b)`; objects → `list("key" = value)` in the object's key order.
 *
 * Throws a TypeError for values JSON has no form for.
 */
export function toRLiteral(value: unknown): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'string':
      return rString(value);
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'number':
    case 'bigint':
      return rNumber(toPythonLiteral(value));
    case 'object':
      if (isRawJson(value)) {
        const source = value.rawJSON;
        return NUMBER.test(source) ? rNumber(toPythonLiteral(value)) : toRLiteral(JSON.parse(source));
      }
      if (Array.isArray(value)) return `list(${value.map(toRLiteral).join(', ')})`;
      return `list(${Object.entries(value)
        .map(([key, item]) => `${rString(key)} = ${toRLiteral(item)}`)
        .join(', ')})`;
    default:
      throw new TypeError(`no R literal for a value of type ${typeof value}`);
  }
}

function rNumber(python: string): string {
  if (python === "float('inf')") return 'Inf';
  if (python === "float('-inf')") return '-Inf';
  if (python === "float('nan')") return 'NaN';
  return python;
}

function rString(text: string): string {
  // U+0080–U+00FF as `\u00e9`: papermill's `\xe9` is a Latin-1 byte in R, not `é`.
  return escapedString(text, 0x80, (code) => {
    if (code === 0) throw new RangeError('an R string cannot hold a NUL character');
    if (code >= 0xd800 && code <= 0xdfff) throw new RangeError('an R string cannot hold a lone surrogate');
  });
}

/** Words R reserves (`?Reserved`): not assignable without backquotes. */
const R_RESERVED = new Set(
  'if else repeat while function for next break TRUE FALSE NULL Inf NaN NA NA_integer_ NA_real_ NA_complex_ NA_character_ in'.split(
    ' ',
  ),
);

/**
 * The name papermill's `RTranslator.assign` writes: leading `_` dropped (not legal in R).
 * Null when what is left is not a syntactic R name (a letter, or `.` not followed by a digit,
 * then letters, digits, `.` and `_`; ASCII letters only; not a reserved word).
 */
export function rParameterName(name: string): string | null {
  const stripped = name.replace(/^_+/, '');
  const syntactic = /^(?:[A-Za-z]|\.(?![0-9]))[A-Za-z0-9._]*$/.test(stripped);
  return syntactic && !R_RESERVED.has(stripped) && !/^\.\.(\d+|\.)$/.test(stripped) ? stripped : null;
}

/** papermill's `RTranslator.codify`: `# Parameters`, then `name = literal` per parameter. */
export function rParametersCellSource(params: Record<string, unknown>): string {
  let content = '# Parameters\n';
  for (const [name, value] of Object.entries(params)) {
    content += `${rParameterName(name) ?? name} = ${toRLiteral(value)}\n`;
  }
  return content;
}
