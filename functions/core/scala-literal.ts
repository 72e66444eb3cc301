/**
 * Scala source literals for JSON values, written as papermill's `ScalaTranslator` writes them
 * (papermill 2.x `translators.py`: `None`, `true`/`false`, ints with an `L` past 32 bits,
 * `Seq(...)` for arrays, `Map("k" -> v)` for objects, `val name = literal`), except where
 * papermill's text would not compile in Scala (see {@link toScalaLiteral}).
 */
import { isRawJson, NUMBER, SHORT_ESCAPES, toPythonLiteral } from './python-literal.ts';

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/**
 * The Scala literal for a JSON value:
 * - `null` → `None`, booleans → `true` / `false`;
 * - integers as papermill writes them: as they are within 32 bits (an `Int`), with `L` past
 *   them (a `Long`); past 64 bits, where papermill's `…L` does not compile, `BigInt("…")`;
 * - other numbers as Python prints the `json.loads` float (`1.5`, `1e+100`, `-0.0`: Scala
 *   reads each as a `Double`); non-finite ones `Double.PositiveInfinity`,
 *   `Double.NegativeInfinity`, `Double.NaN` (papermill's `inf` is no Scala);
 * - strings → `"…"` escaped as papermill's `translate_escaped_str` (`unicode_escape`, `"` →
 *   `\"`), except that `\xe9` (no escape in Scala) is written `\u00e9` and a character past
 *   U+FFFF (papermill's `\U0001f600`) as its two UTF-16 halves, `\ud83d\ude00`;
 * - arrays → `Seq(a, b)`; objects → `Map("key" -> value)` in the object's key order.
 *
 * Throws a TypeError for values JSON has no form for.
 */
export function toScalaLiteral(value: unknown): string {
  if (value === null) return 'None';
  switch (typeof value) {
    case 'string':
      return scalaString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return scalaNumber(toPythonLiteral(value));
    case 'object':
      if (isRawJson(value)) {
        const source = value.rawJSON;
        return NUMBER.test(source) ? scalaNumber(toPythonLiteral(value)) : toScalaLiteral(JSON.parse(source));
      }
      if (Array.isArray(value)) return `Seq(${value.map(toScalaLiteral).join(', ')})`;
      return `Map(${Object.entries(value)
        .map(([key, item]) => `${scalaString(key)} -> ${toScalaLiteral(item)}`)
        .join(', ')})`;
    default:
      throw new TypeError(`no Scala literal for a value of type ${typeof value}`);
  }
}

/** From the Python literal papermill would print (an int, a float or `float('…')`). */
function scalaNumber(python: string): string {
  if (python === "float('inf')") return 'Double.PositiveInfinity';
  if (python === "float('-inf')") return 'Double.NegativeInfinity';
  if (python === "float('nan')") return 'Double.NaN';
  if (!/^-?\d+$/.test(python)) return python;
  const integer = BigInt(python);
  if (integer >= INT_MIN && integer <= INT_MAX) return python;
  if (integer >= LONG_MIN && integer <= LONG_MAX) return `${python}L`;
  return `BigInt("${python}")`;
}

/** `unicode_escape` as papermill applies it, in UTF-16 code units with `\u` escapes only. */
function scalaString(text: string): string {
  let out = '"';
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    const code = text.charCodeAt(index);
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/**
 * Words Scala 2.11 reserves (the language specification's list, with `macro` and `then`,
 * which 2.11 warns about), and `_`: none can be a `val`'s name.
 */
const SCALA_RESERVED = new Set(
  'abstract case catch class def do else extends false final finally for forSome if implicit import lazy macro match new null object override package private protected return sealed super this throw trait try true type val var while with yield then _'.split(
    ' ',
  ),
);

/**
 * True when `val name = …` compiles: a plain identifier (a letter or `_`, then letters,
 * digits and `_`; `$` is the compiler's) that is not a reserved word.
 */
export function isScalaIdentifier(name: string): boolean {
  return /^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(name) && !SCALA_RESERVED.has(name);
}

/** papermill's `ScalaTranslator.codify`: `// Parameters`, then `val name = literal` per parameter. */
export function scalaParametersCellSource(params: Record<string, unknown>): string {
  let content = '// Parameters\n';
  for (const [name, value] of Object.entries(params)) content += `val ${name} = ${toScalaLiteral(value)}\n`;
  return content;
}
