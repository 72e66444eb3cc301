/**
 * papermill-compatible parameter injection: the `# Parameters` cell papermill's
 * `parameterize_notebook` writes for a Python kernel, and where it goes in the notebook.
 */
import { isRawJson, type RawJson, rawJson, toPythonLiteral } from './python-literal.ts';
import { rParameterName, rParametersCellSource, toRLiteral } from './r-literal.ts';
import { isScalaIdentifier, scalaParametersCellSource } from './scala-literal.ts';

export { isRawJson, type RawJson, toPythonLiteral };

/** The tag of the cell papermill writes (and replaces on a second run). */
export const INJECTED_PARAMETERS_TAG = 'injected-parameters';
/** The tag a notebook author puts on the cell of defaults; the injected cell goes right after it. */
export const PARAMETERS_TAG = 'parameters';

/** A reviver with the source text context of Node 22's `JSON.parse` (given for primitive values). */
type SourceReviver = (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown;

const parseWithSource = JSON.parse as unknown as (text: string, reviver: SourceReviver) => unknown;

/**
 * Parses JSON text like `JSON.parse`, but every number becomes `JSON.rawJSON(source)`: integers
 * of any size, `1.0` against `1`, `-0` and `1e400` keep their exact source, `JSON.stringify`
 * re-emits them unchanged and {@link toPythonLiteral} types them as Python's `json.loads` does.
 * Objects are plain JS objects, so integer-like keys come first (Python keeps the text's order).
 * Throws a SyntaxError for text that is not JSON.
 */
export function parseParametersLossless(text: string): unknown {
  return parseWithSource(text, (_key, value, context) =>
    typeof value === 'number' && context.source !== undefined ? rawJson(context.source) : value,
  );
}

/**
 * JSON with every object's keys sorted (recursively), so objects that differ only in key
 * order serialise alike. Raw JSON numbers (lossless parameters) keep their exact source text;
 * `undefined` members are left out and `undefined` in arrays is `null`, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  if (isRawJson(value)) return JSON.stringify(value);
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Python's keywords: identifiers that cannot be assigned to. */
export const PYTHON_KEYWORDS: readonly string[] =
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  );
const KEYWORDS = new Set(PYTHON_KEYWORDS);
/** `str.isidentifier()`: XID_Start or `_`, then XID_Continue (see {@link isPythonIdentifier}). */
export const PYTHON_IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

/**
 * True when `name` can be assigned to in Python: `str.isidentifier()` (XID_Start or `_`, then
 * XID_Continue; the XID sets, not ID_Start/ID_Continue, are what Python accepts: `ͺ` is
 * ID_Start but a SyntaxError) and not a keyword, also after the NFKC normalisation Python
 * applies to identifiers (`𝐓𝐫𝐮𝐞` is `True`). Characters assigned after the Unicode version of
 * the kernel's Python (Node knows a newer one) may still be refused by that Python.
 */
export function isPythonIdentifier(name: string): boolean {
  return PYTHON_IDENTIFIER.test(name) && !KEYWORDS.has(name.normalize('NFKC'));
}

/**
 * The parameter names (in order) the kernel's language cannot assign: for `r`, names that are
 * not syntactic R names once papermill drops their leading `_`; for `scala`, names `val` cannot
 * take; else not Python identifiers.
 */
export function validateParameterNames(params: Record<string, unknown>, kernelType = 'python3'): string[] {
  if (kernelType === 'r') return Object.keys(params).filter((name) => rParameterName(name) === null);
  if (kernelType === 'scala') return Object.keys(params).filter((name) => !isScalaIdentifier(name));
  return Object.keys(params).filter((name) => !isPythonIdentifier(name));
}

/**
 * The parameter values (in order) the kernel's language cannot hold: for `r`, strings with a
 * NUL or a lone surrogate (see `toRLiteral`); none for Python.
 */
export function unwritableParameters(params: Record<string, unknown>, kernelType = 'python3'): string[] {
  if (kernelType !== 'r') return [];
  return Object.keys(params).filter((name) => {
    try {
      toRLiteral(params[name]);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * papermill's `PythonTranslator.codify(parameters, comment='Parameters')`: `# Parameters`, then
 * `name = literal` per parameter in the object's key order, each line ending in `\n`. Names are
 * written as they are: check them with {@link validateParameterNames} first. For an `r` kernel,
 * papermill's `RTranslator.codify` (r-literal.ts); for `scala`, its `ScalaTranslator.codify`
 * (scala-literal.ts).
 */
export function parametersCellSource(params: Record<string, unknown>, kernelType = 'python3'): string {
  if (kernelType === 'r') return rParametersCellSource(params);
  if (kernelType === 'scala') return scalaParametersCellSource(params);
  let content = '# Parameters\n';
  for (const [name, value] of Object.entries(params)) content += `${name} = ${toPythonLiteral(value)}\n`;
  return content;
}

/** The notebook cell fields {@link injectParameters} reads. */
export interface TaggableCell {
  cell_type: string;
  metadata: Record<string, unknown>;
  source: string | string[];
  id?: string;
}

function hasTag(cell: TaggableCell, tag: string): boolean {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) && tags.includes(tag);
}

/**
 * Places the parameters cell as papermill's `parameterize_notebook` does: it replaces the first
 * cell tagged `injected-parameters` when there is one, else goes right after the first cell
 * tagged `parameters`, else at the top. `makeCell` builds a code cell (with its own new id) from
 * the source; its `metadata.tags` is then set to exactly `['injected-parameters']`, as papermill
 * does, whatever `makeCell` put there. Pure: returns a new array (`injectedIndex` is the new
 * cell's position in it) and leaves `cells` as they are.
 */
export function injectParameters<C extends TaggableCell>(
  cells: readonly C[],
  makeCell: (source: string) => C,
  params: Record<string, unknown>,
  kernelType = 'python3',
): { cells: C[]; injectedIndex: number } {
  const made = makeCell(parametersCellSource(params, kernelType));
  const cell: C = { ...made, metadata: { ...made.metadata, tags: [INJECTED_PARAMETERS_TAG] } };
  const injected = cells.findIndex((c) => hasTag(c, INJECTED_PARAMETERS_TAG));
  if (injected >= 0) {
    return {
      cells: [...cells.slice(0, injected), cell, ...cells.slice(injected + 1)],
      injectedIndex: injected,
    };
  }
  const at = cells.findIndex((c) => hasTag(c, PARAMETERS_TAG)) + 1;
  return { cells: [...cells.slice(0, at), cell, ...cells.slice(at)], injectedIndex: at };
}
